// Package osrmhttp serves routes and tables over HTTP in the format of
// OSRM's HTTP API (v1), so that OSRM clients work unchanged:
//
//	GET /route/v1/{profile}/{coordinates}
//	GET /table/v1/{profile}/{coordinates}
//
// Coordinates are "lon,lat;lon,lat;..." or polyline(...)/polyline6(...).
// Supported query parameters: for both, radiuses and generate_hints (hints
// are always empty); for route, overview (full, simplified — the full
// geometry — or false), geometries (polyline, polyline6, geojson),
// steps=false, alternatives=false or a number (one route is returned),
// annotations=false and continue_straight; for table, sources,
// destinations, annotations (duration, distance or both) and scale_factor.
// Errors are HTTP 400 with OSRM's codes: InvalidUrl, InvalidService,
// InvalidVersion, InvalidQuery, InvalidValue, NoSegment, NoRoute, TooBig.
//
// Results derived from OpenStreetMap data are © OpenStreetMap
// contributors.
package osrmhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

// Router answers the queries; *roads.Graph implements it.
type Router interface {
	Snap(idx int, lon, lat, maxDist float64) (roads.Phantom, error)
	Route(a, b roads.Phantom) (*roads.Route, error)
	Table(ctx context.Context, sources, targets []roads.Phantom) (*roads.Table, error)
}

var _ Router = (*roads.Graph)(nil)

// Options bound the requests.
type Options struct {
	// MaxTableCoordinates bounds the coordinates of a table request
	// (default 5000).
	MaxTableCoordinates int
	// MaxRouteCoordinates bounds the coordinates of a route request
	// (default 500).
	MaxRouteCoordinates int
	// MaxSnapDistance is the default largest distance in metres from a
	// coordinate to its road (default 1000); radiuses override it.
	MaxSnapDistance float64
}

// NewHandler returns an http.Handler serving OSRM's route and table
// services from r.
func NewHandler(r Router, opts Options) http.Handler {
	if opts.MaxTableCoordinates <= 0 {
		opts.MaxTableCoordinates = 5000
	}
	if opts.MaxRouteCoordinates <= 0 {
		opts.MaxRouteCoordinates = 500
	}
	if opts.MaxSnapDistance <= 0 {
		opts.MaxSnapDistance = 1000
	}
	return &handler{r: r, opts: opts}
}

type handler struct {
	r    Router
	opts Options
}

// apiError is an OSRM error response.
type apiError struct {
	status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func errorf(code, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, &apiError{Code: "InvalidQuery", Message: "only GET requests are supported"})
		return
	}
	var apiErr *apiError
	parts := strings.SplitN(strings.TrimPrefix(req.URL.Path, "/"), "/", 4)
	switch {
	case len(parts) < 4 || parts[2] == "" || parts[3] == "":
		apiErr = errorf("InvalidUrl", "URL string malformed: want /{service}/v1/{profile}/{coordinates}")
	case parts[0] != "route" && parts[0] != "table":
		apiErr = errorf("InvalidService", "service %q not found (route and table are served)", parts[0])
	case parts[1] != "v1":
		apiErr = errorf("InvalidVersion", "version %q not found (v1 is served)", parts[1])
	}
	if apiErr != nil {
		writeJSON(w, apiErr.status, apiErr)
		return
	}
	coords, apiErr := parseCoordinates(strings.TrimSuffix(parts[3], ".json"))
	if apiErr != nil {
		writeJSON(w, apiErr.status, apiErr)
		return
	}
	q, apiErr := parseQuery(req.URL.RawQuery)
	if apiErr != nil {
		writeJSON(w, apiErr.status, apiErr)
		return
	}
	if parts[0] == "route" {
		apiErr = h.route(w, req.Context(), coords, q)
	} else {
		apiErr = h.table(w, req.Context(), coords, q)
	}
	if apiErr != nil {
		writeJSON(w, apiErr.status, apiErr)
	}
}

// parseQuery splits a query string on '&' only: OSRM's lists use ';',
// which url.ParseQuery rejects.
func parseQuery(raw string) (url.Values, *apiError) {
	q := url.Values{}
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, errorf("InvalidQuery", "query string malformed near %q", kv)
		}
		if _, dup := q[k]; dup {
			return nil, errorf("InvalidQuery", "query parameter %q given twice", k)
		}
		q.Set(k, v)
	}
	return q, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// parseCoordinates reads "lon,lat;lon,lat" or polyline(...)/polyline6(...).
