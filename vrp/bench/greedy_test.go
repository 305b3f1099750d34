package bench

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/lastmile-dev/lastmile/vrp"
)

// greedySolve is a simple constructor used as the injected solver of the
// tests: each vehicle in turn (those with skills first) appends the task it
// can start the soonest, under VROOM's semantics for windows, setup,
// multi-dimensional loads, skills, one break per vehicle, max_distance,
// max_travel_time and max_tasks; then each task left over is inserted where
// it adds the least distance, if it fits anywhere. A shipment's delivery
// follows its pickup immediately. Tasks that fit nowhere are unassigned.
func greedySolve(_ context.Context, p *vrp.Problem, _ vrp.Options) (*vrp.Solution, error) {
	g := greedy{p: p}
	for _, j := range p.Jobs {
		g.tasks = append(g.tasks, gtask{skills: j.Skills, visits: []visit{{typ: vrp.StepJob, id: j.ID, loc: j.Location.Index,
			setup: j.Setup, service: j.Service, windows: j.TimeWindows, delivery: j.Delivery, pickup: j.Pickup}}})
	}
	for _, sh := range p.Shipments {
		pk, dl := sh.Pickup, sh.Delivery
		g.tasks = append(g.tasks, gtask{skills: sh.Skills, visits: []visit{
			{typ: vrp.StepPickup, id: pk.ID, loc: pk.Location.Index, setup: pk.Setup, service: pk.Service,
				windows: pk.TimeWindows, delta: sh.Amount, deltaSign: 1},
			{typ: vrp.StepDelivery, id: dl.ID, loc: dl.Location.Index, setup: dl.Setup, service: dl.Service,
				windows: dl.TimeWindows, delta: sh.Amount, deltaSign: -1},
		}})
	}
	g.done = make([]bool, len(g.tasks))
	order := make([]int, len(p.Vehicles))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(len(p.Vehicles[b].Skills), len(p.Vehicles[a].Skills))
	})
	seqs := make([][]int, len(p.Vehicles))
	for _, vi := range order {
		seqs[vi] = g.construct(vi)
	}
	for t := range g.tasks {
		if !g.done[t] {
			g.insert(seqs, t)
		}
	}
	sol := &vrp.Solution{}
	for _, vi := range order {
		if len(seqs[vi]) == 0 {
			continue
		}
		s, ok := g.simulate(vi, seqs[vi], true)
		if !ok {
			panic("greedy: a constructed route does not simulate")
		}
		r := g.finish(vi, s)
		sol.Routes = append(sol.Routes, r)
		sol.Summary.Cost += r.Cost
		sol.Summary.Distance += r.Distance
		sol.Summary.Duration += r.Duration
	}
	for t, done := range g.done {
		if done {
			continue
		}
		for _, x := range g.tasks[t].visits {
			sol.Unassigned = append(sol.Unassigned, vrp.Unassigned{ID: x.id, Type: x.typ})
		}
	}
	sol.Summary.Routes = len(sol.Routes)
	sol.Summary.Unassigned = len(sol.Unassigned)
	return sol, nil
}

type greedy struct {
	p     *vrp.Problem
	tasks []gtask
	done  []bool
}

// gtask is a job (one visit) or a shipment (pickup and delivery visits).
type gtask struct {
	skills []int
	visits []visit
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
	record       bool       // build steps (off while searching)
	steps        []vrp.Step // when record
	lastBegin    int64      // service start of the first visit of the last add
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
	if s.record {
		s.steps = append(slices.Clip(s.steps), vrp.Step{Type: vrp.StepBreak, ID: b.ID, Arrival: s.time, WaitingTime: start - s.time,
			Service: b.Service, Duration: s.travel, Distance: s.dist})
	}
	s.time = start + b.Service
	s.breakDone = true
	return s, true
}

