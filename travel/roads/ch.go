package roads

import (
	"container/heap"
	"context"
	"math"
)

// Contraction hierarchies on the turn-expanded graph. Nodes are contracted
// one by one in the order of a lazily updated priority (edge difference,
// contracted neighbours, level); a shortcut replaces u→v→w when a bounded
// witness search finds no path from u to w avoiding v that is as short.
// After contraction nodes are renumbered by rank, so that upward searches
// touch memory in order.

// chEdge is an edge of the hierarchy: to a higher node in the upward
// graph (fwd) or from a higher node in the downward graph (bwd). mid is the
// contracted node of a shortcut, noNode for an original turn.
type chEdge struct {
	to           uint32
	w, dur, dist int32
	mid          uint32
}

// loopRec is the cheapest way from a node back to itself (through lower
// nodes), needed when a trip starts and ends on the same directed road with
// the destination behind the start.
type loopRec struct {
	node         uint32
	w, dur, dist int32
	mid          uint32
}

type arc struct {
	other        uint32
	w, dur, dist int32
	mid          uint32
}

type chBuilder struct {
	out, in   [][]arc
	done      []bool
	level     []int32
	deleted   []int32
	loops     map[uint32]loopRec
	dist      []int32
	stamp     []uint32
	target    []uint32 // == cur for pending targets of a witness search
	cur       uint32
	pq        witnessHeap
	upOut     [][]arc
	upIn      [][]arc
	order     []uint32
	shortcuts int
}

// Settled-node limits of witness searches when contracting a node and when
// estimating its priority.
const (
	witnessSettleLimit  = 200
	simulateSettleLimit = 30
)

func (g *Graph) contract(ctx context.Context) error {
	eb := g.turns
	n := len(eb.first) - 1
	b := &chBuilder{
		out: make([][]arc, n), in: make([][]arc, n),
		done: make([]bool, n), level: make([]int32, n), deleted: make([]int32, n),
		loops: make(map[uint32]loopRec),
		dist:  make([]int32, n), stamp: make([]uint32, n), target: make([]uint32, n),
		upOut: make([][]arc, n), upIn: make([][]arc, n),
	}
	for u := range n {
		for k := eb.first[u]; k < eb.first[u+1]; k++ {
			v := eb.to[k]
			a := arc{v, eb.w[k], eb.dur[k], eb.dist[k], noNode}
			if v == uint32(u) {
				b.addLoop(uint32(u), a)
				continue
			}
			b.addArc(uint32(u), a)
		}
	}
	prio := make([]int32, n)
	h := &prioHeap{}
	for v := range n {
		prio[v] = b.priority(uint32(v))
		h.items = append(h.items, prioItem{prio[v], uint32(v)})
	}
	heap.Init(h)
	for h.Len() > 0 {
		it := heap.Pop(h).(prioItem)
		v := it.node
		if b.done[v] {
			continue
		}
		p := b.priority(v)
		if h.Len() > 0 && p > h.items[0].prio {
			heap.Push(h, prioItem{p, v})
			continue
		}
		if len(b.order)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b.contractNode(v)
	}
	g.finishCH(b)
	return nil
}

func (b *chBuilder) addLoop(u uint32, a arc) {
	if l, ok := b.loops[u]; !ok || a.w < l.w {
		b.loops[u] = loopRec{u, a.w, a.dur, a.dist, a.mid}
	}
}

// addArc adds u→a.other, keeping the cheaper of parallel arcs.
func (b *chBuilder) addArc(u uint32, a arc) {
	w := a.other
	for i := range b.out[u] {
		if b.out[u][i].other == w {
			if a.w < b.out[u][i].w {
				b.out[u][i] = a
				for j := range b.in[w] {
					if b.in[w][j].other == u {
						b.in[w][j] = arc{u, a.w, a.dur, a.dist, a.mid}
					}
				}
			}
			return
		}
	}
	b.out[u] = append(b.out[u], a)
	b.in[w] = append(b.in[w], arc{u, a.w, a.dur, a.dist, a.mid})
}

// witness runs a Dijkstra search from src avoiding skip, up to limit or
// until the targets of v's out arcs are settled or maxSettle nodes are.
func (b *chBuilder) witness(src, skip uint32, limit int32, maxSettle int) {
	b.cur++
	if b.cur == 0 {
		clear(b.stamp)
		clear(b.target)
		b.cur = 1
	}
	pending := 0
	for _, o := range b.out[skip] {
		if b.target[o.other] != b.cur {
			b.target[o.other] = b.cur
			pending++
		}
	}
	b.pq = b.pq[:0]
	b.dist[src] = 0
	b.stamp[src] = b.cur
	b.pq.push(witnessItem{0, src})
	settled := 0
	for len(b.pq) > 0 {
		it := b.pq.pop()
		if it.d > b.dist[it.node] {
			continue
		}
		if it.d > limit {
			break
		}
		settled++
		if b.target[it.node] == b.cur {
			b.target[it.node] = 0
			if pending--; pending == 0 {
				break
			}
		}
		if settled > maxSettle {
			break
		}
		for _, a := range b.out[it.node] {
			if a.other == skip {
				continue
			}
			nd := it.d + a.w
			if b.stamp[a.other] != b.cur || nd < b.dist[a.other] {
				b.stamp[a.other] = b.cur
				b.dist[a.other] = nd
				b.pq.push(witnessItem{nd, a.other})
			}
		}
	}
}

func (b *chBuilder) reached(w uint32) int32 {
	if b.stamp[w] != b.cur {
		return math.MaxInt32
	}
	return b.dist[w]
}

