package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// maxPositions is the largest batch of POST /v1/positions.
const maxPositions = 1000

type positionsRequest struct {
	Positions []lastmile.Position `json:"positions"`
}

type positionsResponse struct {
	Accepted int                `json:"accepted"`
	Rejected int                `json:"rejected"`
	Verdicts []tracking.Verdict `json:"verdicts"` // one per position, in order
}

// postPositions is POST /v1/positions: a batch from the driver app (or a
// dispatcher's integration). A driver may post only for the vehicle of
// their own dispatched route.
func (s *Server) postPositions(w http.ResponseWriter, r *http.Request) error {
	var req positionsRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if len(req.Positions) == 0 {
		return lastmile.Invalidf("positions", "at least one position is required")
	}
	if len(req.Positions) > maxPositions {
		return lastmile.Invalidf("positions", "%d positions, at most %d per request", len(req.Positions), maxPositions)
	}
	k := caller(r)
	checked := map[string]bool{}
	count := map[string]int{}
	for i := range req.Positions {
		p := &req.Positions[i]
		p.Source = "app"
		f := fmt.Sprintf("positions[%d]", i)
		if err := p.Validate(); err != nil {
			return prefixErr(f, err)
		}
		count[p.VehicleID]++
		if checked[p.VehicleID] {
			continue
		}
		if err := s.mayPost(r, p.VehicleID, f+".vehicle_id", k); err != nil {
			return err
		}
		checked[p.VehicleID] = true
	}
	now := s.cfg.RateClock()
	for v, n := range count {
		if !s.live.allow(v, n, now) {
			return lastmile.Errorf(lastmile.ERateLimited, "positions", "vehicle %s sends positions faster than %g per second: slow down", v, positionPerSec)
		}
	}
	verdicts, err := s.ingest(r.Context(), req.Positions)
	if err != nil {
		return err
	}
	res := positionsResponse{Verdicts: verdicts}
	for _, v := range verdicts {
		if v == tracking.Accepted {
			res.Accepted++
		} else {
			res.Rejected++
		}
	}
	return writeJSON(w, http.StatusOK, res)
}

// prefixErr prefixes the field of a domain error.
func prefixErr(prefix string, err error) error {
	f := lastmile.ErrorField(err)
	if f == "" {
		f = prefix
	} else {
		f = prefix + "." + f
	}
	return lastmile.Errorf(lastmile.ErrorCode(err), f, "%s", lastmile.ErrorMessage(err))
}

// mayPost checks that the caller may post positions of a vehicle: staff of
// its station, or the driver of its dispatched route; and that the vehicle
// is active.
func (s *Server) mayPost(r *http.Request, vehicleID, field string, k *lastmile.APIKey) error {
	v, err := s.liveVehicle(r.Context(), vehicleID)
	if lastmile.ErrorCode(err) == lastmile.ENotFound || (err == nil && k.Role != lastmile.RoleDriver && !k.SeesStation(v.StationID)) {
		return lastmile.Invalidf(field, "no vehicle %q", vehicleID)
	}
	if err != nil {
		return err
	}
	if !v.Active {
		return lastmile.Errorf(lastmile.EForbidden, field, "vehicle %s is not active", vehicleID)
	}
	if k.Role == lastmile.RoleDriver {
		lr, err := s.activeRoute(r.Context(), vehicleID)
		if err != nil {
			return err
		}
		if lr.route == nil || lr.route.DriverID != k.DriverID {
			return lastmile.Errorf(lastmile.EForbidden, field, "a driver may post positions only for the vehicle of their own dispatched route")
		}
	}
	return nil
}

