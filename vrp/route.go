package vrp

import "slices"

// route is one vehicle's sequence of tasks with the derived data that makes
// insertion checks cheap. Positions are 0 (start), 1..len(seq) (tasks) and
// len(seq)+1 (end).
type route struct {
	v   int
	seq []int
	// Derived, per position (len(seq)+2):
	loc    []int   // effective location (a break keeps the previous one); end: endLoc
	dep    []int64 // earliest departure (end: arrival)
	latest []int64 // latest feasible service start (end: latest arrival)
	next   []int   // next position >= p that is not a break (end included)
	load   []int64 // load after position p, flat by dims
	fwdExc []int64 // max over q <= p of load[q]-limit[q], flat by dims
	bwdExc []int64 // max over q >= p of load[q]-limit[q], flat by dims
	// Totals.
	travel   int64 // travel time
	distance int64
	cost     int64 // travel cost in internal units (fixed excluded)
	nTasks   int   // tasks other than breaks
	feasible bool
	waiting  int64 // total waiting on the earliest schedule
	noDelay  bool  // the start may not be delayed (soft windows, ETAs)
	missing  bool  // a used route without all its vehicle's breaks
	// openRide[p] counts the ride-limited shipments picked before p and
	// delivered at p or later (only when the model has ride limits).
	openRide []int
	// glued[k]: inserting at k would split a direct pair (only when the
	// model has direct relations).
	glued []bool
}

func (r *route) clone() *route {
	c := &route{v: r.v, travel: r.travel, distance: r.distance, cost: r.cost, nTasks: r.nTasks, feasible: r.feasible,
		waiting: r.waiting, noDelay: r.noDelay, missing: r.missing}
	c.seq = cloneRoom(r.seq, 4)
	c.loc = cloneRoom(r.loc, 4)
	c.dep = cloneRoom(r.dep, 4)
	c.latest = cloneRoom(r.latest, 4)
	c.next = cloneRoom(r.next, 4)
	dims := 0
	if len(r.loc) > 0 {
		dims = len(r.load) / len(r.loc)
	}
	c.load = cloneRoom(r.load, 4*dims)
	c.fwdExc = cloneRoom(r.fwdExc, 4*dims)
	c.bwdExc = cloneRoom(r.bwdExc, 4*dims)
	if r.openRide != nil {
		c.openRide = cloneRoom(r.openRide, 4)
	}
	if r.glued != nil {
		c.glued = cloneRoom(r.glued, 4)
	}
	return c
}

// cloneRoom copies s into a new slice with room for extra more elements, so
// that the insertions that usually follow a copy do not reallocate.
func cloneRoom[T any](s []T, extra int) []T {
	c := make([]T, len(s), len(s)+extra)
	copy(c, s)
	return c
}

// empty reports whether the route has no task (breaks alone do not count).
func (r *route) empty() bool { return r.nTasks == 0 }

// earliest returns the earliest start >= t inside tws, or -1.
func earliest(tws []TimeWindow, t int64) int64 {
	for _, w := range tws {
		if t <= w.End {
			if t < w.Start {
				return w.Start
			}
			return t
		}
	}
	return -1
}

// latestIn returns the latest start <= t inside tws, or -1.
func latestIn(tws []TimeWindow, t int64) int64 {
	for i := len(tws) - 1; i >= 0; i-- {
		w := tws[i]
		if t >= w.Start {
			if t > w.End {
				return w.End
			}
			return t
		}
	}
	return -1
}

// arcCost is the internal travel cost of a→b for vehicle vm.
func (vm *vehicleModel) arcCost(a, b int) int64 {
	if a < 0 || b < 0 {
		return 0
	}
	if vm.costM != nil {
		return vm.costM[a*vm.mat.n+b]
	}
	c := vm.perHour * 1000 * vm.mat.duration(a, b)
	if vm.perKm != 0 {
		c += vm.perKm * 3600 * vm.mat.distance(a, b)
	}
	return c
}

