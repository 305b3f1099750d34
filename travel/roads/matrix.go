package roads

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Unreachable marks table cells without a route.
const Unreachable = -1

// MaxTableCells bounds the number of cells of one Table call.
const MaxTableCells = 25_000_000

// Table holds travel costs from sources (rows) to targets (columns), row
// major, in tenths: Durations in deciseconds, Distances in decimetres,
// Weights in deciseconds of routing weight. Unreachable cells hold
// Unreachable in all three.
type Table struct {
	Rows, Cols int
	Weights    []int32
	Durations  []int32
	Distances  []int32
}

// bucketEntry records that target t's backward search reached a node.
type bucketEntry struct {
	t            uint32 // target index; top bit set for an initial label
	w, dur, dist int32
}

const initialBit = 1 << 31

type cell struct{ w, dur, dist int32 }

// Table computes the least-weight routes from every source to every
// target with many-to-many searches on the hierarchy (one backward search
// per target fills per-node buckets, one forward search per source scans
// them), using all cores.
func (g *Graph) Table(ctx context.Context, sources, targets []Phantom) (*Table, error) {
	rows, cols := len(sources), len(targets)
	if rows*cols > MaxTableCells || rows > MaxTableCells || cols > MaxTableCells {
		return nil, fmt.Errorf("table of %d×%d cells exceeds the limit of %d", rows, cols, MaxTableCells)
	}
	t := &Table{Rows: rows, Cols: cols,
		Weights: make([]int32, rows*cols), Durations: make([]int32, rows*cols), Distances: make([]int32, rows*cols)}
	if rows == 0 || cols == 0 {
		return t, nil
	}
	workers := runtime.GOMAXPROCS(0)
	n := len(g.nodeEB)

	// Backward phase: per worker lists of entries, then one CSR by node.
	parts := make([][]struct {
		node uint32
		e    bucketEntry
	}, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := g.getSearch()
			defer g.putSearch(s)
			parts[w] = make([]struct {
				node uint32
				e    bucketEntry
			}, 0, cols/workers*64)
			for {
				j := int(next.Add(1) - 1)
				if j >= cols || ctx.Err() != nil {
					return
				}
				s.reset()
				s.init(&targets[j], false)
				for {
					x := s.step(g.bwdFirst, g.bwdEdges, g.fwdFirst, g.fwdEdges)
					if x == noNode {
						break
					}
					l := s.lbl[x]
					e := bucketEntry{uint32(j), l.w, l.dur, l.dist}
					if l.parent == noNode {
						e.t |= initialBit
					}
					parts[w] = append(parts[w], struct {
						node uint32
						e    bucketEntry
					}{x, e})
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first := make([]uint32, n+1)
	for _, p := range parts {
		for _, it := range p {
			first[it.node+1]++
		}
	}
	for i := 1; i <= n; i++ {
		first[i] += first[i-1]
	}
	buckets := make([]bucketEntry, first[n])
	pos := make([]uint32, n)
	copy(pos, first[:n])
	for _, p := range parts {
		for _, it := range p {
			buckets[pos[it.node]] = it.e
			pos[it.node]++
		}
	}
	parts = nil

	// Forward phase.
	next.Store(0)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := g.getSearch()
			defer g.putSearch(s)
			row := make([]cell, cols)
			for {
				i := int(next.Add(1) - 1)
				if i >= rows || ctx.Err() != nil {
					return
				}
				for k := range row {
					row[k].w = inf
				}
				s.reset()
				s.init(&sources[i], true)
				for {
					x := s.step(g.fwdFirst, g.fwdEdges, g.bwdFirst, g.bwdEdges)
					if x == noNode {
						break
					}
					l := s.lbl[x]
					lw := l.w
					bucket := buckets[first[x]:first[x+1]]
					for k := range bucket {
						e := &bucket[k]
						j := e.t &^ initialBit
						w := lw + e.w
						c := &row[j]
						if w >= c.w {
							continue
						}
						if w < 0 && l.parent == noNode && e.t&initialBit != 0 {
							// Destination behind the start on the same
							// directed road: drive round a loop.
							lp, ok := g.loop(x)
							if !ok || w+lp.w >= c.w {
								continue
							}
							*c = cell{w + lp.w, l.dur + lp.dur + e.dur, l.dist + lp.dist + e.dist}
							continue
						}
						*c = cell{w, l.dur + e.dur, l.dist + e.dist}
					}
				}
				rw := t.Weights[i*cols : (i+1)*cols]
				rd := t.Durations[i*cols : (i+1)*cols]
				rs := t.Distances[i*cols : (i+1)*cols]
				for k, c := range row {
					if c.w >= inf {
						rw[k], rd[k], rs[k] = Unreachable, Unreachable, Unreachable
					} else {
						rw[k], rd[k], rs[k] = c.w, c.dur, c.dist
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return t, nil
}
