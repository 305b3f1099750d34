package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Import modes.
const (
	modeAll = "all" // all rows or none (default)
	modeRow = "row" // every valid row; the others are reported
)

// MaxImportRows bounds one import.
const MaxImportRows = 50000

// importRow is one row of an import report.
type importRow struct {
	Row        int    `json:"row"`            // 1-based position among the data rows
	Line       int    `json:"line,omitempty"` // CSV line
	ExternalID string `json:"external_id,omitempty"`
	ID         string `json:"id,omitempty"`
	Code       string `json:"code,omitempty"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message,omitempty"`
}

// importReport answers an import.
type importReport struct {
	Mode     string      `json:"mode"`
	Rows     int         `json:"rows"`
	Created  int         `json:"created"`
	Failed   int         `json:"failed"`
	Orders   []importRow `json:"orders"` // created
	Errors   []importRow `json:"errors"` // rejected, one entry per row
	Duration string      `json:"duration"`
}

// candidate is a parsed row.
type candidate struct {
	row, line int
	o         *lastmile.Order
	err       error
}

func (s *Server) importOrders(w http.ResponseWriter, r *http.Request) error {
	t0 := time.Now()
	q := r.URL.Query()
	mode := q.Get("mode")
	if mode == "" {
		mode = modeAll
	}
	if mode != modeAll && mode != modeRow {
		return lastmile.Invalidf("mode", "%q is not all or row", mode)
	}
	defStation := q.Get("station_id")
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBody*8)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var rows []candidate
	var err error
	switch mt {
	case "text/csv":
		rows, err = parseCSV(body, defStation)
	case "application/json", "":
		rows, err = parseJSONRows(body, defStation)
	default:
		return lastmile.Errorf(lastmile.EUnsupported, "Content-Type", "%q: imports take text/csv or application/json", mt)
	}
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return lastmile.Invalidf("", "no rows to import")
	}
	rep := s.checkRows(r, rows)
	rep.Mode = mode
	var good []*lastmile.Order
	var goodRows []candidate
	for _, c := range rows {
		if c.err == nil {
			good = append(good, c.o)
			goodRows = append(goodRows, c)
		}
	}
	status := http.StatusCreated
	if rep.Failed > 0 && mode == modeAll {
		good = nil
		status = http.StatusUnprocessableEntity
	} else if rep.Failed > 0 {
		status = http.StatusOK
	}
	if len(good) > 0 {
		if err := s.store.CreateOrders(r.Context(), good, change(r, "order.imported", nil)); err != nil {
			return err
		}
		for _, c := range goodRows {
			rep.Orders = append(rep.Orders, importRow{Row: c.row, Line: c.line, ExternalID: c.o.ExternalID, ID: c.o.ID})
		}
		rep.Created = len(good)
	}
	if rep.Orders == nil {
		rep.Orders = []importRow{}
	}
	if rep.Errors == nil {
		rep.Errors = []importRow{}
	}
	s.metrics.imported.WithLabelValues("created").Add(float64(rep.Created))
	s.metrics.imported.WithLabelValues("rejected").Add(float64(rep.Failed))
	rep.Duration = time.Since(t0).Round(time.Millisecond).String()
	return writeJSON(w, status, rep)
}

