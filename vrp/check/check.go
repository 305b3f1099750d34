// Package check is the independent judge of the optimizer's solutions: it
// re-derives every time, load, distance and cost of a solution from the
// problem and the sequence of (type, id) pairs of each route, and reports
// every broken constraint and every reported value that does not match.
//
// It shares no code with the solver on purpose. Its semantics are documented
// in docs/CHECKER.md.
package check

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Finding is one problem found in a solution.
type Finding struct {
	Route int    `json:"route"` // index of the route's vehicle in Problem.Vehicles, or -1
	Step  int    `json:"step"`  // index in the route's steps, or -1
	Field string `json:"field"` // path of the solution field at fault, e.g. "routes[0].steps[2].arrival"
	Msg   string `json:"msg"`
}

// String formats a finding as "field: msg".
func (f Finding) String() string {
	if f.Field == "" {
		return f.Msg
	}
	return f.Field + ": " + f.Msg
}

// Report is the verdict on a solution.
type Report struct {
	Feasible bool          `json:"feasible"` // no findings
	Errors   []Finding     `json:"errors"`
	Cost     int64         `json:"cost"` // recomputed total cost
	Routes   []RouteReport `json:"routes"`
}

// RouteReport holds the recomputed values of one route of the solution.
type RouteReport struct {
	Vehicle      uint64       `json:"vehicle"`       // vehicle id as reported
	VehicleIndex int          `json:"vehicle_index"` // index in Problem.Vehicles, -1 when unknown
	Tasks        int          `json:"tasks"`         // jobs, pickups and deliveries
	Start        int64        `json:"start"`         // departure time from the start
	End          int64        `json:"end"`           // arrival time at the end
	Cost         int64        `json:"cost"`
	Duration     int64        `json:"duration"` // travel time
	Distance     int64        `json:"distance"`
	Setup        int64        `json:"setup"`
	Service      int64        `json:"service"`
	WaitingTime  int64        `json:"waiting_time"`
	Priority     int64        `json:"priority"`
	Delivery     vrp.Amount   `json:"delivery"`
	Pickup       vrp.Amount   `json:"pickup"`
	Steps        []StepReport `json:"steps"`
}

// StepReport holds the recomputed values of one step.
type StepReport struct {
	Type        vrp.StepType `json:"type"`
	ID          uint64       `json:"id,omitempty"`
	Location    int          `json:"location_index"` // matrix index, -1 when none
	Arrival     int64        `json:"arrival"`
	WaitingTime int64        `json:"waiting_time"`
	Setup       int64        `json:"setup"`
	Service     int64        `json:"service"`
	Duration    int64        `json:"duration"`
	Distance    int64        `json:"distance"`
	Load        vrp.Amount   `json:"load"`
}

// taskKey identifies a task: jobs, shipment pickups and shipment deliveries
// have separate id spaces.
type taskKey struct {
	typ vrp.StepType
	id  uint64
}

func (k taskKey) String() string { return fmt.Sprintf("%s %d", k.typ, k.id) }

// task is a task of the problem, flattened.
type task struct {
	key         taskKey
	loc         vrp.Location
	setup       int64
	service     int64
	windows     []vrp.TimeWindow
	soft        *vrp.SoftWindows // late service allowed at a cost
	skills      []int
	priority    int64
	delivery    vrp.Amount // job delivery, or shipment amount for a shipment delivery
	pickup      vrp.Amount // job pickup, or shipment amount for a shipment pickup
	shipment    int        // shipment index, -1 for jobs
	field       string     // problem path, e.g. "jobs[2]"
	initialLoad bool       // the delivery is loaded at the start (single jobs)
}

// checker accumulates findings for one problem.
type checker struct {
	p        *vrp.Problem
	dims     int
	tasks    map[taskKey]*task
	order    []taskKey // tasks in problem order
	vehicles map[uint64]int
	findings []Finding
}