// shortcutsOf counts (or, when add is set, inserts) the shortcuts that
// contracting v needs.
func (b *chBuilder) shortcutsOf(v uint32, add bool) int {
	limit := simulateSettleLimit
	if add {
		limit = witnessSettleLimit
	}
	count := 0
	outs := b.out[v]
	var maxOut int32
	for _, o := range outs {
		maxOut = max(maxOut, o.w)
	}
	for _, in := range b.in[v] {
		u := in.other
		b.witness(u, v, in.w+maxOut, limit)
		for _, o := range outs {
			via := in.w + o.w
			if o.other == u {
				if add {
					b.addLoop(u, arc{u, via, in.dur + o.dur, in.dist + o.dist, v})
				}
				continue
			}
			if b.reached(o.other) <= via {
				continue
			}
			count++
			if add {
				b.addArc(u, arc{o.other, via, in.dur + o.dur, in.dist + o.dist, v})
			}
		}
	}
	return count
}

func (b *chBuilder) priority(v uint32) int32 {
	sc := b.shortcutsOf(v, false)
	deg := len(b.in[v]) + len(b.out[v])
	return int32(8*(sc-deg)) + b.deleted[v] + b.level[v]
}

func (b *chBuilder) contractNode(v uint32) {
	b.shortcuts += b.shortcutsOf(v, true)
	b.upOut[v] = b.out[v]
	b.upIn[v] = b.in[v]
	for _, a := range b.out[v] {
		w := a.other
		b.in[w] = removeArc(b.in[w], v)
		b.deleted[w]++
		b.level[w] = max(b.level[w], b.level[v]+1)
	}
	for _, a := range b.in[v] {
		u := a.other
		b.out[u] = removeArc(b.out[u], v)
		b.deleted[u]++
		b.level[u] = max(b.level[u], b.level[v]+1)
	}
	b.out[v], b.in[v] = nil, nil
	b.done[v] = true
	b.order = append(b.order, v)
}

func removeArc(as []arc, v uint32) []arc {
	k := 0
	for _, a := range as {
		if a.other != v {
			as[k] = a
			k++
		}
	}
	return as[:k]
}

// finishCH renumbers nodes by rank and lays the hierarchy out in arrays.
func (g *Graph) finishCH(b *chBuilder) {
	n := len(b.order)
	rank := make([]uint32, n)
	for r, v := range b.order {
		rank[v] = uint32(r)
	}
	newEB := make([]uint32, n)
	for v, e := range g.nodeEB {
		newEB[rank[v]] = e
		g.ebNode[e] = rank[v]
	}
	g.nodeEB = newEB
	g.fwdFirst = make([]uint32, n+1)
	g.bwdFirst = make([]uint32, n+1)
	for r, v := range b.order {
		g.fwdFirst[r+1] = g.fwdFirst[r] + uint32(len(b.upOut[v]))
		g.bwdFirst[r+1] = g.bwdFirst[r] + uint32(len(b.upIn[v]))
	}
	g.fwdEdges = make([]chEdge, 0, g.fwdFirst[n])
	g.bwdEdges = make([]chEdge, 0, g.bwdFirst[n])
	mid := func(m uint32) uint32 {
		if m == noNode {
			return noNode
		}
		return rank[m]
	}
	for _, v := range b.order {
		for _, a := range b.upOut[v] {
			g.fwdEdges = append(g.fwdEdges, chEdge{rank[a.other], a.w, a.dur, a.dist, mid(a.mid)})
		}
		for _, a := range b.upIn[v] {
			g.bwdEdges = append(g.bwdEdges, chEdge{rank[a.other], a.w, a.dur, a.dist, mid(a.mid)})
		}
	}
	g.loops = g.loops[:0]
	for v, l := range b.loops {
		g.loops = append(g.loops, loopRec{rank[v], l.w, l.dur, l.dist, mid(l.mid)})
	}
	sortLoops(g.loops)
	// Re-number the plain turn graph too, for reference searches.
	eb := g.turns
	t := &ebGraph{first: make([]uint32, n+1)}
	for r, v := range b.order {
		t.first[r+1] = t.first[r] + (eb.first[v+1] - eb.first[v])
	}
	t.to = make([]uint32, len(eb.to))
	t.w, t.dur, t.dist = make([]int32, len(eb.to)), make([]int32, len(eb.to)), make([]int32, len(eb.to))
	for r, v := range b.order {
		k := t.first[r]
		for j := eb.first[v]; j < eb.first[v+1]; j++ {
			t.to[k], t.w[k], t.dur[k], t.dist[k] = rank[eb.to[j]], eb.w[j], eb.dur[j], eb.dist[j]
			k++
		}
	}
	g.turns = t
	g.stats.Shortcuts = b.shortcuts
}

type prioItem struct {
	prio int32
	node uint32
}

type prioHeap struct{ items []prioItem }

func (h *prioHeap) Len() int { return len(h.items) }
func (h *prioHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	return a.prio < b.prio || a.prio == b.prio && a.node < b.node
}
func (h *prioHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *prioHeap) Push(x any)    { h.items = append(h.items, x.(prioItem)) }
func (h *prioHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}

type witnessItem struct {
	d    int32
	node uint32
}

// witnessHeap is a binary min-heap on d.
type witnessHeap []witnessItem

func (h *witnessHeap) push(it witnessItem) {
	*h = append(*h, it)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].d <= s[i].d {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *witnessHeap) pop() witnessItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		c := l
		if r := l + 1; r < len(s) && s[r].d < s[l].d {
			c = r
		}
		if s[i].d <= s[c].d {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}
