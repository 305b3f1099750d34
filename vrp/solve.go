package vrp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Solve solves p and returns the best solution found before ctx is done or
// the iteration bound is reached. p must have travel matrices for every
// vehicle profile (see ResolveTravel). Invalid input returns an *InputError.
//
// Without a deadline on ctx and with Options.MaxIterations zero, Solve runs
// a default budget of iterations proportional to the problem size.
func Solve(ctx context.Context, p *Problem, opt Options) (*Solution, error) {
	t0 := time.Now()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m, err := compile(p, max(opt.Threads, 1))
	if err != nil {
		return nil, err
	}
	if len(m.vehicles) == 0 {
		return m.output(m.newSolution(), time.Since(t0)), nil
	}
	threads := max(opt.Threads, 1)
	maxIter := opt.MaxIterations
	deadline, hasDeadline := ctx.Deadline()
	if maxIter <= 0 && !hasDeadline {
		maxIter = int64(200 * (m.nTasks + 10))
	}
	init, err := m.initial(ctx, opt)
	if err != nil {
		return nil, err
	}
	d := &driver{m: m, opt: opt, threads: threads, maxIter: maxIter, start: time.Now(),
		deadline: deadline, hasDeadline: hasDeadline}
	best := d.run(ctx, init)
	return m.output(best, time.Since(t0)), nil
}

// initial builds the first solution: forced vehicle steps, then cheapest
// insertion of everything else.
func (m *model) initial(ctx context.Context, opt Options) (*solution, error) {
	s := m.newSolution()
	se := m.newSearcher(opt.Seed, opt.Objective)
	if err := m.placeSteps(s, se); err != nil {
		return nil, err
	}
	se.allowNew = true
	se.blink = 0
	if opt.Start != nil {
		m.warmStart(s, se, opt.Start)
	}
	units := make([]int, 0, m.nTasks)
	for i := 0; i < m.nTasks; i++ {
		if m.isUnit(i) && s.where[i] < 0 {
			units = append(units, i)
		}
	}
	// Hardest first: tightest windows, then farthest.
	mat := m.vehicles[0].mat
	depot := m.vehicles[0].startLoc
	slices.SortStableFunc(units, func(a, b int) int {
		wa, wb := windowWidth(&m.tasks[a]), windowWidth(&m.tasks[b])
		if wa != wb {
			if wa < wb {
				return -1
			}
			return 1
		}
		da, db := mat.duration(depot, m.tasks[a].loc), mat.duration(depot, m.tasks[b].loc)
		if da != db {
			if da > db {
				return -1
			}
			return 1
		}
		return a - b
	})
	for i, u := range units {
		if i%64 == 0 && ctx.Err() != nil {
			s.cutoff = true
		}
		if s.cutoff || !se.insertBest(s, u) {
			s.unas = append(s.unas, u)
		}
	}
	return s, nil
}

// placeSteps puts the vehicles' forced steps in their routes, with the
// vehicles' breaks, or says which vehicle's steps cannot be served.
func (m *model) placeSteps(s *solution, se *searcher) error {
	for v := range m.vehicles {
		vm := &m.vehicles[v]
		if len(vm.steps) == 0 {
			continue
		}
		r := s.routes[v]
		r.seq = append(r.seq[:0], vm.steps...)
		m.update(r)
		for _, ti := range r.seq {
			s.where[ti] = int32(v)
		}
		if !r.feasible {
			return inputErrorf(fmt.Sprintf("vehicles[%d].steps", v), "the given steps are not feasible for vehicle %d (time windows, capacity or limits)", m.p.Vehicles[v].ID)
		}
		for _, b := range vm.breaks {
			if r.nTasks > 0 && s.where[b] < 0 && !se.insertBreak(s, v, b) {
				return inputErrorf(fmt.Sprintf("vehicles[%d].breaks", v), "no feasible place for break %d in the given steps", m.tasks[b].id)
			}
		}
	}
	return nil
}

