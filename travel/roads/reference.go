package roads

// referenceRoute runs a plain Dijkstra search on the turn-expanded graph
// (no hierarchy). It is the yardstick of the hierarchy's answers in tests
// and is available only on a graph fresh from Import.
func (g *Graph) referenceRoute(a, b Phantom) (w, dur, dist int32, ok bool) {
	if g.turns == nil {
		return 0, 0, 0, false
	}
	t := g.turns
	s := g.newSearch()
	s.reset()
	best := int32(inf)
	var bestDur, bestDist int32
	// Same directed road, destination ahead: drive straight there.
	for d := 0; d < 2; d++ {
		if a.node[d] != noNode && a.node[d] == b.node[d] && b.offW[d] >= a.offW[d] {
			if w := b.offW[d] - a.offW[d]; w < best {
				best, bestDur, bestDist = w, b.offDur[d]-a.offDur[d], b.offDist[d]-a.offDist[d]
			}
		}
	}
	// Otherwise leave the start road through one of its turns.
	for d := 0; d < 2; d++ {
		x := a.node[d]
		if x == noNode {
			continue
		}
		for k := t.first[x]; k < t.first[x+1]; k++ {
			l := label{t.w[k] - a.offW[d], t.dur[k] - a.offDur[d], t.dist[k] - a.offDist[d], x, k, 0}
			y := t.to[k]
			if !s.has(y) || l.w < s.lbl[y].w {
				s.set(y, l)
			}
		}
	}
	done := make(map[uint32]bool)
	for len(s.heap) > 0 {
		it := s.heap.pop()
		x := it.node
		l := s.lbl[x]
		if it.d != l.w || done[x] {
			continue
		}
		done[x] = true
		if l.w >= best {
			break
		}
		for d := 0; d < 2; d++ {
			if b.node[d] == x {
				if w := l.w + b.offW[d]; w < best {
					best, bestDur, bestDist = w, l.dur+b.offDur[d], l.dist+b.offDist[d]
				}
			}
		}
		for k := t.first[x]; k < t.first[x+1]; k++ {
			y := t.to[k]
			nw := l.w + t.w[k]
			if !s.has(y) || nw < s.lbl[y].w {
				s.set(y, label{nw, l.dur + t.dur[k], l.dist + t.dist[k], x, k, 0})
			}
		}
	}
	return best, bestDur, bestDist, best < inf
}
