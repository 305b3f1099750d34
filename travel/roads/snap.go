package roads

import (
	"fmt"
	"math"
)

// grid is a uniform grid over the segments of routable roads.
type grid struct {
	minLat, minLon, maxLat, maxLon int32
	cell                           int32 // cell side in E7 degrees
	nx, ny                         int32
	first                          []uint32 // len nx*ny+1
	segs                           []uint32 // segment start point indices
}

const metresPerE7 = math.Pi / 180 * osrmEarthRadius / 1e7

func (g *Graph) buildIndex() {
	gr := &grid{minLat: math.MaxInt32, minLon: math.MaxInt32, maxLat: math.MinInt32, maxLon: math.MinInt32}
	nseg := 0
	routable := func(r int) bool { return g.snappable[r] && (g.ebNode[2*r] != noNode || g.ebNode[2*r+1] != noNode) }
	for r := 0; r < len(g.name); r++ {
		if !routable(r) {
			continue
		}
		for k := g.geomOff[r]; k < g.geomOff[r+1]; k++ {
			gr.minLat, gr.maxLat = min(gr.minLat, g.lat[k]), max(gr.maxLat, g.lat[k])
			gr.minLon, gr.maxLon = min(gr.minLon, g.lon[k]), max(gr.maxLon, g.lon[k])
		}
		nseg += int(g.geomOff[r+1] - g.geomOff[r] - 1)
	}
	if nseg == 0 {
		g.grid = gr
		return
	}
	// About one segment per cell on average, cells of at least ~50 m.
	area := float64(gr.maxLat-gr.minLat+1) * float64(gr.maxLon-gr.minLon+1)
	cell := math.Sqrt(area / float64(nseg))
	cell = max(cell, 1e7*0.0005)
	gr.cell = int32(math.Min(cell, 1e7))
	gr.nx = (gr.maxLon-gr.minLon)/gr.cell + 1
	gr.ny = (gr.maxLat-gr.minLat)/gr.cell + 1
	counts := make([]uint32, int(gr.nx)*int(gr.ny)+1)
	visit := func(k uint32, fn func(c int)) {
		x0, y0 := gr.cellOf(g.lon[k], g.lat[k])
		x1, y1 := gr.cellOf(g.lon[k+1], g.lat[k+1])
		for y := min(y0, y1); y <= max(y0, y1); y++ {
			for x := min(x0, x1); x <= max(x0, x1); x++ {
				fn(int(y*gr.nx + x))
			}
		}
	}
	for r := 0; r < len(g.name); r++ {
		if routable(r) {
			for k := g.geomOff[r]; k+1 < g.geomOff[r+1]; k++ {
				visit(k, func(c int) { counts[c+1]++ })
			}
		}
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	gr.first = counts
	gr.segs = make([]uint32, counts[len(counts)-1])
	pos := make([]uint32, len(counts)-1)
	copy(pos, counts)
	for r := 0; r < len(g.name); r++ {
		if routable(r) {
			for k := g.geomOff[r]; k+1 < g.geomOff[r+1]; k++ {
				visit(k, func(c int) { gr.segs[pos[c]] = k; pos[c]++ })
			}
		}
	}
	g.grid = gr
}

func (gr *grid) cellOf(lon, lat int32) (x, y int32) {
	x = (lon - gr.minLon) / gr.cell
	y = (lat - gr.minLat) / gr.cell
	return min(max(x, 0), gr.nx-1), min(max(y, 0), gr.ny-1)
}

// Phantom is a coordinate snapped onto a road.
type Phantom struct {
	Lon, Lat float64 // the snapped point
	Distance float64 // metres from the given coordinate
	Name     string  // the road's name or ref
	road     int
	seg      uint32  // segment start point index
	t        float64 // position on the segment, 0..1
	node     [2]uint32
	// Cost of the directed road before the point: weight, duration,
	// distance, per direction.
	offW, offDur, offDist [2]int32
}

// SnapError reports a coordinate that is too far from any road.
type SnapError struct {
	Index    int // position of the coordinate in the request
	Lon, Lat float64
	MaxDist  float64
}

func (e *SnapError) Error() string {
	return fmt.Sprintf("coordinate %d [%g,%g] is more than %g m from any road of the graph", e.Index, e.Lon, e.Lat, e.MaxDist)
}

// Snap returns the point of a routable road nearest to (lon, lat) within
// maxDist metres (0 means 1000 m). idx only labels the error.
func (g *Graph) Snap(idx int, lon, lat, maxDist float64) (Phantom, error) {
	if maxDist <= 0 {
		maxDist = defaultMaxSnapDist
	}
	fail := &SnapError{idx, lon, lat, maxDist}
	if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		return Phantom{}, fail
	}
	gr := g.grid
	if gr == nil || len(gr.segs) == 0 {
		return Phantom{}, fail
	}
	plat, plon := int32(math.Round(lat*1e7)), int32(math.Round(lon*1e7))
	cosLat := math.Cos(lat * math.Pi / 180)
	// Distance from the point to the grid's box.
	dx := float64(max(gr.minLon-plon, plon-gr.maxLon, 0)) * cosLat * metresPerE7
	dy := float64(max(gr.minLat-plat, plat-gr.maxLat, 0)) * metresPerE7
	if math.Hypot(dx, dy) > maxDist {
		return Phantom{}, fail
	}
	cx, cy := gr.cellOf(plon, plat)
	// The point's distance to the edges of its cell (the cell may be
	// clamped when the point is outside the grid), in metres.
	cellLon := float64(gr.cell) * metresPerE7 * cosLat
	cellLat := float64(gr.cell) * metresPerE7
	fx := float64(plon-gr.minLon-cx*gr.cell) * metresPerE7 * cosLat
	fy := float64(plat-gr.minLat-cy*gr.cell) * metresPerE7
	margin := max(0, min(fx, cellLon-fx, fy, cellLat-fy))
	step := min(cellLon, cellLat)
	best := math.Inf(1)
	var bestK uint32
	var bestT float64
	for ring := int32(0); ; ring++ {
		// Cells of this ring are at least this far from the point.
		if ring > 0 && margin+float64(ring-1)*step > min(best, maxDist) || (ring > gr.nx && ring > gr.ny) {
			break
		}
		for y := cy - ring; y <= cy+ring; y++ {
			if y < 0 || y >= gr.ny {
				continue
			}
			for x := cx - ring; x <= cx+ring; x++ {
				if x < 0 || x >= gr.nx || (y != cy-ring && y != cy+ring && x != cx-ring && x != cx+ring) {
					continue
				}
				c := y*gr.nx + x
				for _, k := range gr.segs[gr.first[c]:gr.first[c+1]] {
					d, t := g.segDistance(k, plon, plat, cosLat)
					if d < best || d == best && k < bestK {
						best, bestK, bestT = d, k, t
					}
				}
			}
		}
	}
	if best > maxDist {
		return Phantom{}, fail
	}
	return g.phantomAt(bestK, bestT, lon, lat), nil
}

