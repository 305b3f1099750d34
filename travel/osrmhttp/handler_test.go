package osrmhttp

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

func osmDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "osm")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared OSM data missing: %v", err)
		}
		tb.Skipf("shared OSM data missing: %v", err)
	}
	return dir
}

var (
	monacoOnce  sync.Once
	monacoGraph *roads.Graph
	monacoErr   error
)

func monaco(tb testing.TB) *roads.Graph {
	dir := osmDir(tb)
	monacoOnce.Do(func() {
		monacoGraph, monacoErr = roads.ImportFile(context.Background(), filepath.Join(dir, "monaco.osm.pbf"), roads.ImportOptions{})
	})
	if monacoErr != nil {
		tb.Fatal(monacoErr)
	}
	return monacoGraph
}

func monacoPoints(tb testing.TB, n int) [][2]float64 {
	return readCSVPoints(tb, filepath.Join(osmDir(tb), "reference", "monaco_points_500.csv"))[:n]
}

// readCSVPoints reads the lon and lat columns (3rd and 4th) of a
// reference point file.
func readCSVPoints(tb testing.TB, path string) [][2]float64 {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var pts [][2]float64
	for _, r := range recs[1:] {
		lon, _ := strconv.ParseFloat(r[2], 64)
		lat, _ := strconv.ParseFloat(r[3], 64)
		pts = append(pts, [2]float64{lon, lat})
	}
	return pts
}

func coordPath(pts [][2]float64) string {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%.7f,%.7f", p[0], p[1])
	}
	return b.String()
}

func get(t *testing.T, srv *httptest.Server, path string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: body %q: %v", path, body, err)
	}
	return resp.StatusCode, m
}

