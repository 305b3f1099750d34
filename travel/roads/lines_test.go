package roads

import (
	"math"
	"testing"
)

func TestRoadClass(t *testing.T) {
	for _, tc := range []struct {
		speed [2]float32
		want  int
	}{
		{[2]float32{90, 90}, ClassMajor},
		{[2]float32{0, 85}, ClassMajor},
		{[2]float32{65, 65}, ClassPrimary},
		{[2]float32{55, 0}, ClassPrimary},
		{[2]float32{40, 40}, ClassSecondary},
		{[2]float32{25, 25}, ClassMinor},
		{[2]float32{15, 15}, ClassService},
		{[2]float32{10, 0}, ClassService},
	} {
		if got := roadClass(tc.speed); got != tc.want {
			t.Errorf("roadClass(%v) = %d, want %d", tc.speed, got, tc.want)
		}
	}
}

func TestMinClassAtThinsOut(t *testing.T) {
	prev := -1
	for z := 0; z <= 22; z++ {
		c := MinClassAt(z)
		if c < prev {
			t.Fatalf("zoom %d draws fewer classes (%d) than zoom %d (%d)", z, c, z-1, prev)
		}
		prev = c
	}
	if MinClassAt(8) != ClassMajor || MinClassAt(16) != ClassService {
		t.Fatalf("zoom 8 → %d, zoom 16 → %d", MinClassAt(8), MinClassAt(16))
	}
}

func TestLinesMonaco(t *testing.T) {
	g := extract(t, "monaco")
	minLon, minLat, maxLon, maxLat := g.Bounds()
	all := g.Lines(minLon, minLat, maxLon, maxLat, 18, 0)
	if len(all.Lines) < 100 || all.Truncated {
		t.Fatalf("whole graph at zoom 18: %d lines, truncated %v", len(all.Lines), all.Truncated)
	}
	classes := map[int]int{}
	points := 0
	for i, l := range all.Lines {
		if len(l.Points) < 4 || len(l.Points)%2 != 0 {
			t.Fatalf("line %d has %d coordinates", i, len(l.Points))
		}
		if i > 0 && l.Class < all.Lines[i-1].Class {
			t.Fatalf("line %d of class %d after class %d", i, l.Class, all.Lines[i-1].Class)
		}
		for j := 0; j < len(l.Points); j += 2 {
			lon, lat := float64(l.Points[j])/1e7, float64(l.Points[j+1])/1e7
			if lon < minLon-1e-7 || lon > maxLon+1e-7 || lat < minLat-1e-7 || lat > maxLat+1e-7 {
				t.Fatalf("point %g,%g outside the graph's bounds", lon, lat)
			}
		}
		classes[l.Class]++
		points += len(l.Points) / 2
	}
	if points != all.Points {
		t.Fatalf("Points = %d, counted %d", all.Points, points)
	}
	if len(classes) < 3 {
		t.Fatalf("only classes %v in Monaco", classes)
	}

	// Zoomed out: only important classes, fewer points after simplification.
	far := g.Lines(minLon, minLat, maxLon, maxLat, 11, 0)
	if len(far.Lines) == 0 || far.Points >= all.Points {
		t.Fatalf("zoom 11: %d lines, %d points (zoom 18: %d)", len(far.Lines), far.Points, all.Points)
	}
	for _, l := range far.Lines {
		if l.Class > MinClassAt(11) {
			t.Fatalf("zoom 11 draws class %d", l.Class)
		}
	}

	// A small box around the centre holds a subset, each line touching it.
	cLon, cLat := (minLon+maxLon)/2, (minLat+maxLat)/2
	d := 0.002
	small := g.Lines(cLon-d, cLat-d, cLon+d, cLat+d, 18, 0)
	if len(small.Lines) == 0 || len(small.Lines) >= len(all.Lines) {
		t.Fatalf("small box: %d lines of %d", len(small.Lines), len(all.Lines))
	}
	for _, l := range small.Lines {
		near := false
		for j := 0; j+3 < len(l.Points); j += 2 {
			if segHitsBox(l.Points[j], l.Points[j+1], l.Points[j+2], l.Points[j+3],
				int32(math.Round((cLon-d)*1e7)), int32(math.Round((cLat-d)*1e7)), int32(math.Round((cLon+d)*1e7)), int32(math.Round((cLat+d)*1e7))) {
				near = true
			}
		}
		if !near {
			t.Fatalf("line %q does not touch the box", l.Name)
		}
	}

	// Budget: the least important classes go first, and the cap holds.
	capped := g.Lines(minLon, minLat, maxLon, maxLat, 18, all.Points/3)
	if !capped.Truncated || capped.Points > all.Points/3 || len(capped.Lines) == 0 {
		t.Fatalf("capped: truncated %v, %d points (cap %d)", capped.Truncated, capped.Points, all.Points/3)
	}
	if capped.Lines[0].Class != all.Lines[0].Class {
		t.Fatalf("capped answer lost the most important class")
	}
	tiny := g.Lines(minLon, minLat, maxLon, maxLat, 18, 10)
	if tiny.Points > 10 || !tiny.Truncated {
		t.Fatalf("cap 10: %d points, truncated %v", tiny.Points, tiny.Truncated)
	}

	// Outside the graph, or an inverted box: nothing.
	if l := g.Lines(0, 0, 1, 1, 15, 0); len(l.Lines) != 0 {
		t.Fatalf("box in the Gulf of Guinea: %d lines", len(l.Lines))
	}
	if l := g.Lines(maxLon, maxLat, minLon, minLat, 15, 0); len(l.Lines) != 0 {
		t.Fatalf("inverted box: %d lines", len(l.Lines))
	}
}

func TestSimplifyKeepsEnds(t *testing.T) {
	// A straight line with a bump: a large tolerance keeps only the ends,
	// a small one keeps the bump.
	g := &Graph{lon: []int32{0, 10, 20, 30, 40}, lat: []int32{0, 0, 50, 0, 0}}
	if got := g.simplify(0, 5, 100); len(got) != 4 || got[0] != 0 || got[2] != 40 {
		t.Fatalf("tolerance 100: %v", got)
	}
	if got := g.simplify(0, 5, 10); len(got) != 6 || got[2] != 20 || got[3] != 50 {
		t.Fatalf("tolerance 10: %v", got)
	}
	if got := g.simplify(0, 2, 10); len(got) != 4 {
		t.Fatalf("two points: %v", got)
	}
}