// setupAt is the setup paid at task t coming from location prev.
func setupAt(t *task, prev int) int64 {
	if t.setup != 0 && (prev < 0 || prev != t.loc) {
		return t.setup
	}
	return 0
}

// update recomputes the derived data of r from its sequence.
func (m *model) update(r *route) {
	vm := &m.vehicles[r.v]
	n := len(r.seq)
	P := n + 2
	D := m.dims
	r.loc = grow(r.loc, P)
	r.dep = grow(r.dep, P)
	r.latest = grow(r.latest, P)
	r.next = grow(r.next, P)
	r.load = grow(r.load, P*D)
	r.fwdExc = grow(r.fwdExc, P*D)
	r.bwdExc = grow(r.bwdExc, P*D)
	r.feasible = true
	r.nTasks = 0
	r.travel, r.distance, r.cost = 0, 0, 0

	// Loads. Each trip — from the start, or from a reload (multi-trip) —
	// loads the deliveries of the jobs it serves; a reload unloads the
	// returns collected before it.
	for d := 0; d < D; d++ {
		r.load[d] = 0
	}
	trip := 0
	for p := 1; p <= n; p++ {
		t := &m.tasks[r.seq[p-1]]
		if t.kind == kindReload {
			trip = p
			for d := 0; d < D; d++ {
				r.load[p*D+d] = 0
			}
			continue
		}
		for d := 0; d < D; d++ {
			r.load[trip*D+d] += t.start[d]
		}
	}
	for p := 1; p < P; p++ {
		if m.isReloadAt(r, p) {
			continue // the load its trip starts with
		}
		for d := 0; d < D; d++ {
			r.load[p*D+d] = r.load[(p-1)*D+d]
		}
		if p <= n {
			t := &m.tasks[r.seq[p-1]]
			for d := 0; d < D; d++ {
				r.load[p*D+d] += t.delta[d]
			}
		}
	}
	// Running maxima of the load over its limit (the capacity, or a break's
	// max_load), forwards and backwards, within each trip.
	for p := 0; p < P; p++ {
		newTrip := p == 0 || m.isReloadAt(r, p)
		for d := 0; d < D; d++ {
			e := r.load[p*D+d] - limitAt(m, r, p, d)
			if e > 0 {
				r.feasible = false
			}
			if !newTrip {
				e = max(e, r.fwdExc[(p-1)*D+d])
			}
			r.fwdExc[p*D+d] = e
		}
	}
	for p := P - 1; p >= 0; p-- {
		tripEnds := p == P-1 || m.isReloadAt(r, p+1)
		for d := 0; d < D; d++ {
			e := r.load[p*D+d] - limitAt(m, r, p, d)
			if !tripEnds {
				e = max(e, r.bwdExc[(p+1)*D+d])
			}
			r.bwdExc[p*D+d] = e
		}
	}

	// Forward times. A driving rule adds rests before drives; the backward
	// bounds below ignore them, so they stay optimistic.
	r.noDelay = m.hasSoft || vm.maxDrive > 0 || vm.traffic != nil
	r.loc[0] = vm.startLoc
	r.dep[0] = vm.twStart
	r.waiting = 0
	var driven int64 // driving since the last rest (driving rule)
	plain := vm.traffic == nil && vm.maxDrive == 0
	for p := 1; p <= n; p++ {
		t := &m.tasks[r.seq[p-1]]
		prev := r.loc[p-1]
		if t.kind == kindBreak {
			r.loc[p] = prev
			s := earliest(t.tws, r.dep[p-1])
			if s < 0 {
				r.feasible = false
				s = r.dep[p-1]
			}
			r.waiting += s - r.dep[p-1]
			if s-r.dep[p-1]+t.service >= vm.rest {
				driven = 0
			}
			r.dep[p] = s + t.service
			continue
		}
		if t.kind != kindReload {
			r.nTasks++
		}
		r.loc[p] = t.loc
		var arr int64
		if plain {
			tr := vm.mat.duration(prev, t.loc)
			r.travel += tr
			r.cost += vm.arcCost(prev, t.loc)
			arr = r.dep[p-1] + tr
		} else {
			rest, base, tr, after, ok := vm.leg(prev, t.loc, r.dep[p-1], driven)
			if !ok {
				r.feasible = false
			}
			driven = after
			r.travel += tr
			r.cost += vm.arcCost(prev, t.loc) + vm.trafficCost(base, tr)
			arr = r.dep[p-1] + rest + tr
		}
		r.distance += vm.mat.distance(prev, t.loc)
		s := earliest(t.tws, arr)
		if s < 0 {
			r.feasible = false
			s = arr
		} else if t.early > 0 && s > arr && vm.waitCost > t.early {
			// soft early start: cheaper than waiting
			e := s
			s = max(arr, s-t.maxEarly)
			r.cost += t.early * (e - s)
		}
		r.waiting += s - arr
		if s-arr >= vm.rest {
			driven = 0
		}
		if t.lateCost > 0 && s > t.lateFrom {
			r.cost += t.lateCost * (s - t.lateFrom)
		}
		if t.etaCost > 0 {
			r.cost += t.etaCost * abs64(s-t.eta)
		}
		r.dep[p] = s + setupAt(t, prev) + t.service
	}
	r.loc[n+1] = vm.endLoc
	if plain {
		tr := vm.mat.duration(r.loc[n], vm.endLoc)
		r.travel += tr
		r.cost += vm.arcCost(r.loc[n], vm.endLoc)
		r.dep[n+1] = r.dep[n] + tr
	} else {
		rest, base, tr, _, ok := vm.leg(r.loc[n], vm.endLoc, r.dep[n], driven)
		if !ok {
			r.feasible = false
		}
		r.travel += tr
		r.cost += vm.arcCost(r.loc[n], vm.endLoc) + vm.trafficCost(base, tr)
		r.dep[n+1] = r.dep[n] + rest + tr
	}
	r.distance += vm.mat.distance(r.loc[n], vm.endLoc)
	if r.dep[n+1] > vm.twEnd || r.travel > vm.maxTravel || r.distance > vm.maxDistance || r.nTasks > vm.maxTasks {
		r.feasible = false
	}

	// Backward latest starts.
	r.latest[n+1] = vm.twEnd
	r.next[n+1] = n + 1
	for p := n; p >= 1; p-- {
		t := &m.tasks[r.seq[p-1]]
		var tr int64
		if p+1 > n || m.tasks[r.seq[p]].kind != kindBreak {
			if vm.traffic == nil {
				tr = vm.mat.duration(r.loc[p], r.loc[p+1])
			} else {
				tr = r.latest[p+1] - vm.departBy(r.loc[p], r.loc[p+1], r.latest[p+1])
			}
		}
		limit := r.latest[p+1] - tr - t.service
		if t.kind != kindBreak {
			limit -= setupAt(t, r.loc[p-1])
			r.next[p] = p
		} else {
			r.next[p] = r.next[p+1]
		}
		l := latestIn(t.tws, limit)
		if l < 0 {
			r.feasible = false
			l = -maxTime
		}
		r.latest[p] = l
	}
	r.next[0] = r.next[min(1, n+1)]
	if n == 0 {
		r.next[0] = 1
	}
	r.latest[0] = vm.departBy(r.loc[0], r.loc[r.next[1]], r.latest[1])
	if m.hasRel && !m.relOrderOK(r) {
		r.feasible = false
	}
	if m.hasReload && m.shipmentsAcrossReloads(r) {
		r.feasible = false
	}
	if m.hasDirect {
		m.glue(r)
	}
	// A used route lacking some of its breaks is incomplete, not infeasible:
	// insertion into an empty route adds the breaks right after.
	r.missing = m.missingBreaks(r)
	if m.hasRide && !m.ridesOK(r) {
		r.feasible = false
	}
	if vm.maxDuration > 0 && r.nTasks > 0 && r.workingTime() > vm.maxDuration {
		r.feasible = false
	}
	if (vm.exactCost || vm.maxWait >= 0) && r.nTasks > 0 {
		waits, most, work := m.outputTimes(r)
		if vm.maxWait >= 0 && most > vm.maxWait {
			r.feasible = false
		}
		r.cost += vm.waitCost*waits + balanceCost(vm.balance, work) + vm.workCost*max(work, vm.minWork)
	}
	if r.nTasks == 0 {
		// An unused vehicle costs nothing.
		r.travel, r.distance, r.cost = 0, 0, 0
	}
}

