package vrp

import (
	"slices"
	"time"
)

// output turns a search state into a Solution in VROOM's format.
func (m *model) output(s *solution, elapsed time.Duration) *Solution {
	sol := &Solution{SolvingMS: elapsed.Milliseconds()}
	sol.Summary.Delivery = make(Amount, m.dims)
	sol.Summary.Pickup = make(Amount, m.dims)
	hasDist := false
	for v, r := range s.routes {
		if r.nTasks == 0 {
			continue
		}
		rt := m.outputRoute(r)
		hasDist = hasDist || m.vehicles[v].mat.hasDist
		sol.Routes = append(sol.Routes, rt)
		sm := &sol.Summary
		sm.Cost += rt.Cost
		sm.Setup += rt.Setup
		sm.Service += rt.Service
		sm.Duration += rt.Duration
		sm.WaitingTime += rt.WaitingTime
		sm.Priority += rt.Priority
		sm.Distance += rt.Distance
		for d := 0; d < m.dims; d++ {
			sm.Delivery[d] += rt.Delivery[d]
			sm.Pickup[d] += rt.Pickup[d]
		}
		sm.Violations = mergeViolations(sm.Violations, rt.Violations)
	}
	sol.Summary.Routes = len(sol.Routes)
	unas := slices.Clone(s.unas)
	if m.hasGroups {
		// every job left out, whichever of its group s.unas lists
		unas = unas[:0]
		for u := 0; u < m.nTasks; u++ {
			if m.isUnit(u) && s.where[u] < 0 {
				unas = append(unas, u)
			}
		}
	}
	slices.Sort(unas)
	var se *searcher // made on the first explanation
	for _, u := range unas {
		t := &m.tasks[u]
		if t.kind == kindBreak || m.hasGroups && m.servedAlternative(s, u) {
			continue
		}
		reason := "time limit: the search stopped before this task could be placed"
		var blocked []Blocked
		if !s.cutoff {
			if se == nil {
				se = m.explainSearcher()
			}
			reason, blocked = m.explain(s, u, se)
		}
		sol.Unassigned = append(sol.Unassigned, m.unassigned(u, reason, blocked))
		if t.kind == kindPickup {
			sol.Unassigned = append(sol.Unassigned, m.unassigned(t.partner, reason, blocked))
		}
	}
	sol.Summary.Unassigned = len(sol.Unassigned)
	return sol
}

func (m *model) unassigned(ti int, reason string, blocked []Blocked) Unassigned {
	t := &m.tasks[ti]
	u := Unassigned{ID: t.id, Reason: reason, Blocked: blocked}
	switch t.kind {
	case kindJob:
		u.Type = StepJob
		loc := m.p.Jobs[t.src].Location
		u.Location = &loc
	case kindPickup:
		u.Type = StepPickup
		loc := m.p.Shipments[t.src].Pickup.Location
		u.Location = &loc
	case kindDelivery:
		u.Type = StepDelivery
		loc := m.p.Shipments[t.src].Delivery.Location
		u.Location = &loc
	}
	return u
}

// taskLocation returns the problem location of a task.
func (m *model) taskLocation(t *task) *Location {
	var loc Location
	switch t.kind {
	case kindJob:
		loc = m.p.Jobs[t.src].Location
	case kindPickup:
		loc = m.p.Shipments[t.src].Pickup.Location
	case kindDelivery:
		loc = m.p.Shipments[t.src].Delivery.Location
	default:
		return nil
	}
	return &loc
}

// lastLocation is the location of the last step that has one.
func lastLocation(steps []Step) *Location {
	for i := len(steps) - 1; i >= 0; i-- {
		if l := steps[i].Location; l != nil {
			c := *l
			return &c
		}
	}
	return nil
}

