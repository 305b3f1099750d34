package osrm

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/travel/osrmhttp"
	"github.com/lastmile-dev/lastmile/travel/roads"
	"github.com/lastmile-dev/lastmile/vrp"
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

func monacoPoints(tb testing.TB, n int) []vrp.Coord {
	f, err := os.Open(filepath.Join(osmDir(tb), "reference", "monaco_points_500.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var pts []vrp.Coord
	for _, r := range recs[1 : n+1] {
		lon, _ := strconv.ParseFloat(r[2], 64)
		lat, _ := strconv.ParseFloat(r[3], 64)
		pts = append(pts, vrp.Coord{Lon: lon, Lat: lat})
	}
	return pts
}

// TestMatrixAgainstRoadsServer runs the client against the OSRM-compatible
// handler on the Monaco graph: blocks must assemble into the matrix of the
// in-process graph.
func TestMatrixAgainstRoadsServer(t *testing.T) {
	g, err := roads.ImportFile(context.Background(), filepath.Join(osmDir(t), "monaco.osm.pbf"), roads.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int32
	h := osrmhttp.NewHandler(g, osrmhttp.Options{MaxTableCoordinates: 40})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	pts := monacoPoints(t, 70)
	want, wantDist, err := (&roads.Source{Graph: g}).Matrix(context.Background(), "car", pts)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		max      int
		requests int32
	}{{"one request", 100, 1}, {"blocks", 40, 16}} {
		t.Run(c.name, func(t *testing.T) {
			requests.Store(0)
			cl := &Client{BaseURL: srv.URL, MaxTableSize: c.max}
			if c.max > 40 {
				h = osrmhttp.NewHandler(g, osrmhttp.Options{MaxTableCoordinates: 100})
			} else {
				h = osrmhttp.NewHandler(g, osrmhttp.Options{MaxTableCoordinates: 40})
			}
			dur, dist, err := cl.Matrix(context.Background(), "car", pts)
			if err != nil {
				t.Fatal(err)
			}
			if requests.Load() != c.requests {
				t.Errorf("%d requests, want %d", requests.Load(), c.requests)
			}
			for i := range pts {
				for j := range pts {
					// The server rounds to 0.1 s, the graph source to 1 s.
					if d := dur[i][j] - want[i][j]; d < -1 || d > 1 {
						t.Fatalf("%d→%d: %d s, want %d", i, j, dur[i][j], want[i][j])
					}
					if d := dist[i][j] - wantDist[i][j]; d < -1 || d > 1 {
						t.Fatalf("%d→%d: %d m, want %d", i, j, dist[i][j], wantDist[i][j])
					}
				}
			}
		})
	}
	t.Run("route", func(t *testing.T) {
		h = osrmhttp.NewHandler(g, osrmhttp.Options{})
		r, err := (&Client{BaseURL: srv.URL}).Route(context.Background(), "", pts[:2])
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Duration - float64(want[0][1]); d < -1 || d > 1 || r.Geometry == "" {
			t.Errorf("route %+v, want %d s", r, want[0][1])
		}
	})
	t.Run("point in the sea", func(t *testing.T) {
		h = osrmhttp.NewHandler(g, osrmhttp.Options{MaxTableCoordinates: 40})
		bad := append(append([]vrp.Coord{}, pts[:50]...), vrp.Coord{Lon: 7.45, Lat: 43.70})
		_, _, err := (&Client{BaseURL: srv.URL, MaxTableSize: 40}).Matrix(context.Background(), "car", bad)
		var e *Error
		if !errors.As(err, &e) || e.Code != "NoSegment" || !strings.Contains(e.Message, "coordinate 50") {
			t.Errorf("got %v, want NoSegment naming coordinate 50", err)
		}
	})
}

func TestServerFailures(t *testing.T) {
	pts := []vrp.Coord{{Lon: 7.41, Lat: 43.73}, {Lon: 7.42, Lat: 43.74}}
	cases := []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{"ok", 200, `{"code":"Ok","durations":[[0,1.4],[2.6,0]],"distances":[[0,10],[20,0]]}`, ""},
		{"null cell", 200, `{"code":"Ok","durations":[[0,null],[2,0]],"distances":[[0,null],[20,0]]}`, "no route from point 0"},
		{"no distances", 200, `{"code":"Ok","durations":[[0,1],[2,0]]}`, "distance rows"},
		{"short row", 200, `{"code":"Ok","durations":[[0],[2,0]],"distances":[[0],[20,0]]}`, "wrong length"},
		{"negative", 200, `{"code":"Ok","durations":[[0,-5],[2,0]],"distances":[[0,1],[20,0]]}`, "invalid value"},
		{"error code", 400, `{"code":"TooBig","message":"Too many table coordinates"}`, "TooBig"},
		{"not JSON", 502, `<html>bad gateway</html>`, "HTTP 502"},
		{"garbage", 200, `{"code":"Ok","durations":"x"}`, "not OSRM JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/table/v1/car/7.410000,43.730000;7.420000,43.740000") ||
					!strings.Contains(r.URL.RawQuery, "annotations=duration,distance") {
					t.Errorf("request %s", r.URL)
				}
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			dur, dist, err := (&Client{BaseURL: srv.URL}).Matrix(context.Background(), "car", pts)
			if c.wantErr == "" {
				if err != nil || dur[0][1] != 1 || dur[1][0] != 3 || dist[1][0] != 20 {
					t.Fatalf("got %v %v %v", dur, dist, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one mentioning %q", err, c.wantErr)
			}
		})
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := (&Client{BaseURL: srv.URL}).Matrix(ctx, "", []vrp.Coord{{Lon: 1, Lat: 2}, {Lon: 3, Lat: 4}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a deadline error", err)
	}
	if _, _, err := (&Client{BaseURL: "http://127.0.0.1:1"}).Matrix(context.Background(), "", []vrp.Coord{{Lon: 1, Lat: 2}}); err == nil {
		t.Error("no error from a closed port")
	}
	if _, _, err := (&Client{BaseURL: srv.URL}).Matrix(context.Background(), "", []vrp.Coord{{Lon: 1, Lat: 95}}); err == nil {
		t.Error("no error for a latitude of 95")
	}
	if _, _, err := (&Client{BaseURL: srv.URL}).Matrix(context.Background(), "", make([]vrp.Coord, 100_000)); err == nil || !strings.Contains(err.Error(), "cells") {
		t.Errorf("10^5 points: %v", err)
	}
}