func parseCoordinates(s string) ([][2]float64, *apiError) {
	if s, err := url.PathUnescape(s); err == nil {
		for _, pre := range []struct {
			prefix    string
			precision int
		}{{"polyline(", 5}, {"polyline6(", 6}} {
			if strings.HasPrefix(s, pre.prefix) && strings.HasSuffix(s, ")") {
				pts, ok := roads.DecodePolyline(s[len(pre.prefix):len(s)-1], pre.precision)
				if !ok || len(pts) == 0 {
					return nil, errorf("InvalidUrl", "malformed polyline coordinates")
				}
				for i, p := range pts {
					if !validLonLat(p[0], p[1]) {
						return nil, errorf("InvalidValue", "coordinate %d is out of range", i)
					}
				}
				return pts, nil
			}
		}
	}
	var out [][2]float64
	for i, c := range strings.Split(s, ";") {
		a, b, ok := strings.Cut(c, ",")
		lon, err1 := strconv.ParseFloat(a, 64)
		lat, err2 := strconv.ParseFloat(b, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, errorf("InvalidUrl", "URL string malformed close to coordinate %d: %q is not lon,lat", i, c)
		}
		if !validLonLat(lon, lat) {
			return nil, errorf("InvalidValue", "coordinate %d [%g,%g] is out of range", i, lon, lat)
		}
		out = append(out, [2]float64{lon, lat})
	}
	return out, nil
}

func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// params checks the query's parameter names against the service's.
func params(q url.Values, allowed ...string) *apiError {
	for k := range q {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			return errorf("InvalidQuery", "query parameter %q is not supported", k)
		}
	}
	return nil
}

// snapAll snaps the coordinates, honouring radiuses.
func (h *handler) snapAll(coords [][2]float64, q url.Values) ([]roads.Phantom, *apiError) {
	radius := make([]float64, len(coords))
	for i := range radius {
		radius[i] = h.opts.MaxSnapDistance
	}
	if v := q.Get("radiuses"); v != "" {
		rs := strings.Split(v, ";")
		if len(rs) != len(coords) {
			return nil, errorf("InvalidValue", "radiuses: %d values for %d coordinates", len(rs), len(coords))
		}
		for i, r := range rs {
			if r == "" || r == "unlimited" {
				radius[i] = math.Inf(1)
				continue
			}
			f, err := strconv.ParseFloat(r, 64)
			if err != nil || !(f >= 0) {
				return nil, errorf("InvalidValue", "radiuses[%d]: %q is not a distance in metres", i, r)
			}
			radius[i] = f
		}
	}
	ph := make([]roads.Phantom, len(coords))
	for i, c := range coords {
		maxDist := radius[i]
		if math.IsInf(maxDist, 1) {
			maxDist = 1e7
		} else if maxDist == 0 {
			maxDist = 1e-3
		}
		p, err := h.r.Snap(i, c[0], c[1], maxDist)
		if err != nil {
			return nil, errorf("NoSegment", "Could not find a matching segment for coordinate %d", i)
		}
		ph[i] = p
	}
	return ph, nil
}

// waypoint is an OSRM waypoint object.
type waypoint struct {
	Hint     string     `json:"hint"`
	Distance float64    `json:"distance"`
	Name     string     `json:"name"`
	Location [2]float64 `json:"location"`
}

func waypointOf(p roads.Phantom) waypoint {
	return waypoint{"", round(p.Distance, 1e6), p.Name, [2]float64{round(p.Lon, 1e6), round(p.Lat, 1e6)}}
}

func round(x, f float64) float64 { return math.Round(x*f) / f }

type leg struct {
	Steps    []any   `json:"steps"`
	Summary  string  `json:"summary"`
	Weight   float64 `json:"weight"`
	Duration float64 `json:"duration"`
	Distance float64 `json:"distance"`
}

type routeJSON struct {
	Geometry   any     `json:"geometry,omitempty"`
	Legs       []leg   `json:"legs"`
	WeightName string  `json:"weight_name"`
	Weight     float64 `json:"weight"`
	Duration   float64 `json:"duration"`
	Distance   float64 `json:"distance"`
}