type osrmTable struct {
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

func TestTableAgainstOSRM(t *testing.T) {
	srv := httptest.NewServer(NewHandler(monaco(t), Options{}))
	defer srv.Close()
	pts := monacoPoints(t, 100)
	resp, err := http.Get(srv.URL + "/table/v1/driving/" + coordPath(pts) + "?annotations=duration,distance")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got osrmTable
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(osmDir(t), "reference", "monaco_table_100x100.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want osrmTable
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	within, n := 0, 0
	for i := range want.Durations {
		for j := range want.Durations[i] {
			if i == j {
				continue
			}
			if got.Durations[i][j] == nil || got.Distances[i][j] == nil {
				t.Fatalf("%d→%d: null", i, j)
			}
			n++
			if math.Abs(*got.Durations[i][j]-*want.Durations[i][j]) <= 0.05**want.Durations[i][j] {
				within++
			}
		}
	}
	if float64(within) < 0.9*float64(n) {
		t.Errorf("%d of %d durations within 5%% of OSRM's", within, n)
	}
}

func TestRequests(t *testing.T) {
	srv := httptest.NewServer(NewHandler(monaco(t), Options{MaxTableCoordinates: 50}))
	defer srv.Close()
	pts := monacoPoints(t, 60)
	two := coordPath(pts[:2])
	sea := coordPath([][2]float64{pts[0], {7.45, 43.70}})
	cases := []struct {
		name   string
		path   string
		status int
		code   string
		check  func(t *testing.T, m map[string]any)
	}{
		{"route", "/route/v1/driving/" + two, 200, "Ok", func(t *testing.T, m map[string]any) {
			r := m["routes"].([]any)[0].(map[string]any)
			if r["duration"].(float64) <= 0 || r["distance"].(float64) <= 0 || r["geometry"].(string) == "" {
				t.Errorf("route %v", r)
			}
			if len(r["legs"].([]any)) != 1 || len(m["waypoints"].([]any)) != 2 {
				t.Errorf("legs or waypoints: %v", m)
			}
		}},
		{"route polyline6", "/route/v1/driving/" + two + "?geometries=polyline6&overview=full", 200, "Ok", func(t *testing.T, m map[string]any) {
			g := m["routes"].([]any)[0].(map[string]any)["geometry"].(string)
			pts, ok := roads.DecodePolyline(g, 6)
			if !ok || math.Abs(pts[0][1]-43.7618) > 0.01 {
				t.Errorf("polyline6 geometry decodes to %v", pts[:1])
			}
		}},
		{"route geojson", "/route/v1/driving/" + two + "?geometries=geojson", 200, "Ok", func(t *testing.T, m map[string]any) {
			g := m["routes"].([]any)[0].(map[string]any)["geometry"].(map[string]any)
			if g["type"] != "LineString" || len(g["coordinates"].([]any)) < 2 {
				t.Errorf("geojson %v", g)
			}
		}},
		{"route no overview", "/route/v1/driving/" + two + "?overview=false&steps=false&alternatives=false", 200, "Ok", func(t *testing.T, m map[string]any) {
			if _, ok := m["routes"].([]any)[0].(map[string]any)["geometry"]; ok {
				t.Error("geometry with overview=false")
			}
		}},
		{"route via", "/route/v1/driving/" + coordPath(pts[:3]), 200, "Ok", func(t *testing.T, m map[string]any) {
			if n := len(m["routes"].([]any)[0].(map[string]any)["legs"].([]any)); n != 2 {
				t.Errorf("%d legs", n)
			}
		}},
		{"route polyline coordinates", "/route/v1/driving/polyline(" + escapePolyline(roads.EncodePolyline(pts[:2], 5)) + ")", 200, "Ok", nil},
		{"table sources", "/table/v1/driving/" + coordPath(pts[:5]) + "?sources=0;1&destinations=2;3;4", 200, "Ok", func(t *testing.T, m map[string]any) {
			d := m["durations"].([]any)
			if len(d) != 2 || len(d[0].([]any)) != 3 || len(m["sources"].([]any)) != 2 || len(m["destinations"].([]any)) != 3 {
				t.Errorf("shape: %v", m)
			}
			if _, ok := m["distances"]; ok {
				t.Error("distances without annotations")
			}
		}},
		{"table distances", "/table/v1/car/" + coordPath(pts[:3]) + ".json?annotations=distance", 200, "Ok", func(t *testing.T, m map[string]any) {
			if _, ok := m["durations"]; ok {
				t.Error("durations with annotations=distance")
			}
		}},
		{"bad service", "/nearest/v1/driving/" + two, 400, "InvalidService", nil},
		{"bad version", "/route/v2/driving/" + two, 400, "InvalidVersion", nil},
		{"no coordinates", "/route/v1/driving/", 400, "InvalidUrl", nil},
		{"bad coordinate", "/route/v1/driving/7.4,abc;7.5,43.7", 400, "InvalidUrl", nil},
		{"out of range", "/route/v1/driving/7.4,95;7.5,43.7", 400, "InvalidValue", nil},
		{"unknown parameter", "/route/v1/driving/" + two + "?foo=bar", 400, "InvalidQuery", nil},
		{"steps", "/route/v1/driving/" + two + "?steps=true", 400, "InvalidValue", nil},
		{"bad geometries", "/route/v1/driving/" + two + "?geometries=wkt", 400, "InvalidValue", nil},
		{"one coordinate", "/route/v1/driving/7.4,43.7", 400, "InvalidValue", nil},
		{"sea", "/route/v1/driving/" + sea, 400, "NoSegment", func(t *testing.T, m map[string]any) {
			if !strings.Contains(m["message"].(string), "coordinate 1") {
				t.Errorf("message %q does not name coordinate 1", m["message"])
			}
		}},
		{"bad sources", "/table/v1/driving/" + two + "?sources=0;7", 400, "InvalidValue", nil},
		{"bad annotations", "/table/v1/driving/" + two + "?annotations=speed", 400, "InvalidValue", nil},
		{"table too big", "/table/v1/driving/" + coordPath(pts), 400, "TooBig", nil},
		{"radius", "/route/v1/driving/" + two + "?radiuses=0.5;0.5", 200, "Ok", nil},
		{"bad radiuses", "/route/v1/driving/" + two + "?radiuses=1", 400, "InvalidValue", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := get(t, srv, c.path)
			if status != c.status || m["code"] != c.code {
				t.Fatalf("status %d code %v (%v), want %d %s", status, m["code"], m["message"], c.status, c.code)
			}
			if c.check != nil {
				c.check(t, m)
			}
		})
	}
}

func escapePolyline(s string) string {
	return strings.NewReplacer("?", "%3F", "#", "%23", "`", "%60").Replace(s)
}

// noRoute is a Router that snaps everything and routes nothing.
type noRoute struct{}

func (noRoute) Snap(idx int, lon, lat, maxDist float64) (roads.Phantom, error) {
	return roads.Phantom{Lon: lon, Lat: lat}, nil
}
func (noRoute) Route(a, b roads.Phantom) (*roads.Route, error) { return nil, roads.ErrNoRoute }
func (noRoute) Table(ctx context.Context, s, d []roads.Phantom) (*roads.Table, error) {
	t := &roads.Table{Rows: len(s), Cols: len(d)}
	for range len(s) * len(d) {
		t.Weights = append(t.Weights, roads.Unreachable)
		t.Durations = append(t.Durations, roads.Unreachable)
		t.Distances = append(t.Distances, roads.Unreachable)
	}
	return t, nil
}

func TestUnroutable(t *testing.T) {
	srv := httptest.NewServer(NewHandler(noRoute{}, Options{}))
	defer srv.Close()
	status, m := get(t, srv, "/route/v1/driving/1,2;3,4")
	if status != 400 || m["code"] != "NoRoute" {
		t.Errorf("route: %d %v", status, m)
	}
	status, m = get(t, srv, "/table/v1/driving/1,2;3,4")
	if status != 200 || m["durations"].([]any)[0].([]any)[1] != nil {
		t.Errorf("table: %d %v", status, m)
	}
	resp, err := http.Post(srv.URL+"/route/v1/driving/1,2;3,4", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func TestAppendMatrix(t *testing.T) {
	got := string(AppendMatrix(nil, 2, 2, []int32{0, 15, roads.Unreachable, 120}, 1))
	if want := "[[0,1.5],[null,12]]"; got != want {
		t.Errorf("AppendMatrix = %s, want %s", got, want)
	}
	got = string(AppendMatrix(nil, 1, 1, []int32{15}, 2))
	if want := "[[3]]"; got != want {
		t.Errorf("scaled = %s, want %s", got, want)
	}
}

func TestMatrixPartsMatchAppendMatrix(t *testing.T) {
	for _, shape := range [][2]int{{1, 1}, {3, 5}, {300, 300}, {301, 257}, {1000, 70}} {
		rows, cols := shape[0], shape[1]
		cells := make([]int32, rows*cols)
		for i := range cells {
			cells[i] = int32(i*7919%100000) - 1
		}
		want := string(AppendMatrix(nil, rows, cols, cells, 1))
		var got []byte
		for _, p := range matrixParts(rows, cols, cells, 1) {
			got = append(got, p...)
		}
		if string(got) != want {
			t.Errorf("%d×%d: parallel encoding differs", rows, cols)
		}
		var v [][]*float64
		if err := json.Unmarshal(got, &v); err != nil || len(v) != rows || len(v[0]) != cols {
			t.Errorf("%d×%d: %v", rows, cols, err)
		}
	}
}
