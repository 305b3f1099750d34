package bench

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Instance is a benchmark instance: *VRPTW, *PDPTW or *CVRP.
type Instance interface {
	// Problem converts the instance for the solver.
	Problem() *vrp.Problem
	// evaluate recomputes vehicles and distance and records violations.
	evaluate(sol *vrp.Solution, v *violations) (vehicles int, distance float64)
}

// timeEps absorbs the rounding of float64 sums of travel times; exact
// arithmetic would need no tolerance. It is far below any rounding of the
// scaled instance (1/Scale).
const timeEps = 1e-9

// maxListed bounds the violations quoted in an InfeasibleError.
const maxListed = 8

// InfeasibleError lists the constraints a solution breaks, whole-solution
// violations first.
type InfeasibleError struct {
	Total      int      // number of violations found
	Violations []string // the first ones
}

func (e *InfeasibleError) Error() string {
	s := fmt.Sprintf("infeasible: %d violation(s): %s", e.Total, strings.Join(e.Violations, "; "))
	if e.Total > len(e.Violations) {
		s += "; ..."
	}
	return s
}

// violations collects messages: whole-solution ones (missing tasks, fleet
// size) are listed before per-route ones.
type violations struct{ global, local []string }

func (v *violations) add(format string, args ...any) {
	v.local = append(v.local, fmt.Sprintf(format, args...))
}

func (v *violations) addGlobal(format string, args ...any) {
	v.global = append(v.global, fmt.Sprintf(format, args...))
}

func (v *violations) err() error {
	all := append(v.global, v.local...)
	if len(all) == 0 {
		return nil
	}
	return &InfeasibleError{Total: len(all), Violations: all[:min(len(all), maxListed)]}
}

// Evaluate re-evaluates sol on the instance in exact arithmetic, ignoring the
// solver's own figures: it returns the number of non-empty routes and the
// total distance recomputed from the coordinates (float64 Euclidean for
// VRPTW and PDPTW, sum of nint-rounded edges for CVRP), and an
// *InfeasibleError when any constraint is broken: a task missing or served
// twice, an unknown or reused vehicle, more routes than the fleet, a service
// starting after its due date with real travel times (waiting is allowed), a
// return to the depot after its due date, a load above capacity, a delivery
// before its pickup or on another vehicle. The figures are returned even
// when the solution is infeasible.
func Evaluate(inst Instance, sol *vrp.Solution) (vehicles int, distance float64, err error) {
	if sol == nil {
		return 0, 0, errors.New("evaluate: no solution")
	}
	var v violations
	vehicles, distance = inst.evaluate(sol, &v)
	if err := v.err(); err != nil {
		return vehicles, distance, fmt.Errorf("evaluate: %w", err)
	}
	return vehicles, distance, nil
}

// task is a task step of a route.
type task struct {
	typ vrp.StepType
	id  uint64
}

// tasks returns the task steps of r, recording steps that have no place in a
// benchmark solution.
func tasks(r vrp.Route, ri int, v *violations) []task {
	var ts []task
	for si, s := range r.Steps {
		switch s.Type {
		case vrp.StepStart, vrp.StepEnd:
		case vrp.StepJob, vrp.StepPickup, vrp.StepDelivery:
			ts = append(ts, task{s.Type, s.ID})
		default:
			v.add("route %d (vehicle %d): step %d: unexpected %q step", ri, r.Vehicle, si, s.Type)
		}
	}
	return ts
}

// fleetCheck records unknown and reused vehicles of the used routes.
type fleetCheck struct {
	size int
	used map[uint64]bool
}

func (f *fleetCheck) use(r vrp.Route, ri int, v *violations) {
	if f.used == nil {
		f.used = map[uint64]bool{}
	}
	if r.Vehicle < 1 || r.Vehicle > uint64(f.size) {
		v.add("route %d: unknown vehicle %d (fleet 1..%d)", ri, r.Vehicle, f.size)
	}
	if f.used[r.Vehicle] {
		v.add("route %d: vehicle %d used by two routes", ri, r.Vehicle)
	}
	f.used[r.Vehicle] = true
}

// coverage records how many times each node is served.
type coverage []int

func (c coverage) report(what string, skip func(i int) bool, v *violations) {
	var missing, twice []int
	for i, k := range c {
		if skip(i) {
			continue
		}
		switch {
		case k == 0:
			missing = append(missing, i)
		case k > 1:
			twice = append(twice, i)
		}
	}
	if len(missing) > 0 {
		v.addGlobal("%d %s(s) not served: %s", len(missing), what, listInts(missing))
	}
	if len(twice) > 0 {
		v.addGlobal("%d %s(s) served more than once: %s", len(twice), what, listInts(twice))
	}
}

func listInts(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		if i == 10 {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprint(&b, x)
	}
	return b.String()
}

// walkTimes follows a route of node indices from and back to the depot
// (node 0) with travel time equal to the Euclidean distance, and records
// late services. It returns the route's distance.
func walkTimes(nodes []Node, seq []int, ri int, vehicle uint64, v *violations) float64 {
	depot := nodes[0]
	t := depot.Ready
	prev := 0
	dist := 0.0
	for _, i := range seq {
		n := nodes[i]
		d := euclid(nodes[prev].point(), n.point())
		dist += d
		arrival := t + d
		if arrival > n.Due+timeEps {
			v.add("route %d (vehicle %d): node %d reached at %.6f, after its due date %g", ri, vehicle, i, arrival, n.Due)
		}
		t = max(arrival, n.Ready) + n.Service
		prev = i
	}
	d := euclid(nodes[prev].point(), depot.point())
	dist += d
	if back := t + d; back > depot.Due+timeEps {
		v.add("route %d (vehicle %d): back at the depot at %.6f, after its due date %g", ri, vehicle, back, depot.Due)
	}
	return dist
}