// outputRoute schedules a route: earliest service everywhere after a
// departure delayed as much as it can be without ending later.
func (m *model) outputRoute(r *route) Route {
	vm := &m.vehicles[r.v]
	pv := &m.p.Vehicles[r.v]
	D := m.dims
	rt := Route{Vehicle: pv.ID, Description: pv.Description, Delivery: make(Amount, D), Pickup: make(Amount, D)}
	// Leave as late as the schedule allows without arriving later at the
	// end: the waiting of the earliest schedule, within the windows.
	startT := vm.twStart + r.startDelay()
	load := make(Amount, D)
	copy(load, r.load[:D])
	var travel, dist int64
	if pv.Start != nil {
		loc := *pv.Start
		rt.Steps = append(rt.Steps, Step{Type: StepStart, Location: &loc, Arrival: startT, Load: slices.Clone(load)})
	}
	t := startT
	cur := vm.startLoc
	first := pv.Start == nil
	// The driving rule: before a drive that would take the driving since
	// the last rest over the limit, a rest step where the vehicle is.
	var driven int64
	driveTo := func(to int) int64 {
		rest, _, tr, after, _ := vm.leg(cur, to, t, driven)
		driven = after
		if rest > 0 {
			rt.Steps = append(rt.Steps, Step{Type: StepBreak, Description: "rest (driving rule)", Location: lastLocation(rt.Steps),
				Arrival: t, Service: rest, Duration: travel, Distance: dist, Load: slices.Clone(load), Rest: true})
			rt.Service += rest
			t += rest
		}
		return tr
	}
	for i, ti := range r.seq {
		tk := &m.tasks[ti]
		st := Step{ID: tk.id}
		if tk.kind == kindBreak {
			st.Type = StepBreak
			st.Description = pv.Breaks[tk.src].Description
			st.Arrival = t
			s := earliest(tk.tws, t)
			if s < 0 {
				s = t
			}
			st.WaitingTime = s - t
			st.Service = tk.service
			if s-t+tk.service >= vm.rest {
				driven = 0
			}
			t = s + tk.service
		} else {
			var tr int64
			if !first {
				tr = driveTo(tk.loc)
				travel += tr
				dist += vm.mat.distance(cur, tk.loc)
			}
			arr := t + tr
			if first && len(tk.tws) > 0 {
				if s := earliest(tk.tws, arr); s > arr {
					arr = s // an open route starts when its first task can
				}
			}
			first = false
			s := vm.startAt(tk, arr)
			if s < 0 {
				s = arr
			}
			if ws := earliest(tk.tws, arr); ws > s {
				// soft window: served early, at a cost
				st.Violations = append(st.Violations, Violation{Cause: "lead_time", Duration: ws - s})
			}
			st.Arrival = arr
			st.WaitingTime = s - arr
			if s-arr >= vm.rest {
				driven = 0
			}
			if tk.soft && s > tk.lateFrom {
				// soft window: served late, at a cost
				st.Violations = append(st.Violations, Violation{Cause: "delay", Duration: s - tk.lateFrom})
			}
			st.Setup = setupAt(tk, cur)
			st.Service = tk.service
			t = s + st.Setup + st.Service
			cur = tk.loc
			st.Location = m.taskLocation(tk)
			switch tk.kind {
			case kindJob:
				st.Type = StepJob
				j := &m.p.Jobs[tk.src]
				st.Description = j.Description
				for d := 0; d < D; d++ {
					rt.Delivery[d] += tk.start[d]
					rt.Pickup[d] += tk.start[d] + tk.delta[d]
				}
			case kindPickup:
				st.Type = StepPickup
				st.Description = m.p.Shipments[tk.src].Pickup.Description
				for d := 0; d < D; d++ {
					rt.Pickup[d] += tk.delta[d]
				}
			case kindReload:
				st.Type = StepReload
				st.Description = "reload"
				loc := *pv.Start
				st.Location = &loc
			case kindDelivery:
				st.Type = StepDelivery
				st.Description = m.p.Shipments[tk.src].Delivery.Description
				for d := 0; d < D; d++ {
					rt.Delivery[d] -= tk.delta[d]
				}
			}
			rt.Priority += tk.priority
		}
		for d := 0; d < D; d++ {
			load[d] += tk.delta[d]
		}
		if tk.kind == kindReload {
			copy(load, r.load[(i+1)*D:(i+2)*D]) // the next trip's deliveries
		}
		st.Duration = travel
		st.Distance = dist
		st.Load = slices.Clone(load)
		rt.Setup += st.Setup
		rt.Service += st.Service
		rt.WaitingTime += st.WaitingTime
		rt.Steps = append(rt.Steps, st)
	}
	if pv.End != nil {
		tr := driveTo(vm.endLoc)
		travel += tr
		dist += vm.mat.distance(cur, vm.endLoc)
		loc := *pv.End
		rt.Steps = append(rt.Steps, Step{Type: StepEnd, Location: &loc, Arrival: t + tr, Duration: travel, Distance: dist, Load: slices.Clone(load)})
	}
	rt.Duration = travel
	rt.Distance = dist
	rt.Cost = m.routeCost(r.v, r.cost)
	for i := range rt.Steps {
		rt.Violations = mergeViolations(rt.Violations, rt.Steps[i].Violations)
	}
	return rt
}

// routeCost converts a route's internal travel cost to output units and
// adds the fixed cost.
func (m *model) routeCost(v int, internal int64) int64 {
	return m.p.Vehicles[v].Costs.Fixed + (internal+costScale/2)/costScale
}

// Causes of Blocked, in the order explain tries them on each vehicle.
const (
	CauseLocked     = "locked"      // the task is forced on another vehicle by vehicle steps
	CauseRelation   = "relation"    // a related task is on another vehicle, or the relation names another
	CauseSkills     = "skills"      // the vehicle lacks a required skill
	CauseRideTime   = "ride_time"   // the direct drive from pickup to delivery exceeds max_ride_time
	CauseCapacity   = "capacity"    // the amount exceeds the vehicle's capacity
	CauseLimits     = "limits"      // alone it breaks max_tasks, max_travel_time or max_distance
	CauseTimeWindow = "time_window" // alone it cannot be served within its windows, the shift, breaks or working-time limits
	CauseNoRoom     = "no_room"     // it fits alone, but not beside the tasks the vehicle serves
)

