package roads

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func BenchmarkImportHeidelberg(b *testing.B) {
	path := filepath.Join(osmDir(b), "heidelberg.osm.pbf")
	cpu := cpuTime()
	for b.Loop() {
		if _, err := ImportFile(context.Background(), path, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// benchPoints returns n points on the Heidelberg graph: the 500 reference
// points, then points spread over the graph's roads.
func benchPoints(b *testing.B, g *Graph, n int) []Phantom {
	pts := snapAll(b, g, readPoints(b, "heidelberg"))
	for k := 0; len(pts) < n; k++ {
		r := (k * 7919) % g.NumRoads()
		if g.ebNode[2*r] == noNode && g.ebNode[2*r+1] == noNode {
			continue
		}
		p := g.phantomAt(g.geomOff[r], 0.5, float64(g.lon[g.geomOff[r]])/1e7, float64(g.lat[g.geomOff[r]])/1e7)
		pts = append(pts, p)
	}
	return pts[:n]
}

func benchTable(b *testing.B, n int) {
	g := extract(b, "heidelberg")
	pts := benchPoints(b, g, n)
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := g.Table(context.Background(), pts, pts); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

func BenchmarkTable500Heidelberg(b *testing.B)  { benchTable(b, 500) }
func BenchmarkTable1000Heidelberg(b *testing.B) { benchTable(b, 1000) }

// BenchmarkRouteHeidelberg measures single routes with their encoded
// geometry over OSRM's 250 reference pairs and reports the median and 90th
// percentile latency.
func BenchmarkRouteHeidelberg(b *testing.B) {
	g := extract(b, "heidelberg")
	pts := benchPoints(b, g, 500)
	pairs := readPairs(b, "heidelberg")
	var lat []time.Duration
	k := 0
	for b.Loop() {
		p := pairs[k%len(pairs)]
		k++
		t0 := time.Now()
		r, err := g.Route(pts[p.src], pts[p.dst])
		if err != nil {
			b.Fatal(err)
		}
		_ = EncodePolyline(r.Points(), 5)
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}

// BenchmarkScale reports the size of the Heidelberg graph per node and
// edge: in memory and in the file.
func BenchmarkScale(b *testing.B) {
	g := extract(b, "heidelberg")
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if _, err := g.WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
	}
	st := g.Stats()
	mem := g.memoryBytes()
	b.ReportMetric(float64(buf.Len()), "file-bytes")
	b.ReportMetric(float64(mem), "mem-bytes")
	b.ReportMetric(float64(st.Nodes), "osm-nodes")
	b.ReportMetric(float64(g.NumNodes()), "graph-nodes")
	b.ReportMetric(float64(g.NumEdges()), "graph-edges")
	b.ReportMetric(float64(mem)/float64(g.NumNodes()), "mem-bytes/node")
	b.ReportMetric(float64(buf.Len())/float64(st.Nodes), "file-bytes/osm-node")
}

// BenchmarkAgreement reports the agreement of the 500×500 tables with
// OSRM's, with and without turn and signal costs.
func BenchmarkAgreement(b *testing.B) {
	for _, name := range extracts {
		for _, turns := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/turns=%v", name, turns), func(b *testing.B) {
				var a agreement
				for b.Loop() {
					g, err := ImportFile(context.Background(), filepath.Join(osmDir(b), name+".osm.pbf"), ImportOptions{noTurnCosts: !turns})
					if err != nil {
						b.Fatal(err)
					}
					pts := snapAll(b, g, readPoints(b, name))
					tab, err := g.Table(context.Background(), pts, pts)
					if err != nil {
						b.Fatal(err)
					}
					a = compareTables(readTable(b, name, 500), tab)
				}
				b.ReportMetric(100*a.durWithin, "dur-within5%")
				b.ReportMetric(100*a.medianAbs, "median-abs-err%")
				b.ReportMetric(100*a.medianSigned, "median-signed-err%")
				b.ReportMetric(100*a.distWithin, "dist-within5%")
				b.ReportMetric(float64(a.unroutable), "unroutable")
			})
		}
	}
}

// BenchmarkReadGraphHeidelberg measures loading a graph file (checksum,
// checks and snapping index included).
func BenchmarkReadGraphHeidelberg(b *testing.B) {
	g := extract(b, "heidelberg")
	path := filepath.Join(b.TempDir(), "heidelberg.graph")
	if err := g.WriteFile(path); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ReadGraphFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
