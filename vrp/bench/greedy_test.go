package bench

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/lastmile-dev/lastmile/vrp"
)

// greedySolve is a simple sequential constructor used as the injected solver
// of the tests: each vehicle in turn (those with skills first) appends the
// task it can start the soonest, under VROOM's semantics for windows, setup,
// multi-dimensional loads, skills, one break per vehicle, max_distance,
// max_travel_time and max_tasks. A shipment's delivery follows its pickup
// immediately. Tasks no vehicle can take are left unassigned.
func greedySolve(_ context.Context, p *vrp.Problem, _ vrp.Options) (*vrp.Solution, error) {
	g := greedy{p: p, doneJob: make([]bool, len(p.Jobs)), doneShip: make([]bool, len(p.Shipments))}
	order := make([]int, len(p.Vehicles))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(len(p.Vehicles[b].Skills), len(p.Vehicles[a].Skills))
	})
	sol := &vrp.Solution{}
	for _, vi := range order {
		if r, ok := g.route(vi); ok {
			sol.Routes = append(sol.Routes, r)
			sol.Summary.Cost += r.Cost
			sol.Summary.Distance += r.Distance
			sol.Summary.Duration += r.Duration
		}
	}
	for i, done := range g.doneJob {
		if !done {
			sol.Unassigned = append(sol.Unassigned, vrp.Unassigned{ID: p.Jobs[i].ID, Type: vrp.StepJob})
		}
	}
	for i, done := range g.doneShip {
		if !done {
			sol.Unassigned = append(sol.Unassigned,
				vrp.Unassigned{ID: p.Shipments[i].Pickup.ID, Type: vrp.StepPickup},
				vrp.Unassigned{ID: p.Shipments[i].Delivery.ID, Type: vrp.StepDelivery})
		}
	}
	sol.Summary.Routes = len(sol.Routes)
	sol.Summary.Unassigned = len(sol.Unassigned)
	return sol, nil
}

type greedy struct {
	p        *vrp.Problem
	doneJob  []bool
	doneShip []bool
	pending  func() // marks the best candidate as done
}

// gstate is the state of a route under construction after its last step.
type gstate struct {
	loc          int // -1: no location yet
	time         int64
	dist, travel int64
	maxLoad      vrp.Amount // max load over the route so far, given its deliveries
	lastLoad     vrp.Amount
	tasks        int
	breakDone    bool
	steps        []vrp.Step
}

// visit is one task to append.
type visit struct {
	typ              vrp.StepType
	id               uint64
	loc              int
	setup, service   int64
	windows          []vrp.TimeWindow
	delivery, pickup vrp.Amount // job amounts
	delta            vrp.Amount // shipment step: load change
	deltaSign        int64
}

func earliest(t int64, ws []vrp.TimeWindow) (int64, bool) {
	if len(ws) == 0 {
		return t, true
	}
	for _, w := range ws {
		if t <= w.End {
			return max(t, w.Start), true
		}
	}
	return 0, false
}

func (g *greedy) matrix(v *vrp.Vehicle) *vrp.Matrix {
	return g.p.Matrices[cmp.Or(v.Profile, "car")]
}

func (g *greedy) travel(v *vrp.Vehicle, a, b int) (int64, int64) {
	if a < 0 || b < 0 {
		return 0, 0
	}
	m := g.matrix(v)
	d := m.Durations[a][b]
	if v.SpeedFactor > 0 {
		d = int64(math.Round(float64(d) / v.SpeedFactor))
	}
	var dist int64
	if m.Distances != nil {
		dist = m.Distances[a][b]
	}
	return d, dist
}

func locOf(l *vrp.Location) int {
	if l == nil {
		return -1
	}
	return l.Index
}

func addAmount(a, b vrp.Amount, sign int64) vrp.Amount {
	n := max(len(a), len(b))
	out := make(vrp.Amount, n)
	for i := range n {
		if i < len(a) {
			out[i] += a[i]
		}
		if i < len(b) {
			out[i] += sign * b[i]
		}
	}
	return out
}

func maxAmount(a, b vrp.Amount) vrp.Amount {
	out := addAmount(a, nil, 1)
	for i := range b {
		if i >= len(out) {
			out = append(out, b[i])
		} else {
			out[i] = max(out[i], b[i])
		}
	}
	return out
}

func fits(load, capacity vrp.Amount) bool {
	for i, x := range load {
		c := int64(0)
		if i < len(capacity) {
			c = capacity[i]
		}
		if x > c {
			return false
		}
	}
	return true
}

func hasSkills(v *vrp.Vehicle, skills []int) bool {
	for _, s := range skills {
		if !slices.Contains(v.Skills, s) {
			return false
		}
	}
	return true
}

// takeBreak appends the vehicle's break at the current location.
func (g *greedy) takeBreak(v *vrp.Vehicle, s gstate) (gstate, bool) {
	b := v.Breaks[0]
	start, ok := earliest(s.time, b.TimeWindows)
	if !ok || (b.MaxLoad != nil && !fits(s.lastLoad, b.MaxLoad)) {
		return s, false
	}
	s.steps = append(slices.Clip(s.steps), vrp.Step{Type: vrp.StepBreak, ID: b.ID, Arrival: s.time, WaitingTime: start - s.time,
		Service: b.Service, Duration: s.travel, Distance: s.dist})
	s.time = start + b.Service
	s.breakDone = true
	return s, true
}