// warmStart places the routes of a previous solution first: each task of
// a route is appended to its vehicle if the route stays feasible, then the
// vehicle's breaks are placed. Tasks that are gone, forced elsewhere or no
// longer fit are left for the construction.
func (m *model) warmStart(s *solution, se *searcher, prev *Solution) {
	vehicle := map[uint64]int{}
	for v := range m.vehicles {
		vehicle[m.p.Vehicles[v].ID] = v
	}
	type key struct {
		kind uint8
		id   uint64
	}
	task := map[key]int{}
	for i := 0; i < m.nTasks; i++ {
		task[key{m.tasks[i].kind, m.tasks[i].id}] = i
	}
	kinds := map[StepType]uint8{StepJob: kindJob, StepPickup: kindPickup, StepDelivery: kindDelivery}
	for _, rt := range prev.Routes {
		v, ok := vehicle[rt.Vehicle]
		if !ok || len(m.vehicles[v].steps) > 0 {
			continue
		}
		r := s.own(v)
		for _, st := range rt.Steps {
			kind, isTask := kinds[st.Type]
			if !isTask {
				continue
			}
			ti, ok := task[key{kind, st.ID}]
			if !ok || s.where[ti] >= 0 || !m.canServe(v, &m.tasks[ti]) || m.hasRel && !m.relVehicleOK(s, ti, v) || m.hasGroups && m.groupBlocked(s, ti) {
				continue
			}
			t := &m.tasks[ti]
			if t.kind == kindDelivery && s.where[t.partner] != int32(v) {
				continue // its pickup did not fit here
			}
			if t.kind == kindPickup {
				// append the pickup only with room for its delivery later:
				// check the pair at the end
				if !m.exactInsert(r, []int{ti, t.partner}, []int{len(r.seq) + 1, len(r.seq) + 1}) {
					continue
				}
			}
			c := r.clone()
			m.insertAt(c, []int{ti}, []int{len(r.seq) + 1})
			if !c.feasible && t.kind != kindPickup {
				continue
			}
			*r = *c
			s.where[ti] = int32(v)
		}
		// a pickup whose delivery was not in the previous route goes back
		for i := len(r.seq) - 1; i >= 0; i-- {
			t := &m.tasks[r.seq[i]]
			if t.kind == kindPickup && s.where[t.partner] != int32(v) {
				s.where[r.seq[i]] = -1
				r.seq = slices.Delete(r.seq, i, i+1)
			}
		}
		m.update(r)
		if r.nTasks == 0 {
			continue
		}
		for _, b := range m.vehicles[v].breaks {
			if s.where[b] < 0 && !se.insertBreak(s, v, b) {
				// the breaks do not fit the previous sequence: start over
				for _, ti := range s.routes[v].seq {
					s.where[ti] = -1
				}
				r := s.own(v)
				r.seq = r.seq[:0]
				m.update(r)
				break
			}
		}
	}
}

func windowWidth(t *task) int64 {
	var w int64
	for _, tw := range t.tws {
		w += min(tw.End, maxTime) - tw.Start
	}
	return w
}

func (m *model) newSearcher(seed int64, obj Objective) *searcher {
	se := &searcher{m: m, rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		countFleet: obj == MinimizeVehiclesThenCost, mark: make([]bool, len(m.tasks)),
		absence: make([]int64, len(m.tasks)), avgRemoved: 10, maxString: 10, blink: 0.01}
	se.fast = uint64(seed)*0x9e3779b97f4a7c15 | 1
	se.blinkGap = se.drawGap()
	se.avgRemoved = math.Min(10, math.Max(2, float64(m.nTasks)/4))
	se.vclass = m.vehicleClasses()
	se.seenClass = map[int]bool{}
	se.routeStamp = make([]uint32, len(m.vehicles))
	return se
}

// vehicleClasses groups vehicles that are interchangeable when empty; -1
// for vehicles with breaks or steps (never merged).
func (m *model) vehicleClasses() []int {
	type key struct {
		start, end    int
		tws, twe      int64
		cap, skills   string
		fixed, ph, pk int64
		mt            int
		mtt, md       int64
		mat           *travelMatrix
	}
	classes := map[key]int{}
	out := make([]int, len(m.vehicles))
	for i := range m.vehicles {
		vm := &m.vehicles[i]
		if len(vm.breaks) > 0 || len(vm.steps) > 0 {
			out[i] = -1
			continue
		}
		k := key{vm.startLoc, vm.endLoc, vm.twStart, vm.twEnd, fmt.Sprint(vm.capacity), fmt.Sprint(vm.skills),
			vm.fixed, vm.perHour, vm.perKm, vm.maxTasks, vm.maxTravel, vm.maxDistance, vm.mat}
		c, ok := classes[key(k)]
		if !ok {
			c = len(classes)
			classes[k] = c
		}
		out[i] = c
	}
	return out
}

