package vrp

import (
	"fmt"
	"math"
	"sort"
	"sync"
)

// Internal cost unit: one input cost unit is costScale internal units, so
// that per-hour and per-km costs of integer inputs stay exact integers:
// per_hour*seconds*1000 + per_km*metres*3600 == costScale * cost.
const costScale = 3_600_000

// task kinds.
const (
	kindJob uint8 = iota
	kindPickup
	kindDelivery
	kindBreak
	kindReload // multi-trip: back at the vehicle's start to reload
)

// task is a compiled job, shipment step or break.
type task struct {
	kind     uint8
	loc      int // matrix index; -1 for breaks
	setup    int64
	service  int64
	tws      []TimeWindow // sorted; never empty (an open task has [0, maxTime])
	start    []int64      // load carried from the route start for this task (job deliveries)
	delta    []int64      // load change at the task
	skills   []uint64     // bitset over skill ids
	priority int64
	partner  int // the other end of a shipment; -1 otherwise
	src      int // index into Problem.Jobs / Shipments / vehicle's Breaks
	vehicle  int // owning vehicle for breaks; -1 otherwise
	maxLoad  []int64
	id       uint64
	locked   int   // vehicle the task is forced on by vehicle steps; -1 if none
	maxRide  int64 // shipment delivery: bound on the ride since the pickup; 0 none
	lateCost int64 // soft windows: internal cost per second late; 0 hard
	lateFrom int64 // soft windows: the end of the last window as given
	soft     bool  // lateness allowed (lateFrom is set)
	etaCost  int64 // stability: internal cost per second away from eta; 0 none
	eta      int64
	early    int64 // soft early start: internal cost per second early; 0 none
	maxEarly int64 // soft early start: the most seconds early
}

// soften applies soft windows to a compiled task: the last window's end is
// stretched by the maximum lateness, which is paid for per second.
func (m *model) soften(t *task, sw *SoftWindows) {
	if sw == nil || len(t.tws) == 0 {
		return
	}
	if sw.ETACostPerHour > 0 {
		t.eta, t.etaCost = sw.ETA, sw.ETACostPerHour*1000
		m.hasSoft = true
	}
	if sw.EarlyCostPerHour > 0 && sw.MaxEarliness != 0 {
		t.early, t.maxEarly = sw.EarlyCostPerHour*1000, sw.MaxEarliness
		if sw.MaxEarliness < 0 {
			t.maxEarly = maxTime
		}
		m.hasSoft = true
	}
	if sw.LateCostPerHour == 0 && sw.MaxLateness < 0 {
		return // no lateness allowed: the windows stay hard
	}
	last := &t.tws[len(t.tws)-1]
	if last.End >= maxTime {
		return // open-ended: never late
	}
	t.lateFrom, t.soft = last.End, true
	t.lateCost = sw.LateCostPerHour * 1000
	if sw.MaxLateness < 0 {
		last.End = maxTime
	} else {
		last.End += sw.MaxLateness
	}
	m.hasSoft = true
}

// vehicleModel is a compiled vehicle.
type vehicleModel struct {
	src         int
	startLoc    int // -1: open start
	endLoc      int // -1: open end
	twStart     int64
	twEnd       int64
	capacity    []int64
	skills      []uint64
	fixed       int64 // internal units
	perHour     int64
	perKm       int64
	maxTasks    int
	maxTravel   int64
	maxDistance int64
	mat         *travelMatrix
	breaks      []int   // task indices of this vehicle's breaks
	reloads     []int   // task indices of this vehicle's reloads (multi-trip)
	steps       []int   // task indices forced in this order (vehicle steps)
	hasCosts    bool    // the profile has a costs matrix
	costM       []int64 // precomputed arc costs (internal units); nil: computed on the fly
	limited     bool    // max_travel_time or max_distance is set
	maxDuration int64   // working time bound; 0 none
	maxWait     int64   // bound on the waiting before one step; -1 none
	waitCost    int64   // internal cost per second of waiting; 0 none
	balance     int64   // balance_cost_per_hour2; 0 none
	exactFeas   bool    // feasibility needs exact re-evaluation (working time, waiting)
	exactCost   bool    // cost needs exact re-evaluation (waiting, balance)
	maxDrive    int64   // driving rule: longest driving between rests; 0 none
	rest        int64   // driving rule: the rest
	workCost    int64   // internal cost per second of working time; 0 none
	traffic     Traffic // time-dependent travel; nil: the matrix durations
	minWork     int64   // working time paid at least
}