// osmand is the OsmAnd / Traccar Client HTTP protocol: GET or POST with
// the fix in query (or form) parameters id, lat, lon, timestamp, speed
// (knots), bearing, altitude, accuracy, batt. The device id must be the
// device_id of an active vehicle.
func (s *Server) osmand(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	var q url.Values
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && ct == "application/json" {
		var err error
		if q, err = osmandJSON(r); err != nil {
			return err
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return lastmile.Invalidf("", "malformed parameters: %v", err)
		}
		q = r.Form
	}
	if q.Get("bearing") == "" && q.Get("heading") != "" {
		q.Set("bearing", q.Get("heading"))
	}
	if loc := q.Get("location"); loc != "" && q.Get("lat") == "" && q.Get("lon") == "" {
		lat, lon, ok := strings.Cut(loc, ",")
		if !ok {
			return lastmile.Invalidf("location", "%q is not latitude,longitude", loc)
		}
		q.Set("lat", strings.TrimSpace(lat))
		q.Set("lon", strings.TrimSpace(lon))
	}
	dev := strings.TrimSpace(q.Get("id"))
	if dev == "" {
		dev = strings.TrimSpace(q.Get("deviceid"))
	}
	if dev == "" || len(dev) > 128 {
		return lastmile.Invalidf("id", "the device id is required (at most 128 characters)")
	}
	vehicleID, err := s.vehicleByDevice(r.Context(), dev)
	if err != nil {
		return err
	}
	v, err := s.liveVehicle(r.Context(), vehicleID)
	if err != nil {
		return err
	}
	if !v.Active {
		return lastmile.Errorf(lastmile.EForbidden, "id", "device %q belongs to an inactive vehicle", dev)
	}
	p := lastmile.Position{VehicleID: vehicleID, Source: "osmand"}
	num := func(name string, dst *float64, required bool) error {
		s := q.Get(name)
		if s == "" {
			if required {
				return lastmile.Invalidf(name, "required")
			}
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return lastmile.Invalidf(name, "%q is not a number", s)
		}
		*dst = x
		return nil
	}
	var knots float64
	for _, f := range []struct {
		name string
		dst  *float64
		req  bool
	}{{"lat", &p.Lat, true}, {"lon", &p.Lon, true}, {"speed", &knots, false}, {"bearing", &p.Bearing, false},
		{"altitude", &p.AltitudeM, false}, {"accuracy", &p.AccuracyM, false}, {"batt", &p.Battery, false}} {
		if err := num(f.name, f.dst, f.req); err != nil {
			return err
		}
	}
	p.SpeedMS = knots * 1852 / 3600
	at, err := parseTimestamp(q.Get("timestamp"), s.now())
	if err != nil {
		return err
	}
	p.At = at
	if err := p.Validate(); err != nil {
		if f := lastmile.ErrorField(err); f == "at" {
			return lastmile.Invalidf("timestamp", "%s", lastmile.ErrorMessage(err))
		}
		return err
	}
	if !s.live.allow(vehicleID, 1, s.cfg.RateClock()) {
		return lastmile.Errorf(lastmile.ERateLimited, "id", "device %s sends positions faster than %g per second: slow down", dev, positionPerSec)
	}
	if v := q.Get("valid"); v == "false" || v == "0" {
		return writeJSON(w, http.StatusOK, map[string]any{"verdict": tracking.Inaccurate}) // the device says so
	}
	verdicts, err := s.ingest(r.Context(), []lastmile.Position{p})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"verdict": verdicts[0]})
}

// osmandFix is the JSON form of the OsmAnd protocol (Traccar Client 9 and
// later): the location SDK's native object.
type osmandFix struct {
	DeviceID string `json:"device_id"`
	Location struct {
		Timestamp string `json:"timestamp"`
		Coords    struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
			Accuracy  *float64 `json:"accuracy"`
			Speed     *float64 `json:"speed"` // m/s
			Heading   *float64 `json:"heading"`
			Altitude  *float64 `json:"altitude"`
		} `json:"coords"`
		Battery struct {
			Level *float64 `json:"level"` // 0 to 1
		} `json:"battery"`
	} `json:"location"`
}

// osmandJSON turns the JSON form into the parameters of the query form
// (speed in knots, battery in percent), so that both are checked alike.
func osmandJSON(r *http.Request) (url.Values, error) {
	var f osmandFix
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		return nil, jsonError(err)
	}
	q := url.Values{}
	q.Set("id", f.DeviceID)
	q.Set("timestamp", f.Location.Timestamp)
	c := f.Location.Coords
	set := func(name string, v *float64, scale float64) {
		if v == nil || (*v < 0 && name != "lat" && name != "lon" && name != "altitude") {
			return // absent, or the SDK's -1 for unknown
		}
		q.Set(name, strconv.FormatFloat(*v*scale, 'f', -1, 64))
	}
	set("lat", c.Latitude, 1)
	set("lon", c.Longitude, 1)
	set("accuracy", c.Accuracy, 1)
	set("speed", c.Speed, 3600.0/1852)
	set("bearing", c.Heading, 1)
	set("altitude", c.Altitude, 1)
	set("batt", f.Location.Battery.Level, 100)
	return q, nil
}

// parseTimestamp reads an OsmAnd timestamp: Unix seconds (or
// milliseconds), or RFC 3339; empty means now.
func parseTimestamp(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return now.UTC(), nil
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n > 1e11 { // milliseconds
			n /= 1000
		}
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, lastmile.Invalidf("timestamp", "%q is not Unix seconds or an RFC 3339 time", v)
}

type vehiclePosition struct {
	VehicleID string             `json:"vehicle_id"`
	Position  *lastmile.Position `json:"position"`
	RouteID   string             `json:"route_id,omitempty"`
	Progress  *tracking.Progress `json:"progress,omitempty"`
}