// Search parameters. The starting temperature is tempStart times the mean
// cost increase of a sample of moves (see calibrate); it falls geometrically
// to tempEnd times that. The penalty per extra vehicle in the fleet
// objective's cost phase grows geometrically from vehPenaltyStart to
// vehPenaltyEnd times the mean route cost of the best solution when the
// phase started.
const (
	tempStart        = 3.0
	tempEnd          = 0.01
	calibrationMoves = 50
	vehPenaltyStart  = 0.05
	vehPenaltyEnd    = 3.0
)

// driver runs the threads of the search with synchronisation at epoch
// boundaries, so that a run bounded by iterations is reproducible.
type driver struct {
	m           *model
	opt         Options
	threads     int
	maxIter     int64
	start       time.Time
	deadline    time.Time
	hasDeadline bool
}

// progress returns the fraction of the budget used after it iterations.
func (d *driver) progress(it int64) float64 {
	f := 0.0
	if d.maxIter > 0 {
		f = float64(it) / float64(d.maxIter)
	}
	if d.hasDeadline {
		total := d.deadline.Sub(d.start)
		if total > 0 {
			f = math.Max(f, float64(time.Since(d.start))/float64(total))
		} else {
			f = 1
		}
	}
	return math.Min(f, 1)
}

type thread struct {
	se        *searcher
	cur, best *solution
	curSc     score
	bestSc    score
	temp0     float64
	tempF     float64
	// fleet objective, after fleet minimisation
	vehPenalty float64
	routeCost  float64 // mean route cost when the cost phase started
	phaseStart float64 // budget fraction when the cost phase started
	target     int64
	id         int
	tempStart  float64 // budget fraction where the annealing schedule starts
}

func (d *driver) run(ctx context.Context, init *solution) *solution {
	m := d.m
	fleet := d.opt.Objective == MinimizeVehiclesThenCost
	ths := make([]*thread, d.threads)
	initSc := m.score(init, fleet)
	temp0 := d.calibrate(ctx, init)
	for i := range ths {
		se := m.newSearcher(d.opt.Seed*7919+int64(i)*104729+1, d.opt.Objective)
		se.allowNew = !fleet
		ths[i] = &thread{id: i, se: se, cur: init.copy(), best: init.copy(), curSc: initSc, bestSc: initSc,
			temp0: temp0, tempF: temp0 * tempEnd}
	}
	epoch := int64(max(50, 100000/(m.nTasks+10)))
	if d.maxIter > 0 {
		// never overshoot the iteration bound by more than a little
		epoch = max(1, min(epoch, d.maxIter/int64(d.threads)/4))
	}
	var it, lastImprove int64
	stall := int64(max(20000, 2000*m.nTasks))
	globalBest, globalSc := init, initSc
	report := func(sc score) {
		if d.opt.Progress != nil {
			d.opt.Progress(ProgressEvent{Iteration: it, Unassigned: int(sc.unCount), Vehicles: int(m.usedVehicles(globalBest)), Cost: sc.cost / costScale})
		}
	}
	report(initSc) // the first solution, from construction
	done := func() bool {
		if ctx.Err() != nil {
			return true
		}
		if d.maxIter > 0 && it >= d.maxIter {
			return true
		}
		// A search that has stalled for long on a small problem is done —
		// once its annealing is cool: early on, a hot walk rarely improves
		// the best for a long while, and that says nothing.
		if d.opt.MaxIterations == 0 && it-lastImprove > stall {
			ts := ths[0].tempStart
			if f := d.progress(it); ts >= 1 || (f-ts)/(1-ts) >= 0.8 {
				return true
			}
		}
		return d.hasDeadline && !time.Now().Before(d.deadline)
	}
	lb := m.vehicleLowerBound()
	fleetPhase := fleet && m.usedVehicles(init) > lb
	fleetVehicles := m.usedVehicles(init)
	if fleet && !fleetPhase {
		for _, th := range ths {
			th.startCostPhase(m, init, 0)
		}
	}
	for !done() {
		f := d.progress(it)
		// With a deadline, an epoch also ends after a slice of the budget, so
		// that synchronisation and phase changes happen on time.
		epochEnd := time.Now().Add(max(20*time.Millisecond, d.deadline.Sub(d.start)/50))
		// Fleet minimisation ends at half the budget or at the lower bound.
		fleetVehicles = min(fleetVehicles, m.usedVehicles(globalBest))
		if fleetPhase && (f >= 0.5 || fleetVehicles <= lb) {
			fleetPhase = false
			for _, th := range ths {
				th.cur, th.curSc = globalBest.copy(), globalSc
				th.best, th.bestSc = globalBest.copy(), globalSc
				th.startCostPhase(m, globalBest, f)
				th.tempStart = f // the annealing starts afresh
			}
			// The annealing restarts for the cost phase, calibrated on the
			// solution fleet minimisation left.
		}
		var wg sync.WaitGroup
		for _, th := range ths {
			wg.Add(1)
			go func(th *thread) {
				defer wg.Done()
				for k := int64(0); k < epoch; k++ {
					if k%8 == 0 && (ctx.Err() != nil || d.hasDeadline && time.Now().After(epochEnd)) {
						return
					}
					if fleetPhase {
						th.fleetStep(m)
					} else {
						th.step(m, fleet, f)
					}
				}
			}(th)
		}
		wg.Wait()
		it += epoch * int64(d.threads)
		// synchronise: everyone learns the best
		improved := false
		for _, th := range ths {
			if th.bestSc.less(globalSc) {
				globalBest, globalSc = th.best, th.bestSc
				improved = true
			}
		}
		if improved {
			lastImprove = it
			report(globalSc)
			if fleet && !fleetPhase {
				for _, th := range ths {
					th.target = min(th.target, m.usedVehicles(globalBest))
				}
			}
			for _, th := range ths {
				if globalSc.less(th.bestSc) {
					th.best, th.bestSc = globalBest.copy(), globalSc
					if !fleetPhase {
						th.cur, th.curSc = globalBest.copy(), globalSc
					}
				}
			}
		}
	}
	return globalBest
}

