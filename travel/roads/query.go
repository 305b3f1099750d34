package roads

import (
	"errors"
	"sync"
)

// label is a search label: weight, duration and distance from the search's
// origin, and how the node was reached.
type label struct {
	w, dur, dist int32
	parent       uint32 // previous node; noNode for an initial label
	edge         uint32 // edge index used to reach it
	stamp        uint32 // search generation the label belongs to
}

// search is a reusable upward search over the hierarchy.
type search struct {
	lbl  []label
	cur  uint32
	heap witnessHeap
	// settled nodes in order, for the bucket phases
	settled []uint32
}

func (g *Graph) newSearch() *search {
	n := len(g.nodeEB)
	return &search{lbl: make([]label, n)}
}

var searchPools sync.Map // *Graph -> *sync.Pool

func (g *Graph) getSearch() *search {
	p, _ := searchPools.LoadOrStore(g, &sync.Pool{New: func() any { return g.newSearch() }})
	return p.(*sync.Pool).Get().(*search)
}

func (g *Graph) putSearch(s *search) {
	p, _ := searchPools.Load(g)
	p.(*sync.Pool).Put(s)
}

func (s *search) reset() {
	s.cur++
	if s.cur == 0 {
		clear(s.lbl)
		s.cur = 1
	}
	s.heap = s.heap[:0]
	s.settled = s.settled[:0]
}

func (s *search) has(x uint32) bool { return s.lbl[x].stamp == s.cur }

func (s *search) set(x uint32, l label) {
	l.stamp = s.cur
	s.lbl[x] = l
	s.heap.push(witnessItem{l.w, x})
}

// init seeds the search with a phantom: as a source, the part of each
// directed road before the point is subtracted; as a target it is added.
func (s *search) init(p *Phantom, source bool) {
	for d := 0; d < 2; d++ {
		x := p.node[d]
		if x == noNode {
			continue
		}
		l := label{p.offW[d], p.offDur[d], p.offDist[d], noNode, noNode, 0}
		if source {
			l.w, l.dur, l.dist = -l.w, -l.dur, -l.dist
		}
		if !s.has(x) || l.w < s.lbl[x].w {
			s.set(x, l)
		}
	}
}

// step settles the next node of an upward search using edges (fwd or bwd)
// and the opposite edges for stall-on-demand. It returns noNode when the
// queue is empty.
func (s *search) step(first []uint32, edges []chEdge, ofirst []uint32, oedges []chEdge) uint32 {
	for len(s.heap) > 0 {
		it := s.heap.pop()
		x := it.node
		l := s.lbl[x]
		if it.d != l.w {
			continue // stale
		}
		// Stall when a higher node offers a shorter way to x.
		stalled := false
		for _, e := range oedges[ofirst[x]:ofirst[x+1]] {
			if o := &s.lbl[e.to]; o.stamp == s.cur && o.w+e.w < l.w {
				stalled = true
				break
			}
		}
		if stalled {
			continue
		}
		for k := first[x]; k < first[x+1]; k++ {
			e := &edges[k]
			nw := l.w + e.w
			if o := &s.lbl[e.to]; o.stamp != s.cur || nw < o.w {
				*o = label{nw, l.dur + e.dur, l.dist + e.dist, x, k, s.cur}
				s.heap.push(witnessItem{nw, e.to})
			}
		}
		return x
	}
	return noNode
}

func (s *search) minKey() int32 {
	for len(s.heap) > 0 {
		it := s.heap[0]
		if it.d != s.lbl[it.node].w {
			s.heap.pop()
			continue
		}
		return it.d
	}
	return inf
}

// ErrNoRoute is returned when no route connects two points.
var ErrNoRoute = errors.New("no route found")

// Route is a route between two snapped points.
type Route struct {
	Weight   int32 // routing weight in deciseconds (duration plus penalties)
	Duration int32 // deciseconds
	Distance int32 // decimetres
	// Roads are the directed roads driven, in order.
	roads    []uint32
	from, to Phantom
	g        *Graph
}

// Seconds returns the duration in seconds.
func (r *Route) Seconds() float64 { return float64(r.Duration) / 10 }

// Metres returns the distance in metres.
func (r *Route) Metres() float64 { return float64(r.Distance) / 10 }

type meet struct {
	w, dur, dist int32
	node         uint32
	loop         bool
}

