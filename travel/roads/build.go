package roads

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// osrmEarthRadius is the sphere radius of segment lengths, as in OSRM.
const osrmEarthRadius = 6372797.560856

// segLength returns the haversine length in metres between two E7 points.
func segLength(lat1, lon1, lat2, lon2 int32) float64 {
	const rad = math.Pi / 180 / 1e7
	la1, la2 := float64(lat1)*rad, float64(lat2)*rad
	dlat := la2 - la1
	dlon := float64(lon2-lon1) * rad
	s1, s2 := math.Sin(dlat/2), math.Sin(dlon/2)
	h := s1*s1 + math.Cos(la1)*math.Cos(la2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * osrmEarthRadius * math.Asin(math.Sqrt(h))
}

// segCost returns the deciseconds to drive lenM metres at kmh, at least 1.
func segCost(lenM float64, kmh float32) int32 {
	return int32(max(1, math.Round(lenM*36/float64(kmh))))
}

// bearing returns the initial bearing in degrees (0 north, clockwise) from
// one E7 point to another.
func bearing(lat1, lon1, lat2, lon2 int32) float64 {
	const rad = math.Pi / 180 / 1e7
	la1, la2 := float64(lat1)*rad, float64(lat2)*rad
	dlon := float64(lon2-lon1) * rad
	y := math.Sin(dlon) * math.Cos(la2)
	x := math.Cos(la1)*math.Sin(la2) - math.Sin(la1)*math.Cos(la2)*math.Cos(dlon)
	b := math.Atan2(y, x) * 180 / math.Pi
	if b < 0 {
		b += 360
	}
	return b
}

func exp(x float64) float64 { return math.Exp(x) }

// ebGraph is the turn-expanded network: one node per directed road, one
// edge per allowed turn. The cost of an edge includes driving its source
// road.
type ebGraph struct {
	first []uint32 // len n+1
	to    []uint32
	w     []int32
	dur   []int32
	dist  []int32
}

func (n *network) build(ctx context.Context, turnCosts bool) (*Graph, error) {
	g := &Graph{stats: n.stats}
	// Junctions: nodes shared by ways (or used twice), signals, barriers,
	// restriction vias. Way ends are cut anyway.
	cnt := make([]uint8, len(n.ids))
	for _, id := range n.refs {
		i, _ := slices.BinarySearch(n.ids, id)
		if cnt[i] < 2 {
			cnt[i]++
		}
	}
	junction := make([]bool, len(n.ids))
	for i := range junction {
		junction[i] = cnt[i] >= 2 || n.flags[i] != 0
	}
	wayIndex := make(map[int64]int32, len(n.ways))
	for i, w := range n.ways {
		wayIndex[w.id] = int32(i)
	}
	viaRestr := make(map[int32][]restriction)
	for _, r := range n.restrictions {
		v := n.nodeIndex(r.via)
		_, okF := wayIndex[r.from]
		_, okT := wayIndex[r.to]
		if v < 0 || !okF || !okT {
			continue
		}
		junction[v] = true
		viaRestr[int32(v)] = append(viaRestr[int32(v)], r)
	}

	// Cut ways into roads between junctions.
	var (
		roadWay  []int32
		roadFrom []int32
		roadTo   []int32
	)
	g.geomOff = []uint32{0}
	for wi := range n.ways {
		w := &n.ways[wi]
		refs := n.refs[w.refs[0]:w.refs[1]]
		start := -1 // node index of the current road's first point
		npts := 0
		flush := func(end int) {
			if npts >= 2 {
				roadWay = append(roadWay, int32(wi))
				roadFrom = append(roadFrom, int32(start))
				roadTo = append(roadTo, int32(end))
				g.geomOff = append(g.geomOff, uint32(len(g.lat)))
			} else if npts == 1 {
				g.lat = g.lat[:len(g.lat)-1]
				g.lon = g.lon[:len(g.lon)-1]
			}
			npts = 0
		}
		prev := -1
		for k, id := range refs {
			i, _ := slices.BinarySearch(n.ids, id)
			if n.lat[i] == math.MinInt32 {
				if prev >= 0 {
					flush(prev)
				}
				prev = -1
				continue
			}
			if i == prev {
				continue
			}
			if prev < 0 {
				start = i
			}
			g.lat = append(g.lat, n.lat[i])
			g.lon = append(g.lon, n.lon[i])
			npts++
			prev = i
			if npts >= 2 && (junction[i] || k == len(refs)-1) {
				flush(i)
				start = i
				g.lat = append(g.lat, n.lat[i])
				g.lon = append(g.lon, n.lon[i])
				npts = 1
			}
		}
		if npts == 1 {
			g.lat = g.lat[:len(g.lat)-1]
			g.lon = g.lon[:len(g.lon)-1]
		}
	}
	nr := len(roadWay)
	if nr == 0 {
		return nil, ErrNoRoads
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Per road attributes and costs.
	names := map[string]uint32{"": 0}
	g.names = []string{""}
	g.speed = make([][2]float32, nr)
	g.rate = make([][2]float32, nr)
	g.name = make([]uint32, nr)
	g.restricted = make([]bool, nr)
	g.length = make([]int32, nr)
	g.ebW = make([]int32, 2*nr)
	g.ebDur = make([]int32, 2*nr)
	allowed := make([]bool, 2*nr)
	for r := range nr {
		a := &n.ways[roadWay[r]].attr
		g.speed[r] = [2]float32{float32(a.fwdKMH), float32(a.bwdKMH)}
		g.rate[r] = [2]float32{float32(a.fwdRate), float32(a.bwdRate)}
		g.restricted[r] = a.restricted
		id, ok := names[a.name]
		if !ok {
			id = uint32(len(g.names))
			names[a.name] = id
			g.names = append(g.names, a.name)
		}
		g.name[r] = id
		allowed[2*r], allowed[2*r+1] = a.fwd, a.bwd
		var length float64
		for k := g.geomOff[r]; k+1 < g.geomOff[r+1]; k++ {
			l := segLength(g.lat[k], g.lon[k], g.lat[k+1], g.lon[k+1])
			length += l
			for d := 0; d < 2; d++ {
				g.ebDur[2*r+d] += segCost(l, g.speed[r][d])
				g.ebW[2*r+d] += segCost(l, g.speed[r][d]*g.rate[r][d])
			}
		}
		g.length[r] = int32(math.Round(length * 10))
	}

	// Road ends at each junction.
	endFirst := make([]uint32, len(n.ids)+1)
	for r := range nr {
		endFirst[roadFrom[r]+1]++
		endFirst[roadTo[r]+1]++
	}
	for i := 1; i < len(endFirst); i++ {
		endFirst[i] += endFirst[i-1]
	}
	ends := make([]int32, endFirst[len(n.ids)])
	fill := slices.Clone(endFirst[:len(n.ids)])
	for r := range nr {
		ends[fill[roadFrom[r]]] = int32(2 * r)
		fill[roadFrom[r]]++
		ends[fill[roadTo[r]]] = int32(2*r + 1)
		fill[roadTo[r]]++
	}

	// Turns.
	type turn struct {
		from, to uint32
		w, dur   int32
	}
	var turns []turn
	var bearings []float64
	var restrUsed = make(map[restriction]bool)
	for v := range n.ids {
		e0, e1 := endFirst[v], endFirst[v+1]
		if e0 == e1 {
			continue
		}
		vEnds := ends[e0:e1]
		bearings = bearings[:0]
		for _, end := range vEnds {
			bearings = append(bearings, g.awayBearing(int(end/2), end%2 == 1))
		}
		restr := viaRestr[int32(v)]
		barrier := n.flags[v]&flagBarrier != 0
		signal := n.flags[v]&flagSignal != 0
		for i, ein := range vEnds {
			r1 := int(ein / 2)
			// Arriving at v through this end: forward when it is the road's
			// last point, backward when its first.
			in := 2*r1 + 1
			if ein%2 == 1 {
				in = 2 * r1
			}
			if !allowed[in] {
				continue
			}
			inWay := n.ways[roadWay[r1]].id
			var onlyTo int64 = -1
			for _, rs := range restr {
				if rs.only && rs.from == inWay {
					onlyTo = rs.to
					restrUsed[rs] = true
				}
			}
			nOther := 0
			mark := len(turns)
			for j, eout := range vEnds {
				r2 := int(eout / 2)
				out := 2 * r2
				if eout%2 == 1 {
					out = 2*r2 + 1
				}
				if !allowed[out] {
					continue
				}
				uturn := i == j
				if !uturn {
					if barrier {
						continue
					}
					outWay := n.ways[roadWay[r2]].id
					if onlyTo >= 0 && outWay != onlyTo {
						continue
					}
					banned := false
					for _, rs := range restr {
						// A restriction from a way onto itself (no_u_turn)
						// bans turning back, not driving through.
						if !rs.only && rs.from == inWay && rs.to == outWay && (rs.from != rs.to || r1 == r2) {
							banned = true
							restrUsed[rs] = true
						}
					}
					if banned {
						continue
					}
					nOther++
				}
				angle := bearings[j] - (bearings[i] + 180)
				for angle > 180 {
					angle -= 360
				}
				for angle <= -180 {
					angle += 360
				}
				sec := 0.0
				if signal {
					sec += trafficLightDelay
				}
				if len(vEnds) > 2 || uturn {
					sec += turnSeconds(angle)
				}
				if uturn {
					sec += uTurnPenalty
				}
				if !turnCosts {
					sec = 0
				}
				d := int32(math.Round(sec * 10))
				w := d
				if !g.restricted[r1] && g.restricted[r2] {
					w += restrictedEntryW
				}
				turns = append(turns, turn{uint32(in), uint32(out), w, d})
			}
			// U-turns only where nothing else is allowed (dead ends,
			// barriers).
			if nOther > 0 {
				k := mark
				for _, t := range turns[mark:] {
					if t.to != uint32(ein) {
						turns[k] = t
						k++
					}
				}
				turns = turns[:k]
			}
		}
	}
	n.stats.RestrictionsUse = len(restrUsed)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Turn-expanded graph in CSR form.
	ne := 2 * nr
	eb := &ebGraph{first: make([]uint32, ne+1)}
	for _, t := range turns {
		eb.first[t.from+1]++
	}
	for i := 1; i <= ne; i++ {
		eb.first[i] += eb.first[i-1]
	}
	eb.to = make([]uint32, len(turns))
	eb.w = make([]int32, len(turns))
	eb.dur = make([]int32, len(turns))
	eb.dist = make([]int32, len(turns))
	pos := slices.Clone(eb.first[:ne])
	for _, t := range turns {
		k := pos[t.from]
		pos[t.from]++
		eb.to[k] = t.to
		eb.w[k] = g.ebW[t.from] + t.w
		eb.dur[k] = g.ebDur[t.from] + t.dur
		eb.dist[k] = g.length[t.from/2]
	}
	turns = nil

	// Keep the largest strongly connected component.
	// Directed roads that can only be entered (or only left) at a trip's
	// end are kept too, when they lead to it (or are reached from it):
	// trips may start or end on them.
	comp, largest := scc(eb, allowed)
	keep := connectedTo(eb, comp, largest)
	g.ebNode = make([]uint32, ne)
	kept := 0
	for e := range ne {
		if allowed[e] && keep[e] {
			g.ebNode[e] = uint32(kept)
			kept++
		} else {
			g.ebNode[e] = noNode
			if allowed[e] {
				n.stats.DroppedRoads++
			}
		}
	}
	if kept == 0 {
		return nil, ErrNoRoads
	}
	// Points snap onto roads of the strongly connected core only.
	g.snappable = make([]bool, nr)
	for r := range nr {
		g.snappable[r] = comp[2*r] == largest && allowed[2*r] || comp[2*r+1] == largest && allowed[2*r+1]
	}
	// Restrict the turn graph to the component, numbered densely.
	sub := &ebGraph{first: make([]uint32, 1, kept+1)}
	g.nodeEB = make([]uint32, 0, kept)
	for e := range ne {
		if g.ebNode[e] == noNode {
			continue
		}
		g.nodeEB = append(g.nodeEB, uint32(e))
		for k := eb.first[e]; k < eb.first[e+1]; k++ {
			t := g.ebNode[eb.to[k]]
			if t == noNode {
				continue
			}
			sub.to = append(sub.to, t)
			sub.w = append(sub.w, eb.w[k])
			sub.dur = append(sub.dur, eb.dur[k])
			sub.dist = append(sub.dist, eb.dist[k])
		}
		sub.first = append(sub.first, uint32(len(sub.to)))
	}
	g.turns = sub
	n.stats.Roads = nr
	n.stats.Turns = len(sub.to)
	g.stats = n.stats
	if err := g.contract(ctx); err != nil {
		return nil, err
	}
	g.buildIndex()
	return g, nil
}

// awayBearing returns the bearing of road r leaving its first point
// (atEnd false) or its last point (atEnd true), looking lookAheadMetres
// along it.
func (g *Graph) awayBearing(r int, atEnd bool) float64 {
	a, b := int(g.geomOff[r]), int(g.geomOff[r+1])
	step := 1
	k := a
	if atEnd {
		k, step = b-1, -1
	}
	k0 := k
	acc := 0.0
	for {
		k1 := k + step
		if k1 < a || k1 >= b {
			break
		}
		l := segLength(g.lat[k], g.lon[k], g.lat[k1], g.lon[k1])
		k = k1
		acc += l
		if acc >= lookAheadMetres {
			break
		}
	}
	if k == k0 {
		return 0
	}
	return bearing(g.lat[k0], g.lon[k0], g.lat[k], g.lon[k])
}

const noNode = math.MaxUint32

// connectedTo marks the nodes reachable from component c or from which c
// is reachable.
func connectedTo(eb *ebGraph, comp []int32, c int32) []bool {
	n := len(eb.first) - 1
	from := make([]bool, n)
	var queue []uint32
	for v := range n {
		if comp[v] == c {
			from[v] = true
			queue = append(queue, uint32(v))
		}
	}
	seeds := slices.Clone(queue)
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for k := eb.first[v]; k < eb.first[v+1]; k++ {
			if w := eb.to[k]; !from[w] {
				from[w] = true
				queue = append(queue, w)
			}
		}
	}
	// Reverse adjacency.
	rfirst := make([]uint32, n+1)
	for _, w := range eb.to {
		rfirst[w+1]++
	}
	for i := 1; i <= n; i++ {
		rfirst[i] += rfirst[i-1]
	}
	rto := make([]uint32, len(eb.to))
	pos := slices.Clone(rfirst[:n])
	for v := range n {
		for k := eb.first[v]; k < eb.first[v+1]; k++ {
			w := eb.to[k]
			rto[pos[w]] = uint32(v)
			pos[w]++
		}
	}
	to := make([]bool, n)
	for _, v := range seeds {
		to[v] = true
	}
	queue = seeds
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, u := range rto[rfirst[v]:rfirst[v+1]] {
			if !to[u] {
				to[u] = true
				queue = append(queue, u)
			}
		}
	}
	for v := range from {
		from[v] = from[v] || to[v]
	}
	return from
}