// checkRows validates every row: fields, the caller's stations, and
// duplicates within the file and against the store.
func (s *Server) checkRows(r *http.Request, rows []candidate) importReport {
	rep := importReport{Rows: len(rows)}
	stations := map[string]*lastmile.Station{}
	stationErr := map[string]error{}
	locs := map[string]*time.Location{}
	now := s.now()
	for i := range rows {
		c := &rows[i]
		if c.err != nil {
			continue
		}
		id := c.o.StationID
		if _, ok := stations[id]; !ok && stationErr[id] == nil {
			st, err := s.stationFor(r, id)
			if err != nil {
				stationErr[id] = err
			} else {
				stations[id] = st
			}
		}
		if err := stationErr[id]; err != nil {
			c.err = err
			continue
		}
		fresh(c.o)
		loc, ok := locs[id]
		if !ok {
			loc = stations[id].Loc() // loads the zone: once per station, not per row
			locs[id] = loc
		}
		c.o.Normalize(now, loc)
		c.err = c.o.Validate()
	}
	// Duplicates within the file, then against the store, per station.
	type key struct{ station, v string }
	extSeen, barSeen := map[key]int{}, map[key]int{}
	byStation := map[string][]int{}
	for i := range rows {
		c := &rows[i]
		if c.err != nil {
			continue
		}
		if prev, dup := extSeen[key{c.o.StationID, c.o.ExternalID}]; dup {
			c.err = lastmile.Errorf(lastmile.EConflict, "external_id", "%q is also on row %d", c.o.ExternalID, prev)
			continue
		}
		for k, p := range c.o.Parcels {
			if prev, dup := barSeen[key{c.o.StationID, p.Barcode}]; dup {
				c.err = lastmile.Errorf(lastmile.EConflict, fmt.Sprintf("parcels[%d].barcode", k), "%q is also on row %d", p.Barcode, prev)
				break
			}
		}
		if c.err != nil {
			continue
		}
		extSeen[key{c.o.StationID, c.o.ExternalID}] = c.row
		for _, p := range c.o.Parcels {
			barSeen[key{c.o.StationID, p.Barcode}] = c.row
		}
		byStation[c.o.StationID] = append(byStation[c.o.StationID], i)
	}
	for st, idx := range byStation {
		var exts, bars []string
		for _, i := range idx {
			exts = append(exts, rows[i].o.ExternalID)
			bars = append(bars, barcodes(rows[i].o)...)
		}
		ext, bar, err := s.store.ExistingOrders(r.Context(), st, exts, bars)
		if err != nil {
			for _, i := range idx {
				rows[i].err = err
			}
			continue
		}
		for _, i := range idx {
			o := rows[i].o
			if id := ext[o.ExternalID]; id != "" {
				rows[i].err = lastmile.Errorf(lastmile.EConflict, "external_id", "order %q already exists as %s", o.ExternalID, id)
				continue
			}
			for k, p := range o.Parcels {
				if id := bar[p.Barcode]; id != "" {
					rows[i].err = lastmile.Errorf(lastmile.EConflict, fmt.Sprintf("parcels[%d].barcode", k), "barcode %q is already on order %s", p.Barcode, id)
					break
				}
			}
		}
	}
	for _, c := range rows {
		if c.err == nil {
			continue
		}
		rep.Failed++
		e := importRow{Row: c.row, Line: c.line, Code: lastmile.ErrorCode(c.err), Field: lastmile.ErrorField(c.err), Message: lastmile.ErrorMessage(c.err)}
		if c.o != nil {
			e.ExternalID = c.o.ExternalID
		}
		rep.Errors = append(rep.Errors, e)
	}
	return rep
}

// parseJSONRows reads [order, …] or {"orders": [order, …]}; each row is
// decoded on its own so that one bad row does not hide the others.
func parseJSONRows(r io.Reader, defStation string) ([]candidate, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, jsonError(err)
	}
	data = bytes.TrimSpace(data)
	var raws []json.RawMessage
	if len(data) > 0 && data[0] == '{' {
		var wrap struct {
			Orders []json.RawMessage `json:"orders"`
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&wrap); err != nil {
			return nil, jsonError(err)
		}
		raws = wrap.Orders
	} else if err := json.Unmarshal(data, &raws); err != nil {
		return nil, jsonError(err)
	}
	if len(raws) > MaxImportRows {
		return nil, lastmile.Errorf(lastmile.ETooLarge, "", "%d rows, at most %d per import", len(raws), MaxImportRows)
	}
	out := make([]candidate, len(raws))
	for i, raw := range raws {
		c := candidate{row: i + 1, o: &lastmile.Order{}}
		if err := decodeJSON(raw, c.o); err != nil {
			c.err = err
		} else if c.o.StationID == "" {
			c.o.StationID = defStation
		}
		out[i] = c
	}
	return out, nil
}

// csvColumns are the columns of the CSV import. Lists (skills, barcodes,
// weights, volumes) are separated by "|"; weight_g and volume_cm3 give one
// value per barcode, or one value for a single parcel.
var csvColumns = []string{"station_id", "external_id", "kind", "recipient_name", "recipient_phone", "recipient_email",
	"address_line1", "address_line2", "city", "postal_code", "country", "lat", "lon", "service_level", "service_date",
	"window_start", "window_end", "service_seconds", "skills", "instructions", "otp_required", "barcodes", "weight_g", "volume_cm3"}

var csvRequired = []string{"external_id", "recipient_name", "address_line1", "lat", "lon", "barcodes"}