// maxCostMatrix bounds the size of precomputed cost matrices (entries).
const maxCostMatrix = 16 << 20

// costMatrices precomputes each vehicle's arc costs, shared by vehicles with
// the same matrix and cost rates.
func (m *model) costMatrices() {
	type key struct {
		mat    *travelMatrix
		ph, pk int64
	}
	cache := map[key][]int64{}
	for i := range m.vehicles {
		vm := &m.vehicles[i]
		if vm.hasCosts {
			vm.costM = vm.mat.cost
			continue
		}
		n := vm.mat.n
		if n*n > maxCostMatrix {
			continue
		}
		k := key{vm.mat, vm.perHour, vm.perKm}
		c, ok := cache[k]
		if !ok {
			c = make([]int64, n*n)
			for x := range c {
				c[x] = vm.perHour * 1000 * int64(vm.mat.dur[x])
				if vm.mat.hasDist {
					c[x] += vm.perKm * 3600 * int64(vm.mat.dist[x])
				}
			}
			cache[k] = c
		}
		vm.costM = c
	}
}

// travelMatrix is a flat, speed-adjusted travel matrix for one profile and
// speed factor.
// Small matrices are copied to flat int32 arrays (cache friendly); large ones
// with speed factor 1 are used in place, without a copy.
type travelMatrix struct {
	n        int
	dur      []int32 // flat; nil when rows are used
	dist     []int32
	rowsDur  [][]int64
	rowsDist [][]int64
	hasDist  bool
	cost     []int64 // custom costs matrix, internal units; nil when absent
}

func (m *travelMatrix) duration(a, b int) int64 {
	if a < 0 || b < 0 {
		return 0
	}
	if m.dur != nil {
		return int64(m.dur[a*m.n+b])
	}
	return m.rowsDur[a][b]
}

func (m *travelMatrix) distance(a, b int) int64 {
	if a < 0 || b < 0 || !m.hasDist {
		return 0
	}
	if m.dist != nil {
		return int64(m.dist[a*m.n+b])
	}
	return m.rowsDist[a][b]
}

// maxTime stands for "no limit" on times.
const maxTime = math.MaxInt64 / 4

// model is a Problem compiled for the search.
type model struct {
	p        *Problem
	tasks    []task
	vehicles []vehicleModel
	dims     int
	nJobs    int // tasks[0:nJobs] are jobs; then shipment pairs; then breaks
	nShip    int
	nTasks   int // jobs + shipment steps (breaks excluded)
	// neighbours of each non-break task, nearest first (bounded list).
	neighbours [][]int32
	granular   bool // insertion looks at neighbours' routes first
	plan       bool // plan mode: evaluate vehicle steps as given
	hasRide    bool // some shipment has a maximum ride time
	hasSoft    bool // some task has soft time windows
	// Relations between jobs (see relations.go).
	rels      []relation
	taskRels  [][]int32 // relation indices of each task
	hasRel    bool
	hasDirect bool // some relation is direct: routes keep glued positions
	hasGroups bool // some relation is alternative or max_served
	hasReload bool // some vehicle may reload (multi-trip)
}

// granularFrom is the problem size from which insertion is granular.
const granularFrom = 400

func bitset(skills []int) []uint64 {
	if len(skills) == 0 {
		return nil
	}
	maxS := 0
	for _, s := range skills {
		if s > maxS {
			maxS = s
		}
	}
	b := make([]uint64, maxS/64+1)
	for _, s := range skills {
		if s >= 0 {
			b[s/64] |= 1 << (uint(s) % 64)
		}
	}
	return b
}

// hasSkills reports whether have ⊇ need.
func hasSkills(have, need []uint64) bool {
	for i, w := range need {
		if w == 0 {
			continue
		}
		if i >= len(have) || have[i]&w != w {
			return false
		}
	}
	return true
}

