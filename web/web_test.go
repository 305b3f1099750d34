package web

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

// fakeRoads answers fixed lines and records the last query.
type fakeRoads struct {
	lines roads.Lines
	got   []float64
	zoom  int
	max   int
}

func (f *fakeRoads) Lines(a, b, c, d float64, zoom, maxPoints int) roads.Lines {
	f.got, f.zoom, f.max = []float64{a, b, c, d}, zoom, maxPoints
	return f.lines
}

func (f *fakeRoads) Bounds() (float64, float64, float64, float64) { return 7.40, 43.72, 7.44, 43.76 }

func get(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPaths(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Next", "api")
		w.WriteHeader(http.StatusTeapot)
	})
	h := New(Config{Next: next})
	for _, tc := range []struct {
		path     string
		status   int
		ctype    string
		location string
		contains string
	}{
		{"/", http.StatusFound, "", "/console/", ""},
		{"/console", http.StatusMovedPermanently, "", "/console/", ""},
		{"/console/", 200, "text/html; charset=utf-8", "", "dispatcher console"},
		{"/console/console.js", 200, "text/javascript; charset=utf-8", "", "import"},
		{"/console/nope.js", 404, "", "", ""},
		{"/assets/common/api.js", 200, "text/javascript; charset=utf-8", "", "export class Api"},
		{"/assets/common/map.js", 200, "text/javascript; charset=utf-8", "", "roadLayer"},
		{"/assets/vendor/leaflet/leaflet.js", 200, "text/javascript; charset=utf-8", "", "Leaflet 1.9.4"},
		{"/assets/vendor/leaflet/leaflet.css", 200, "text/css; charset=utf-8", "", ".leaflet-container"},
		{"/assets/vendor/leaflet/LICENSE", 200, "text/plain; charset=utf-8", "", "Copyright"},
		{"/assets/vendor/leaflet/images/marker-icon.png", 200, "image/png", "", ""},
		{"/assets/../web.go", http.StatusTemporaryRedirect, "", "/web.go", ""}, // cleaned, then not ours
		{"/map/config.json", 200, "application/json", "", `"roads":false`},
		{"/v1/stations", http.StatusTeapot, "", "", ""},
		{"/healthz", http.StatusTeapot, "", "", ""},
		{"/route/v1/driving/1,2;3,4", http.StatusTeapot, "", "", ""},
	} {
		rec := get(t, h, tc.path)
		if rec.Code != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, rec.Code, tc.status)
			continue
		}
		if tc.ctype != "" && rec.Header().Get("Content-Type") != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, rec.Header().Get("Content-Type"), tc.ctype)
		}
		if tc.location != "" && rec.Header().Get("Location") != tc.location {
			t.Errorf("GET %s: Location %q, want %q", tc.path, rec.Header().Get("Location"), tc.location)
		}
		if tc.contains != "" && !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		if tc.status == http.StatusTeapot {
			if rec.Header().Get("X-Next") != "api" || rec.Header().Get("Content-Security-Policy") != "" {
				t.Errorf("GET %s: not passed to Next untouched", tc.path)
			}
		} else if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: security headers missing", tc.path)
		}
	}
	// Without Next, other paths are 404.
	if rec := get(t, New(Config{}), "/v1/stations"); rec.Code != 404 {
		t.Fatalf("no Next: status %d", rec.Code)
	}
}