// Route returns the least-weight route from a to b.
func (g *Graph) Route(a, b Phantom) (*Route, error) {
	fs, bs := g.getSearch(), g.getSearch()
	defer g.putSearch(fs)
	defer g.putSearch(bs)
	fs.reset()
	bs.reset()
	fs.init(&a, true)
	bs.init(&b, false)
	best := meet{w: inf, node: noNode}
	consider := func(x uint32) {
		if !fs.has(x) || !bs.has(x) {
			return
		}
		f, r := fs.lbl[x], bs.lbl[x]
		w := f.w + r.w
		if f.parent == noNode && r.parent == noNode && w < 0 {
			// The destination is behind the start on the same road:
			// go round a loop.
			lp, ok := g.loop(x)
			if !ok {
				return
			}
			if w += lp.w; w < best.w {
				best = meet{w, f.dur + lp.dur + r.dur, f.dist + lp.dist + r.dist, x, true}
			}
			return
		}
		if w < best.w {
			best = meet{w, f.dur + r.dur, f.dist + r.dist, x, false}
		}
	}
	for {
		fk, bk := fs.minKey(), bs.minKey()
		if min(fk, bk) >= best.w || fk >= inf && bk >= inf {
			break
		}
		if fk <= bk {
			if x := fs.step(g.fwdFirst, g.fwdEdges, g.bwdFirst, g.bwdEdges); x != noNode {
				consider(x)
			}
		} else {
			if x := bs.step(g.bwdFirst, g.bwdEdges, g.fwdFirst, g.fwdEdges); x != noNode {
				consider(x)
			}
		}
	}
	if best.node == noNode {
		return nil, ErrNoRoute
	}
	rt := &Route{Weight: best.w, Duration: best.dur, Distance: best.dist, from: a, to: b, g: g}
	// Unpack: source side (reversed), meeting node, target side.
	var up []uint32
	x0 := best.node
	for ; fs.lbl[x0].parent != noNode; x0 = fs.lbl[x0].parent {
		up = append(up, x0)
	}
	path := []uint32{x0}
	for i := len(up) - 1; i >= 0; i-- {
		x := up[i]
		e := &g.fwdEdges[fs.lbl[x].edge]
		path = g.unpack(path, fs.lbl[x].parent, x, e.mid, e.w)
	}
	if best.loop {
		lp, _ := g.loop(best.node)
		path = g.unpackLoop(path, best.node, lp)
	}
	for x := best.node; bs.lbl[x].parent != noNode; x = bs.lbl[x].parent {
		k := bs.lbl[x].edge
		e := &g.bwdEdges[k]
		// bwd edge k belongs to node p=parent and points to the higher x:
		// the original direction is x → parent.
		path = g.unpack(path, x, bs.lbl[x].parent, e.mid, e.w)
	}
	rt.roads = path
	return rt, nil
}

// unpack appends to path the nodes after u of the edge u→v of weight w
// with middle node mid.
func (g *Graph) unpack(path []uint32, u, v, mid uint32, w int32) []uint32 {
	if mid == noNode {
		return append(path, v)
	}
	// u→mid is a downward edge stored at mid; mid→v an upward one.
	for _, e1 := range g.bwdEdges[g.bwdFirst[mid]:g.bwdFirst[mid+1]] {
		if e1.to != u {
			continue
		}
		for _, e2 := range g.fwdEdges[g.fwdFirst[mid]:g.fwdFirst[mid+1]] {
			if e2.to == v && e1.w+e2.w == w {
				path = g.unpack(path, u, mid, e1.mid, e1.w)
				return g.unpack(path, mid, v, e2.mid, e2.w)
			}
		}
	}
	// Not reached for a consistent hierarchy.
	return append(path, v)
}

func (g *Graph) unpackLoop(path []uint32, x uint32, lp loopRec) []uint32 {
	if lp.mid == noNode {
		return append(path, x)
	}
	mid := lp.mid
	for _, e1 := range g.bwdEdges[g.bwdFirst[mid]:g.bwdFirst[mid+1]] {
		if e1.to != x {
			continue
		}
		for _, e2 := range g.fwdEdges[g.fwdFirst[mid]:g.fwdFirst[mid+1]] {
			if e2.to == x && e1.w+e2.w == lp.w {
				path = g.unpack(path, x, mid, e1.mid, e1.w)
				return g.unpack(path, mid, x, e2.mid, e2.w)
			}
		}
	}
	return append(path, x)
}