// scc returns the strongly connected component of every node of eb that is
// allowed (Tarjan's algorithm, iterative) and the largest component's id.
func scc(eb *ebGraph, allowed []bool) (comp []int32, largest int32) {
	n := len(eb.first) - 1
	index := make([]int32, n)
	low := make([]int32, n)
	comp = make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
		comp[i] = -1
	}
	var stack []int32
	type frame struct {
		v int32
		k uint32
	}
	var call []frame
	next := int32(0)
	ncomp := int32(0)
	var sizes []int
	for s := range n {
		if index[s] >= 0 || !allowed[s] {
			continue
		}
		call = append(call, frame{int32(s), eb.first[s]})
		index[s], low[s] = next, next
		next++
		stack = append(stack, int32(s))
		onStack[s] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.k < eb.first[v+1] {
				w := int32(eb.to[f.k])
				f.k++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, eb.first[w]})
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			if low[v] == index[v] {
				size := 0
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					size++
					if w == v {
						break
					}
				}
				sizes = append(sizes, size)
				ncomp++
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
		}
	}
	largest = -1
	best := 0
	for c, s := range sizes {
		if s > best {
			best, largest = s, int32(c)
		}
	}
	return comp, largest
}

func (g *Graph) String() string {
	return fmt.Sprintf("road graph: %d roads, %d directed roads routable, %d shortcuts", len(g.name), len(g.nodeEB), g.stats.Shortcuts)
}