// add appends visits to s, returning the new state.
func (g *greedy) add(v *vrp.Vehicle, s gstate, vs []visit) (gstate, bool) {
	for _, x := range vs {
		dur, dist := g.travel(v, s.loc, x.loc)
		arrival := s.time + dur
		start, ok := earliest(arrival, x.windows)
		if !ok {
			return s, false
		}
		setup := x.setup
		if s.loc == x.loc {
			setup = 0
		}
		// A job's delivery raises every earlier load (it is on board from the
		// start); after the job the load is the previous one plus its pickup.
		s.maxLoad = addAmount(s.maxLoad, x.delivery, 1)
		s.lastLoad = addAmount(addAmount(s.lastLoad, x.pickup, 1), x.delta, x.deltaSign)
		s.maxLoad = maxAmount(s.maxLoad, s.lastLoad)
		if !fits(s.maxLoad, v.Capacity) {
			return s, false
		}
		s.dist += dist
		s.travel += dur
		s.tasks++
		s.steps = append(slices.Clip(s.steps), vrp.Step{Type: x.typ, ID: x.id, Location: &vrp.Location{Index: x.loc, HasIndex: true},
			Arrival: arrival, WaitingTime: start - arrival, Setup: setup, Service: x.service, Duration: s.travel, Distance: s.dist})
		s.time = start + setup + x.service
		s.loc = x.loc
	}
	return s, true
}

// closable reports whether the route can end after s (break included).
func (g *greedy) closable(v *vrp.Vehicle, s gstate) bool {
	if len(v.Breaks) > 0 && !s.breakDone {
		var ok bool
		if s, ok = g.takeBreak(v, s); !ok {
			return false
		}
	}
	dur, dist := g.travel(v, s.loc, locOf(v.End))
	if v.TimeWindow != nil && s.time+dur > v.TimeWindow.End {
		return false
	}
	if v.MaxDistance >= 0 && s.dist+dist > v.MaxDistance {
		return false
	}
	if v.MaxTravelTime >= 0 && s.travel+dur > v.MaxTravelTime {
		return false
	}
	return v.MaxTasks < 0 || s.tasks <= v.MaxTasks
}

// try appends vs, with the pending break before them when needed.
func (g *greedy) try(v *vrp.Vehicle, s gstate, vs []visit) (gstate, bool) {
	if n, ok := g.add(v, s, vs); ok && g.closable(v, n) {
		return n, true
	}
	if len(v.Breaks) == 0 || s.breakDone {
		return s, false
	}
	b, ok := g.takeBreak(v, s)
	if !ok {
		return s, false
	}
	if n, ok := g.add(v, b, vs); ok && g.closable(v, n) {
		return n, true
	}
	return s, false
}

func (g *greedy) route(vi int) (vrp.Route, bool) {
	v := &g.p.Vehicles[vi]
	s := gstate{loc: locOf(v.Start)}
	if v.TimeWindow != nil {
		s.time = v.TimeWindow.Start
	}
	s.steps = []vrp.Step{{Type: vrp.StepStart, Location: v.Start, Arrival: s.time}}
	for {
		best, bestKey := gstate{}, int64(math.MaxInt64)
		pick := func(vs []visit, skills []int, mark func()) {
			if !hasSkills(v, skills) {
				return
			}
			n, ok := g.try(v, s, vs)
			if !ok {
				return
			}
			// Start time of the first visit, relative to now; skilled tasks first.
			key := n.steps[len(s.steps)].Arrival + n.steps[len(s.steps)].WaitingTime - s.time
			if len(n.steps) > len(s.steps)+len(vs) { // break taken first
				key = n.steps[len(s.steps)+1].Arrival + n.steps[len(s.steps)+1].WaitingTime - s.time
			}
			if len(skills) > 0 {
				key -= 1 << 40
			}
			if key < bestKey {
				best, bestKey = n, key
				g.pending = mark
			}
		}
		for i, j := range g.p.Jobs {
			if g.doneJob[i] {
				continue
			}
			pick([]visit{{typ: vrp.StepJob, id: j.ID, loc: j.Location.Index, setup: j.Setup, service: j.Service,
				windows: j.TimeWindows, delivery: j.Delivery, pickup: j.Pickup}}, j.Skills, func() { g.doneJob[i] = true })
		}
		for i, sh := range g.p.Shipments {
			if g.doneShip[i] {
				continue
			}
			pk, dl := sh.Pickup, sh.Delivery
			pick([]visit{
				{typ: vrp.StepPickup, id: pk.ID, loc: pk.Location.Index, setup: pk.Setup, service: pk.Service,
					windows: pk.TimeWindows, delta: sh.Amount, deltaSign: 1},
				{typ: vrp.StepDelivery, id: dl.ID, loc: dl.Location.Index, setup: dl.Setup, service: dl.Service,
					windows: dl.TimeWindows, delta: sh.Amount, deltaSign: -1},
			}, sh.Skills, func() { g.doneShip[i] = true })
		}
		if bestKey == math.MaxInt64 {
			break
		}
		g.pending()
		s = best
	}
	if s.tasks == 0 {
		return vrp.Route{}, false
	}
	if len(v.Breaks) > 0 && !s.breakDone {
		s, _ = g.takeBreak(v, s)
	}
	dur, dist := g.travel(v, s.loc, locOf(v.End))
	s.travel += dur
	s.dist += dist
	s.steps = append(s.steps, vrp.Step{Type: vrp.StepEnd, Location: v.End, Arrival: s.time + dur, Duration: s.travel, Distance: s.dist})
	c := v.Costs
	cost := c.Fixed + (c.PerHour*s.travel*1000+c.PerKm*s.dist*3600+1_800_000)/3_600_000
	return vrp.Route{Vehicle: v.ID, Steps: s.steps, Cost: cost, Duration: s.travel, Distance: s.dist}, true
}