func (c *checker) add(route, step int, field, format string, args ...any) {
	c.findings = append(c.findings, Finding{Route: route, Step: step, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Check verifies s against p and returns the report. It never panics on a
// malformed solution: everything wrong becomes a finding.
func Check(p *vrp.Problem, s *vrp.Solution) *Report {
	rep := &Report{}
	if p == nil {
		rep.Errors = []Finding{{Route: -1, Step: -1, Field: "problem", Msg: "no problem"}}
		return rep
	}
	if s == nil {
		rep.Errors = []Finding{{Route: -1, Step: -1, Field: "solution", Msg: "no solution"}}
		return rep
	}
	c := newChecker(p)
	if s.Code != 0 {
		c.add(-1, -1, "code", "solution reports error code %d (%s)", s.Code, s.Error)
	}

	assigned := make(map[taskKey]served)
	usedVehicle := make(map[int]int) // vehicle index -> route index
	var total int64
	var sum RouteReport
	sum.Delivery = make(vrp.Amount, c.dims)
	sum.Pickup = make(vrp.Amount, c.dims)

	for ri := range s.Routes {
		r := &s.Routes[ri]
		prefix := fmt.Sprintf("routes[%d]", ri)
		vi, ok := c.vehicles[r.Vehicle]
		if !ok {
			c.add(-1, -1, prefix+".vehicle", "unknown vehicle %d", r.Vehicle)
			vi = -1
		} else if prev, dup := usedVehicle[vi]; dup {
			c.add(vi, -1, prefix+".vehicle", "vehicle %d already has route %d", r.Vehicle, prev)
		} else {
			usedVehicle[vi] = ri
		}

		// Every task at most once across routes.
		for k, st := range r.Steps {
			key, isTask := stepTaskKey(st)
			if !isTask {
				continue
			}
			if _, known := c.tasks[key]; !known {
				continue // reported by the sequence check
			}
			if prev, dup := assigned[key]; dup {
				if prev.route == ri {
					continue // reported by the sequence check
				}
				c.add(vi, k, fmt.Sprintf("%s.steps[%d].id", prefix, k), "%s already served at routes[%d].steps[%d]", key, prev.route, prev.step)
				continue
			}
			assigned[key] = served{ri, k}
		}

		var rr RouteReport
		if vi >= 0 {
			rr = c.sequence(vi, prefix, r.Steps)
			c.compareRoute(vi, prefix, r, &rr)
		} else {
			rr = RouteReport{VehicleIndex: -1}
		}
		rr.Vehicle = r.Vehicle
		rep.Routes = append(rep.Routes, rr)
		total += rr.Cost
		sum.Setup += rr.Setup
		sum.Service += rr.Service
		sum.Duration += rr.Duration
		sum.WaitingTime += rr.WaitingTime
		sum.Priority += rr.Priority
		sum.Distance += rr.Distance
		addAmount(sum.Delivery, rr.Delivery)
		addAmount(sum.Pickup, rr.Pickup)
	}

	c.relations(s, assigned)

	// Tasks a vehicle's steps bind to it must not be served by another.
	for vi := range p.Vehicles {
		v := &p.Vehicles[vi]
		for j, vs := range v.Steps {
			key := taskKey{vs.Type, vs.ID}
			if !isTaskType(vs.Type) {
				continue
			}
			at, ok := assigned[key]
			if !ok {
				continue
			}
			rv := -1
			if at.route < len(s.Routes) {
				if idx, known := c.vehicles[s.Routes[at.route].Vehicle]; known {
					rv = idx
				}
			}
			if rv != vi {
				c.add(rv, at.step, fmt.Sprintf("routes[%d].steps[%d]", at.route, at.step),
					"%s is listed in vehicles[%d].steps[%d] (vehicle %d) but served by another vehicle", key, vi, j, v.ID)
			}
		}
	}

	// The unassigned list is exactly the tasks not in routes.
	listed := make(map[taskKey]int)
	for ui, u := range s.Unassigned {
		field := fmt.Sprintf("unassigned[%d]", ui)
		typ := u.Type
		if typ == "" {
			typ = vrp.StepJob
		}
		key := taskKey{typ, u.ID}
		if !isTaskType(typ) {
			c.add(-1, -1, field+".type", "invalid unassigned type %q", u.Type)
			continue
		}
		if _, known := c.tasks[key]; !known {
			c.add(-1, -1, field, "unknown task %s", key)
			continue
		}
		if prev, dup := listed[key]; dup {
			c.add(-1, -1, field, "%s already listed at unassigned[%d]", key, prev)
			continue
		}
		listed[key] = ui
		if at, ok := assigned[key]; ok {
			c.add(-1, -1, field, "%s is listed as unassigned but served at routes[%d].steps[%d]", key, at.route, at.step)
		}
	}
	// A job whose alternative (a relation of type alternative) is served
	// is neither served nor unassigned.
	covered := map[taskKey]bool{}
	for _, rel := range p.Relations {
		if rel.Type != vrp.RelationAlternative {
			continue
		}
		served := false
		for _, id := range rel.Jobs {
			_, ok := assigned[taskKey{vrp.StepJob, id}]
			served = served || ok
		}
		if served {
			for _, id := range rel.Jobs {
				if _, ok := assigned[taskKey{vrp.StepJob, id}]; !ok {
					covered[taskKey{vrp.StepJob, id}] = true
				}
			}
		}
	}
	unassigned := 0
	for _, key := range c.order {
		if _, ok := assigned[key]; ok || covered[key] {
			continue
		}
		unassigned++
		if _, ok := listed[key]; !ok {
			c.add(-1, -1, "unassigned", "%s (%s) is neither in a route nor listed as unassigned", key, c.tasks[key].field)
		}
	}

	// Summary.
	sm := &s.Summary
	cmp := func(field string, reported, want int64) {
		if reported != want {
			c.add(-1, -1, "summary."+field, "reported %d, recomputed %d", reported, want)
		}
	}
	cmp("cost", sm.Cost, total)
	cmp("routes", int64(sm.Routes), int64(len(s.Routes)))
	cmp("unassigned", int64(sm.Unassigned), int64(unassigned))
	cmp("setup", sm.Setup, sum.Setup)
	cmp("service", sm.Service, sum.Service)
	cmp("duration", sm.Duration, sum.Duration)
	cmp("waiting_time", sm.WaitingTime, sum.WaitingTime)
	cmp("priority", sm.Priority, sum.Priority)
	cmp("distance", sm.Distance, sum.Distance)
	if !c.sameAmount(sm.Delivery, sum.Delivery) {
		c.add(-1, -1, "summary.delivery", "reported %v, recomputed %v", sm.Delivery, sum.Delivery)
	}
	if !c.sameAmount(sm.Pickup, sum.Pickup) {
		c.add(-1, -1, "summary.pickup", "reported %v, recomputed %v", sm.Pickup, sum.Pickup)
	}

	rep.Cost = total
	rep.Errors = append([]Finding{}, c.findings...)
	if rep.Routes == nil {
		rep.Routes = []RouteReport{}
	}
	rep.Feasible = len(c.findings) == 0
	return rep
}

// CheckSequence checks one route of vehicle p.Vehicles[vehicle] on its own:
// its steps' order, timing, loads, limits, breaks and reported step values.
// Cross-route rules (each task once, unassigned list, summary) and reported
// route totals are not checked. Findings name fields as "steps[k].field".
func CheckSequence(p *vrp.Problem, vehicle int, steps []vrp.Step) (RouteReport, []Finding) {
	if p == nil {
		return RouteReport{VehicleIndex: -1}, []Finding{{Route: -1, Step: -1, Field: "problem", Msg: "no problem"}}
	}
	c := newChecker(p)
	if vehicle < 0 || vehicle >= len(p.Vehicles) {
		c.add(-1, -1, "vehicle", "vehicle index %d out of range [0, %d)", vehicle, len(p.Vehicles))
		return RouteReport{VehicleIndex: -1}, c.findings
	}
	rr := c.sequence(vehicle, "", steps)
	rr.Vehicle = p.Vehicles[vehicle].ID
	return rr, c.findings
}

func newChecker(p *vrp.Problem) *checker {
	c := &checker{
		p:        p,
		tasks:    make(map[taskKey]*task),
		vehicles: make(map[uint64]int),
	}
	c.dims = problemDims(p)
	addTask := func(t *task) {
		if prev, dup := c.tasks[t.key]; dup {
			c.add(-1, -1, t.field+".id", "duplicate %s id in the problem (also %s)", t.key.typ, prev.field)
			return
		}
		c.tasks[t.key] = t
		c.order = append(c.order, t.key)
	}
	for i := range p.Jobs {
		j := &p.Jobs[i]
		addTask(&task{
			key: taskKey{vrp.StepJob, j.ID}, loc: j.Location, setup: j.Setup, service: j.Service,
			windows: j.TimeWindows, soft: j.Soft, skills: j.Skills, priority: int64(j.Priority),
			delivery: j.Delivery, pickup: j.Pickup, shipment: -1,
			field: fmt.Sprintf("jobs[%d]", i), initialLoad: true,
		})
	}
	for i := range p.Shipments {
		sh := &p.Shipments[i]
		addTask(&task{
			key: taskKey{vrp.StepPickup, sh.Pickup.ID}, loc: sh.Pickup.Location, setup: sh.Pickup.Setup,
			service: sh.Pickup.Service, windows: sh.Pickup.TimeWindows, soft: sh.Pickup.Soft, skills: sh.Skills,
			priority: int64(sh.Priority), pickup: sh.Amount, shipment: i,
			field: fmt.Sprintf("shipments[%d].pickup", i),
		})
		addTask(&task{
			key: taskKey{vrp.StepDelivery, sh.Delivery.ID}, loc: sh.Delivery.Location, setup: sh.Delivery.Setup,
			service: sh.Delivery.Service, windows: sh.Delivery.TimeWindows, soft: sh.Delivery.Soft, skills: sh.Skills,
			priority: int64(sh.Priority), delivery: sh.Amount, shipment: i,
			field: fmt.Sprintf("shipments[%d].delivery", i),
		})
	}
	for i := range p.Vehicles {
		id := p.Vehicles[i].ID
		if prev, dup := c.vehicles[id]; dup {
			c.add(-1, -1, fmt.Sprintf("vehicles[%d].id", i), "duplicate vehicle id %d (also vehicles[%d])", id, prev)
			continue
		}
		c.vehicles[id] = i
	}
	return c
}

// problemDims is the number of amount dimensions: the longest amount of the
// problem. Shorter amounts are padded with zeros.
func problemDims(p *vrp.Problem) int {
	d := 0
	see := func(a vrp.Amount) { d = max(d, len(a)) }
	for i := range p.Jobs {
		see(p.Jobs[i].Delivery)
		see(p.Jobs[i].Pickup)
	}
	for i := range p.Shipments {
		see(p.Shipments[i].Amount)
	}
	for i := range p.Vehicles {
		see(p.Vehicles[i].Capacity)
		for _, b := range p.Vehicles[i].Breaks {
			see(b.MaxLoad)
		}
	}
	return d
}

func isTaskType(t vrp.StepType) bool {
	return t == vrp.StepJob || t == vrp.StepPickup || t == vrp.StepDelivery
}

func stepTaskKey(st vrp.Step) (taskKey, bool) {
	if !isTaskType(st.Type) {
		return taskKey{}, false
	}
	return taskKey{st.Type, st.ID}, true
}

// at returns dimension i of a, zero when missing.
func at(a vrp.Amount, i int) int64 {
	if i < len(a) {
		return a[i]
	}
	return 0
}

func addAmount(dst, a vrp.Amount) {
	for i := range dst {
		dst[i] += at(a, i)
	}
}

func subAmount(dst, a vrp.Amount) {
	for i := range dst {
		dst[i] -= at(a, i)
	}
}

// sameAmount compares amounts with missing dimensions taken as zeros; a nil
// reported amount equals an all-zero one.
func (c *checker) sameAmount(a, b vrp.Amount) bool {
	n := max(len(a), len(b), c.dims)
	for i := 0; i < n; i++ {
		if at(a, i) != at(b, i) {
			return false
		}
	}
	return true
}

// exceeds returns the first dimension where load > limit, or -1.
func (c *checker) exceeds(load, limit vrp.Amount) int {
	for i := 0; i < c.dims; i++ {
		if at(load, i) > at(limit, i) {
			return i
		}
	}
	return -1
}

func cloneAmount(a vrp.Amount) vrp.Amount { return append(vrp.Amount(nil), a...) }

// earliestStart is the earliest t >= arrival inside one of the windows.
func earliestStart(windows []vrp.TimeWindow, arrival int64) (int64, bool) {
	if len(windows) == 0 {
		return arrival, true
	}
	for _, w := range windows {
		if arrival <= w.End {
			return max(arrival, w.Start), true
		}
	}
	return arrival, false
}

func formatWindows(ws []vrp.TimeWindow) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("[%d, %d]", w.Start, w.End)
	}
	return strings.Join(parts, " ")
}

// leg is one travel between two matrix indices.
type leg struct{ duration, distance, cost int64 }

// travelMatrix gives the travel of one vehicle.
type travelMatrix struct {
	m     *vrp.Matrix
	speed float64
}

// travel returns the leg from a to b, or an error message.
func (t travelMatrix) travel(a, b int) (leg, string) {
	if t.m == nil {
		return leg{}, "no matrix"
	}
	d, ok := cell(t.m.Durations, a, b)
	if !ok {
		return leg{}, fmt.Sprintf("durations[%d][%d] out of range", a, b)
	}
	var l leg
	if t.speed == 1 {
		l.duration = d
	} else {
		l.duration = int64(math.Round(float64(d) / t.speed))
	}
	if t.m.Distances != nil {
		if l.distance, ok = cell(t.m.Distances, a, b); !ok {
			return leg{}, fmt.Sprintf("distances[%d][%d] out of range", a, b)
		}
	}
	if t.m.Costs != nil {
		if l.cost, ok = cell(t.m.Costs, a, b); !ok {
			return leg{}, fmt.Sprintf("costs[%d][%d] out of range", a, b)
		}
	}
	return l, ""
}

func cell(m [][]int64, a, b int) (int64, bool) {
	if a < 0 || a >= len(m) || b < 0 || b >= len(m[a]) {
		return 0, false
	}
	return m[a][b], true
}

// travelCost is the cost of travelling seconds and metres at the vehicle's
// rates: (per_hour*s*1000 + per_km*m*3600 + 1_800_000) / 3_600_000.
func travelCost(perHour, perKm, seconds, metres int64) int64 {
	return travelCostLate(perHour, perKm, seconds, metres, 0)
}

// travelCostLate adds lateSum (Σ late_cost_per_hour × seconds late) to the
// travel cost before its one rounding.
func travelCostLate(perHour, perKm, seconds, metres, lateSum int64) int64 {
	return roundCost(perHour*seconds*1000 + perKm*metres*3600 + lateSum*1000)
}

// roundCost converts internal cost units (cost × 3,600,000) to cost,
// rounding half away from zero.
func roundCost(x int64) int64 {
	if x >= 0 {
		return (x + 1_800_000) / 3_600_000
	}
	return -((-x + 1_800_000) / 3_600_000)
}

// sequence recomputes one route of vehicle vi and records what is wrong with
// its steps. prefix is the field path of the route ("routes[3]" or "").
func (c *checker) sequence(vi int, prefix string, steps []vrp.Step) RouteReport {
	p := c.p
	v := &p.Vehicles[vi]
	if prefix != "" {
		prefix += "."
	}
	stepField := func(k int, name string) string {
		f := fmt.Sprintf("%ssteps[%d]", prefix, k)
		if name != "" {
			f += "." + name
		}
		return f
	}
	routeField := strings.TrimSuffix(prefix, ".")
	if routeField == "" {
		routeField = "steps"
	}
	add := func(k int, field, format string, args ...any) {
		if k < 0 {
			c.add(vi, -1, routeField, format, args...)
			return
		}
		c.add(vi, k, stepField(k, field), format, args...)
	}

	rr := RouteReport{
		VehicleIndex: vi,
		Delivery:     make(vrp.Amount, c.dims),
		Pickup:       make(vrp.Amount, c.dims),
	}

	// Travel data.
	profile := v.Profile
	if profile == "" {
		profile = "car"
	}
	tm := travelMatrix{m: p.Matrices[profile], speed: v.SpeedFactor}
	if tm.speed <= 0 {
		tm.speed = 1
	}
	if tm.m == nil {
		add(-1, "", "no matrix for profile %q of vehicle %d", profile, v.ID)
	}
	locIndex := func(l *vrp.Location) int {
		if l == nil || !l.HasIndex {
			return -1
		}
		return l.Index
	}
	startLoc, endLoc := -1, -1
	if v.Start != nil {
		if startLoc = locIndex(v.Start); startLoc < 0 {
			add(-1, "", "vehicle %d start has no matrix index", v.ID)
		}
	}
	if v.End != nil {
		if endLoc = locIndex(v.End); endLoc < 0 {
			add(-1, "", "vehicle %d end has no matrix index", v.ID)
		}
	}

	// Shape: optional start first, optional end last, tasks and breaks between.
	first, last := 0, len(steps)
	hasStart := len(steps) > 0 && steps[0].Type == vrp.StepStart
	if hasStart {
		first = 1
	} else if v.Start != nil {
		add(-1, "", "route of vehicle %d does not begin with a start step", v.ID)
	}
	hasEnd := last > first && steps[last-1].Type == vrp.StepEnd
	if hasEnd {
		last--
	} else if v.End != nil {
		add(-1, "", "route of vehicle %d does not finish with an end step", v.ID)
	}

	// Initial load: deliveries of the single jobs of the route's first
	// trip; tripLoad gives the load a reload at step k starts with.
	loaded := make(map[taskKey]bool)
	tripLoad := func(from int) vrp.Amount {
		load := make(vrp.Amount, c.dims)
		for k := from; k < last && steps[k].Type != vrp.StepReload; k++ {
			if key, ok := stepTaskKey(steps[k]); ok && !loaded[key] {
				if t := c.tasks[key]; t != nil && t.initialLoad {
					addAmount(load, t.delivery)
					loaded[key] = true
				}
			}
		}
		return load
	}
	load := tripLoad(first)
	onBoard := 0 // shipments picked up and not yet delivered

	// Start time.
	var t0 int64
	switch {
	case hasStart:
		t0 = steps[0].Arrival
	case first < last:
		t0 = steps[first].Arrival
	}
	var twStart int64
	twEnd := int64(math.MaxInt64)
	if v.TimeWindow != nil {
		twStart, twEnd = v.TimeWindow.Start, v.TimeWindow.End
	}
	if t0 < twStart {
		k := -1
		if hasStart || first < last {
			k = 0
		}
		add(k, "arrival", "route starts at %d, before the vehicle's time window start %d", t0, twStart)
	}
	rr.Start = t0

	compare := func(k int, name string, reported, want int64) {
		if reported != want {
			add(k, name, "reported %d, recomputed %d", reported, want)
		}
	}
	compareLoad := func(k int, reported, want vrp.Amount) {
		if !c.sameAmount(reported, want) {
			add(k, "load", "reported %v, recomputed %v", reported, want)
		}
	}
	checkCapacity := func(k int) {
		if d := c.exceeds(load, v.Capacity); d >= 0 {
			add(k, "load", "load %v exceeds capacity %v in dimension %d", load, v.Capacity, d)
		}
	}
	compareLocation := func(k int, reported *vrp.Location, want int) {
		if reported != nil && reported.HasIndex && want >= 0 && reported.Index != want {
			add(k, "location_index", "reported %d, expected %d", reported.Index, want)
		}
	}

	if hasStart {
		s := &steps[0]
		compare(0, "setup", s.Setup, 0)
		compare(0, "service", s.Service, 0)
		compare(0, "waiting_time", s.WaitingTime, 0)
		compare(0, "duration", s.Duration, 0)
		compare(0, "distance", s.Distance, 0)
		compareLoad(0, s.Load, load)
		compareLocation(0, s.Location, startLoc)
		rr.Steps = append(rr.Steps, StepReport{Type: vrp.StepStart, Location: startLoc, Arrival: t0, Load: cloneAmount(load)})
	}
	capStep := -1
	if hasStart {
		capStep = 0
	}
	checkCapacity(capStep)

	// Walk the tasks and breaks.
	now := t0
	loc := startLoc // -1: no previous location
	var cum leg
	var driven int64 // driving since the last rest (driving rule)
	travelTo := func(k, to int) {
		if loc < 0 || to < 0 {
			return
		}
		l, msg := tm.travel(loc, to)
		if msg != "" {
			if tm.m != nil {
				add(k, "", "travel from %d to %d: %s", loc, to, msg)
			}
			return
		}
		// time-dependent travel: the vehicle's traffic bands, from now
		l.duration = v.Traffic.Travel(now, l.duration)
		cum.duration += l.duration
		cum.distance += l.distance
		cum.cost += l.cost
		now += l.duration
		if rule := v.DrivingRule; rule != nil && l.duration > 0 {
			driven += l.duration
			if driven > rule.MaxDriving {
				add(k, "", "%d s of driving since the last rest exceed the driving rule's max_driving %d", driven, rule.MaxDriving)
			}
		}
	}
	// rested resets the driving of the rule after a pause of pause seconds.
	rested := func(pause int64) {
		if rule := v.DrivingRule; rule != nil && pause >= rule.Rest {
			driven = 0
		}
	}
	serviceStart := make(map[taskKey]int64) // task or break -> service start
	position := make(map[taskKey]int)       // task or break -> step index
	breakSeen := make(map[uint64]int)
	shipSeen := make(map[int][2]int) // shipment -> step index of pickup, delivery (+1; 0 = absent)
	var lateCost int64               // Σ late_cost_per_hour × seconds late
	var maxWait int64                // the longest waiting before one step
	reloads := 0                     // reload steps so far

	for k := first; k < last; k++ {
		s := &steps[k]
		switch s.Type {
		case vrp.StepJob, vrp.StepPickup, vrp.StepDelivery:
			key := taskKey{s.Type, s.ID}
			t := c.tasks[key]
			if t == nil {
				add(k, "id", "unknown %s id %d", s.Type, s.ID)
				continue
			}
			if prev, dup := position[key]; dup {
				add(k, "id", "%s already served at step %d", key, prev)
				continue
			}
			li := t.loc.Index
			if !t.loc.HasIndex {
				add(k, "location_index", "%s has no matrix index", t.field)
				li = -1
			}
			travelTo(k, li)
			arrival := now
			setup := t.setup
			if loc >= 0 && li >= 0 && loc == li {
				setup = 0
			}
			start, ok := earliestStart(t.windows, arrival)
			if !ok && t.soft != nil && (t.soft.LateCostPerHour > 0 || t.soft.MaxLateness >= 0) {
				// soft windows: late service, within the maximum lateness, paid
				late := arrival - t.windows[len(t.windows)-1].End
				if t.soft.MaxLateness < 0 || late <= t.soft.MaxLateness {
					start, ok = arrival, true
					lateCost += t.soft.LateCostPerHour * late
				}
			}
			if ok && t.soft != nil && t.soft.EarlyCostPerHour > 0 && t.soft.MaxEarliness != 0 && start > arrival &&
				v.WaitingCostPerHour > t.soft.EarlyCostPerHour {
				// soft early start: the vehicle starts early instead of
				// waiting when waiting costs more, within max_earliness
				opens := start
				start = arrival
				if e := t.soft.MaxEarliness; e > 0 {
					start = max(arrival, opens-e)
				}
				lateCost += t.soft.EarlyCostPerHour * (opens - start)
			}
			if !ok {
				add(k, "arrival", "%s arrives at %d, after its time windows %s", key, arrival, formatWindows(t.windows))
			}
			if t.soft != nil && t.soft.ETACostPerHour > 0 {
				// the stability term: moving a promised ETA costs
				d := start - t.soft.ETA
				if d < 0 {
					d = -d
				}
				lateCost += t.soft.ETACostPerHour * d
			}
			wait := start - arrival
			rested(wait)
			now = start + setup + t.service
			if li >= 0 {
				loc = li
			}
			subAmount(load, t.delivery)
			addAmount(load, t.pickup)
			switch s.Type {
			case vrp.StepPickup:
				onBoard++
			case vrp.StepDelivery:
				onBoard--
			}
			addAmount(rr.Delivery, t.delivery)
			addAmount(rr.Pickup, t.pickup)

			compare(k, "arrival", s.Arrival, arrival)
			compare(k, "waiting_time", s.WaitingTime, wait)
			compare(k, "setup", s.Setup, setup)
			compare(k, "service", s.Service, t.service)
			compare(k, "duration", s.Duration, cum.duration)
			compare(k, "distance", s.Distance, cum.distance)
			compareLoad(k, s.Load, load)
			compareLocation(k, s.Location, li)
			checkCapacity(k)
			if missing := missingSkills(v.Skills, t.skills); len(missing) > 0 {
				add(k, "id", "vehicle %d lacks skills %v required by %s", v.ID, missing, key)
			}
			if t.shipment >= 0 {
				seen := shipSeen[t.shipment]
				if s.Type == vrp.StepPickup {
					seen[0] = k + 1
				} else {
					seen[1] = k + 1
				}
				shipSeen[t.shipment] = seen
			}
			rr.Tasks++
			rr.Setup += setup
			rr.Service += t.service
			rr.WaitingTime += wait
			maxWait = max(maxWait, wait)
			rr.Priority += t.priority
			serviceStart[key] = start
			position[key] = k
			rr.Steps = append(rr.Steps, StepReport{
				Type: s.Type, ID: s.ID, Location: li, Arrival: arrival, WaitingTime: wait,
				Setup: setup, Service: t.service, Duration: cum.duration, Distance: cum.distance,
				Load: cloneAmount(load),
			})

		case vrp.StepReload:
			rl := v.Reloads
			if rl == nil || v.Start == nil {
				add(k, "type", "reload step but vehicle %d may not reload", v.ID)
				continue
			}
			reloads++
			if reloads > rl.Max {
				add(k, "type", "reload %d of vehicle %d, over its %d", reloads, v.ID, rl.Max)
			}
			if onBoard > 0 {
				add(k, "type", "reload with a shipment's goods on board")
			}
			travelTo(k, startLoc)
			compare(k, "arrival", s.Arrival, now)
			compare(k, "waiting_time", s.WaitingTime, 0)
			compare(k, "setup", s.Setup, 0)
			compare(k, "service", s.Service, rl.Service)
			compare(k, "duration", s.Duration, cum.duration)
			compare(k, "distance", s.Distance, cum.distance)
			rested(0)
			now += rl.Service
			if startLoc >= 0 {
				loc = startLoc
			}
			rr.Service += rl.Service
			load = tripLoad(k + 1)
			compareLoad(k, s.Load, load)
			checkCapacity(k)
			rr.Steps = append(rr.Steps, StepReport{Type: vrp.StepReload, Location: loc, Arrival: s.Arrival,
				Service: rl.Service, Duration: cum.duration, Distance: cum.distance, Load: cloneAmount(load)})
		case vrp.StepBreak:
			if s.Rest {
				// a rest of the driving rule, where the vehicle is
				rule := v.DrivingRule
				if rule == nil {
					add(k, "", "rest step but vehicle %d has no driving rule", v.ID)
					continue
				}
				compare(k, "arrival", s.Arrival, now)
				compare(k, "waiting_time", s.WaitingTime, 0)
				compare(k, "setup", s.Setup, 0)
				compare(k, "service", s.Service, rule.Rest)
				compare(k, "duration", s.Duration, cum.duration)
				compare(k, "distance", s.Distance, cum.distance)
				compareLoad(k, s.Load, load)
				rr.Steps = append(rr.Steps, StepReport{Type: vrp.StepBreak, Location: loc, Arrival: now,
					Service: rule.Rest, Duration: cum.duration, Distance: cum.distance, Load: cloneAmount(load)})
				now += rule.Rest
				rr.Service += rule.Rest
				driven = 0
				continue
			}
			bi := -1
			for i := range v.Breaks {
				if v.Breaks[i].ID == s.ID {
					bi = i
					break
				}
			}
			if bi < 0 {
				add(k, "id", "vehicle %d has no break %d", v.ID, s.ID)
				continue
			}
			if prev, dup := breakSeen[s.ID]; dup {
				add(k, "id", "break %d already taken at step %d", s.ID, prev)
				continue
			}
			breakSeen[s.ID] = k
			b := &v.Breaks[bi]
			arrival := now
			start, ok := earliestStart(b.TimeWindows, arrival)
			if !ok {
				add(k, "arrival", "break %d starts at %d, after its time windows %s", b.ID, arrival, formatWindows(b.TimeWindows))
			}
			wait := start - arrival
			rested(wait + b.Service)
			now = start + b.Service
			if b.MaxLoad != nil {
				if d := c.exceeds(load, b.MaxLoad); d >= 0 {
					add(k, "load", "load %v during break %d exceeds its max_load %v in dimension %d", load, b.ID, b.MaxLoad, d)
				}
			}
			compare(k, "arrival", s.Arrival, arrival)
			compare(k, "waiting_time", s.WaitingTime, wait)
			compare(k, "setup", s.Setup, 0)
			compare(k, "service", s.Service, b.Service)
			compare(k, "duration", s.Duration, cum.duration)
			compare(k, "distance", s.Distance, cum.distance)
			compareLoad(k, s.Load, load)
			rr.Service += b.Service
			rr.WaitingTime += wait
			maxWait = max(maxWait, wait)
			key := taskKey{vrp.StepBreak, b.ID}
			serviceStart[key] = start
			position[key] = k
			rr.Steps = append(rr.Steps, StepReport{
				Type: vrp.StepBreak, ID: b.ID, Location: loc, Arrival: arrival, WaitingTime: wait,
				Service: b.Service, Duration: cum.duration, Distance: cum.distance, Load: cloneAmount(load),
			})

		case vrp.StepStart:
			add(k, "type", "start step is not the first step")
		case vrp.StepEnd:
			add(k, "type", "end step is not the last step")
		default:
			add(k, "type", "unknown step type %q", s.Type)
		}
	}

	// End.
	endStep := -1
	if hasEnd {
		endStep = last
	}
	travelTo(endStep, endLoc)
	rr.End = now
	if hasEnd {
		s := &steps[last]
		compare(last, "arrival", s.Arrival, now)
		compare(last, "setup", s.Setup, 0)
		compare(last, "service", s.Service, 0)
		compare(last, "waiting_time", s.WaitingTime, 0)
		compare(last, "duration", s.Duration, cum.duration)
		compare(last, "distance", s.Distance, cum.distance)
		compareLoad(last, s.Load, load)
		compareLocation(last, s.Location, endLoc)
		rr.Steps = append(rr.Steps, StepReport{
			Type: vrp.StepEnd, Location: endLoc, Arrival: now, Duration: cum.duration,
			Distance: cum.distance, Load: cloneAmount(load),
		})
	}
	if now > twEnd {
		add(endStep, "arrival", "route ends at %d, after the vehicle's time window end %d", now, twEnd)
	}

	rr.Duration = cum.duration
	rr.Distance = cum.distance

	// Shipments: both ends on this route, pickup first.
	for si, seen := range shipSeen {
		sh := &p.Shipments[si]
		switch {
		case seen[0] == 0:
			add(seen[1]-1, "id", "delivery %d is on the route but its pickup %d is not", sh.Delivery.ID, sh.Pickup.ID)
		case seen[1] == 0:
			add(seen[0]-1, "id", "pickup %d is on the route but its delivery %d is not", sh.Pickup.ID, sh.Delivery.ID)
		case seen[1] < seen[0]:
			add(seen[1]-1, "id", "delivery %d comes before its pickup %d (step %d)", sh.Delivery.ID, sh.Pickup.ID, seen[0]-1)
		case sh.MaxRideTime > 0:
			// ride: from the end of the pickup's service to the start of the
			// delivery's, on the recomputed schedule
			var left, start int64 = -1, -1
			for _, st := range rr.Steps {
				switch {
				case st.Type == vrp.StepPickup && st.ID == sh.Pickup.ID:
					left = st.Arrival + st.WaitingTime + st.Setup + st.Service
				case st.Type == vrp.StepDelivery && st.ID == sh.Delivery.ID:
					start = st.Arrival + st.WaitingTime
				}
			}
			if left >= 0 && start >= 0 && start-left > sh.MaxRideTime {
				add(seen[1]-1, "id", "shipment %d/%d rides %d s, over its max_ride_time %d", sh.Pickup.ID, sh.Delivery.ID, start-left, sh.MaxRideTime)
			}
		}
	}

	if rr.Tasks == 0 {
		add(-1, "", "route of vehicle %d serves no task", v.ID)
		return rr
	}

	// Limits.
	if v.MaxDuration > 0 && rr.End-rr.Start > v.MaxDuration {
		add(-1, "", "working time %d (from %d to %d) exceeds max_duration %d", rr.End-rr.Start, rr.Start, rr.End, v.MaxDuration)
	}
	if v.MaxWaiting != nil && maxWait > *v.MaxWaiting {
		add(-1, "", "waiting %d before one step exceeds max_waiting %d", maxWait, *v.MaxWaiting)
	}
	if v.MaxTasks >= 0 && rr.Tasks > v.MaxTasks {
		add(-1, "", "%d tasks exceed max_tasks %d", rr.Tasks, v.MaxTasks)
	}
	if v.MaxTravelTime >= 0 && rr.Duration > v.MaxTravelTime {
		add(-1, "", "travel time %d exceeds max_travel_time %d", rr.Duration, v.MaxTravelTime)
	}
	if v.MaxDistance >= 0 && rr.Distance > v.MaxDistance {
		add(-1, "", "distance %d exceeds max_distance %d", rr.Distance, v.MaxDistance)
	}

	// Every break of a used vehicle.
	for _, b := range v.Breaks {
		if _, ok := breakSeen[b.ID]; !ok {
			add(-1, "", "break %d of vehicle %d is missing", b.ID, v.ID)
		}
	}

	// Cost.
	// Lateness under soft windows costs late_cost_per_hour per hour; it is
	// rounded once with the travel cost, as the solver does.
	// Waiting costs waiting_cost_per_hour per hour and the balance term
	// balance_cost_per_hour2 × (working hours)², both rounded with the rest.
	lateCost += v.WaitingCostPerHour * rr.WaitingTime
	lateCost += v.WorkingCostPerHour * max(rr.End-rr.Start, v.MinDuration)
	var balance int64
	if c := v.BalanceCostPerHour2; c > 0 {
		w := min(rr.End-rr.Start, 1_000_000)
		balance = c * w * w * 10 / 36
	}
	rr.Cost = v.Costs.Fixed
	if tm.m != nil && tm.m.Costs != nil {
		rr.Cost += cum.cost + roundCost(lateCost*1000+balance)
	} else {
		// The rates are taken as given: the JSON reader fills per_hour with
		// its default, 3600, when the input leaves it out.
		rr.Cost += roundCost(v.Costs.PerHour*cum.duration*1000 + v.Costs.PerKm*cum.distance*3600 + lateCost*1000 + balance)
	}

	// The vehicle's own steps: order and timing of the listed tasks.
	if len(v.Steps) > 0 {
		c.vehicleSteps(vi, v, add, position, serviceStart, hasStart, hasEnd, last, t0, now)
	}
	return rr
}

// vehicleSteps checks the order and timing constraints of v.Steps on a route.
func (c *checker) vehicleSteps(vi int, v *vrp.Vehicle, add func(k int, field, format string, args ...any),
	position map[taskKey]int, serviceStart map[taskKey]int64, hasStart, hasEnd bool, last int, t0, end int64) {
	prevPos, prevJ := -1, -1
	for j, vs := range v.Steps {
		var k int
		var when int64
		switch vs.Type {
		case vrp.StepStart:
			k, when = -1, t0
			if hasStart {
				k = 0
			}
		case vrp.StepEnd:
			k, when = -1, end
			if hasEnd {
				k = last
			}
		default:
			key := taskKey{vs.Type, vs.ID}
			pos, ok := position[key]
			if !ok {
				continue
			}
			k, when = pos, serviceStart[key]
			if pos < prevPos {
				add(k, "", "%s comes before %s %d but vehicles[%d].steps lists it after (steps[%d] then steps[%d])",
					key, v.Steps[prevJ].Type, v.Steps[prevJ].ID, vi, prevJ, j)
			} else {
				prevPos, prevJ = pos, j
			}
		}
		name := string(vs.Type)
		if isTaskType(vs.Type) || vs.Type == vrp.StepBreak {
			name = fmt.Sprintf("%s %d", vs.Type, vs.ID)
		}
		if vs.ServiceAt != nil && when != *vs.ServiceAt {
			add(k, "arrival", "%s starts at %d, vehicles[%d].steps[%d] sets service_at %d", name, when, vi, j, *vs.ServiceAt)
		}
		if vs.ServiceAfter != nil && when < *vs.ServiceAfter {
			add(k, "arrival", "%s starts at %d, vehicles[%d].steps[%d] sets service_after %d", name, when, vi, j, *vs.ServiceAfter)
		}
		if vs.ServiceBefore != nil && when > *vs.ServiceBefore {
			add(k, "arrival", "%s starts at %d, vehicles[%d].steps[%d] sets service_before %d", name, when, vi, j, *vs.ServiceBefore)
		}
	}
}

func missingSkills(have, need []int) []int {
	var missing []int
	for _, s := range need {
		found := false
		for _, h := range have {
			if h == s {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, s)
		}
	}
	return missing
}

// compareRoute compares the reported totals of route r with rr.
func (c *checker) compareRoute(vi int, prefix string, r *vrp.Route, rr *RouteReport) {
	cmp := func(field string, reported, want int64) {
		if reported != want {
			c.add(vi, -1, prefix+"."+field, "reported %d, recomputed %d", reported, want)
		}
	}
	cmp("cost", r.Cost, rr.Cost)
	cmp("setup", r.Setup, rr.Setup)
	cmp("service", r.Service, rr.Service)
	cmp("duration", r.Duration, rr.Duration)
	cmp("waiting_time", r.WaitingTime, rr.WaitingTime)
	cmp("priority", r.Priority, rr.Priority)
	cmp("distance", r.Distance, rr.Distance)
	if !c.sameAmount(r.Delivery, rr.Delivery) {
		c.add(vi, -1, prefix+".delivery", "reported %v, recomputed %v", r.Delivery, rr.Delivery)
	}
	if !c.sameAmount(r.Pickup, rr.Pickup) {
		c.add(vi, -1, prefix+".pickup", "reported %v, recomputed %v", r.Pickup, rr.Pickup)
	}
}

// served is where a task is served: route and step indices.
type served struct{ route, step int }

// relations checks the problem's relations on the served jobs: one route
// (the relation's vehicle when it names one), the order given, and for
// direct relations nothing but breaks between consecutive jobs.
func (c *checker) relations(s *vrp.Solution, assigned map[taskKey]served) {
	for i, rel := range c.p.Relations {
		f := fmt.Sprintf("lastmile.relations[%d]", i)
		if rel.Type == vrp.RelationAlternative || rel.Type == vrp.RelationMaxServed {
			n, most := 0, 1
			if rel.Type == vrp.RelationMaxServed {
				most = rel.Max
			}
			for _, id := range rel.Jobs {
				if _, ok := assigned[taskKey{vrp.StepJob, id}]; ok {
					n++
				}
			}
			if n > most {
				c.add(-1, -1, f, "%d of its jobs are served, at most %d may be", n, most)
			}
			continue
		}
		route, split := -1, false
		var at []served // the served jobs, in the relation's order
		var ids []uint64
		for _, id := range rel.Jobs {
			sv, ok := assigned[taskKey{vrp.StepJob, id}]
			if !ok {
				continue
			}
			if route >= 0 && sv.route != route {
				c.add(-1, -1, f, "jobs %d and %d are on two routes (routes[%d] and routes[%d])", ids[0], id, route, sv.route)
				split = true
				break
			}
			route = sv.route
			at = append(at, sv)
			ids = append(ids, id)
		}
		if route < 0 || split {
			continue
		}
		if rel.Vehicle != nil && s.Routes[route].Vehicle != *rel.Vehicle {
			c.add(-1, -1, f, "served by vehicle %d, the relation names vehicle %d", s.Routes[route].Vehicle, *rel.Vehicle)
		}
		if rel.Type == vrp.RelationSameRoute {
			continue
		}
		for k := 1; k < len(at); k++ {
			if at[k].step < at[k-1].step {
				c.add(-1, -1, f, "job %d is served before job %d, against the relation's order", ids[k], ids[k-1])
				continue
			}
			if rel.Type == vrp.RelationDirect && ids[k] == rel.Jobs[slices.Index(rel.Jobs, ids[k-1])+1] {
				for x := at[k-1].step + 1; x < at[k].step; x++ {
					if t := s.Routes[route].Steps[x].Type; t != vrp.StepBreak {
						c.add(-1, -1, f, "a %s step comes between jobs %d and %d of a direct relation", t, ids[k-1], ids[k])
						break
					}
				}
			}
		}
	}
}