// vehiclePosition is GET /v1/vehicles/{id}/position: the latest accepted
// position and, on a dispatched route, its progress and ETAs.
func (s *Server) getVehiclePosition(w http.ResponseWriter, r *http.Request) error {
	v, err := s.store.Vehicle(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if err := seeStation(r, v.StationID); err != nil {
		return err
	}
	out := vehiclePosition{VehicleID: v.ID}
	if p, ok := s.live.tr.Last(v.ID); ok {
		out.Position = &p
	}
	lr, err := s.activeRoute(r.Context(), v.ID)
	if err != nil {
		return err
	}
	if lr.rt != nil {
		out.RouteID = lr.rt.ID
		if out.Progress, err = s.live.tr.Progress(r.Context(), lr.rt); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// routeProgress is GET /v1/routes/{id}/progress: live ETAs of a
// dispatched route's remaining stops.
func (s *Server) routeProgress(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.routeFor(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	rt := &ref.Route
	if rt.Dispatched == nil {
		return lastmile.Errorf(lastmile.ETransition, "status", "route %s has not been dispatched", rt.ID)
	}
	lr, err := s.activeRoute(r.Context(), rt.VehicleID)
	if err != nil {
		return err
	}
	if lr.rt == nil || lr.rt.ID != rt.ID {
		return lastmile.Errorf(lastmile.ETransition, "status", "route %s is not the vehicle's current route", rt.ID)
	}
	pr, err := s.live.tr.Progress(r.Context(), lr.rt)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pr)
}

type trackPoint struct {
	At  time.Time `json:"at"`
	Lat float64   `json:"lat"`
	Lon float64   `json:"lon"`
}

type routeTrack struct {
	RouteID   string           `json:"route_id"`
	VehicleID string           `json:"vehicle_id"`
	Planned   []lastmile.Stop  `json:"planned"`
	Actual    []trackPoint     `json:"actual"`
	Stops     []trackStopState `json:"stops"`
}

type trackStopState struct {
	Seq     int    `json:"seq"`
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

// routeTrack is GET /v1/routes/{id}/track: the route's plan beside the
// positions recorded since it was dispatched (until its end, plus an hour).
func (s *Server) routeTrack(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.routeFor(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	rt := &ref.Route
	out := routeTrack{RouteID: rt.ID, VehicleID: rt.VehicleID, Planned: rt.Stops, Actual: []trackPoint{}, Stops: []trackStopState{}}
	if rt.Dispatched != nil {
		until := rt.End.Add(time.Hour)
		if now := s.now(); now.After(until) || rt.End.IsZero() {
			until = now.Add(time.Minute)
		}
		ps, err := s.store.Positions(r.Context(), lastmile.PositionFilter{VehicleID: rt.VehicleID, Since: *rt.Dispatched, Until: until, Limit: 50000})
		if err != nil {
			return err
		}
		for _, p := range ps {
			out.Actual = append(out.Actual, trackPoint{At: p.At, Lat: p.Lat, Lon: p.Lon})
		}
	}
	orders, err := s.ordersOfRoute(r.Context(), rt.ID)
	if err != nil {
		return err
	}
	for _, st := range rt.Stops {
		if o := orders[st.OrderID]; o != nil {
			out.Stops = append(out.Stops, trackStopState{Seq: st.Seq, OrderID: o.ID, Status: o.Status})
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// IngestDevice feeds one fix of the tracker with the given device id (a
// vehicle's device_id), for adapters such as the MQTT subscriber: the
// same checks, filter and effects as the HTTP protocols.
func (s *Server) IngestDevice(ctx context.Context, device string, p lastmile.Position) (tracking.Verdict, error) {
	vehicleID, err := s.vehicleByDevice(ctx, device)
	if err != nil {
		return "", err
	}
	v, err := s.liveVehicle(ctx, vehicleID)
	if err != nil {
		return "", err
	}
	if !v.Active {
		return "", lastmile.Errorf(lastmile.EForbidden, "id", "device %q belongs to an inactive vehicle", device)
	}
	p.VehicleID = vehicleID
	if p.At.IsZero() {
		p.At = s.now().UTC()
	}
	if err := p.Validate(); err != nil {
		return "", err
	}
	if !s.live.allow(vehicleID, 1, s.cfg.RateClock()) {
		return "", lastmile.Errorf(lastmile.ERateLimited, "id", "device %s sends positions faster than %g per second", device, positionPerSec)
	}
	verdicts, err := s.ingest(ctx, []lastmile.Position{p})
	if err != nil {
		return "", err
	}
	return verdicts[0], nil
}
