package vrp

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// solution is a search state. Routes are shared between states and copied
// on write (owned marks the ones this state may change in place).
type solution struct {
	routes []*route
	owned  []bool
	where  []int32 // task → route index, -1 when unassigned
	unas   []int   // unassigned units (jobs, shipment pickups)
	cutoff bool    // construction was cut short by the deadline
}

// score orders solutions: unassigned priority, unassigned count, vehicles
// (only under MinimizeVehiclesThenCost), then cost.
type score struct {
	unPrio, unCount, vehicles, cost int64
}

func (a score) less(b score) bool {
	if a.unPrio != b.unPrio {
		return a.unPrio < b.unPrio
	}
	if a.unCount != b.unCount {
		return a.unCount < b.unCount
	}
	if a.vehicles != b.vehicles {
		return a.vehicles < b.vehicles
	}
	return a.cost < b.cost
}

// sameClass reports whether a and b differ only in cost.
func (a score) sameClass(b score) bool {
	return a.unPrio == b.unPrio && a.unCount == b.unCount && a.vehicles == b.vehicles
}

// searcher runs the ruin-and-recreate search for one thread.
type searcher struct {
	m          *model
	rng        *rand.Rand
	countFleet bool // score counts vehicles
	// scratch
	removed []int
	mark    []bool
	// allowNew lets recreate open unused vehicles.
	allowNew bool
	// absence counters (fleet minimisation)
	absence []int64
	// parameters
	avgRemoved float64
	maxString  float64
	blink      float64
	fast       uint64 // xorshift state for blinks
	blinkGap   int
	// newRoutePenalty is added to the cost of opening an unused vehicle
	// (the fleet objective's penalty per extra vehicle).
	newRoutePenalty int64
	seenClass       map[int]bool
	routeStamp      []uint32
	stamp           uint32
	// vehicle classes for empty-route deduplication
	vclass []int
}

func (m *model) newSolution() *solution {
	s := &solution{routes: make([]*route, len(m.vehicles)), owned: make([]bool, len(m.vehicles)),
		where: make([]int32, len(m.tasks))}
	for i := range s.where {
		s.where[i] = -1
	}
	for v := range m.vehicles {
		r := &route{v: v}
		m.update(r)
		s.routes[v] = r
		s.owned[v] = true
	}
	return s
}

// copy returns a state sharing routes with s.
func (s *solution) copy() *solution {
	c := &solution{routes: slices.Clone(s.routes), owned: make([]bool, len(s.routes)),
		where: slices.Clone(s.where), unas: slices.Clone(s.unas), cutoff: s.cutoff}
	return c
}

// own makes route v writable in s.
func (s *solution) own(v int) *route {
	if !s.owned[v] {
		s.routes[v] = s.routes[v].clone()
		s.owned[v] = true
	}
	return s.routes[v]
}

func (m *model) score(s *solution, countFleet bool) score {
	var sc score
	for _, r := range s.routes {
		if r.nTasks > 0 {
			sc.cost += r.cost + m.vehicles[r.v].fixed
			if countFleet {
				sc.vehicles++
			}
		}
	}
	if m.hasGroups {
		// Alternatives: a group counts once, and not at all when served;
		// its other jobs need not be listed in s.unas.
		for u := 0; u < m.nTasks; u++ {
			if m.isUnit(u) && s.where[u] < 0 && !m.covered(s, u) {
				sc.unPrio += m.tasks[u].priority
				sc.unCount++
			}
		}
		for _, u := range s.unas {
			if m.tasks[u].kind == kindBreak {
				sc.unCount++ // a lost break
			}
		}
	} else {
		for _, u := range s.unas {
			sc.unPrio += m.tasks[u].priority
			sc.unCount++
		}
	}
	for _, r := range s.routes {
		if !r.feasible || r.missing {
			// Worse than leaving all its tasks out: never preferred to a
			// feasible state. (Removing tasks can break a route when waits
			// count: a wait that was a rest, or one over max_waiting.)
			sc.unCount += int64(r.nTasks) + 1
			for _, ti := range r.seq {
				sc.unPrio += m.tasks[ti].priority
			}
		}
	}
	return sc
}