// vehicleLowerBound is a lower bound on the vehicles needed: the total
// job deliveries (or pickups) of each dimension over the largest capacity.
func (m *model) vehicleLowerBound() int64 {
	lb := int64(1)
	for d := 0; d < m.dims; d++ {
		var del, pick, capMax int64
		for i := 0; i < m.nJobs; i++ {
			t := &m.tasks[i]
			del += t.start[d]
			pick += t.start[d] + t.delta[d]
		}
		total := max(del, pick)
		for v := range m.vehicles {
			capMax = max(capMax, m.vehicles[v].capacity[d])
		}
		if capMax > 0 {
			lb = max(lb, (total+capMax-1)/capMax)
		}
	}
	return lb
}

// startCostPhase sets the vehicle target and penalty of the fleet
// objective's cost phase: the penalty is a multiple of the mean route cost.
func (th *thread) startCostPhase(m *model, best *solution, f float64) {
	th.target = m.usedVehicles(best)
	var cost int64
	for _, r := range best.routes {
		if r.nTasks > 0 {
			cost += r.cost + m.vehicles[r.v].fixed
		}
	}
	th.routeCost = float64(cost) / float64(max(1, th.target))
	th.phaseStart = f
	th.vehPenalty = vehPenaltyStart * th.routeCost
	// Threads alternate between two walks: odd ones may open routes at a
	// growing penalty; even ones keep the fleet found (the penalised walk can
	// settle on more routes than the best and never come back).
	th.se.allowNew = th.id%2 == 1
	th.se.newRoutePenalty = int64(th.vehPenalty)
}

// calibrate returns the starting temperature: tempStart times the mean
// cost increase of a sample of ruin-and-recreate moves from the first
// solution, so that the annealing does not depend on the scale of costs.
func (d *driver) calibrate(ctx context.Context, init *solution) float64 {
	m := d.m
	se := m.newSearcher(d.opt.Seed*31+7, d.opt.Objective)
	se.allowNew = true
	base := m.score(init, false)
	var sum float64
	var n int
	// A construction cut short leaves most tasks out: moves from it say
	// nothing about the landscape, and would each redo the construction.
	if !init.cutoff {
		// at most a twentieth of the time budget
		stop := time.Time{}
		if d.hasDeadline {
			stop = d.start.Add(d.deadline.Sub(d.start) / 20)
		}
		for k := 0; k < calibrationMoves && ctx.Err() == nil && (stop.IsZero() || k < 5 || time.Now().Before(stop)); k++ {
			cand := init.copy()
			se.ruin(cand)
			se.recreate(cand)
			sc := m.score(cand, false)
			if sc.unPrio == base.unPrio && sc.unCount == base.unCount && sc.cost > base.cost {
				sum += float64(sc.cost - base.cost)
				n++
			}
		}
	}
	if n == 0 || sum == 0 {
		// fall back on the mean arc cost
		var arcs, cost int64
		for _, r := range init.routes {
			if r.nTasks > 0 {
				arcs += int64(r.nTasks + 1)
				cost += r.cost
			}
		}
		if arcs == 0 || cost == 0 {
			return 1
		}
		return float64(cost) / float64(arcs)
	}
	return tempStart * sum / float64(n)
}