// explain says why unit u could not be assigned, by trying it alone in each
// vehicle: the reason names the furthest stage any vehicle reached, and the
// blockers list each vehicle's own cause.
func (m *model) explain(s *solution, u int, se *searcher) (string, []Blocked) {
	x := &m.tasks[u]
	tasks := []int{u}
	if x.kind == kindPickup {
		tasks = append(tasks, x.partner)
	}
	var ride *task
	if x.kind == kindPickup && m.tasks[x.partner].maxRide > 0 {
		ride = &m.tasks[x.partner]
	}
	byCause := map[string][]uint64{}
	stage := 0 // the furthest stage reached: index into order
	order := []string{CauseLocked, CauseRelation, CauseSkills, CauseRideTime, CauseCapacity, CauseLimits, CauseTimeWindow, CauseNoRoom}
	// one scratch state per task: each vehicle only touches its own route
	scratch := m.newSolution()
	for v := range m.vehicles {
		cause := m.vehicleCause(v, x, tasks, ride, scratch, se)
		if cause != CauseLocked && m.hasRel && (!m.relVehicleOK(s, u, v) || m.hasGroups && m.groupBlocked(s, u)) {
			cause = CauseRelation
		}
		byCause[cause] = append(byCause[cause], m.p.Vehicles[v].ID)
		stage = max(stage, slices.Index(order, cause))
	}
	var blocked []Blocked
	for _, c := range order {
		if ids := byCause[c]; len(ids) > 0 {
			blocked = append(blocked, Blocked{Cause: c, Vehicles: ids})
		}
	}
	var reason string
	switch order[stage] {
	case CauseLocked, CauseSkills:
		reason = "skills: no vehicle has the required skills"
	case CauseRelation:
		reason = "relation: the vehicle of its related jobs cannot take it, or its group (alternatives, a full locker) is served"
	case CauseRideTime:
		reason = "ride time: the direct drive from pickup to delivery exceeds max_ride_time"
	case CauseCapacity:
		reason = "capacity: the amount exceeds every able vehicle's capacity"
	case CauseLimits:
		reason = "limits: serving it alone breaks a vehicle's max_tasks, max_travel_time or max_distance"
	case CauseTimeWindow:
		reason = "time window: no able vehicle can reach it within its time windows and shift"
	default:
		reason = "no room: every able vehicle is full (capacity, shift time or limits) with tasks of higher priority or lower cost"
	}
	return reason, blocked
}

// vehicleCause is the first constraint that keeps vehicle v from serving
// the tasks alone, or CauseNoRoom when nothing does.
func (m *model) vehicleCause(v int, x *task, tasks []int, ride *task, scratch *solution, se *searcher) string {
	vm := &m.vehicles[v]
	if x.locked >= 0 && x.locked != v {
		return CauseLocked
	}
	if !hasSkills(vm.skills, x.skills) {
		return CauseSkills
	}
	if ride != nil && vm.mat.duration(x.loc, ride.loc) > ride.maxRide {
		return CauseRideTime
	}
	for _, ti := range tasks {
		t := &m.tasks[ti]
		for d := 0; d < m.dims; d++ {
			if t.start[d] > vm.capacity[d] || t.start[d]+t.delta[d] > vm.capacity[d] {
				return CauseCapacity
			}
		}
	}
	r := &route{v: v}
	r.seq = append(r.seq, tasks...)
	r.seq = append(r.seq, vm.breaks...)
	m.update(r)
	if r.nTasks > vm.maxTasks || r.travel > vm.maxTravel || r.distance > vm.maxDistance {
		return CauseLimits
	}
	if !m.aloneFeasible(scratch, se, v, tasks) {
		return CauseTimeWindow
	}
	return CauseNoRoom
}

// explainSearcher is a searcher for explain: no blinks, every vehicle its
// own class.
func (m *model) explainSearcher() *searcher {
	se := m.newSearcher(1, MinimizeCost)
	se.allowNew, se.blink = true, 0
	for i := range se.vclass {
		se.vclass[i] = -1
	}
	return se
}

// aloneFeasible reports whether the tasks fit alone in vehicle v, with its
// breaks placed anywhere, using vehicle v's empty route in s.
func (m *model) aloneFeasible(s *solution, se *searcher, v int, tasks []int) bool {
	best := insertion{v: -1, cost: 1 << 62}
	se.evalRoute(s.routes[v], tasks[0], &best)
	if best.v < 0 {
		return false
	}
	r := s.own(v)
	m.insertAt(r, tasks, best.pos[:len(tasks)])
	for _, b := range m.vehicles[v].breaks {
		if !se.insertBreak(s, v, b) {
			return false
		}
	}
	return true
}