func (h *handler) route(w http.ResponseWriter, ctx context.Context, coords [][2]float64, q url.Values) *apiError {
	if err := params(q, "overview", "geometries", "steps", "alternatives", "annotations", "continue_straight",
		"radiuses", "generate_hints", "hints", "skip_waypoints"); err != nil {
		return err
	}
	if len(coords) < 2 {
		return errorf("InvalidValue", "a route needs at least 2 coordinates")
	}
	if len(coords) > h.opts.MaxRouteCoordinates {
		return errorf("TooBig", "Number of route coordinates %d exceeds the limit of %d", len(coords), h.opts.MaxRouteCoordinates)
	}
	overview := q.Get("overview")
	switch overview {
	case "", "simplified", "full", "false":
	default:
		return errorf("InvalidValue", "overview: %q, want simplified, full or false", overview)
	}
	geometries := q.Get("geometries")
	switch geometries {
	case "", "polyline", "polyline6", "geojson":
	default:
		return errorf("InvalidValue", "geometries: %q, want polyline, polyline6 or geojson", geometries)
	}
	if v := q.Get("steps"); v != "" && v != "false" {
		return errorf("InvalidValue", "steps: only false is supported")
	}
	if v := q.Get("annotations"); v != "" && v != "false" {
		return errorf("InvalidValue", "annotations: only false is supported for routes")
	}
	if v := q.Get("alternatives"); v != "" && v != "false" && v != "true" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return errorf("InvalidValue", "alternatives: %q", v)
		}
	}
	for _, k := range []string{"continue_straight", "generate_hints", "skip_waypoints"} {
		if v := q.Get(k); v != "" && v != "true" && v != "false" && !(k == "continue_straight" && v == "default") {
			return errorf("InvalidValue", "%s: %q, want true or false", k, v)
		}
	}
	ph, apiErr := h.snapAll(coords, q)
	if apiErr != nil {
		return apiErr
	}
	var rt routeJSON
	rt.WeightName = "routability"
	var pts [][2]float64
	var weight, dur, dist int64
	for i := 0; i+1 < len(ph); i++ {
		if err := ctx.Err(); err != nil {
			return errorf("NoRoute", "request cancelled")
		}
		r, err := h.r.Route(ph[i], ph[i+1])
		if err != nil {
			return errorf("NoRoute", "Impossible route between points %d and %d", i, i+1)
		}
		rt.Legs = append(rt.Legs, leg{[]any{}, "", float64(r.Weight) / 10, float64(r.Duration) / 10, float64(r.Distance) / 10})
		weight += int64(r.Weight)
		dur += int64(r.Duration)
		dist += int64(r.Distance)
		if overview != "false" {
			p := r.Points()
			if len(pts) > 0 && len(p) > 0 {
				p = p[1:]
			}
			pts = append(pts, p...)
		}
	}
	rt.Weight, rt.Duration, rt.Distance = float64(weight)/10, float64(dur)/10, float64(dist)/10
	if overview != "false" {
		switch geometries {
		case "", "polyline":
			rt.Geometry = roads.EncodePolyline(pts, 5)
		case "polyline6":
			rt.Geometry = roads.EncodePolyline(pts, 6)
		case "geojson":
			c := make([][2]float64, len(pts))
			for i, p := range pts {
				c[i] = [2]float64{round(p[0], 1e6), round(p[1], 1e6)}
			}
			rt.Geometry = map[string]any{"type": "LineString", "coordinates": c}
		}
	}
	resp := map[string]any{"code": "Ok", "routes": []routeJSON{rt}}
	if q.Get("skip_waypoints") != "true" {
		wps := make([]waypoint, len(ph))
		for i, p := range ph {
			wps[i] = waypointOf(p)
		}
		resp["waypoints"] = wps
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// indices parses a sources/destinations list: "all" (or empty) or
// semicolon-separated coordinate indices.
func indices(name, v string, n int) ([]int, *apiError) {
	if v == "" || v == "all" {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	var idx []int
	for _, s := range strings.Split(v, ";") {
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= n {
			return nil, errorf("InvalidValue", "%s: %q is not the index of one of the %d coordinates", name, s, n)
		}
		idx = append(idx, i)
	}
	return idx, nil
}

func (h *handler) table(w http.ResponseWriter, ctx context.Context, coords [][2]float64, q url.Values) *apiError {
	if err := params(q, "sources", "destinations", "annotations", "scale_factor", "radiuses",
		"generate_hints", "hints", "skip_waypoints"); err != nil {
		return err
	}
	if len(coords) > h.opts.MaxTableCoordinates {
		return errorf("TooBig", "Too many table coordinates: %d, the limit is %d", len(coords), h.opts.MaxTableCoordinates)
	}
	src, apiErr := indices("sources", q.Get("sources"), len(coords))
	if apiErr != nil {
		return apiErr
	}
	dst, apiErr := indices("destinations", q.Get("destinations"), len(coords))
	if apiErr != nil {
		return apiErr
	}
	var withDur, withDist bool
	switch v := q.Get("annotations"); v {
	case "", "duration":
		withDur = true
	case "distance":
		withDist = true
	case "duration,distance", "distance,duration":
		withDur, withDist = true, true
	default:
		return errorf("InvalidValue", "annotations: %q, want duration, distance or duration,distance", v)
	}
	scale := 1.0
	if v := q.Get("scale_factor"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return errorf("InvalidValue", "scale_factor: %q, want a positive number", v)
		}
		scale = f
	}
	ph, apiErr := h.snapAll(coords, q)
	if apiErr != nil {
		return apiErr
	}
	sp := make([]roads.Phantom, len(src))
	for i, k := range src {
		sp[i] = ph[k]
	}
	dp := make([]roads.Phantom, len(dst))
	for i, k := range dst {
		dp[i] = ph[k]
	}
	t, err := h.r.Table(ctx, sp, dp)
	if err != nil {
		return errorf("TooBig", "%v", err)
	}
	parts := tableParts(t, sp, dp, withDur, withDist, scale, q.Get("skip_waypoints") != "true")
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(http.StatusOK)
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			break
		}
	}
	return nil
}