func (m *model) usedVehicles(s *solution) int64 {
	var n int64
	for _, r := range s.routes {
		if r.nTasks > 0 {
			n++
		}
	}
	return n
}

// step is one ruin-and-recreate iteration with simulated annealing.
func (th *thread) step(m *model, fleet bool, f float64) {
	se := th.se
	cand := th.cur.copy()
	se.ruin(cand)
	se.recreate(cand)
	sc := m.score(cand, fleet)
	ft := math.Max(0, (f-th.tempStart)/math.Max(1e-9, 1-th.tempStart))
	temp := th.temp0 * math.Pow(th.tempF/th.temp0, ft)
	if fleet && th.routeCost > 0 {
		// the penalty per extra vehicle grows over the cost phase
		g := math.Max(0, (f-th.phaseStart)/math.Max(1e-9, 1-th.phaseStart))
		th.vehPenalty = th.routeCost * vehPenaltyStart * math.Pow(vehPenaltyEnd/vehPenaltyStart, g)
		th.se.newRoutePenalty = int64(th.vehPenalty)
	}
	// Fewer unassigned tasks always win and more always lose; otherwise
	// annealing on the cost, which under the fleet objective includes a
	// penalty for vehicles beyond the best solution's (the best solution
	// itself stays lexicographic).
	var accept bool
	switch {
	case sc.unPrio != th.curSc.unPrio:
		accept = sc.unPrio < th.curSc.unPrio
	case sc.unCount != th.curSc.unCount:
		accept = sc.unCount < th.curSc.unCount
	default:
		accept = th.penalized(sc) < th.penalized(th.curSc)-temp*math.Log(se.rng.Float64())
	}
	if accept {
		th.cur, th.curSc = cand, sc
		if sc.less(th.bestSc) {
			th.best, th.bestSc = cand, sc
		}
	}
}

// penalized is the cost with a penalty for vehicles beyond the target.
func (th *thread) penalized(sc score) float64 {
	return float64(sc.cost) + th.vehPenalty*float64(max(0, sc.vehicles-th.target))
}

// fleetStep is one iteration of SISR's fleet minimisation: a route is
// removed whenever everything is assigned, and states are compared by the
// number of unassigned tasks and then by their absence counts.
func (th *thread) fleetStep(m *model) {
	se := th.se
	if len(th.cur.unas) == 0 {
		sc := m.score(th.cur, true)
		if sc.less(th.bestSc) {
			th.best, th.bestSc = th.cur, sc
		}
		// drop a random route, biased to short ones: the least of
		// n + U(0, n) over routes of n tasks
		th.cur = th.cur.copy()
		victim, fewest := -1, math.MaxInt
		for v, r := range th.cur.routes {
			if r.nTasks == 0 {
				continue
			}
			if k := r.nTasks + se.rng.IntN(r.nTasks+1); k < fewest {
				victim, fewest = v, k
			}
		}
		if victim < 0 || m.usedVehicles(th.cur) <= 1 {
			return
		}
		r := th.cur.own(victim)
		for _, ti := range r.seq {
			th.cur.where[ti] = -1
			if m.isUnit(ti) && (m.tasks[ti].locked < 0) {
				th.cur.unas = append(th.cur.unas, ti)
			}
		}
		r.seq = r.seq[:0]
		m.update(r)
		th.curSc = m.score(th.cur, true)
	}
	cand := th.cur.copy()
	se.allowNew = false
	se.ruin(cand)
	se.recreate(cand)
	sumAbs := func(s *solution) int64 {
		var a int64
		for _, u := range s.unas {
			a += se.absence[u]
		}
		return a
	}
	if len(cand.unas) < len(th.cur.unas) || len(cand.unas) == len(th.cur.unas) && sumAbs(cand) < sumAbs(th.cur) {
		th.cur = cand
		th.curSc = m.score(cand, true)
	}
	for _, u := range th.cur.unas {
		se.absence[u]++
	}
}
