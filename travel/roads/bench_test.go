package roads

import (
	"context"
	"path/filepath"
	"testing"
)

func BenchmarkImportHeidelberg(b *testing.B) {
	path := filepath.Join(osmDir(b), "heidelberg.osm.pbf")
	for b.Loop() {
		if _, err := ImportFile(context.Background(), path, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
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
	for b.Loop() {
		if _, err := g.Table(context.Background(), pts, pts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTable500Heidelberg(b *testing.B)  { benchTable(b, 500) }
func BenchmarkTable1000Heidelberg(b *testing.B) { benchTable(b, 1000) }

func BenchmarkRouteHeidelberg(b *testing.B) {
	g := extract(b, "heidelberg")
	pts := benchPoints(b, g, 500)
	pairs := readPairs(b, "heidelberg")
	b.ResetTimer()
	k := 0
	for b.Loop() {
		p := pairs[k%len(pairs)]
		k++
		r, err := g.Route(pts[p.src], pts[p.dst])
		if err != nil {
			b.Fatal(err)
		}
		_ = EncodePolyline(r.Points(), 5)
	}
}