func TestTrackingPageServesAnyToken(t *testing.T) {
	h := New(Config{})
	rec := get(t, h, "/t/abcDEF123")
	// The recipient page lives in assets/track (built separately); when it
	// is there, every token gets it.
	if _, ok := h.(*handler).files["track/index.html"]; ok {
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("GET /t/…: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	} else if rec.Code != 404 {
		t.Fatalf("GET /t/… without the page: %d", rec.Code)
	}
	if rec := get(t, h, "/t/abc/extra"); rec.Code != 404 {
		t.Fatalf("GET /t/abc/extra: %d", rec.Code)
	}
}

func TestCachingAndGzip(t *testing.T) {
	h := New(Config{})
	rec := get(t, h, "/assets/vendor/leaflet/leaflet.js", "Accept-Encoding", "gzip, deflate")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %d %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.Contains(string(plain), "Leaflet 1.9.4") {
		t.Fatal("gzip body does not decode to leaflet.js")
	}
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
	}
	if rec := get(t, h, "/assets/vendor/leaflet/leaflet.js", "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Fatalf("If-None-Match: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := get(t, h, "/assets/vendor/leaflet/leaflet.js"); rec.Header().Get("Content-Encoding") != "" {
		t.Fatal("gzip without Accept-Encoding")
	}
}

func TestMapConfig(t *testing.T) {
	rec := get(t, New(Config{Roads: &fakeRoads{}}), "/map/config.json")
	var c map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c["roads"] != true || c["tile_url"] != nil {
		t.Fatalf("config with roads: %v", c)
	}
	b, _ := c["bounds"].([]any)
	if len(b) != 4 || b[0].(float64) != 7.40 || b[3].(float64) != 43.76 {
		t.Fatalf("bounds %v", c["bounds"])
	}
	tiles := "https://{s}.tiles.example/{z}/{x}/{y}.png"
	h := New(Config{TileURL: tiles, TileAttribution: "© Example"})
	rec = get(t, h, "/map/config.json")
	json.Unmarshal(rec.Body.Bytes(), &c)
	if c["tile_url"] != tiles || c["attribution"] != "© Example" || c["roads"] != false {
		t.Fatalf("config with tiles: %v", c)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: blob: https://*.tiles.example;") {
		t.Fatalf("CSP does not allow the tile server: %s", csp)
	}
}

func TestTileOrigin(t *testing.T) {
	for tmpl, want := range map[string]string{
		"":                                      "",
		"https://tiles.example/{z}/{x}/{y}.png": "https://tiles.example",
		"http://10.0.0.5:8081/osm/{z}/{x}/{y}":  "http://10.0.0.5:8081",
		"https://{s}.tile.example/{z}/{x}/{y}":  "https://*.tile.example",
		"ftp://tiles.example/{z}":               "",
		"/tiles/{z}/{x}/{y}.png":                "",
	} {
		if got := tileOrigin(tmpl); got != want {
			t.Errorf("tileOrigin(%q) = %q, want %q", tmpl, got, want)
		}
	}
}

func TestRoadsEndpoint(t *testing.T) {
	f := &fakeRoads{lines: roads.Lines{Points: 3, Truncated: true, Lines: []roads.Line{
		{Class: roads.ClassMajor, Points: []int32{74200000, 437300000, 74200150, 437300250, 74200100, 437300200}},
	}}}
	h := New(Config{Roads: f, MaxRoadPoints: 1234})
	rec := get(t, h, "/map/roads?bbox=7.41,43.72,7.43,43.74&zoom=15")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if f.zoom != 15 || f.max != 1234 || f.got[0] != 7.41 || f.got[3] != 43.74 {
		t.Fatalf("query passed %v zoom %d max %d", f.got, f.zoom, f.max)
	}
	var body struct {
		Zoom      int       `json:"zoom"`
		Scale     int       `json:"scale"`
		Truncated bool      `json:"truncated"`
		Lines     [][]int64 `json:"lines"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := []int64{0, 7420000, 43730000, 15, 25, -5, -5}
	if body.Scale != 1e6 || !body.Truncated || len(body.Lines) != 1 || len(body.Lines[0]) != len(want) {
		t.Fatalf("body %+v", body)
	}
	for i := range want {
		if body.Lines[0][i] != want[i] {
			t.Fatalf("line %v, want %v", body.Lines[0], want)
		}
	}
}

func TestRoadsValidation(t *testing.T) {
	h := New(Config{Roads: &fakeRoads{}})
	for _, tc := range []struct{ query, field string }{
		{"zoom=15", "bbox"},
		{"bbox=1,2,3&zoom=15", "bbox"},
		{"bbox=1,2,3,x&zoom=15", "bbox"},
		{"bbox=1,2,3,NaN&zoom=15", "bbox"},
		{"bbox=-200,2,3,4&zoom=15", "bbox"},
		{"bbox=1,-95,3,4&zoom=15", "bbox"},
		{"bbox=3,2,1,4&zoom=15", "bbox"},
		{"bbox=1,4,3,2&zoom=15", "bbox"},
		{"bbox=1,2,3,4", "zoom"},
		{"bbox=1,2,3,4&zoom=23", "zoom"},
		{"bbox=1,2,3,4&zoom=-1", "zoom"},
		{"bbox=1,2,3,4&zoom=1.5", "zoom"},
		{"bbox=7,43,8,44&zoom=15", "bbox"}, // 1° is about 91 tiles at zoom 15
		{"bbox=-180,-90,180,90&zoom=5", "bbox"},
	} {
		rec := get(t, h, "/map/roads?"+tc.query)
		var e apiError
		json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != 400 || e.Error.Code != "invalid" || e.Error.Field != tc.field || e.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 400 on %s", tc.query, rec.Code, e, tc.field)
		}
	}
	// Whole world at zoom 4, and a tile-sized box at zoom 18, pass.
	for _, q := range []string{"bbox=-180,-90,180,90&zoom=4", "bbox=7.4200,43.7300,7.4214,43.7310&zoom=18"} {
		if rec := get(t, h, "/map/roads?"+q); rec.Code != 200 {
			t.Errorf("%s: %d %s", q, rec.Code, rec.Body)
		}
	}
	// No graph: 404 with the reason.
	rec := get(t, New(Config{}), "/map/roads?bbox=1,2,3,4&zoom=3")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "no road graph") {
		t.Fatalf("no graph: %d %s", rec.Code, rec.Body)
	}
}