func normWindows(tws []TimeWindow) []TimeWindow {
	if len(tws) == 0 {
		return []TimeWindow{{0, maxTime}}
	}
	out := append([]TimeWindow(nil), tws...)
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func amount(a Amount, dims int) []int64 {
	out := make([]int64, dims)
	copy(out, a)
	return out
}

// compile turns a validated Problem with resolved matrices into a model.
func compile(p *Problem, threads int) (*model, error) {
	return compileModel(p, threads, false)
}

// compileModel compiles p; in plan mode, vehicle steps' timing constraints
// are left for the evaluation to report instead of narrowing windows.
func compileModel(p *Problem, threads int, plan bool) (*model, error) {
	m := &model{p: p, plan: plan}
	for _, v := range p.Vehicles {
		if len(v.Capacity) > m.dims {
			m.dims = len(v.Capacity)
		}
	}
	for _, j := range p.Jobs {
		m.dims = max(m.dims, len(j.Delivery), len(j.Pickup))
	}
	for _, s := range p.Shipments {
		m.dims = max(m.dims, len(s.Amount))
	}
	locOf := func(l Location) int {
		if l.HasIndex {
			return l.Index
		}
		return -1
	}
	zero := make([]int64, m.dims)
	for i, j := range p.Jobs {
		t := task{kind: kindJob, loc: locOf(j.Location), setup: j.Setup, service: j.Service,
			tws: normWindows(j.TimeWindows), skills: bitset(j.Skills), priority: int64(j.Priority),
			partner: -1, src: i, vehicle: -1, id: j.ID, locked: -1}
		t.start = amount(j.Delivery, m.dims)
		t.delta = make([]int64, m.dims)
		pick := amount(j.Pickup, m.dims)
		for d := range t.delta {
			t.delta[d] = pick[d] - t.start[d]
		}
		m.soften(&t, j.Soft)
		m.tasks = append(m.tasks, t)
	}
	m.nJobs = len(m.tasks)
	for i, s := range p.Shipments {
		amt := amount(s.Amount, m.dims)
		neg := make([]int64, m.dims)
		for d := range amt {
			neg[d] = -amt[d]
		}
		base := len(m.tasks)
		sk := bitset(s.Skills)
		m.tasks = append(m.tasks,
			task{kind: kindPickup, loc: locOf(s.Pickup.Location), setup: s.Pickup.Setup, service: s.Pickup.Service,
				tws: normWindows(s.Pickup.TimeWindows), start: zero, delta: amt, skills: sk, priority: int64(s.Priority),
				partner: base + 1, src: i, vehicle: -1, id: s.Pickup.ID, locked: -1},
			task{kind: kindDelivery, loc: locOf(s.Delivery.Location), setup: s.Delivery.Setup, service: s.Delivery.Service,
				tws: normWindows(s.Delivery.TimeWindows), start: zero, delta: neg, skills: sk, priority: int64(s.Priority),
				partner: base, src: i, vehicle: -1, id: s.Delivery.ID, locked: -1, maxRide: s.MaxRideTime})
		m.hasRide = m.hasRide || s.MaxRideTime > 0
		m.soften(&m.tasks[base], s.Pickup.Soft)
		m.soften(&m.tasks[base+1], s.Delivery.Soft)
	}
	m.nShip = len(p.Shipments)
	m.nTasks = len(m.tasks)

	mats := map[string]*travelMatrix{}
	for vi, v := range p.Vehicles {
		profile := v.Profile
		if profile == "" {
			profile = "car"
		}
		sf := v.SpeedFactor
		if sf == 0 {
			sf = 1
		}
		key := fmt.Sprintf("%s/%g", profile, sf)
		tm := mats[key]
		if tm == nil {
			src := p.Matrices[profile]
			if src == nil || len(src.Durations) == 0 {
				return nil, &InputError{Field: fmt.Sprintf("vehicles[%d].profile", vi), Msg: fmt.Sprintf("no travel matrix for profile %q", profile)}
			}
			tm = flatten(src, sf, threads)
			mats[key] = tm
		}
		vm := vehicleModel{src: vi, startLoc: -1, endLoc: -1, twStart: 0, twEnd: maxTime,
			capacity: amount(v.Capacity, m.dims), skills: bitset(v.Skills),
			fixed: v.Costs.Fixed * costScale, perHour: v.Costs.PerHour, perKm: v.Costs.PerKm,
			maxTasks: v.MaxTasks, maxTravel: v.MaxTravelTime, maxDistance: v.MaxDistance, mat: tm,
			hasCosts: tm.cost != nil}
		vm.limited = vm.maxTravel >= 0 || vm.maxDistance >= 0
		vm.maxDuration = v.MaxDuration
		vm.maxWait = -1
		if v.MaxWaiting != nil {
			vm.maxWait = *v.MaxWaiting
		}
		vm.waitCost = v.WaitingCostPerHour * 1000
		vm.balance = v.BalanceCostPerHour2
		if dr := v.DrivingRule; dr != nil {
			vm.maxDrive, vm.rest = dr.MaxDriving, dr.Rest
		}
		if len(v.Traffic) > 0 {
			vm.traffic = v.Traffic
		}
		// The constant-time checks ignore rests (their bounds stay
		// optimistic): they only pre-filter, and every insertion on such a
		// vehicle is then re-timed exactly. Traffic is in the time checks
		// (exact latest departures, FIFO), not in the travel-time limit.
		vm.exactFeas = vm.maxDuration > 0 || vm.maxWait >= 0 || vm.maxDrive > 0 ||
			vm.traffic != nil && v.MaxTravelTime >= 0
		vm.workCost, vm.minWork = v.WorkingCostPerHour*1000, v.MinDuration
		vm.exactCost = vm.waitCost > 0 || vm.balance > 0 || vm.maxDrive > 0 || vm.workCost > 0
		if vm.maxTasks < 0 {
			vm.maxTasks = math.MaxInt32
		}
		if vm.maxTravel < 0 {
			vm.maxTravel = maxTime
		}
		if vm.maxDistance < 0 {
			vm.maxDistance = maxTime
		}
		if v.Start != nil {
			vm.startLoc = locOf(*v.Start)
		}
		if v.End != nil {
			vm.endLoc = locOf(*v.End)
		}
		if v.TimeWindow != nil {
			vm.twStart, vm.twEnd = v.TimeWindow.Start, v.TimeWindow.End
		}
		for bi, b := range v.Breaks {
			t := task{kind: kindBreak, loc: -1, service: b.Service, tws: normWindows(b.TimeWindows),
				start: zero, delta: zero, partner: -1, src: bi, vehicle: vi, id: b.ID, locked: vi}
			if b.MaxLoad != nil {
				t.maxLoad = amount(b.MaxLoad, m.dims)
			}
			vm.breaks = append(vm.breaks, len(m.tasks))
			m.tasks = append(m.tasks, t)
		}
		if rl := v.Reloads; rl != nil {
			for k := range rl.Max {
				vm.reloads = append(vm.reloads, len(m.tasks))
				m.tasks = append(m.tasks, task{kind: kindReload, loc: vm.startLoc, service: rl.Service, tws: normWindows(nil),
					start: zero, delta: zero, partner: -1, src: k, vehicle: vi, id: uint64(k + 1), locked: vi})
			}
			m.hasReload = true
		}
		m.vehicles = append(m.vehicles, vm)
	}
	m.costMatrices()
	if err := m.compileSteps(); err != nil {
		return nil, err
	}
	if err := m.compileRelations(); err != nil {
		return nil, err
	}
	m.buildNeighbours(64, threads)
	m.granular = m.nTasks >= granularFrom
	return m, nil
}

func flatten(src *Matrix, sf float64, threads int) *travelMatrix {
	n := len(src.Durations)
	tm := &travelMatrix{n: n, hasDist: len(src.Distances) == n}
	if len(src.Costs) == n {
		tm.cost = make([]int64, n*n)
	}
	if sf == 1 && n*n > maxCostMatrix {
		tm.rowsDur, tm.rowsDist = src.Durations, src.Distances
		if tm.cost != nil {
			parallelRows(n, threads, func(i int) {
				for j, c := range src.Costs[i] {
					tm.cost[i*n+j] = c * costScale
				}
			})
		}
		return tm
	}
	tm.dur = make([]int32, n*n)
	if tm.hasDist {
		tm.dist = make([]int32, n*n)
	}
	parallelRows(n, threads, func(i int) {
		for j, d := range src.Durations[i] {
			if sf != 1 {
				d = int64(math.Round(float64(d) / sf))
			}
			tm.dur[i*n+j] = int32(min(d, math.MaxInt32))
		}
		if tm.dist != nil {
			for j, d := range src.Distances[i] {
				tm.dist[i*n+j] = int32(min(d, math.MaxInt32))
			}
		}
		if tm.cost != nil {
			for j, c := range src.Costs[i] {
				tm.cost[i*n+j] = c * costScale
			}
		}
	})
	return tm
}

// parallelRows calls f for rows 0..n-1 on up to threads goroutines.
func parallelRows(n, threads int, f func(i int)) {
	threads = max(1, min(threads, n/64+1))
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			for i := t; i < n; i += threads {
				f(i)
			}
		}(t)
	}
	wg.Wait()
}