// freeReload returns a reload task of r's vehicle not in r, or -1.
func (m *model) freeReload(r *route) int {
	for _, rl := range m.vehicles[r.v].reloads {
		if !slices.Contains(r.seq, rl) {
			return rl
		}
	}
	return -1
}

// dropIdleReloads removes the reloads of seq that start no trip: first in
// the route, or followed by another reload or the end (breaks aside).
func (m *model) dropIdleReloads(s *solution, seq []int) []int {
	out := seq[:0]
	served := false // a task since the start or the last reload kept
	for i, ti := range seq {
		t := &m.tasks[ti]
		if t.kind != kindReload {
			if t.kind != kindBreak {
				served = true
			}
			out = append(out, ti)
			continue
		}
		next := false
		for _, tj := range seq[i+1:] {
			if k := m.tasks[tj].kind; k == kindReload {
				break
			} else if k != kindBreak {
				next = true
				break
			}
		}
		if !served || !next {
			s.where[ti] = -1
			continue
		}
		out = append(out, ti)
		served = false
	}
	return out
}

// isUnit reports whether task i heads a unit (a job or a shipment pickup).
func (m *model) isUnit(i int) bool {
	k := m.tasks[i].kind
	return k == kindJob || k == kindPickup
}

// removeFromRoutes removes the marked tasks (and breaks of emptied routes)
// from their routes in s. Marked units are appended to s.unas.
func (se *searcher) removeMarked(s *solution, touched []int) {
	m := se.m
	for _, v := range touched {
		r := s.own(v)
		seq := r.seq[:0]
		tasks := 0
		for _, ti := range r.seq {
			if se.mark[ti] {
				s.where[ti] = -1
				continue
			}
			seq = append(seq, ti)
			if k := m.tasks[ti].kind; k != kindBreak && k != kindReload {
				tasks++
			}
		}
		if m.hasReload {
			seq = m.dropIdleReloads(s, seq)
		}
		if tasks == 0 {
			for _, ti := range seq {
				s.where[ti] = -1
			}
			seq = seq[:0]
		}
		r.seq = seq
		m.update(r)
	}
}

// ruin removes strings of tasks near a random seed (SISR).
func (se *searcher) ruin(s *solution) {
	m := se.m
	se.removed = se.removed[:0]
	var assigned, used int
	for _, r := range s.routes {
		if r.nTasks > 0 {
			used++
			assigned += r.nTasks
		}
	}
	if assigned == 0 {
		return
	}
	avgCard := float64(assigned) / float64(used)
	lsMax := math.Min(se.maxString, avgCard)
	ksMax := 4*se.avgRemoved/(1+lsMax) - 1
	ks := int(se.rng.Float64()*ksMax) + 1
	// seed: a random assigned, movable task
	var seed int = -1
	for try := 0; try < 20 && seed < 0; try++ {
		c := se.rng.IntN(m.nTasks)
		if s.where[c] >= 0 && m.tasks[c].locked < 0 {
			seed = c
		}
	}
	if seed < 0 {
		return
	}
	ruined := make([]int, 0, ks)
	consider := func(c int) {
		v := int(s.where[c])
		if v < 0 || slices.Contains(ruined, v) || m.tasks[c].locked >= 0 {
			return
		}
		r := s.routes[v]
		pos := slices.Index(r.seq, c)
		n := len(r.seq)
		ltMax := math.Min(float64(n), lsMax)
		lt := int(se.rng.Float64()*ltMax) + 1
		ruined = append(ruined, v)
		if lt >= n || se.rng.Float64() < 0.5 {
			// a string of lt positions containing pos
			lo := pos - se.rng.IntN(lt)
			lo = max(0, min(lo, n-lt))
			for i := lo; i < lo+lt; i++ {
				se.markUnit(s, r.seq[i])
			}
			return
		}
		// split string: remove lt of lt+keep positions, keeping a middle run
		keep := 1
		for lt+keep < n && se.rng.Float64() < 0.5 {
			keep++
		}
		total := lt + keep
		lo := pos - se.rng.IntN(total)
		lo = max(0, min(lo, n-total))
		ks := lo + 1 + se.rng.IntN(max(1, total-keep-1))
		if ks+keep > lo+total {
			ks = lo + total - keep
		}
		for i := lo; i < lo+total; i++ {
			if i >= ks && i < ks+keep {
				continue
			}
			se.markUnit(s, r.seq[i])
		}
	}
	consider(seed)
	for _, nb := range m.neighbours[seed] {
		if len(ruined) >= ks {
			break
		}
		consider(int(nb))
	}
	if len(se.removed) == 0 {
		return
	}
	touched := make([]int, 0, 8)
	for _, ti := range se.removed {
		v := int(s.where[ti])
		if v >= 0 && !slices.Contains(touched, v) {
			touched = append(touched, v)
		}
	}
	se.removeMarked(s, touched)
	for _, ti := range se.removed {
		se.mark[ti] = false
	}
}

