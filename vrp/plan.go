package vrp

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Plan evaluates the routes given as vehicle steps, as they are (VROOM's
// plan mode): no task is moved or added. Every step gets its arrival, and
// every broken constraint is reported as a violation on the step, the route
// and the summary instead of an error. Tasks in no vehicle's steps are
// unassigned.
//
// Violation causes: delay (service after its window, service_before or the
// vehicle's shift end; Duration is the lateness), lead_time (service before
// its window, forced by service_at/service_after; Duration is how early),
// load (over capacity), max_load (over a break's max_load), skills,
// precedence (a delivery without its pickup before it on the route),
// missing_break, max_tasks, max_travel_time and max_distance.
func Plan(ctx context.Context, p *Problem) (*Solution, error) {
	t0 := time.Now()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m, err := compileModel(p, 1, true)
	if err != nil {
		return nil, err
	}
	sol := &Solution{}
	sol.Summary.Delivery = make(Amount, m.dims)
	sol.Summary.Pickup = make(Amount, m.dims)
	served := make([]bool, len(m.tasks))
	routeOf := make([]int, len(m.tasks)) // index in sol.Routes of a served task
	for v := range m.vehicles {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		vm := &m.vehicles[v]
		if len(vm.steps) == 0 {
			continue
		}
		r := &route{v: v, seq: slices.Clone(vm.steps)}
		m.update(r)
		rt := m.outputRoute(r)
		m.planViolations(v, r, &rt)
		if m.hasRel && !m.relOrderOK(r) {
			rt.Violations = mergeViolations(rt.Violations, []Violation{{Cause: "relation"}}) // extension
		}
		for _, ti := range vm.steps {
			served[ti] = true
			routeOf[ti] = len(sol.Routes)
		}
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
	// Related jobs on two routes: both routes break the relation.
	for _, rel := range m.rels {
		first := -1
		for _, ti := range rel.tasks {
			if !served[ti] {
				continue
			}
			if first < 0 {
				first = routeOf[ti]
			} else if r := routeOf[ti]; r != first {
				for _, x := range []int{first, r} {
					rt := &sol.Routes[x]
					rt.Violations = mergeViolations(rt.Violations, []Violation{{Cause: "relation"}})
				}
			}
		}
	}
	sol.Summary.Violations = nil
	for i := range sol.Routes {
		sol.Summary.Violations = mergeViolations(sol.Summary.Violations, sol.Routes[i].Violations)
	}
	for ti := 0; ti < m.nTasks; ti++ {
		if !served[ti] {
			sol.Unassigned = append(sol.Unassigned, m.unassigned(ti, "plan mode: the task is in no vehicle's steps", nil))
		}
	}
	sol.Summary.Routes = len(sol.Routes)
	sol.Summary.Unassigned = len(sol.Unassigned)
	sol.SolvingMS = time.Since(t0).Milliseconds()
	return sol, nil
}

// planViolations re-times route r exactly as given (with the steps'
// service_at / service_after / service_before) and records violations.
func (m *model) planViolations(v int, r *route, rt *Route) {
	vm := &m.vehicles[v]
	pv := &m.p.Vehicles[v]
	D := m.dims
	// Step constraints by task; start/end constraints apart.
	type bound struct{ at, after, before *int64 }
	byTask := map[int]bound{}
	var startB, endB bound
	k := 0
	for _, st := range pv.Steps {
		b := bound{st.ServiceAt, st.ServiceAfter, st.ServiceBefore}
		switch st.Type {
		case StepStart:
			startB = b
		case StepEnd:
			endB = b
		default:
			if k < len(vm.steps) {
				byTask[vm.steps[k]] = b
			}
			k++
		}
	}
	add := func(vs *[]Violation, cause string, d int64) {
		*vs = mergeViolations(*vs, []Violation{{Cause: cause, Duration: d}})
	}
	// re-derived below, from the steps' own constraints
	rt.Violations = nil
	for i := range rt.Steps {
		rt.Steps[i].Violations = nil
	}
	// Start time: the start step's constraints win over the shift.
	t := vm.twStart
	if startB.at != nil {
		t = *startB.at
	} else if startB.after != nil {
		t = *startB.after
	}
	si := 0
	load := make(Amount, D)
	copy(load, r.load[:D])
	if pv.Start != nil {
		st := &rt.Steps[0]
		st.Arrival = t
		if t < vm.twStart {
			add(&st.Violations, "lead_time", vm.twStart-t)
		}
		if over(load, vm.capacity) {
			add(&st.Violations, "load", 0)
		}
		si = 1
	}
	cur := vm.startLoc
	first := pv.Start == nil
	var travel, dist int64
	picked := map[int]bool{}
	// rests of the driving rule stay where the schedule put them
	skipRests := func() {
		for si < len(rt.Steps) && rt.Steps[si].Rest {
			rt.Steps[si].Arrival = t
			rt.Steps[si].Duration, rt.Steps[si].Distance = travel, dist
			t += rt.Steps[si].Service
			si++
		}
	}
	for _, ti := range r.seq {
		tk := &m.tasks[ti]
		if !first {
			skipRests()
		}
		st := &rt.Steps[si]
		si++
		b := byTask[ti]
		var arr int64
		if tk.kind == kindBreak {
			arr = t
		} else {
			if !first {
				tr := vm.travelAt(cur, tk.loc, t)
				travel += tr
				dist += vm.mat.distance(cur, tk.loc)
				arr = t + tr
			} else {
				arr = t
			}
			first = false
		}
		// start: wait for the window (and service_after/at), never before arrival
		start := earliest(tk.tws, arr)
		if tk.kind != kindBreak {
			start = vm.startAt(tk, arr) // soft early start included
		}
		if start < 0 {
			start = arr
			add(&st.Violations, "delay", arr-tk.tws[len(tk.tws)-1].End)
		}
		if b.after != nil && start < *b.after {
			start = *b.after
		}
		if b.at != nil {
			if arr <= *b.at {
				start = *b.at
			} else {
				add(&st.Violations, "delay", arr-*b.at)
			}
		}
		if tk.soft && start > tk.lateFrom && start <= tk.tws[len(tk.tws)-1].End {
			add(&st.Violations, "delay", start-tk.lateFrom) // soft window
		}
		if start < tk.tws[0].Start {
			add(&st.Violations, "lead_time", tk.tws[0].Start-start)
		}
		if b.before != nil && start > *b.before {
			add(&st.Violations, "delay", start-*b.before)
		}
		st.Arrival = arr
		st.WaitingTime = start - arr
		setup := int64(0)
		if tk.kind != kindBreak {
			setup = setupAt(tk, cur)
			cur = tk.loc
		}
		st.Setup = setup
		t = start + setup + tk.service
		for d := 0; d < D; d++ {
			load[d] += tk.delta[d]
		}
		st.Duration, st.Distance = travel, dist
		st.Load = slices.Clone(load)
		if over(load, vm.capacity) {
			add(&st.Violations, "load", 0)
		}
		if tk.maxLoad != nil && over(load, tk.maxLoad) {
			add(&st.Violations, "max_load", 0)
		}
		if tk.kind != kindBreak && !hasSkills(vm.skills, tk.skills) {
			add(&st.Violations, "skills", 0)
		}
		switch tk.kind {
		case kindPickup:
			picked[ti] = true
		case kindDelivery:
			if !picked[tk.partner] {
				add(&st.Violations, "precedence", 0)
			}
		}
	}
	if pv.End != nil {
		skipRests()
		st := &rt.Steps[si]
		tr := vm.travelAt(cur, vm.endLoc, t)
		travel += tr
		dist += vm.mat.distance(cur, vm.endLoc)
		arr := t + tr
		st.Arrival = arr
		st.Duration, st.Distance = travel, dist
		if arr > vm.twEnd {
			add(&st.Violations, "delay", arr-vm.twEnd)
		}
		if endB.before != nil && arr > *endB.before {
			add(&st.Violations, "delay", arr-*endB.before)
		}
	}
	var waiting int64
	for i := range rt.Steps {
		if w := rt.Steps[i].WaitingTime; vm.maxWait >= 0 && w > vm.maxWait {
			add(&rt.Steps[i].Violations, "max_waiting", w-vm.maxWait) // extension
		}
		waiting += rt.Steps[i].WaitingTime
		rt.Violations = mergeViolations(rt.Violations, rt.Steps[i].Violations)
	}
	rt.WaitingTime = waiting
	if r.nTasks > vm.maxTasks {
		add(&rt.Violations, "max_tasks", 0)
	}
	if travel > vm.maxTravel {
		add(&rt.Violations, "max_travel_time", 0)
	}
	if dist > vm.maxDistance {
		add(&rt.Violations, "max_distance", 0)
	}
	if m.missingBreaks(r) {
		add(&rt.Violations, "missing_break", 0)
	}
	if n := len(rt.Steps); vm.maxDuration > 0 && n > 0 {
		last := &rt.Steps[n-1]
		end := last.Arrival
		if last.Type != StepEnd {
			end += last.WaitingTime + last.Setup + last.Service
		}
		if wt := end - rt.Steps[0].Arrival; wt > vm.maxDuration {
			add(&rt.Violations, "max_duration", wt-vm.maxDuration) // extension
		}
	}
}

func over(load, limit []int64) bool {
	for d := range limit {
		if d < len(load) && load[d] > limit[d] {
			return true
		}
	}
	return false
}

// mergeViolations adds vs to into, one entry per cause with durations summed.
func mergeViolations(into, vs []Violation) []Violation {
	for _, v := range vs {
		found := false
		for i := range into {
			if into[i].Cause == v.Cause {
				into[i].Duration += v.Duration
				found = true
				break
			}
		}
		if !found {
			into = append(into, v)
		}
	}
	return into
}
