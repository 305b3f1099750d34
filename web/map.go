package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

// MaxZoom is the highest zoom level /map/roads accepts.
const MaxZoom = 22

// maxTilesAcross bounds a /map/roads box: at most this many 256-pixel tiles
// of its zoom level across, in either direction.
const maxTilesAcross = 16

// classNames name the road classes of /map/roads, by class number.
var classNames = []string{"major", "primary", "secondary", "minor", "service"}

// mapConfigBody is /map/config.json.
type mapConfigBody struct {
	TileURL     string      `json:"tile_url,omitempty"`
	Attribution string      `json:"attribution"`
	Roads       bool        `json:"roads"`            // /map/roads answers
	Bounds      *[4]float64 `json:"bounds,omitempty"` // minLon, minLat, maxLon, maxLat of the road graph
	MaxZoom     int         `json:"max_zoom"`
	Classes     []string    `json:"classes"`
}

func mapConfig(cfg Config) []byte {
	c := mapConfigBody{TileURL: cfg.TileURL, Attribution: "© OpenStreetMap contributors", Roads: cfg.Roads != nil,
		MaxZoom: MaxZoom, Classes: classNames}
	if cfg.TileURL != "" {
		c.Attribution = cfg.TileAttribution
	}
	if cfg.Roads != nil {
		a, b, x, y := cfg.Roads.Bounds()
		if !(a == 0 && b == 0 && x == 0 && y == 0) {
			c.Bounds = &[4]float64{a, b, x, y}
		}
	}
	data, _ := json.Marshal(c)
	return data
}

func (h *handler) mapConfig(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(h.config)
}

// roadsBody is /map/roads: each line is [class, lon0, lat0, dlon1, dlat1, …]
// in millionths of a degree, the first point absolute and each next one
// relative to the previous.
type roadsBody struct {
	Zoom      int       `json:"zoom"`
	Scale     int       `json:"scale"`
	Truncated bool      `json:"truncated"`
	Points    int       `json:"points"`
	Lines     [][]int64 `json:"lines"`
}

// apiError is the shape of the API's errors, so the apps read one kind.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, field, format string, args ...any) {
	var e apiError
	e.Error.Code, e.Error.Field, e.Error.Message = code, field, fmt.Sprintf(format, args...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(e)
}

// parseBBox reads "minLon,minLat,maxLon,maxLat" in degrees.
func parseBBox(s string) (b [4]float64, err error) {
	if s == "" {
		return b, fmt.Errorf("is required: minLon,minLat,maxLon,maxLat in degrees")
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return b, fmt.Errorf("must be 4 comma-separated numbers minLon,minLat,maxLon,maxLat, got %d values", len(parts))
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return b, fmt.Errorf("value %d (%q) is not a number", i+1, p)
		}
		b[i] = v
	}
	if b[0] < -180 || b[2] > 180 || b[0] > 180 || b[2] < -180 {
		return b, fmt.Errorf("longitudes must lie in [-180, 180]")
	}
	if b[1] < -90 || b[3] > 90 || b[1] > 90 || b[3] < -90 {
		return b, fmt.Errorf("latitudes must lie in [-90, 90]")
	}
	if b[0] > b[2] || b[1] > b[3] {
		return b, fmt.Errorf("minimum must not exceed maximum (minLon,minLat,maxLon,maxLat)")
	}
	return b, nil
}

func (h *handler) roads(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bbox, err := parseBBox(q.Get("bbox"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid", "bbox", "bbox %v", err)
		return
	}
	zs := q.Get("zoom")
	zoom, err := strconv.Atoi(zs)
	if zs == "" || err != nil || zoom < 0 || zoom > MaxZoom {
		writeError(w, http.StatusBadRequest, "invalid", "zoom", "zoom must be an integer from 0 to %d, got %q", MaxZoom, zs)
		return
	}
	// A viewport is a few tiles wide; a larger box at a close zoom would make
	// the server walk a whole country's roads for one answer.
	if span := maxTilesAcross * 360 / math.Exp2(float64(zoom)); bbox[2]-bbox[0] > span || bbox[3]-bbox[1] > span {
		writeError(w, http.StatusBadRequest, "invalid", "bbox", "bbox is too large for zoom %d: at most %g degrees across (%d tiles)", zoom, span, maxTilesAcross)
		return
	}
	if h.cfg.Roads == nil {
		writeError(w, http.StatusNotFound, "not_found", "", "this server has no road graph: start it with --osm or --graph, or give --tile-url")
		return
	}
	lines := h.cfg.Roads.Lines(bbox[0], bbox[1], bbox[2], bbox[3], zoom, h.cfg.MaxRoadPoints)
	body := roadsBody{Zoom: zoom, Scale: 1e6, Truncated: lines.Truncated, Points: lines.Points, Lines: make([][]int64, 0, len(lines.Lines))}
	for _, l := range lines.Lines {
		body.Lines = append(body.Lines, encodeLine(l))
	}
	data, err := json.Marshal(body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "", "encoding the roads failed")
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	// The graph does not change while the server runs.
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Vary", "Accept-Encoding")
	if len(data) > 1024 && acceptsGzip(r) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(data)
		zw.Close()
		hd.Set("Content-Encoding", "gzip")
		data = buf.Bytes()
	}
	w.Write(data)
}

// encodeLine turns E7 points into the delta-encoded millionths of a line.
func encodeLine(l roads.Line) []int64 {
	out := make([]int64, 0, 1+len(l.Points))
	out = append(out, int64(l.Class))
	var px, py int64
	for i := 0; i+1 < len(l.Points); i += 2 {
		x := int64(math.Round(float64(l.Points[i]) / 10))
		y := int64(math.Round(float64(l.Points[i+1]) / 10))
		out = append(out, x-px, y-py)
		px, py = x, y
	}
	return out
}