// markUnit marks task ti (and its shipment partner) for removal. Locked tasks
// stay.
func (se *searcher) markUnit(s *solution, ti int) {
	m := se.m
	t := &m.tasks[ti]
	if t.locked >= 0 && t.kind != kindBreak && t.kind != kindReload {
		return
	}
	if se.mark[ti] {
		return
	}
	se.mark[ti] = true
	se.removed = append(se.removed, ti)
	if t.partner >= 0 && !se.mark[t.partner] {
		se.mark[t.partner] = true
		se.removed = append(se.removed, t.partner)
	}
}

// blinks reports whether to skip an insertion position (SISR's blinks). The
// gaps between blinks are geometric, drawn once per blink.
func (se *searcher) blinks() bool {
	if se.blink <= 0 {
		return false
	}
	if se.blinkGap > 0 {
		se.blinkGap--
		return false
	}
	se.blinkGap = se.drawGap()
	return true
}

// drawGap draws the number of positions before the next blink.
func (se *searcher) drawGap() int {
	x := se.fast
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	se.fast = x
	u := (float64(x>>11) + 0.5) * (1.0 / (1 << 53))
	return int(math.Log(u) / math.Log1p(-se.blink))
}

// insertion is a candidate place for a unit.
type insertion struct {
	v      int
	pos    [2]int
	cost   int64
	reload int32 // a reload task + 1 to insert right before the job (multi-trip); 0: none
}

// recreate reinserts removed units and unassigned ones, in one of SISR's
// orders, each at its cheapest feasible place (with blinks).
func (se *searcher) recreate(s *solution) {
	m := se.m
	pending := se.removed[:0:0]
	var breaks []int
	for _, ti := range se.removed {
		switch {
		case m.tasks[ti].kind == kindBreak:
			breaks = append(breaks, ti)
		case m.isUnit(ti):
			pending = append(pending, ti)
		}
	}
	// Breaks of routes that still have tasks go back first; one that finds
	// no place stays unassigned, which makes the state unacceptable.
	var lost []int
	for _, b := range breaks {
		v := m.tasks[b].vehicle
		if s.routes[v].nTasks > 0 && s.where[b] < 0 && !se.insertBreak(s, v, b) {
			lost = append(lost, b)
		}
	}
	for _, u := range s.unas {
		if m.tasks[u].kind != kindBreak {
			pending = append(pending, u)
		} else if s.routes[m.tasks[u].vehicle].nTasks > 0 && s.where[u] < 0 && !slices.Contains(lost, u) {
			lost = append(lost, u)
		}
	}
	s.unas = append(s.unas[:0], lost...)
	s.cutoff = false
	se.order(pending)
	for _, u := range pending {
		if !se.insertBest(s, u) {
			s.unas = append(s.unas, u)
		}
	}
}