// compileSteps turns vehicle steps into locked task sequences.
func (m *model) compileSteps() error {
	jobByID := map[uint64]int{}
	pickByID := map[uint64]int{}
	delByID := map[uint64]int{}
	for i := 0; i < m.nTasks; i++ {
		t := &m.tasks[i]
		switch t.kind {
		case kindJob:
			jobByID[t.id] = i
		case kindPickup:
			pickByID[t.id] = i
		case kindDelivery:
			delByID[t.id] = i
		}
	}
	for vi := range m.vehicles {
		v := &m.p.Vehicles[vi]
		vm := &m.vehicles[vi]
		for si, st := range v.Steps {
			field := fmt.Sprintf("vehicles[%d].steps[%d]", vi, si)
			var ti int
			var ok bool
			switch st.Type {
			case StepStart, StepEnd:
				continue
			case StepJob:
				ti, ok = jobByID[st.ID]
			case StepPickup:
				ti, ok = pickByID[st.ID]
			case StepDelivery:
				ti, ok = delByID[st.ID]
			case StepBreak:
				for _, b := range vm.breaks {
					if m.tasks[b].id == st.ID {
						ti, ok = b, true
					}
				}
			default:
				return inputErrorf(field+".type", "unknown step type %q", st.Type)
			}
			if !ok {
				return inputErrorf(field+".id", "no %s with id %d", st.Type, st.ID)
			}
			t := &m.tasks[ti]
			if t.kind != kindBreak && t.locked >= 0 {
				return inputErrorf(field+".id", "%s %d is already in the steps of vehicle %d", st.Type, st.ID, m.p.Vehicles[t.locked].ID)
			}
			t.locked = vi
			// service_at / after / before narrow the task's windows.
			lo, hi := int64(0), int64(maxTime)
			if st.ServiceAt != nil {
				lo, hi = *st.ServiceAt, *st.ServiceAt
			}
			if st.ServiceAfter != nil {
				lo = max(lo, *st.ServiceAfter)
			}
			if st.ServiceBefore != nil {
				hi = min(hi, *st.ServiceBefore)
			}
			if !m.plan && (lo > 0 || hi < maxTime) {
				t.tws = intersectWindows(t.tws, lo, hi)
				if len(t.tws) == 0 {
					return inputErrorf(field, "service_at/service_after/service_before leave no time in the task's time windows")
				}
			}
			vm.steps = append(vm.steps, ti)
		}
	}
	// A shipment half locked forces the other half onto the same vehicle.
	for i := m.nJobs; i < m.nTasks; i++ {
		t := &m.tasks[i]
		if t.locked >= 0 && m.tasks[t.partner].locked < 0 {
			m.tasks[t.partner].locked = t.locked
		}
	}
	return nil
}