// segDistance returns the distance in metres from a point to segment k and
// the position of the nearest point on it.
func (g *Graph) segDistance(k uint32, plon, plat int32, cosLat float64) (float64, float64) {
	ax := float64(g.lon[k]-plon) * cosLat
	ay := float64(g.lat[k] - plat)
	bx := float64(g.lon[k+1]-plon) * cosLat
	by := float64(g.lat[k+1] - plat)
	vx, vy := bx-ax, by-ay
	t := 0.0
	if l2 := vx*vx + vy*vy; l2 > 0 {
		t = -(ax*vx + ay*vy) / l2
		t = min(max(t, 0), 1)
	}
	px, py := ax+t*vx, ay+t*vy
	return math.Hypot(px, py) * metresPerE7, t
}

func (g *Graph) phantomAt(k uint32, t float64, lon, lat float64) Phantom {
	r := g.roadOf(k)
	p := Phantom{road: r, seg: k, t: t, Name: g.names[g.name[r]]}
	p.Lat = (float64(g.lat[k]) + t*float64(g.lat[k+1]-g.lat[k])) / 1e7
	p.Lon = (float64(g.lon[k]) + t*float64(g.lon[k+1]-g.lon[k])) / 1e7
	p.Distance = haversineDeg(lat, lon, p.Lat, p.Lon)
	p.node = [2]uint32{g.ebNode[2*r], g.ebNode[2*r+1]}
	var before, after [2]struct{ w, dur, dist float64 }
	for j := g.geomOff[r]; j+1 < g.geomOff[r+1]; j++ {
		l := segLength(g.lat[j], g.lon[j], g.lat[j+1], g.lon[j+1])
		for d := 0; d < 2; d++ {
			w := float64(segCost(l, g.speed[r][d]*g.rate[r][d]))
			du := float64(segCost(l, g.speed[r][d]))
			switch {
			case j < k:
				before[d].w += w
				before[d].dur += du
				before[d].dist += l * 10
			case j > k:
				after[d].w += w
				after[d].dur += du
				after[d].dist += l * 10
			default:
				before[d].w += t * w
				before[d].dur += t * du
				before[d].dist += t * l * 10
				after[d].w += (1 - t) * w
				after[d].dur += (1 - t) * du
				after[d].dist += (1 - t) * l * 10
			}
		}
	}
	p.offW[0], p.offDur[0], p.offDist[0] = round32(before[0].w), round32(before[0].dur), round32(before[0].dist)
	p.offW[1], p.offDur[1], p.offDist[1] = round32(after[1].w), round32(after[1].dur), round32(after[1].dist)
	return p
}

func round32(x float64) int32 { return int32(math.Round(x)) }

func haversineDeg(lat1, lon1, lat2, lon2 float64) float64 {
	return segLength(int32(math.Round(lat1*1e7)), int32(math.Round(lon1*1e7)), int32(math.Round(lat2*1e7)), int32(math.Round(lon2*1e7)))
}
