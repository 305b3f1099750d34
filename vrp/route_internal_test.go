package vrp

import (
	"math/rand/v2"
	"testing"
)

// randomModel builds a small problem with windows (sometimes several per
// task), setups, service, two load dimensions with deliveries and pickups,
// shipments and a break, compiled for the search.
func randomModel(t *testing.T, rng *rand.Rand, n int, traffic bool, reloads ...bool) *model {
	t.Helper()
	locs := n + 1
	m := &Matrix{Durations: make([][]int64, locs), Distances: make([][]int64, locs)}
	xs, ys := make([]int64, locs), make([]int64, locs)
	for i := range xs {
		xs[i], ys[i] = rng.Int64N(100), rng.Int64N(100)
	}
	for i := range xs {
		m.Durations[i] = make([]int64, locs)
		m.Distances[i] = make([]int64, locs)
		for j := range xs {
			d := abs64(xs[i]-xs[j]) + abs64(ys[i]-ys[j])
			m.Durations[i][j], m.Distances[i][j] = d, 3*d
		}
	}
	p := &Problem{Matrices: map[string]*Matrix{"car": m}}
	window := func() []TimeWindow {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			s := rng.Int64N(600)
			return []TimeWindow{{s, s + 50 + rng.Int64N(200)}}
		default:
			s := rng.Int64N(300)
			return []TimeWindow{{s, s + 40}, {s + 200, s + 260 + rng.Int64N(100)}}
		}
	}
	for i := 1; i <= n; i++ {
		j := Job{ID: uint64(i), Location: Location{Index: i, HasIndex: true}, Service: rng.Int64N(20),
			Setup: rng.Int64N(3) * 5, Delivery: Amount{rng.Int64N(4), rng.Int64N(3)}, Pickup: Amount{rng.Int64N(3), 0},
			TimeWindows: window()}
		if i%5 == 0 {
			// co-located with the previous one: setup sharing
			j.Location.Index = i - 1
		}
		p.Jobs = append(p.Jobs, j)
	}
	for s := 0; s < 3; s++ {
		a, b := 1+rng.IntN(n), 1+rng.IntN(n)
		p.Shipments = append(p.Shipments, Shipment{
			Pickup:   ShipmentStep{ID: uint64(s + 1), Location: Location{Index: a, HasIndex: true}, Service: 5, TimeWindows: window()},
			Delivery: ShipmentStep{ID: uint64(s + 1), Location: Location{Index: b, HasIndex: true}, Service: 5, TimeWindows: window()},
			Amount:   Amount{1 + rng.Int64N(3), 1},
		})
	}
	v := Vehicle{ID: 1, Start: &Location{Index: 0, HasIndex: true}, End: &Location{Index: 0, HasIndex: true},
		Capacity: Amount{30, 12}, TimeWindow: &TimeWindow{0, 900}, MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1,
		Costs:  Costs{PerHour: 3600},
		Breaks: []Break{{ID: 1, TimeWindows: []TimeWindow{{150, 400}}, Service: 30, MaxLoad: Amount{25, 10}}}}
	if rng.IntN(2) == 0 {
		v.End = nil
	}
	if len(reloads) > 0 && reloads[0] {
		v.Reloads = &Reloads{Max: 2, Service: 10}
		v.Capacity = Amount{8, 5}
	}
	if traffic {
		s := rng.Int64N(300)
		v.Traffic = Traffic{{Start: s, End: s + 100 + rng.Int64N(200), Factor: 1.5 + 2*rng.Float64()},
			{Start: 650, End: 700 + rng.Int64N(200), Factor: 0.4 + 0.5*rng.Float64()}}
	}
	p.Vehicles = []Vehicle{v}
	md, err := compile(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// TestInsertionChecksExact compares the constant-time insertion checks with
// a full re-evaluation of the route for every position, on random feasible
// routes.
func TestInsertionChecksExact(t *testing.T) {
	t.Run("static", func(t *testing.T) { insertionChecksExact(t, false) })
	t.Run("traffic", func(t *testing.T) { insertionChecksExact(t, true) })
	t.Run("reloads", func(t *testing.T) { insertionChecksExact(t, false, true) })
}

// insertionChecksExact is TestInsertionChecksExact, with or without traffic.
// Under traffic the cost delta is an estimate (the legs next to the new
// task at their times); its mean error against full re-timing is bounded.
func insertionChecksExact(t *testing.T, traffic bool, reloads ...bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	checked, feasible := 0, 0
	var errSum, exactSum float64
	for trial := 0; trial < 300; trial++ {
		m := randomModel(t, rng, 12, traffic, reloads...)
		// grow a random feasible route by full evaluation
		r := &route{v: 0}
		m.update(r)
		order := rng.Perm(m.nJobs)
		r.seq = append(r.seq, m.vehicles[0].breaks...)
		// reloads (multi-trip) at random places among the jobs
		order = append(order, m.vehicles[0].reloads...)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		m.update(r)
		for _, ti := range order {
			k := 1 + rng.IntN(len(r.seq)+1)
			c := r.clone()
			m.insertAt(c, []int{ti}, []int{k})
			if c.feasible {
				r = c
			}
		}
		if !r.feasible {
			continue
		}
		// every unrouted job at every position
		in := map[int]bool{}
		for _, ti := range r.seq {
			in[ti] = true
		}
		for ti := 0; ti < m.nJobs; ti++ {
			if in[ti] {
				continue
			}
			x := &m.tasks[ti]
			for k := 1; k <= len(r.seq)+1; k++ {
				fast := m.loadOKSingle(r, x, k) && m.timeOKSingle(r, x, k)
				c := r.clone()
				m.insertAt(c, []int{ti}, []int{k})
				if fast != c.feasible {
					t.Fatalf("trial %d: job %d at %d: fast check %v, full evaluation %v (route %v)", trial, ti, k, fast, c.feasible, r.seq)
				}
				checked++
				if fast {
					feasible++
					dc, _, _ := m.insertDelta(r, x, k)
					if traffic && r.nTasks > 0 {
						errSum += float64(abs64(c.cost - r.cost - dc))
						exactSum += float64(abs64(c.cost - r.cost))
					} else if r.nTasks > 0 && c.cost-r.cost != dc {
						t.Fatalf("trial %d: job %d at %d: cost delta %d, full %d", trial, ti, k, dc, c.cost-r.cost)
					}
				}
			}
		}
		// shipments through the searcher's scan: the best place it finds must
		// be feasible, and if it finds none, no place is.
		se := m.newSearcher(1, MinimizeCost)
		se.blink = 0
		for ti := m.nJobs; ti < m.nTasks; ti += 2 {
			best := insertion{v: -1, cost: 1 << 62}
			se.bestShipment(r, ti, &best)
			any := false
			for a := 1; a <= len(r.seq)+1 && !any; a++ {
				for b := a; b <= len(r.seq)+1; b++ {
					c := r.clone()
					m.insertAt(c, []int{ti, ti + 1}, []int{a, b})
					if c.feasible {
						any = true
						break
					}
				}
			}
			if any != (best.v >= 0) {
				t.Fatalf("trial %d: shipment %d: scan found %v, exhaustive %v", trial, ti, best.v >= 0, any)
			}
			if best.v >= 0 {
				c := r.clone()
				m.insertAt(c, []int{ti, ti + 1}, best.pos[:])
				if !c.feasible {
					t.Fatalf("trial %d: shipment %d at %v is infeasible", trial, ti, best.pos)
				}
			}
		}
	}
	if checked < 1000 || feasible < checked/10 || feasible > checked*9/10 {
		t.Fatalf("weak sample: %d insertions checked, %d feasible", checked, feasible)
	}
	if traffic {
		rel := errSum / exactSum
		t.Logf("traffic: insertion cost estimates off by %.2f%% of the exact deltas (mean absolute, %d insertions)", 100*rel, feasible)
		if rel > 0.01 {
			t.Errorf("insertion cost estimates off by %.1f%% under traffic: want at most 1%%", 100*rel)
		}
	}
}