// missingBreaks reports whether a used route lacks some of its breaks.
func (m *model) missingBreaks(r *route) bool {
	vm := &m.vehicles[r.v]
	if len(vm.breaks) == 0 || r.nTasks == 0 {
		return false
	}
	breaks := 0
	for _, ti := range r.seq {
		if m.tasks[ti].kind == kindBreak {
			breaks++
		}
	}
	return breaks != len(vm.breaks)
}

// isReloadAt reports whether position p of r is a reload.
func (m *model) isReloadAt(r *route, p int) bool {
	return m.hasReload && p >= 1 && p <= len(r.seq) && m.tasks[r.seq[p-1]].kind == kindReload
}

// shipmentsAcrossReloads reports whether a shipment's goods stay on board
// across a reload in r.
func (m *model) shipmentsAcrossReloads(r *route) bool {
	open := 0
	for _, ti := range r.seq {
		switch m.tasks[ti].kind {
		case kindPickup:
			open++
		case kindDelivery:
			open--
		case kindReload:
			if open > 0 {
				return true
			}
		}
	}
	return false
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// timeFeasibleFrom checks the tail of r from position k (the first original
// position after the change), given that the vehicle leaves the changed part
// at time t from location cur. It walks forward until the state joins the
// original schedule, where the latest-start bound decides.
func (m *model) timeFeasibleFrom(r *route, k int, t int64, cur int) bool {
	vm := &m.vehicles[r.v]
	n := len(r.seq)
	for p := k; ; p++ {
		if p == n+1 {
			d := vm.mat.duration(cur, vm.endLoc)
			if vm.traffic != nil {
				d = vm.traffic.Travel(t, d)
			}
			return t+d <= vm.twEnd
		}
		tk := &m.tasks[r.seq[p-1]]
		if tk.kind == kindBreak {
			s := earliest(tk.tws, t)
			if s < 0 {
				return false
			}
			t = s + tk.service
			continue
		}
		d := vm.mat.duration(cur, tk.loc)
		if vm.traffic != nil {
			d = vm.traffic.Travel(t, d)
		}
		arr := t + d
		if cur == r.loc[p-1] {
			return arr <= r.latest[p]
		}
		s := vm.startAt(tk, arr)
		if s < 0 {
			return false
		}
		t = s + setupAt(tk, cur) + tk.service
		cur = tk.loc
		if t <= r.dep[p] && cur == r.loc[p] {
			return true // no later than before, from the same place
		}
	}
}

// insertJobDelta returns the travel-cost delta of inserting task x before
// position k of r (1 <= k <= len(seq)+1), plus the travel-time and distance
// deltas.
func (m *model) insertDelta(r *route, x *task, k int) (dc, dt, dd int64) {
	vm := &m.vehicles[r.v]
	prev := r.loc[k-1]
	q := r.next[k]
	nl := r.loc[q]
	dc = vm.arcCost(prev, x.loc) + vm.arcCost(x.loc, nl) - vm.arcCost(prev, nl)
	if vm.traffic != nil && !vm.hasCosts {
		dc += m.trafficDelta(r, x, k, nl)
	}
	if !vm.limited {
		return
	}
	dt = vm.mat.duration(prev, x.loc) + vm.mat.duration(x.loc, nl) - vm.mat.duration(prev, nl)
	if vm.mat.hasDist {
		dd = vm.mat.distance(prev, x.loc) + vm.mat.distance(x.loc, nl) - vm.mat.distance(prev, nl)
	}
	return
}

// trafficWalk bounds the legs trafficDelta re-times after an insertion.
const trafficWalk = 12

// trafficDelta estimates how traffic changes the cost of inserting x
// before position k, beyond the matrix-cost delta: the new legs and those
// after them are re-timed at their new times of day until the schedule
// rejoins the old one (a departure at the same time) or trafficWalk legs
// are done; legs further on are taken as unchanged. The route itself is
// always timed exactly once the insertion is made.
func (m *model) trafficDelta(r *route, x *task, k, nl int) int64 {
	vm := &m.vehicles[r.v]
	prev := r.loc[k-1]
	t := r.dep[k-1]
	a := vm.travelAt(prev, x.loc, t)
	extra := a - vm.mat.duration(prev, x.loc)
	s := vm.startAt(x, t+a)
	if s < 0 {
		s = t + a
	}
	t = s + setupAt(x, prev) + x.service
	cur := x.loc
	n := len(r.seq)
	for p, legs := k, 0; p <= n+1 && legs < trafficWalk; p++ {
		if p == n+1 {
			if vm.endLoc >= 0 {
				extra += vm.travelAt(cur, vm.endLoc, t) - vm.mat.duration(cur, vm.endLoc)
				if r.nTasks > 0 {
					extra -= vm.travelAt(r.loc[n], vm.endLoc, r.dep[n]) - vm.mat.duration(r.loc[n], vm.endLoc)
				}
			}
			break
		}
		tk := &m.tasks[r.seq[p-1]]
		if tk.kind == kindBreak {
			bs := earliest(tk.tws, t)
			if bs < 0 {
				bs = t
			}
			t = bs + tk.service
			continue
		}
		legs++
		newLeg := vm.travelAt(cur, tk.loc, t)
		oldLeg := vm.travelAt(r.loc[p-1], tk.loc, r.dep[p-1])
		extra += (newLeg - vm.mat.duration(cur, tk.loc)) - (oldLeg - vm.mat.duration(r.loc[p-1], tk.loc))
		st := vm.startAt(tk, t+newLeg)
		if st < 0 {
			st = t + newLeg
		}
		t = st + setupAt(tk, cur) + tk.service
		cur = tk.loc
		if t == r.dep[p] {
			break // rejoined: the rest leaves at the same times
		}
	}
	return vm.perHour * 1000 * extra
}

// loadOKSingle checks capacity for inserting x before position k.
func (m *model) loadOKSingle(r *route, x *task, k int) bool {
	vm := &m.vehicles[r.v]
	D := m.dims
	for d := 0; d < D; d++ {
		s, dl := x.start[d], x.delta[d]
		if s != 0 && r.fwdExc[(k-1)*D+d]+s > 0 {
			return false
		}
		if s+dl != 0 && r.bwdExc[k*D+d]+s+dl > 0 && !m.isReloadAt(r, k) {
			return false // a reload at k ends x's trip: nothing after it carries x's load
		}
		own := r.load[(k-1)*D+d] + s + dl
		lim := vm.capacity[d]
		if x.maxLoad != nil && x.maxLoad[d] < lim {
			lim = x.maxLoad[d]
		}
		if own > lim {
			return false
		}
	}
	return true
}

// timeOKSingle checks windows for inserting x before position k.
func (m *model) timeOKSingle(r *route, x *task, k int) bool {
	vm := &m.vehicles[r.v]
	prev := r.loc[k-1]
	if x.kind == kindBreak {
		s := earliest(x.tws, r.dep[k-1])
		if s < 0 {
			return false
		}
		return m.timeFeasibleFrom(r, k, s+x.service, prev)
	}
	d := vm.mat.duration(prev, x.loc)
	if vm.traffic != nil {
		d = vm.traffic.Travel(r.dep[k-1], d)
	}
	arr := r.dep[k-1] + d
	if arr > x.tws[len(x.tws)-1].End {
		return false
	}
	s := vm.startAt(x, arr)
	if s < 0 {
		return false
	}
	return m.timeFeasibleFrom(r, k, s+setupAt(x, prev)+x.service, x.loc)
}

// canServe reports whether vehicle v may carry task x at all.
func (m *model) canServe(v int, x *task) bool {
	if x.locked >= 0 && x.locked != v {
		return false
	}
	return hasSkills(m.vehicles[v].skills, x.skills)
}

// insertAt inserts the tasks at positions (in the original numbering,
// ascending; equal positions keep the order given) and updates r.
func (m *model) insertAt(r *route, tasks []int, pos []int) {
	// Insert from the last position so earlier positions stay valid.
	for j := len(tasks) - 1; j >= 0; j-- {
		r.seq = slices.Insert(r.seq, pos[j]-1, tasks[j])
	}
	m.update(r)
}

// ridesOK checks the maximum ride times of the route's shipments on the
// earliest schedule and fills r.openRide.
func (m *model) ridesOK(r *route) bool {
	n := len(r.seq)
	r.openRide = grow(r.openRide, n+2)
	clear(r.openRide)
	ok := true
	for p := 1; p <= n; p++ {
		t := &m.tasks[r.seq[p-1]]
		if t.kind != kindDelivery || t.maxRide <= 0 {
			continue
		}
		q := 0
		for i := p - 1; i >= 1; i-- {
			if r.seq[i-1] == t.partner {
				q = i
				break
			}
		}
		if q == 0 {
			continue // precedence is checked elsewhere
		}
		for i := q + 1; i <= p; i++ {
			r.openRide[i]++
		}
		// start of the delivery's service: departure minus service and setup
		start := r.dep[p] - t.service - setupAt(t, r.loc[p-1])
		if start-r.dep[q] > t.maxRide {
			ok = false
		}
	}
	return ok
}

// startDelay is how much the departure can be delayed without moving the
// end of the route: the total waiting of the earliest schedule, within what
// the time windows allow.
// With soft windows or promised ETAs the start is not delayed: the costs
// are those of the earliest schedule, and a later start could change them.
func (r *route) startDelay() int64 {
	if r.noDelay {
		return 0
	}
	return max(0, min(r.waiting, r.latest[0]-r.dep[0]))
}

// startAt is when the vehicle starts serving task t, arriving at arr: at
// the earliest in its windows, or earlier where the task accepts early
// service (soft windows) and the vehicle's waiting costs more than that.
// -1 when the windows are over.
func (vm *vehicleModel) startAt(t *task, arr int64) int64 {
	s := earliest(t.tws, arr)
	if t.early > 0 && s > arr && vm.waitCost > t.early {
		s = max(arr, s-t.maxEarly)
	}
	return s
}

// travelAt is the driving time from a to b leaving at t (traffic applied).
func (vm *vehicleModel) travelAt(a, b int, t int64) int64 {
	d := vm.mat.duration(a, b)
	if vm.traffic != nil {
		return vm.traffic.Travel(t, d)
	}
	return d
}

// departBy is the latest departure from a that reaches b by t (traffic
// applied, exactly: travel is FIFO).
func (vm *vehicleModel) departBy(a, b int, t int64) int64 {
	d := vm.mat.duration(a, b)
	if vm.traffic == nil {
		return t - d
	}
	return vm.traffic.LatestDeparture(t, d)
}

// leg times a drive from a to b by a vehicle ready to leave at t with
// driven seconds of driving since its last rest. It returns the rest the
// driving rule takes first (0 or the rule's rest), the free-flow and the
// actual driving time, the driving since the last rest on arrival, and
// false when the drive alone is longer than the rule allows.
func (vm *vehicleModel) leg(a, b int, t, driven int64) (rest, base, tr, after int64, ok bool) {
	base = vm.mat.duration(a, b)
	tr = base
	if vm.traffic != nil {
		tr = vm.traffic.Travel(t, base)
	}
	if vm.maxDrive == 0 {
		return 0, base, tr, 0, true
	}
	if driven > 0 && driven+tr > vm.maxDrive {
		rest, driven = vm.rest, 0
		if vm.traffic != nil {
			tr = vm.traffic.Travel(t+rest, base)
		}
	}
	return rest, base, tr, driven + tr, tr <= vm.maxDrive
}

// trafficCost is the internal cost of driving tr seconds where the matrix
// says base (per_hour applies to the actual driving time; a costs matrix
// is taken as given).
func (vm *vehicleModel) trafficCost(base, tr int64) int64 {
	if tr == base || vm.hasCosts {
		return 0
	}
	return vm.perHour * 1000 * (tr - base)
}

// outputTimes replays r's schedule as it is output (the start delayed by
// startDelay, earliest service everywhere, an open route starting when its
// first task can) and returns its total waiting, its largest waiting before
// one step and its working time from the first step to the end.
func (m *model) outputTimes(r *route) (waits, most, work int64) {
	vm := &m.vehicles[r.v]
	t := vm.twStart + r.startDelay()
	start := t
	cur := vm.startLoc
	first := vm.startLoc < 0
	var driven int64
	for i, ti := range r.seq {
		tk := &m.tasks[ti]
		arr := t
		if tk.kind != kindBreak {
			if !first {
				rest, _, tr, after, _ := vm.leg(cur, tk.loc, t, driven)
				arr += rest + tr
				driven = after
			}
			if first && len(tk.tws) > 0 {
				if s := earliest(tk.tws, arr); s > arr {
					arr = s
				}
			}
		}
		if i == 0 && vm.startLoc < 0 {
			start = arr
		}
		var s int64
		if tk.kind == kindBreak {
			s = earliest(tk.tws, arr)
		} else {
			s = vm.startAt(tk, arr)
		}
		if s < 0 {
			s = arr
		}
		waits += s - arr
		most = max(most, s-arr)
		if tk.kind == kindBreak {
			if s-arr+tk.service >= vm.rest {
				driven = 0
			}
			t = s + tk.service
			continue
		}
		if s-arr >= vm.rest {
			driven = 0
		}
		first = false
		t = s + setupAt(tk, cur) + tk.service
		cur = tk.loc
	}
	if vm.endLoc >= 0 && cur >= 0 {
		rest, _, tr, _, _ := vm.leg(cur, vm.endLoc, t, driven)
		t += rest + tr
	}
	return waits, most, t - start
}

// balanceCost is the internal cost of the balance term: c × h² for a
// working time of h hours (c × s² × 1000 / 3600 internal units).
func balanceCost(c, seconds int64) int64 {
	if c == 0 {
		return 0
	}
	seconds = min(seconds, 1_000_000) // c ≤ 100,000: no overflow
	return c * seconds * seconds * 10 / 36
}

// workingTime is the route's duration from the delayed start to the end,
// service and waiting included.
func (r *route) workingTime() int64 {
	return r.dep[len(r.dep)-1] - r.dep[0] - r.startDelay()
}

// exactCost returns the cost delta of inserting tasks at pos and whether
// the result is feasible, by re-evaluating a copy of r.
func (m *model) exactCost(r *route, tasks, pos []int) (int64, bool) {
	c := r.clone()
	m.insertAt(c, tasks, pos)
	return c.cost - r.cost, c.feasible
}

// exactInsert reports whether inserting tasks at pos keeps r feasible, by
// re-evaluating a copy (for constraints the constant-time checks miss).
func (m *model) exactInsert(r *route, tasks, pos []int) bool {
	c := r.clone()
	m.insertAt(c, tasks, pos)
	return c.feasible
}
