package roads

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// osmDir is the shared OpenStreetMap data beside the repository.
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
	graphMu    sync.Mutex
	graphCache = map[string]*Graph{}
)

// extract imports (once per test binary) one of the shared extracts.
func extract(tb testing.TB, name string) *Graph {
	tb.Helper()
	dir := osmDir(tb)
	graphMu.Lock()
	defer graphMu.Unlock()
	if g := graphCache[name]; g != nil {
		return g
	}
	g, err := ImportFile(context.Background(), filepath.Join(dir, name+".osm.pbf"), ImportOptions{})
	if err != nil {
		tb.Fatalf("import %s: %v", name, err)
	}
	graphCache[name] = g
	return g
}

type refPoint struct{ lon, lat float64 }

func readPoints(tb testing.TB, name string) []refPoint {
	tb.Helper()
	f, err := os.Open(filepath.Join(osmDir(tb), "reference", name+"_points_500.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var pts []refPoint
	for _, r := range recs[1:] {
		lon, _ := strconv.ParseFloat(r[2], 64)
		lat, _ := strconv.ParseFloat(r[3], 64)
		pts = append(pts, refPoint{lon, lat})
	}
	return pts
}

type refPair struct {
	src, dst           int
	duration, distance float64
	weight             float64
}

func readPairs(tb testing.TB, name string) []refPair {
	tb.Helper()
	f, err := os.Open(filepath.Join(osmDir(tb), "reference", name+"_route_pairs.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var ps []refPair
	for _, r := range recs[1:] {
		var p refPair
		p.src, _ = strconv.Atoi(r[0])
		p.dst, _ = strconv.Atoi(r[1])
		p.duration, _ = strconv.ParseFloat(r[2], 64)
		p.distance, _ = strconv.ParseFloat(r[3], 64)
		p.weight, _ = strconv.ParseFloat(r[4], 64)
		ps = append(ps, p)
	}
	return ps
}

type refTable struct {
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

func readTable(tb testing.TB, name string, n int) *refTable {
	tb.Helper()
	var t refTable
	if n == 100 {
		b, err := os.ReadFile(filepath.Join(osmDir(tb), "reference", name+"_table_100x100.json"))
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(b, &t); err != nil {
			tb.Fatal(err)
		}
		return &t
	}
	f, err := os.Open(filepath.Join(osmDir(tb), "reference", name+"_table_500x500.json.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.NewDecoder(zr).Decode(&t); err != nil {
		tb.Fatal(err)
	}
	return &t
}

func snapAll(tb testing.TB, g *Graph, pts []refPoint) []Phantom {
	tb.Helper()
	out := make([]Phantom, len(pts))
	for i, p := range pts {
		ph, err := g.Snap(i, p.lon, p.lat, 0)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = ph
	}
	return out
}
