package sim

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

var (
	graphMu sync.Mutex
	graphs  = map[string]*roads.Graph{}
)

// sharedGraph imports one of the shared OpenStreetMap extracts (once per
// test binary); tests skip when the data is not there.
func sharedGraph(tb testing.TB, name string) *roads.Graph {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "shared", "osm", name+".osm.pbf")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared OSM data missing: %v", err)
		}
		tb.Skipf("shared OSM data missing: %v", err)
	}
	graphMu.Lock()
	defer graphMu.Unlock()
	if g := graphs[name]; g != nil {
		return g
	}
	g, err := roads.ImportFile(context.Background(), path, roads.ImportOptions{})
	if err != nil {
		tb.Fatalf("import %s: %v", name, err)
	}
	graphs[name] = g
	return g
}

// BenchmarkDay1000 simulates a 1,000-stop, 12-vehicle day on the Andorra
// roads end to end: plan, re-plan, drive, score.
func BenchmarkDay1000(b *testing.B) {
	benchDay(b, 1000, 12)
}

// BenchmarkDay300 is a smaller day for profiling.
func BenchmarkDay300(b *testing.B) {
	benchDay(b, 300, 4)
}

func benchDay(b *testing.B, stops, vehicles int) {
	cfg := Defaults()
	cfg.Graph = sharedGraph(b, "andorra")
	cfg.Stops, cfg.Vehicles = stops, vehicles
	b.ResetTimer()
	for range b.N {
		res, err := Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.KPIs.Attempted), "stops")
		b.ReportMetric(float64(res.Requests[0].Requests), "requests")
	}
}