func intersectWindows(tws []TimeWindow, lo, hi int64) []TimeWindow {
	var out []TimeWindow
	for _, w := range tws {
		s, e := max(w.Start, lo), min(w.End, hi)
		if s <= e {
			out = append(out, TimeWindow{s, e})
		}
	}
	return out
}

// buildNeighbours keeps, for each task, the k nearest other tasks by
// travel time from it in the first vehicle's matrix (rows only, which keeps
// the scan sequential in memory).
func (m *model) buildNeighbours(k, threads int) {
	if len(m.vehicles) == 0 {
		return
	}
	mat := m.vehicles[0].mat
	n := m.nTasks
	k = min(k, n-1)
	m.neighbours = make([][]int32, n)
	if k <= 0 {
		return
	}
	type cand struct {
		d int64
		i int32
	}
	worse := func(a, b cand) bool { return a.d > b.d || (a.d == b.d && a.i > b.i) }
	parallelRows(n, threads, func(i int) {
		// a max-heap of the k best candidates seen so far
		h := make([]cand, 0, k)
		li := m.tasks[i].loc
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			lj := m.tasks[j].loc
			c := cand{mat.duration(li, lj), int32(j)}
			if len(h) < k {
				h = append(h, c)
				for x := len(h) - 1; x > 0; {
					p := (x - 1) / 2
					if !worse(h[x], h[p]) {
						break
					}
					h[x], h[p] = h[p], h[x]
					x = p
				}
				continue
			}
			if !worse(h[0], c) {
				continue
			}
			h[0] = c
			for x := 0; ; {
				l, r, big := 2*x+1, 2*x+2, x
				if l < k && worse(h[l], h[big]) {
					big = l
				}
				if r < k && worse(h[r], h[big]) {
					big = r
				}
				if big == x {
					break
				}
				h[x], h[big] = h[big], h[x]
				x = big
			}
		}
		sort.Slice(h, func(a, b int) bool { return worse(h[b], h[a]) })
		nb := make([]int32, len(h))
		for x, c := range h {
			nb[x] = c.i
		}
		m.neighbours[i] = nb
	})
}
