package osrmhttp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

// benchTableHTTP measures a full n×n table request (durations and
// distances) to the handler on the Heidelberg graph over loopback HTTP,
// until the whole JSON body is read.
func benchTableHTTP(b *testing.B, n int) {
	g, err := roads.ImportFile(context.Background(), filepath.Join(osmDir(b), "heidelberg.osm.pbf"), roads.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(g, Options{}))
	defer srv.Close()
	pts := heidelbergPoints(b, g, n)
	u := srv.URL + "/table/v1/driving/" + coordPath(pts) + "?annotations=duration,distance"
	client := &http.Client{}
	b.ResetTimer()
	var size int64
	cpu := cpuTime()
	for b.Loop() {
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(size), "body-bytes")
}

// heidelbergPoints returns n coordinates: the 500 reference points, then
// points along the graph's roads.
func heidelbergPoints(b *testing.B, g *roads.Graph, n int) [][2]float64 {
	pts := readCSVPoints(b, filepath.Join(osmDir(b), "reference", "heidelberg_points_500.csv"))
	minLon, minLat, maxLon, maxLat := g.Bounds()
	for k := 0; len(pts) < n; k++ {
		// A deterministic lattice over the box, kept where a road is near.
		lon := minLon + (maxLon-minLon)*float64(k%97)/97
		lat := minLat + (maxLat-minLat)*float64((k*31)%89)/89
		if _, err := g.Snap(0, lon, lat, 300); err == nil {
			pts = append(pts, [2]float64{lon, lat})
		}
	}
	return pts[:n]
}

func BenchmarkTable500HTTPHeidelberg(b *testing.B)  { benchTableHTTP(b, 500) }
func BenchmarkTable1000HTTPHeidelberg(b *testing.B) { benchTableHTTP(b, 1000) }