func (in *VRPTW) evaluate(sol *vrp.Solution, v *violations) (int, float64) {
	served := make(coverage, len(in.Nodes))
	fc := fleetCheck{size: in.Vehicles}
	vehicles, total := 0, 0.0
	for ri, r := range sol.Routes {
		ts := tasks(r, ri, v)
		if len(ts) == 0 {
			continue
		}
		vehicles++
		fc.use(r, ri, v)
		var seq []int
		var load int64
		for _, t := range ts {
			if t.typ != vrp.StepJob {
				v.add("route %d (vehicle %d): %s step %d in a VRPTW solution", ri, r.Vehicle, t.typ, t.id)
				continue
			}
			if t.id < 1 || t.id >= uint64(len(in.Nodes)) {
				v.add("route %d (vehicle %d): unknown customer %d", ri, r.Vehicle, t.id)
				continue
			}
			i := int(t.id)
			served[i]++
			load += in.Nodes[i].Demand
			seq = append(seq, i)
		}
		if load > in.Capacity {
			v.add("route %d (vehicle %d): load %d exceeds capacity %d", ri, r.Vehicle, load, in.Capacity)
		}
		total += walkTimes(in.Nodes, seq, ri, r.Vehicle, v)
	}
	served.report("customer", func(i int) bool { return i == 0 }, v)
	if vehicles > in.Vehicles {
		v.addGlobal("%d routes, fleet has %d vehicles", vehicles, in.Vehicles)
	}
	return vehicles, total
}

func (in *PDPTW) evaluate(sol *vrp.Solution, v *violations) (int, float64) {
	served := make(coverage, len(in.Nodes))
	nodes := make([]Node, len(in.Nodes))
	for i, n := range in.Nodes {
		nodes[i] = n.Node
	}
	fc := fleetCheck{size: in.Vehicles}
	vehicles, total := 0, 0.0
	for ri, r := range sol.Routes {
		ts := tasks(r, ri, v)
		if len(ts) == 0 {
			continue
		}
		vehicles++
		fc.use(r, ri, v)
		var seq []int
		var load int64
		picked := map[int]bool{} // pickups of this route whose delivery is pending
		for _, t := range ts {
			if t.id < 1 || t.id >= uint64(len(in.Nodes)) {
				v.add("route %d (vehicle %d): unknown node %d", ri, r.Vehicle, t.id)
				continue
			}
			i := int(t.id)
			n := in.Nodes[i]
			switch {
			case t.typ == vrp.StepPickup && n.Demand > 0:
				picked[i] = true
			case t.typ == vrp.StepDelivery && n.Demand < 0:
				if !picked[n.Pickup] {
					v.add("route %d (vehicle %d): delivery %d before its pickup %d or without it", ri, r.Vehicle, i, n.Pickup)
				}
				delete(picked, n.Pickup)
			default:
				v.add("route %d (vehicle %d): %s step for node %d (demand %d)", ri, r.Vehicle, t.typ, i, n.Demand)
				continue
			}
			served[i]++
			load += n.Demand
			if load > in.Capacity {
				v.add("route %d (vehicle %d): load %d after node %d exceeds capacity %d", ri, r.Vehicle, load, i, in.Capacity)
			}
			seq = append(seq, i)
		}
		for p := range picked {
			v.add("route %d (vehicle %d): pickup %d without its delivery %d", ri, r.Vehicle, p, in.Nodes[p].Delivery)
		}
		total += walkTimes(nodes, seq, ri, r.Vehicle, v)
	}
	served.report("node", func(i int) bool { return i == 0 }, v)
	if vehicles > in.Vehicles {
		v.addGlobal("%d routes, fleet has %d vehicles", vehicles, in.Vehicles)
	}
	return vehicles, total
}

func (in *CVRP) evaluate(sol *vrp.Solution, v *violations) (int, float64) {
	served := make(coverage, len(in.X))
	fc := fleetCheck{size: len(in.X) - 1}
	vehicles, total := 0, int64(0)
	for ri, r := range sol.Routes {
		ts := tasks(r, ri, v)
		if len(ts) == 0 {
			continue
		}
		vehicles++
		fc.use(r, ri, v)
		var load int64
		prev := in.Depot
		for _, t := range ts {
			if t.typ != vrp.StepJob || t.id < 1 || t.id > uint64(len(in.X)) || int(t.id-1) == in.Depot {
				v.add("route %d (vehicle %d): %s step %d is not a customer", ri, r.Vehicle, t.typ, t.id)
				continue
			}
			i := int(t.id - 1)
			served[i]++
			load += in.Demand[i]
			total += nint(in.point(prev), in.point(i))
			prev = i
		}
		total += nint(in.point(prev), in.point(in.Depot))
		if load > in.Capacity {
			v.add("route %d (vehicle %d): load %d exceeds capacity %d", ri, r.Vehicle, load, in.Capacity)
		}
	}
	// coverage indices are 0-based; report 1-based node ids.
	var shifted coverage = append(coverage{0}, served...)
	shifted.report("customer", func(i int) bool { return i == 0 || i-1 == in.Depot }, v)
	return vehicles, float64(total)
}