// EncodeTable appends OSRM's table response (durations in seconds,
// distances in metres, sources and destinations) for t to buf.
func EncodeTable(buf []byte, t *roads.Table, sources, destinations []roads.Phantom) []byte {
	for _, p := range tableParts(t, sources, destinations, true, true, 1, true) {
		buf = append(buf, p...)
	}
	return buf
}

// tableParts encodes a table response as consecutive pieces; large
// matrices are encoded on all cores.
func tableParts(t *roads.Table, sp, dp []roads.Phantom, withDur, withDist bool, scale float64, waypoints bool) [][]byte {
	parts := [][]byte{[]byte(`{"code":"Ok"`)}
	if withDur {
		parts = append(parts, []byte(`,"durations":`))
		parts = append(parts, matrixParts(t.Rows, t.Cols, t.Durations, scale)...)
	}
	if withDist {
		parts = append(parts, []byte(`,"distances":`))
		parts = append(parts, matrixParts(t.Rows, t.Cols, t.Distances, 1)...)
	}
	var tail []byte
	if waypoints {
		tail = append(tail, `,"sources":`...)
		tail = appendWaypoints(tail, sp)
		tail = append(tail, `,"destinations":`...)
		tail = appendWaypoints(tail, dp)
	}
	return append(parts, append(tail, "}\n"...))
}

// matrixParts encodes a matrix like AppendMatrix, in row blocks encoded
// in parallel.
func matrixParts(rows, cols int, cells []int32, scale float64) [][]byte {
	workers := runtime.GOMAXPROCS(0)
	if rows*cols < 1<<16 || rows < workers {
		return [][]byte{AppendMatrix(nil, rows, cols, cells, scale)}
	}
	chunk := (rows + workers - 1) / workers
	parts := make([][]byte, workers+2)
	parts[0] = []byte{'['}
	parts[workers+1] = []byte{']'}
	var wg sync.WaitGroup
	for w := range workers {
		r0, r1 := w*chunk, min((w+1)*chunk, rows)
		if r0 >= r1 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, (r1-r0)*cols*7+16)
			if r0 > 0 {
				buf = append(buf, ',')
			}
			start := len(buf)
			inner := AppendMatrix(buf, r1-r0, cols, cells[r0*cols:r1*cols], scale)
			// Drop the block's own enclosing brackets.
			copy(inner[start:], inner[start+1:len(inner)-1])
			parts[w+1] = inner[:len(inner)-2]
		}()
	}
	wg.Wait()
	return parts
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AppendMatrix appends a row-major matrix of tenths (deciseconds or
// decimetres) as a JSON array of arrays of numbers with one decimal, null
// for roads.Unreachable, each value multiplied by scale.
func AppendMatrix(buf []byte, rows, cols int, cells []int32, scale float64) []byte {
	buf = append(buf, '[')
	for i := 0; i < rows; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		for j, v := range cells[i*cols : (i+1)*cols] {
			if j > 0 {
				buf = append(buf, ',')
			}
			if v == roads.Unreachable {
				buf = append(buf, "null"...)
				continue
			}
			if scale != 1 {
				v = int32(math.Round(float64(v) * scale))
			}
			buf = appendTenths(buf, v)
		}
		buf = append(buf, ']')
	}
	return append(buf, ']')
}

// appendTenths writes v/10 with one decimal when it has one.
func appendTenths(buf []byte, v int32) []byte {
	if v < 0 {
		buf = append(buf, '-')
		v = -v
	}
	var tmp [12]byte
	i := len(tmp)
	d := v % 10
	v /= 10
	if d != 0 {
		i--
		tmp[i] = byte('0' + d)
		i--
		tmp[i] = '.'
	}
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(buf, tmp[i:]...)
}

func appendWaypoints(buf []byte, ps []roads.Phantom) []byte {
	buf = append(buf, '[')
	for i, p := range ps {
		if i > 0 {
			buf = append(buf, ',')
		}
		b, _ := json.Marshal(waypointOf(p))
		buf = append(buf, b...)
	}
	return append(buf, ']')
}
