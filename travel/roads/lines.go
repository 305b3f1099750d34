package roads

import (
	"math"
	"slices"
)

// Road classes of Lines, from the most to the least important. The graph
// keeps each road's free-flow speeds, not its OSM highway tag, so the class
// is derived from the faster direction's speed: the car profile's class
// speeds (motorway 90, trunk 85, primary 65, secondary 55, tertiary 40,
// residential 25, service 15 km/h, or 0.8 × a tagged maxspeed) fall into
// these bands.
const (
	ClassMajor     = 0 // ≥ 70 km/h: motorways, trunk roads, fast primaries
	ClassPrimary   = 1 // ≥ 50 km/h
	ClassSecondary = 2 // ≥ 35 km/h
	ClassMinor     = 3 // ≥ 20 km/h: residential, unclassified
	ClassService   = 4 // slower: service roads, living streets
	numClasses     = 5
)

// roadClass returns the class of a road from its speeds in km/h.
func roadClass(speed [2]float32) int {
	v := max(speed[0], speed[1])
	switch {
	case v >= 70:
		return ClassMajor
	case v >= 50:
		return ClassPrimary
	case v >= 35:
		return ClassSecondary
	case v >= 20:
		return ClassMinor
	}
	return ClassService
}

// MinClassAt returns the least important class drawn at a map zoom level:
// minor roads are thinned out when zoomed out.
func MinClassAt(zoom int) int {
	switch {
	case zoom <= 9:
		return ClassMajor
	case zoom <= 11:
		return ClassPrimary
	case zoom <= 12:
		return ClassSecondary
	case zoom <= 13:
		return ClassMinor
	}
	return ClassService
}

// Line is one road's polyline in a viewport.
type Line struct {
	Class int
	Name  string
	// Points as E7 degrees, lon then lat, flattened: lon0, lat0, lon1, …
	Points []int32
}

// Lines is the answer of (*Graph).Lines.
type Lines struct {
	Lines     []Line
	Points    int  // points in all lines
	Truncated bool // the point budget dropped roads of the least important classes drawn
}

// Lines returns the routable roads crossing the box (degrees) for drawing
// at a map zoom level (0–22): classes less important than MinClassAt(zoom)
// are left out, polylines are simplified to about a quarter of a pixel at
// that zoom, and when more than maxPoints points remain (0: no limit), the
// least important classes are dropped whole, then the rest is cut, and
// Truncated is set. More important roads come first.
func (g *Graph) Lines(minLon, minLat, maxLon, maxLat float64, zoom, maxPoints int) Lines {
	gr := g.grid
	if gr == nil || len(gr.segs) == 0 || !(minLon <= maxLon && minLat <= maxLat) {
		return Lines{}
	}
	e7 := func(v float64) int32 { return int32(math.Round(math.Max(-180, math.Min(180, v)) * 1e7)) }
	bx0, by0, bx1, by1 := e7(minLon), e7(minLat), e7(maxLon), e7(maxLat)
	if bx1 < gr.minLon || bx0 > gr.maxLon || by1 < gr.minLat || by0 > gr.maxLat {
		return Lines{}
	}
	maxClass := MinClassAt(zoom)
	cx0, cy0 := gr.cellOf(bx0, by0)
	cx1, cy1 := gr.cellOf(bx1, by1)
	seen := map[int]bool{}
	var roads []int
	for y := cy0; y <= cy1; y++ {
		for x := cx0; x <= cx1; x++ {
			c := int(y*gr.nx + x)
			for _, k := range gr.segs[gr.first[c]:gr.first[c+1]] {
				if !segHitsBox(g.lon[k], g.lat[k], g.lon[k+1], g.lat[k+1], bx0, by0, bx1, by1) {
					continue
				}
				r := g.roadOf(k)
				if seen[r] {
					continue
				}
				seen[r] = true
				if roadClass(g.speed[r]) <= maxClass {
					roads = append(roads, r)
				}
			}
		}
	}
	// Most important first, then by road number for a stable answer.
	slices.SortFunc(roads, func(a, b int) int {
		if ca, cb := roadClass(g.speed[a]), roadClass(g.speed[b]); ca != cb {
			return ca - cb
		}
		return a - b
	})
	// A quarter of a pixel of a 256-pixel tile at this zoom, in E7 degrees.
	tol := int64(360e7 / (256 * math.Exp2(float64(max(0, min(zoom, 22))))) / 4)
	out := Lines{Lines: make([]Line, 0, len(roads))}
	for _, r := range roads {
		pts := g.simplify(g.geomOff[r], g.geomOff[r+1], tol)
		out.Lines = append(out.Lines, Line{Class: roadClass(g.speed[r]), Name: g.names[g.name[r]], Points: pts})
		out.Points += len(pts) / 2
	}
	if maxPoints > 0 && out.Points > maxPoints {
		out.Truncated = true
		// Drop whole classes from the least important while over budget.
		for out.Points > maxPoints && len(out.Lines) > 0 {
			last := out.Lines[len(out.Lines)-1].Class
			n := len(out.Lines)
			for n > 0 && out.Lines[n-1].Class == last {
				n--
			}
			if n == 0 {
				break // one class left: cut it below
			}
			for _, l := range out.Lines[n:] {
				out.Points -= len(l.Points) / 2
			}
			out.Lines = out.Lines[:n]
		}
		// Still over: keep the leading lines that fit.
		if out.Points > maxPoints {
			total, n := 0, 0
			for n < len(out.Lines) && total+len(out.Lines[n].Points)/2 <= maxPoints {
				total += len(out.Lines[n].Points) / 2
				n++
			}
			out.Lines, out.Points = out.Lines[:n], total
		}
	}
	return out
}