func parseCSV(r io.Reader, defStation string) ([]candidate, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, lastmile.Invalidf("", "empty CSV: a header line is required")
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, jsonError(err)
		}
		return nil, lastmile.Invalidf("line 1", "malformed CSV header: %v", err)
	}
	col := map[string]int{}
	known := map[string]bool{}
	for _, c := range csvColumns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known[h] {
			return nil, lastmile.Invalidf(h, "unknown CSV column %q (known: %s)", h, strings.Join(csvColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, lastmile.Invalidf(h, "column %q appears twice", h)
		}
		col[h] = i
	}
	for _, req := range csvRequired {
		if _, ok := col[req]; !ok {
			return nil, lastmile.Invalidf(req, "missing CSV column %q", req)
		}
	}
	if _, ok := col["station_id"]; !ok && defStation == "" {
		return nil, lastmile.Invalidf("station_id", "give a station_id column or the station_id query parameter")
	}
	cr.FieldsPerRecord = len(header)
	var out []candidate
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		c := candidate{row: n}
		if err == nil && len(rec) > 0 {
			c.line, _ = cr.FieldPos(0)
		}
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, jsonError(err)
		case err != nil:
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.line = pe.Line
			}
			c.err = lastmile.Invalidf("", "malformed CSV row: %v", err)
		default:
			c.o, c.err = csvOrder(rec, col, defStation)
		}
		out = append(out, c)
		if len(out) > MaxImportRows {
			return nil, lastmile.Errorf(lastmile.ETooLarge, "", "more than %d rows per import", MaxImportRows)
		}
	}
	return out, nil
}

func csvOrder(rec []string, col map[string]int, defStation string) (*lastmile.Order, error) {
	get := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	o := &lastmile.Order{StationID: get("station_id"), ExternalID: get("external_id"), Kind: get("kind"),
		Recipient:    lastmile.Recipient{Name: get("recipient_name"), Phone: get("recipient_phone"), Email: get("recipient_email")},
		Address:      lastmile.Address{Line1: get("address_line1"), Line2: get("address_line2"), City: get("city"), PostalCode: get("postal_code"), Country: get("country")},
		ServiceLevel: get("service_level"), ServiceDate: get("service_date"), Instructions: get("instructions")}
	if o.StationID == "" {
		o.StationID = defStation
	}
	var err error
	if o.Address.Location.Lat, err = parseFloat(get("lat"), "lat"); err != nil {
		return o, err
	}
	if o.Address.Location.Lon, err = parseFloat(get("lon"), "lon"); err != nil {
		return o, err
	}
	if ws, we := get("window_start"), get("window_end"); ws != "" || we != "" {
		start, err1 := time.Parse(time.RFC3339, ws)
		if err1 != nil {
			return o, lastmile.Invalidf("window_start", "%q is not an RFC 3339 time", ws)
		}
		end, err2 := time.Parse(time.RFC3339, we)
		if err2 != nil {
			return o, lastmile.Invalidf("window_end", "%q is not an RFC 3339 time", we)
		}
		o.Window = &lastmile.Window{Start: start, End: end}
	}
	if v := get("service_seconds"); v != "" {
		if o.ServiceSeconds, err = strconv.ParseInt(v, 10, 64); err != nil {
			return o, lastmile.Invalidf("service_seconds", "%q is not an integer", v)
		}
	}
	if v := get("skills"); v != "" {
		o.Skills = strings.Split(v, "|")
	}
	if v := get("otp_required"); v != "" {
		if o.OTPRequired, err = strconv.ParseBool(v); err != nil {
			return o, lastmile.Invalidf("otp_required", "%q is not true or false", v)
		}
	}
	bars := strings.Split(get("barcodes"), "|")
	weights, err := ints(get("weight_g"), "weight_g", len(bars))
	if err != nil {
		return o, err
	}
	volumes, err := ints(get("volume_cm3"), "volume_cm3", len(bars))
	if err != nil {
		return o, err
	}
	for i, b := range bars {
		o.Parcels = append(o.Parcels, lastmile.Parcel{Barcode: strings.TrimSpace(b), WeightG: weights[i], VolumeCM3: volumes[i]})
	}
	return o, nil
}

func parseFloat(v, field string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, lastmile.Invalidf(field, "%q is not a number", v)
	}
	return f, nil
}

// ints parses n "|"-separated integers (or none: zeros).
func ints(v, field string, n int) ([]int64, error) {
	out := make([]int64, n)
	if v == "" {
		return out, nil
	}
	parts := strings.Split(v, "|")
	if len(parts) != n {
		return nil, lastmile.Invalidf(field, "%d values for %d barcodes", len(parts), n)
	}
	for i, p := range parts {
		x, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return nil, lastmile.Invalidf(field, "%q is not an integer", p)
		}
		out[i] = x
	}
	return out, nil
}
