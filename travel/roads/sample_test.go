package roads

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSamplePoints(t *testing.T) {
	g := extract(t, "monaco")
	minLon, minLat, maxLon, maxLat := g.Bounds()
	cLon, cLat := (minLon+maxLon)/2, (minLat+maxLat)/2
	tests := []struct {
		name   string
		radius float64
	}{
		{"whole graph", 0},
		{"near the centre", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pts, err := g.SamplePoints(rand.New(rand.NewPCG(7, 1)), 200, cLon, cLat, tc.radius)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := g.SamplePoints(rand.New(rand.NewPCG(7, 1)), 200, cLon, cLat, tc.radius)
			if !slices.Equal(pts, again) {
				t.Fatal("the same seed drew different points")
			}
			other, _ := g.SamplePoints(rand.New(rand.NewPCG(8, 1)), 200, cLon, cLat, tc.radius)
			if slices.Equal(pts, other) {
				t.Fatal("another seed drew the same points")
			}
			for i, p := range pts {
				ph, err := g.Snap(i, p[0], p[1], 1)
				if err != nil {
					t.Fatalf("point %d %v does not snap within 1 m: %v", i, p, err)
				}
				if d := math.Hypot((ph.Lon-p[0])*math.Cos(p[1]*math.Pi/180), ph.Lat-p[1]) * 111195; d > 1 {
					t.Fatalf("point %d %v snaps %g m away", i, p, d)
				}
				if tc.radius > 0 {
					// A segment starts within the radius; its end may be a
					// segment's length beyond.
					d := math.Hypot((p[0]-cLon)*math.Cos(cLat*math.Pi/180), p[1]-cLat) * 111195
					if d > tc.radius+500 {
						t.Fatalf("point %d is %g m from the centre", i, d)
					}
				}
			}
		})
	}
	if _, err := g.SamplePoints(rand.New(rand.NewPCG(1, 1)), 3, 0.5, 0.5, 100); !errors.Is(err, ErrNoRoadsNear) {
		t.Fatalf("far from the graph: %v", err)
	}
}