// segHitsBox reports whether the segment's bounding box meets the box (a
// cheap test that may keep a segment passing just by a corner).
func segHitsBox(x0, y0, x1, y1, bx0, by0, bx1, by1 int32) bool {
	return max(x0, x1) >= bx0 && min(x0, x1) <= bx1 && max(y0, y1) >= by0 && min(y0, y1) <= by1
}

// simplify returns the points [from, to) as flattened lon, lat pairs with
// the Douglas-Peucker algorithm at tolerance tol (E7 degrees, measured in
// plain degrees, which is enough for drawing); the ends are always kept.
func (g *Graph) simplify(from, to uint32, tol int64) []int32 {
	n := int(to - from)
	if n <= 2 || tol <= 0 {
		pts := make([]int32, 0, 2*n)
		for k := from; k < to; k++ {
			pts = append(pts, g.lon[k], g.lat[k])
		}
		return pts
	}
	keep := make([]bool, n)
	keep[0], keep[n-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, n - 1}}
	tol2 := float64(tol) * float64(tol)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ax, ay := float64(g.lon[from+uint32(s.a)]), float64(g.lat[from+uint32(s.a)])
		bx, by := float64(g.lon[from+uint32(s.b)]), float64(g.lat[from+uint32(s.b)])
		best, bi := -1.0, -1
		for i := s.a + 1; i < s.b; i++ {
			d := segDist2(float64(g.lon[from+uint32(i)]), float64(g.lat[from+uint32(i)]), ax, ay, bx, by)
			if d > best {
				best, bi = d, i
			}
		}
		if bi >= 0 && best > tol2 {
			keep[bi] = true
			stack = append(stack, span{s.a, bi}, span{bi, s.b})
		}
	}
	pts := make([]int32, 0, 8)
	for i, k := range keep {
		if k {
			pts = append(pts, g.lon[from+uint32(i)], g.lat[from+uint32(i)])
		}
	}
	return pts
}

// segDist2 is the squared distance from p to the segment a-b.
func segDist2(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	ex, ey := ax+t*dx-px, ay+t*dy-py
	return ex*ex + ey*ey
}