// add appends visits to s, returning the new state.
func (g *greedy) add(v *vrp.Vehicle, s gstate, vs []visit) (gstate, bool) {
	for i, x := range vs {
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
		if i == 0 {
			s.lastBegin = start
		}
		if s.record {
			s.steps = append(slices.Clip(s.steps), vrp.Step{Type: x.typ, ID: x.id, Location: &vrp.Location{Index: x.loc, HasIndex: true},
				Arrival: arrival, WaitingTime: start - arrival, Setup: setup, Service: x.service, Duration: s.travel, Distance: s.dist})
		}
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

// start is the state of vehicle vi's empty route.
func (g *greedy) start(vi int, record bool) gstate {
	v := &g.p.Vehicles[vi]
	s := gstate{loc: locOf(v.Start), record: record}
	if v.TimeWindow != nil {
		s.time = v.TimeWindow.Start
	}
	if record {
		s.steps = []vrp.Step{{Type: vrp.StepStart, Location: v.Start, Arrival: s.time}}
	}
	return s
}

// construct builds vehicle vi's route by appending the task that can start
// the soonest (skilled tasks first), and returns its task sequence.
func (g *greedy) construct(vi int) []int {
	v := &g.p.Vehicles[vi]
	s := g.start(vi, false)
	var seq []int
	for {
		best, bestTask, bestKey := gstate{}, -1, int64(math.MaxInt64)
		for t, task := range g.tasks {
			if g.done[t] || !hasSkills(v, task.skills) {
				continue
			}
			n, ok := g.try(v, s, task.visits)
			if !ok {
				continue
			}
			// Soonest start, with a preference for tasks whose window
			// closes soon.
			begin := n.lastBegin
			slack := int64(7200)
			for _, w := range task.visits[0].windows {
				if w.Start <= begin && begin <= w.End {
					slack = min(slack, w.End-begin)
				}
			}
			key := begin - s.time + slack/8
			if len(task.skills) > 0 {
				key -= 1 << 40
			}
			if key < bestKey {
				best, bestTask, bestKey = n, t, key
			}
		}
		if bestTask < 0 {
			return seq
		}
		g.done[bestTask] = true
		seq = append(seq, bestTask)
		s = best
	}
}

// simulate replays a task sequence on vehicle vi, taking the break before a
// task when it cannot be taken after it.
func (g *greedy) simulate(vi int, seq []int, record bool) (gstate, bool) {
	v := &g.p.Vehicles[vi]
	s := g.start(vi, record)
	for _, t := range seq {
		if !hasSkills(v, g.tasks[t].skills) {
			return s, false
		}
		var ok bool
		if s, ok = g.try(v, s, g.tasks[t].visits); !ok {
			return s, false
		}
	}
	return s, true
}

// insert puts task t where it adds the least distance, if anywhere.
func (g *greedy) insert(seqs [][]int, t int) {
	bestV, bestPos, bestAdd := -1, 0, int64(math.MaxInt64)
	for vi, seq := range seqs {
		base := int64(0)
		if len(seq) > 0 {
			s, _ := g.simulate(vi, seq, false)
			base = s.dist
		}
		for pos := 0; pos <= len(seq); pos++ {
			s, ok := g.simulate(vi, slices.Insert(slices.Clone(seq), pos, t), false)
			if ok && s.dist-base < bestAdd {
				bestV, bestPos, bestAdd = vi, pos, s.dist-base
			}
		}
	}
	if bestV >= 0 {
		seqs[bestV] = slices.Insert(seqs[bestV], bestPos, t)
		g.done[t] = true
	}
}

// finish closes the route of state s (break, travel to the end) and prices it.
func (g *greedy) finish(vi int, s gstate) vrp.Route {
	v := &g.p.Vehicles[vi]
	if len(v.Breaks) > 0 && !s.breakDone {
		s, _ = g.takeBreak(v, s)
	}
	dur, dist := g.travel(v, s.loc, locOf(v.End))
	s.travel += dur
	s.dist += dist
	s.steps = append(s.steps, vrp.Step{Type: vrp.StepEnd, Location: v.End, Arrival: s.time + dur, Duration: s.travel, Distance: s.dist})
	c := v.Costs
	cost := c.Fixed + (c.PerHour*s.travel*1000+c.PerKm*s.dist*3600+1_800_000)/3_600_000
	return vrp.Route{Vehicle: v.ID, Steps: s.steps, Cost: cost, Duration: s.travel, Distance: s.dist}
}
