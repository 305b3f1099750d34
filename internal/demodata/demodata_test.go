package demodata

import (
	"context"
	"testing"
)

func TestAndorra(t *testing.T) {
	g, err := Andorra(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	minLon, minLat, maxLon, maxLat := g.Bounds()
	// Andorra la Vella (1.52 E, 42.51 N) is inside.
	if !(minLon < 1.52 && 1.52 < maxLon && minLat < 42.51 && 42.51 < maxLat) {
		t.Errorf("bounds %g,%g %g,%g do not hold Andorra la Vella", minLon, minLat, maxLon, maxLat)
	}
	if g.NumNodes() < 1000 {
		t.Errorf("%d nodes: the extract is not Andorra's roads", g.NumNodes())
	}
}