// order sorts units by one of SISR's criteria, chosen at random.
func (se *searcher) order(units []int) {
	m := se.m
	se.rng.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
	w := se.rng.IntN(11)
	depot := m.vehicles[0].startLoc
	mat := m.vehicles[0].mat
	switch {
	case w < 4: // random
	case w < 8: // largest demand first
		dem := func(i int) int64 {
			var s int64
			t := &m.tasks[i]
			for d := range t.start {
				s += t.start[d] + abs64(t.delta[d])
			}
			return s
		}
		sort.SliceStable(units, func(a, b int) bool { return dem(units[a]) > dem(units[b]) })
	case w < 10: // farthest from the depot first
		sort.SliceStable(units, func(a, b int) bool {
			return mat.duration(depot, m.tasks[units[a]].loc) > mat.duration(depot, m.tasks[units[b]].loc)
		})
	default: // closest first
		sort.SliceStable(units, func(a, b int) bool {
			return mat.duration(depot, m.tasks[units[a]].loc) < mat.duration(depot, m.tasks[units[b]].loc)
		})
	}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// insertBreak places break b at its cheapest feasible position in route v.
func (se *searcher) insertBreak(s *solution, v, b int) bool {
	m := se.m
	r := s.routes[v]
	x := &m.tasks[b]
	best, bestCost := -1, int64(math.MaxInt64)
	for k := 1; k <= len(r.seq)+1; k++ {
		if !m.loadOKSingle(r, x, k) || !m.timeOKSingle(r, x, k) {
			continue
		}
		if (m.hasRide && r.openRide[k] > 0 || m.vehicles[v].exactFeas) && !m.exactInsert(r, []int{b}, []int{k}) {
			continue
		}
		// prefer the position with the least waiting added
		c := max(0, x.tws[0].Start-r.dep[k-1])
		if c < bestCost {
			best, bestCost = k, c
		}
	}
	if best < 0 {
		return false
	}
	r = s.own(v)
	m.insertAt(r, []int{b}, []int{best})
	s.where[b] = int32(v)
	return true
}

// insertBest inserts unit u at its cheapest feasible place.
func (se *searcher) insertBest(s *solution, u int) bool {
	m := se.m
	if !m.hasGroups {
		best := insertion{v: -1, cost: math.MaxInt64}
		se.findBest(s, u, &best)
		return se.apply(s, u, best)
	}
	// Alternatives: the cheapest place of any free member of u's group
	// (u may already be in place, put there for another member).
	if s.where[u] >= 0 {
		return true
	}
	best, at := insertion{v: -1, cost: math.MaxInt64}, -1
	for _, w := range m.alternatives(u) {
		if s.where[w] >= 0 || m.groupBlocked(s, w) {
			continue
		}
		b := insertion{v: -1, cost: math.MaxInt64}
		se.findBest(s, w, &b)
		if b.v >= 0 && b.cost < best.cost {
			best, at = b, w
		}
	}
	if at < 0 {
		return false
	}
	return se.apply(s, at, best)
}

// findBest updates best with the cheapest feasible place of unit u.
func (se *searcher) findBest(s *solution, u int, best *insertion) {
	m := se.m
	x := &m.tasks[u]
	clear(se.seenClass)
	if m.granular {
		// Large problems: only routes that hold one of the task's nearest
		// neighbours, and unused vehicles; everything if that finds nothing.
		se.stamp++
		for _, t := range [2]int{u, x.partner} {
			if t < 0 {
				continue
			}
			for _, nb := range m.neighbours[t][:min(len(m.neighbours[t]), granularK)] {
				v := s.where[nb]
				if v < 0 || se.routeStamp[v] == se.stamp || !m.canServe(int(v), x) || m.hasRel && !m.relVehicleOK(s, u, int(v)) {
					continue
				}
				se.routeStamp[v] = se.stamp
				se.evalRoute(s.routes[v], u, best)
			}
		}
		for v, r := range s.routes {
			if r.nTasks == 0 && (!m.hasRel || m.relVehicleOK(s, u, v)) && se.emptyCandidate(v, r, x) {
				se.evalRoute(r, u, best)
			}
		}
	}
	if best.v < 0 {
		clear(se.seenClass)
		for v, r := range s.routes {
			if !m.canServe(v, x) || m.hasRel && !m.relVehicleOK(s, u, v) || r.nTasks == 0 && !se.emptyCandidate(v, r, x) {
				continue
			}
			se.evalRoute(r, u, best)
		}
	}
}

// apply inserts unit u where best says, with the vehicle's breaks when the
// route was empty; false (nothing changed) when u has no place.
func (se *searcher) apply(s *solution, u int, best insertion) bool {
	m := se.m
	x := &m.tasks[u]
	if best.v < 0 {
		return false
	}
	r := s.own(best.v)
	wasEmpty := r.nTasks == 0
	if x.kind == kindPickup {
		m.insertAt(r, []int{u, x.partner}, best.pos[:])
		s.where[u], s.where[x.partner] = int32(best.v), int32(best.v)
	} else if best.reload > 0 {
		rl := int(best.reload - 1)
		m.insertAt(r, []int{rl, u}, []int{best.pos[0], best.pos[0]})
		s.where[u], s.where[rl] = int32(best.v), int32(best.v)
	} else {
		m.insertAt(r, []int{u}, best.pos[:1])
		s.where[u] = int32(best.v)
	}
	if wasEmpty && len(m.vehicles[best.v].breaks) > 0 {
		for _, b := range m.vehicles[best.v].breaks {
			if s.where[b] < 0 && !se.insertBreak(s, best.v, b) {
				// cannot schedule the breaks: undo
				r := s.own(best.v)
				r.seq = r.seq[:0]
				m.update(r)
				for i := range s.where {
					if s.where[i] == int32(best.v) {
						s.where[i] = -1
					}
				}
				return false
			}
		}
	}
	return true
}

// emptyCandidate reports whether the empty route r of vehicle v should be
// tried for x: new routes are allowed and no interchangeable empty vehicle
// was tried already.
func (se *searcher) emptyCandidate(v int, r *route, x *task) bool {
	if !se.allowNew || len(r.seq) > 0 || !se.m.canServe(v, x) {
		return false
	}
	if c := se.vclass[v]; c >= 0 {
		if se.seenClass[c] {
			return false
		}
		se.seenClass[c] = true
	}
	return true
}

// granularK is how many nearest neighbours select candidate routes on large
// problems.
const granularK = 24

// evalRoute updates best with the cheapest feasible place of unit u in r.
func (se *searcher) evalRoute(r *route, u int, best *insertion) {
	if se.m.tasks[u].kind == kindPickup {
		se.bestShipment(r, u, best)
	} else {
		se.bestJob(r, u, best)
	}
}

// routeLimitsOK checks max_tasks, max_travel_time and max_distance.
func (m *model) routeLimitsOK(r *route, addTasks int, dt, dd int64) bool {
	vm := &m.vehicles[r.v]
	return r.nTasks+addTasks <= vm.maxTasks && r.travel+dt <= vm.maxTravel && r.distance+dd <= vm.maxDistance
}

func (se *searcher) bestJob(r *route, u int, best *insertion) {
	m := se.m
	vm := &m.vehicles[r.v]
	x := &m.tasks[u]
	var extra int64
	if r.nTasks == 0 {
		extra = vm.fixed + se.newRoutePenalty
		if len(r.seq) > 0 {
			return
		}
	}
	if r.nTasks+1 > vm.maxTasks {
		return
	}
	n := len(r.seq)
	lo, hi := 1, n+1
	if m.hasRel {
		lo, hi = m.relBounds(r, u)
	}
	glued := r.glued // nil unless the model has direct relations
	fill := vm.waitCost * r.waiting
	for k := lo; k <= hi; k++ {
		if se.blinks() || glued != nil && glued[k] {
			continue
		}
		dc, dt, dd := m.insertDelta(r, x, k)
		if r.nTasks == 0 {
			dc += vm.arcCost(r.loc[0], r.loc[n+1])
			dt += vm.mat.duration(r.loc[0], r.loc[n+1])
			dd += vm.mat.distance(r.loc[0], r.loc[n+1])
		}
		c := dc + extra
		if c-fill >= best.cost {
			continue // waiting filled by the task is the most it can save
		}
		if !m.routeLimitsOK(r, 1, dt, dd) {
			continue
		}
		if !m.loadOKSingle(r, x, k) {
			// multi-trip: back to the start to reload, then to x
			if rl := m.freeReload(r); rl >= 0 && r.nTasks > 0 && k > 1 {
				d, ok := m.exactCost(r, []int{rl, u}, []int{k, k})
				if ok && d+extra < best.cost {
					*best = insertion{v: r.v, pos: [2]int{k, k}, cost: d + extra, reload: int32(rl + 1)}
				}
			}
			continue
		}
		if !m.timeOKSingle(r, x, k) {
			continue
		}
		if m.hasRide && r.openRide[k] > 0 && !m.exactInsert(r, []int{u}, []int{k}) {
			continue // delays a ride-limited shipment on board
		}
		if vm.exactFeas && !vm.exactCost && !m.hasSoft && !m.exactInsert(r, []int{u}, []int{k}) {
			continue // working time, waiting
		}
		if m.hasSoft || vm.exactCost {
			// lateness makes the travel delta a lower bound: price it exactly
			d, ok := m.exactCost(r, []int{u}, []int{k})
			if c = d + extra; !ok || c >= best.cost {
				continue
			}
		}
		*best = insertion{v: r.v, pos: [2]int{k, k}, cost: c}
	}
}

func (se *searcher) bestShipment(r *route, u int, best *insertion) {
	m := se.m
	vm := &m.vehicles[r.v]
	pt := &m.tasks[u]
	dl := &m.tasks[pt.partner]
	D := m.dims
	var extra int64
	n := len(r.seq)
	if r.nTasks == 0 {
		if len(r.seq) > 0 {
			return
		}
		extra = vm.fixed + se.newRoutePenalty + vm.arcCost(r.loc[0], r.loc[1])
	}
	if r.nTasks+2 > vm.maxTasks {
		return
	}
	emptyT, emptyD := int64(0), int64(0)
	if r.nTasks == 0 {
		emptyT, emptyD = vm.mat.duration(r.loc[0], r.loc[1]), vm.mat.distance(r.loc[0], r.loc[1])
	}
	exc := make([]int64, D)
	for a := 1; a <= n+1; a++ {
		if m.hasDirect && r.glued[a] {
			continue
		}
		prev := r.loc[a-1]
		// pickup capacity at its own position
		ok := true
		for d := 0; d < D; d++ {
			if r.load[(a-1)*D+d]+pt.delta[d] > vm.capacity[d] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		d := vm.mat.duration(prev, pt.loc)
		if vm.traffic != nil {
			d = vm.traffic.Travel(r.dep[a-1], d)
		}
		arr := r.dep[a-1] + d
		s := vm.startAt(pt, arr)
		if s < 0 {
			continue
		}
		t := s + setupAt(pt, prev) + pt.service
		cur := pt.loc
		// running max of load excess over original positions a..b-1
		for d := range exc {
			exc[d] = math.MinInt64 / 2
		}
		pc, pdt, pdd := m.insertDelta(r, pt, a)
		for b := a; b <= n+1; b++ {
			if b > a {
				// move the simulated state over original node b-1
				q := b - 1
				tk := &m.tasks[r.seq[q-1]]
				if tk.kind == kindReload {
					break // the goods may not stay on board across a reload
				}
				if tk.kind == kindBreak {
					st := earliest(tk.tws, t)
					if st < 0 {
						break
					}
					t = st + tk.service
				} else {
					d := vm.mat.duration(cur, tk.loc)
					if vm.traffic != nil {
						d = vm.traffic.Travel(t, d)
					}
					ar := t + d
					st := vm.startAt(tk, ar)
					if st < 0 {
						break
					}
					t = st + setupAt(tk, cur) + tk.service
					cur = tk.loc
				}
				over := false
				for d := 0; d < D; d++ {
					exc[d] = max(exc[d], r.load[q*D+d]-limitAt(m, r, q, d))
					if exc[d]+pt.delta[d] > 0 {
						over = true
					}
				}
				if over {
					break
				}
			}
			if se.blinks() || m.hasDirect && r.glued[b] {
				continue
			}
			// cost
			var dc, dt, dd int64
			nb := r.next[b]
			nl := r.loc[nb]
			if r.next[a] >= b {
				dc = vm.arcCost(prev, pt.loc) + vm.arcCost(pt.loc, dl.loc) + vm.arcCost(dl.loc, nl) - vm.arcCost(prev, nl)
				dt = vm.mat.duration(prev, pt.loc) + vm.mat.duration(pt.loc, dl.loc) + vm.mat.duration(dl.loc, nl) - vm.mat.duration(prev, nl)
				dd = vm.mat.distance(prev, pt.loc) + vm.mat.distance(pt.loc, dl.loc) + vm.mat.distance(dl.loc, nl) - vm.mat.distance(prev, nl)
			} else {
				pl := r.loc[b-1]
				dc = pc + vm.arcCost(pl, dl.loc) + vm.arcCost(dl.loc, nl) - vm.arcCost(pl, nl)
				dt = pdt + vm.mat.duration(pl, dl.loc) + vm.mat.duration(dl.loc, nl) - vm.mat.duration(pl, nl)
				dd = pdd + vm.mat.distance(pl, dl.loc) + vm.mat.distance(dl.loc, nl) - vm.mat.distance(pl, nl)
			}
			c := dc + extra
			if c-vm.waitCost*r.waiting >= best.cost {
				continue
			}
			if !m.routeLimitsOK(r, 2, dt+emptyT, dd+emptyD) {
				continue
			}
			d := vm.mat.duration(cur, dl.loc)
			if vm.traffic != nil {
				d = vm.traffic.Travel(t, d)
			}
			ar := t + d
			st := vm.startAt(dl, ar)
			if st < 0 {
				continue
			}
			if !m.timeFeasibleFrom(r, b, st+setupAt(dl, cur)+dl.service, dl.loc) {
				continue
			}
			if dl.maxRide > 0 && st-(s+setupAt(pt, prev)+pt.service) > dl.maxRide {
				continue
			}
			if (m.hasRide || vm.exactFeas) && !(m.hasSoft || vm.exactCost) && !m.exactInsert(r, []int{u, pt.partner}, []int{a, b}) {
				continue
			}
			if m.hasSoft || vm.exactCost {
				d, ok := m.exactCost(r, []int{u, pt.partner}, []int{a, b})
				if c = d + vm.fixed + se.newRoutePenalty; r.nTasks > 0 {
					c = d
				}
				if !ok || c >= best.cost {
					continue
				}
			}
			*best = insertion{v: r.v, pos: [2]int{a, b}, cost: c}
		}
	}
}

// limitAt is the load limit at position p in dimension d.
func limitAt(m *model, r *route, p, d int) int64 {
	lim := m.vehicles[r.v].capacity[d]
	if p >= 1 && p <= len(r.seq) {
		if ml := m.tasks[r.seq[p-1]].maxLoad; ml != nil && ml[d] < lim {
			lim = ml[d]
		}
	}
	return lim
}
