package vrp_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/bench"
	"github.com/lastmile-dev/lastmile/vrp/check"
)

// lineMatrix builds durations (and distances ×10) for points on a line.
func lineMatrix(xs ...int64) *vrp.Matrix {
	n := len(xs)
	m := &vrp.Matrix{Durations: make([][]int64, n), Distances: make([][]int64, n)}
	for i := range xs {
		m.Durations[i] = make([]int64, n)
		m.Distances[i] = make([]int64, n)
		for j := range xs {
			d := xs[i] - xs[j]
			if d < 0 {
				d = -d
			}
			m.Durations[i][j] = d
			m.Distances[i][j] = 10 * d
		}
	}
	return m
}

func at(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }
func ptr[T any](v T) *T     { return &v }

func vehicle(id uint64, start, end int) vrp.Vehicle {
	v := vrp.Vehicle{ID: id, MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1, Costs: vrp.Costs{PerHour: 3600}}
	if start >= 0 {
		v.Start = ptr(at(start))
	}
	if end >= 0 {
		v.End = ptr(at(end))
	}
	return v
}

func job(id uint64, loc int) vrp.Job { return vrp.Job{ID: id, Location: at(loc)} }

// solveChecked solves p with a fixed iteration budget and fails the test
// unless the independent checker accepts the solution.
func solveChecked(t *testing.T, p *vrp.Problem, opt vrp.Options) *vrp.Solution {
	t.Helper()
	if opt.MaxIterations == 0 {
		opt.MaxIterations = 3000
	}
	sol, err := vrp.Solve(context.Background(), p, opt)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	rep := check.Check(p, sol)
	if !rep.Feasible {
		t.Fatalf("checker rejects the solution: %v", rep.Errors)
	}
	return sol
}

func routeIDs(r vrp.Route) []uint64 {
	var ids []uint64
	for _, s := range r.Steps {
		if s.Type != vrp.StepStart && s.Type != vrp.StepEnd {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func TestSolveKnownOptima(t *testing.T) {
	tests := []struct {
		name      string
		p         *vrp.Problem
		opt       vrp.Options
		cost      int64
		routes    int
		unassigns int
		check     func(t *testing.T, s *vrp.Solution)
	}{
		{
			name: "line tour",
			p: &vrp.Problem{
				Jobs:     []vrp.Job{job(1, 3), job(2, 1), job(3, 4), job(4, 2)},
				Vehicles: []vrp.Vehicle{vehicle(7, 0, 0)},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20, 30, 40)},
			},
			cost: 80, routes: 1,
		},
		{
			name: "time windows force a detour order",
			p: &vrp.Problem{
				Jobs: []vrp.Job{
					{ID: 1, Location: at(1), TimeWindows: []vrp.TimeWindow{{0, 100}}},
					{ID: 2, Location: at(2), TimeWindows: []vrp.TimeWindow{{200, 300}}},
					{ID: 3, Location: at(3)},
				},
				Vehicles: []vrp.Vehicle{vehicle(1, 0, 0)},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 40, 30)},
			},
			cost: 80, routes: 1,
			check: func(t *testing.T, s *vrp.Solution) {
				if got := routeIDs(s.Routes[0]); got[len(got)-1] != 2 {
					t.Errorf("job 2 (window 200-300) should come last, got %v", got)
				}
			},
		},
		{
			name: "capacity splits into two routes",
			p: &vrp.Problem{
				Jobs: []vrp.Job{
					{ID: 1, Location: at(1), Delivery: vrp.Amount{2}},
					{ID: 2, Location: at(2), Delivery: vrp.Amount{2}},
					{ID: 3, Location: at(3), Delivery: vrp.Amount{2}},
				},
				Vehicles: []vrp.Vehicle{
					func() vrp.Vehicle { v := vehicle(1, 0, 0); v.Capacity = vrp.Amount{4}; return v }(),
					func() vrp.Vehicle { v := vehicle(2, 0, 0); v.Capacity = vrp.Amount{4}; return v }(),
				},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20, -10)},
			},
			cost: 60, routes: 2,
		},
		{
			name: "shipment picked before delivered",
			p: &vrp.Problem{
				Shipments: []vrp.Shipment{{
					Pickup:   vrp.ShipmentStep{ID: 1, Location: at(2)},
					Delivery: vrp.ShipmentStep{ID: 1, Location: at(1)},
					Amount:   vrp.Amount{1},
				}},
				Vehicles: []vrp.Vehicle{func() vrp.Vehicle { v := vehicle(1, 0, 0); v.Capacity = vrp.Amount{1}; return v }()},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)},
			},
			cost: 40, routes: 1,
			check: func(t *testing.T, s *vrp.Solution) {
				steps := s.Routes[0].Steps
				if steps[1].Type != vrp.StepPickup || steps[2].Type != vrp.StepDelivery {
					t.Errorf("want pickup then delivery, got %s then %s", steps[1].Type, steps[2].Type)
				}
			},
		},
		{
			name: "skills pick the vehicle",
			p: &vrp.Problem{
				Jobs: []vrp.Job{{ID: 1, Location: at(1), Skills: []int{5}}},
				Vehicles: []vrp.Vehicle{
					vehicle(1, 0, 0),
					func() vrp.Vehicle { v := vehicle(2, 2, 2); v.Skills = []int{5}; return v }(),
				},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 100)},
			},
			cost: 180, routes: 1,
			check: func(t *testing.T, s *vrp.Solution) {
				if s.Routes[0].Vehicle != 2 {
					t.Errorf("job needs skill 5: want vehicle 2, got %d", s.Routes[0].Vehicle)
				}
			},
		},
		{
			name: "open route ends at the last task",
			p: &vrp.Problem{
				Jobs:     []vrp.Job{job(1, 1), job(2, 2)},
				Vehicles: []vrp.Vehicle{vehicle(1, 0, -1)},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)},
			},
			cost: 20, routes: 1,
		},
		{
			name: "priority wins when not everything fits",
			p: &vrp.Problem{
				Jobs: []vrp.Job{
					{ID: 1, Location: at(1), Delivery: vrp.Amount{1}, Priority: 0},
					{ID: 2, Location: at(2), Delivery: vrp.Amount{1}, Priority: 10},
				},
				Vehicles: []vrp.Vehicle{func() vrp.Vehicle { v := vehicle(1, 0, 0); v.Capacity = vrp.Amount{1}; return v }()},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 50)},
			},
			cost: 100, routes: 1, unassigns: 1,
			check: func(t *testing.T, s *vrp.Solution) {
				if s.Unassigned[0].ID != 1 {
					t.Errorf("want job 1 (priority 0) unassigned, got %d", s.Unassigned[0].ID)
				}
			},
		},
		{
			name: "break inside its window",
			p: &vrp.Problem{
				Jobs: []vrp.Job{{ID: 1, Location: at(1), Service: 50}, {ID: 2, Location: at(2), Service: 50}},
				Vehicles: []vrp.Vehicle{func() vrp.Vehicle {
					v := vehicle(1, 0, 0)
					v.Breaks = []vrp.Break{{ID: 9, TimeWindows: []vrp.TimeWindow{{60, 80}}, Service: 30}}
					return v
				}()},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)},
			},
			cost: 40, routes: 1,
			check: func(t *testing.T, s *vrp.Solution) {
				for _, st := range s.Routes[0].Steps {
					if st.Type == vrp.StepBreak {
						if start := st.Arrival + st.WaitingTime; start < 60 || start > 80 {
							t.Errorf("break starts at %d, outside [60,80]", start)
						}
						return
					}
				}
				t.Error("no break in the route")
			},
		},
		{
			name: "max_tasks spreads jobs",
			p: &vrp.Problem{
				Jobs: []vrp.Job{job(1, 1), job(2, 1), job(3, 1)},
				Vehicles: []vrp.Vehicle{
					func() vrp.Vehicle { v := vehicle(1, 0, 0); v.MaxTasks = 2; return v }(),
					func() vrp.Vehicle { v := vehicle(2, 0, 0); v.MaxTasks = 2; return v }(),
				},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10)},
			},
			cost: 40, routes: 2,
		},
		{
			name: "fixed costs and classic objective use one vehicle",
			p: &vrp.Problem{
				Jobs: []vrp.Job{job(1, 1), job(2, 2)},
				Vehicles: []vrp.Vehicle{
					vehicle(1, 0, 0), vehicle(2, 0, 0),
				},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, -10)},
			},
			opt:  vrp.Options{Objective: vrp.MinimizeVehiclesThenCost},
			cost: 40, routes: 1,
		},
		{
			name: "forced steps keep their order",
			p: &vrp.Problem{
				Jobs: []vrp.Job{job(1, 1), job(2, 2), job(3, 3)},
				Vehicles: []vrp.Vehicle{func() vrp.Vehicle {
					v := vehicle(1, 0, 0)
					v.Steps = []vrp.VehicleStep{{Type: vrp.StepStart}, {Type: vrp.StepJob, ID: 2}, {Type: vrp.StepJob, ID: 1}, {Type: vrp.StepEnd}}
					return v
				}()},
				Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20, 30)},
			},
			cost: 60, routes: 1, // 0→30→20→10→0 keeps job 2 before job 1
			check: func(t *testing.T, s *vrp.Solution) {
				ids := routeIDs(s.Routes[0])
				i2, i1 := indexOf(ids, 2), indexOf(ids, 1)
				if i2 < 0 || i1 < 0 || i2 > i1 {
					t.Errorf("steps say job 2 before job 1, got %v", ids)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, tc.p, tc.opt)
			if sol.Summary.Cost != tc.cost || len(sol.Routes) != tc.routes || len(sol.Unassigned) != tc.unassigns {
				t.Errorf("got cost %d, %d routes, %d unassigned; want %d, %d, %d",
					sol.Summary.Cost, len(sol.Routes), len(sol.Unassigned), tc.cost, tc.routes, tc.unassigns)
			}
			if tc.check != nil && len(sol.Routes) > 0 {
				tc.check(t, sol)
			}
		})
	}
}

func indexOf(s []uint64, v uint64) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestUnassignedReasons(t *testing.T) {
	mat := lineMatrix(0, 10, 20)
	tests := []struct {
		name string
		job  vrp.Job
		want string
	}{
		{"skill nobody has", vrp.Job{ID: 1, Location: at(1), Skills: []int{3}}, "skills"},
		{"too big", vrp.Job{ID: 1, Location: at(1), Delivery: vrp.Amount{9}}, "capacity"},
		{"window before the shift", vrp.Job{ID: 1, Location: at(2), TimeWindows: []vrp.TimeWindow{{0, 5}}}, "time window"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := vehicle(1, 0, 0)
			v.Capacity = vrp.Amount{2}
			if tc.job.Delivery == nil {
				tc.job.Delivery = vrp.Amount{0}
			}
			p := &vrp.Problem{Jobs: []vrp.Job{tc.job}, Vehicles: []vrp.Vehicle{v}, Matrices: map[string]*vrp.Matrix{"car": mat}}
			sol := solveChecked(t, p, vrp.Options{})
			if len(sol.Unassigned) != 1 {
				t.Fatalf("want the job unassigned, got %d unassigned", len(sol.Unassigned))
			}
			if got := sol.Unassigned[0].Reason; !strings.HasPrefix(got, tc.want) {
				t.Errorf("reason %q, want prefix %q", got, tc.want)
			}
		})
	}
}

// randomProblem is a seeded VRPTW-like instance for property tests.
func randomProblem(n int, seed uint64) *vrp.Problem {
	x := seed*2654435761 + 1
	rnd := func(k int64) int64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int64(x % uint64(k))
	}
	xs := make([]int64, n+1)
	ys := make([]int64, n+1)
	for i := 1; i <= n; i++ {
		xs[i], ys[i] = rnd(1000), rnd(1000)
	}
	xs[0], ys[0] = 500, 500
	m := &vrp.Matrix{Durations: make([][]int64, n+1)}
	for i := range xs {
		m.Durations[i] = make([]int64, n+1)
		for j := range xs {
			dx, dy := xs[i]-xs[j], ys[i]-ys[j]
			m.Durations[i][j] = abs(dx) + abs(dy)
		}
	}
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": m}}
	for i := 1; i <= n; i++ {
		j := vrp.Job{ID: uint64(i), Location: at(i), Service: 30, Delivery: vrp.Amount{1 + rnd(5)}}
		if i%3 == 0 {
			s := rnd(6000)
			j.TimeWindows = []vrp.TimeWindow{{s, s + 1500}}
		}
		p.Jobs = append(p.Jobs, j)
	}
	for v := 0; v < n/8+1; v++ {
		veh := vehicle(uint64(v+1), 0, 0)
		veh.Capacity = vrp.Amount{30}
		veh.TimeWindow = &vrp.TimeWindow{Start: 0, End: 10000}
		p.Vehicles = append(p.Vehicles, veh)
	}
	return p
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestSolveDeterministic(t *testing.T) {
	for _, threads := range []int{1, 2} {
		p := randomProblem(60, 7)
		opt := vrp.Options{Seed: 42, Threads: threads, MaxIterations: 4000}
		a := solveChecked(t, p, opt)
		b := solveChecked(t, p, opt)
		a.SolvingMS, b.SolvingMS = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Errorf("threads=%d: two runs with the same seed differ: cost %d vs %d", threads, a.Summary.Cost, b.Summary.Cost)
		}
	}
}

func TestSolveImprovesOnConstruction(t *testing.T) {
	p := randomProblem(80, 3)
	first := solveChecked(t, p, vrp.Options{Seed: 1, MaxIterations: 1})
	long := solveChecked(t, p, vrp.Options{Seed: 1, MaxIterations: 20000, Threads: 2})
	if len(long.Unassigned) > len(first.Unassigned) || long.Summary.Cost >= first.Summary.Cost {
		t.Errorf("search did not improve: construction cost %d, after search %d", first.Summary.Cost, long.Summary.Cost)
	}
}

func TestSolveHonoursDeadline(t *testing.T) {
	p := randomProblem(200, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	sol, err := vrp.Solve(ctx, p, vrp.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Solve took %v with a 300ms deadline", el)
	}
	if rep := check.Check(p, sol); !rep.Feasible {
		t.Errorf("checker rejects the solution: %v", rep.Errors)
	}
}

func TestSolveRejectsBadInput(t *testing.T) {
	p := &vrp.Problem{
		Jobs:     []vrp.Job{{ID: 1, Location: at(5)}},
		Vehicles: []vrp.Vehicle{vehicle(1, 0, 0)},
		Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10)},
	}
	_, err := vrp.Solve(context.Background(), p, vrp.Options{MaxIterations: 10})
	var ie *vrp.InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Field, "jobs[0]") {
		t.Fatalf("want an InputError naming jobs[0], got %v", err)
	}
}

func TestSolveLargeGranular(t *testing.T) {
	// From 400 tasks, insertion looks at the neighbours' routes first.
	p := randomProblem(600, 11)
	sol := solveChecked(t, p, vrp.Options{Seed: 3, Threads: 2, MaxIterations: 400})
	if len(sol.Unassigned) != 0 {
		t.Errorf("%d tasks unassigned", len(sol.Unassigned))
	}
}

func TestSolveStationDays(t *testing.T) {
	// Generated delivery days: breaks, two capacity dimensions, skills,
	// returns, EVs with max_distance. Every output must check feasible.
	for _, tc := range []struct {
		n    int
		seed int64
	}{{60, 1}, {150, 2}, {300, 3}} {
		t.Run(fmt.Sprintf("n%d_seed%d", tc.n, tc.seed), func(t *testing.T) {
			p := bench.GenerateStationDay(tc.n, tc.seed)
			sol := solveChecked(t, p, vrp.Options{Seed: tc.seed, Threads: 2, MaxIterations: 3000})
			if len(sol.Unassigned) != 0 {
				t.Errorf("%d stops unassigned: first %+v", len(sol.Unassigned), sol.Unassigned[0])
			}
		})
	}
}

func TestPlanReportsViolations(t *testing.T) {
	// One vehicle told to serve job 2 (window 0-15) after job 1: job 2 is
	// late by 15, the vehicle is over capacity from the start, and job 3 is
	// in no route.
	v := vehicle(1, 0, 0)
	v.Capacity = vrp.Amount{1}
	v.Steps = []vrp.VehicleStep{{Type: vrp.StepStart}, {Type: vrp.StepJob, ID: 1}, {Type: vrp.StepJob, ID: 2}, {Type: vrp.StepEnd, ServiceBefore: ptr(int64(50))}}
	p := &vrp.Problem{
		Jobs: []vrp.Job{
			{ID: 1, Location: at(2), Delivery: vrp.Amount{1}},
			{ID: 2, Location: at(1), Delivery: vrp.Amount{1}, TimeWindows: []vrp.TimeWindow{{0, 15}}},
			{ID: 3, Location: at(1), Delivery: vrp.Amount{0}},
		},
		Vehicles: []vrp.Vehicle{v},
		Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)},
	}
	sol, err := vrp.Plan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(sol.Routes) != 1 || len(sol.Unassigned) != 1 || sol.Unassigned[0].ID != 3 {
		t.Fatalf("want one route and job 3 unassigned, got %d routes, unassigned %+v", len(sol.Routes), sol.Unassigned)
	}
	steps := sol.Routes[0].Steps
	if got := routeIDs(sol.Routes[0]); !reflect.DeepEqual(got, []uint64{1, 2}) {
		t.Fatalf("plan mode must keep the given order, got %v", got)
	}
	if steps[2].Arrival != 30 || len(steps[2].Violations) != 1 || steps[2].Violations[0] != (vrp.Violation{Cause: "delay", Duration: 15}) {
		t.Errorf("job 2: arrival %d, violations %+v; want 30 and a delay of 15", steps[2].Arrival, steps[2].Violations)
	}
	if len(steps[0].Violations) == 0 || steps[0].Violations[0].Cause != "load" {
		t.Errorf("start carries 2 with capacity 1: want a load violation, got %+v", steps[0].Violations)
	}
	causes := map[string]int64{}
	for _, v := range sol.Summary.Violations {
		causes[v.Cause] = v.Duration
	}
	if causes["delay"] != 15 {
		t.Errorf("summary delay %d, want 15 (end at 40 is before 50)", causes["delay"])
	}
	if _, ok := causes["load"]; !ok {
		t.Errorf("summary lacks the load violation: %+v", sol.Summary.Violations)
	}
}

// richProblem draws a small problem using most of the model: several
// windows, setups, two dimensions, pickups, shipments, skills, breaks with
// max_load, open routes, speed factors, limits and priorities.
func richProblem(seed uint64) *vrp.Problem {
	r := rand.New(rand.NewPCG(seed, 99))
	n := 6 + r.IntN(14)
	locs := n + 3
	xs, ys := make([]int64, locs), make([]int64, locs)
	for i := range xs {
		xs[i], ys[i] = r.Int64N(300), r.Int64N(300)
	}
	m := &vrp.Matrix{Durations: make([][]int64, locs), Distances: make([][]int64, locs)}
	for i := range xs {
		m.Durations[i], m.Distances[i] = make([]int64, locs), make([]int64, locs)
		for j := range xs {
			d := abs(xs[i]-xs[j]) + abs(ys[i]-ys[j])
			m.Durations[i][j], m.Distances[i][j] = d, 7*d
		}
	}
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": m}}
	windows := func() []vrp.TimeWindow {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			s := r.Int64N(1500)
			return []vrp.TimeWindow{{s, s + 200 + r.Int64N(400)}}
		default:
			s := r.Int64N(800)
			return []vrp.TimeWindow{{s, s + 100}, {s + 600, s + 900}}
		}
	}
	for i := 0; i < n; i++ {
		j := vrp.Job{ID: uint64(i + 1), Location: at(2 + r.IntN(locs-2)), Service: r.Int64N(60), Setup: r.Int64N(2) * 15,
			Delivery: vrp.Amount{r.Int64N(4), r.Int64N(3)}, Pickup: vrp.Amount{r.Int64N(2), 0},
			TimeWindows: windows(), Priority: r.IntN(3) * 10}
		if r.IntN(5) == 0 {
			j.Skills = []int{1 + r.IntN(2)}
		}
		if r.IntN(5) == 0 && len(j.TimeWindows) > 0 {
			j.Soft = &vrp.SoftWindows{MaxLateness: -1, EarlyCostPerHour: 600 + r.Int64N(3000), MaxEarliness: r.Int64N(300) - 1}
		}
		p.Jobs = append(p.Jobs, j)
	}
	if r.IntN(3) == 0 {
		perm := r.Perm(n)
		k := 2 + r.IntN(2)
		var ids []uint64
		for _, i := range perm[:k] {
			ids = append(ids, uint64(i+1))
		}
		kind := []string{vrp.RelationSameRoute, vrp.RelationSequence, vrp.RelationDirect}[r.IntN(3)]
		p.Relations = []vrp.Relation{{Type: kind, Jobs: ids}}
	}
	if r.IntN(4) == 0 {
		perm := r.Perm(n)
		p.Relations = append(p.Relations, vrp.Relation{Type: vrp.RelationAlternative, Jobs: []uint64{uint64(perm[0] + 1), uint64(perm[1] + 1)}})
	}
	if r.IntN(5) == 0 {
		perm := r.Perm(n)
		p.Relations = append(p.Relations, vrp.Relation{Type: vrp.RelationMaxServed, Max: r.IntN(2),
			Jobs: []uint64{uint64(perm[0] + 1), uint64(perm[1] + 1), uint64(perm[2] + 1)}})
	}
	for s := 0; s < r.IntN(4); s++ {
		p.Shipments = append(p.Shipments, vrp.Shipment{
			Pickup:   vrp.ShipmentStep{ID: uint64(s + 1), Location: at(2 + r.IntN(locs-2)), Service: 20, TimeWindows: windows()},
			Delivery: vrp.ShipmentStep{ID: uint64(s + 1), Location: at(2 + r.IntN(locs-2)), Service: 20, TimeWindows: windows()},
			Amount:   vrp.Amount{1 + r.Int64N(3), r.Int64N(2)},
		})
	}
	for v := 0; v < 1+r.IntN(3); v++ {
		veh := vehicle(uint64(v+1), r.IntN(2), r.IntN(2))
		if r.IntN(4) == 0 {
			veh.End = nil
		}
		veh.Capacity = vrp.Amount{10 + r.Int64N(10), 8}
		veh.TimeWindow = &vrp.TimeWindow{Start: 0, End: 2500 + r.Int64N(1500)}
		veh.Skills = []int{1 + r.IntN(2)}
		veh.SpeedFactor = []float64{1, 1, 1.5, 0.8}[r.IntN(4)]
		veh.Costs = vrp.Costs{Fixed: r.Int64N(100), PerHour: 3600, PerKm: r.Int64N(3)}
		if r.IntN(3) == 0 {
			veh.Breaks = []vrp.Break{{ID: 1, TimeWindows: []vrp.TimeWindow{{600, 1400}}, Service: 60, MaxLoad: vrp.Amount{12, 8}}}
		}
		if r.IntN(4) == 0 {
			veh.MaxTasks = 4 + r.IntN(6)
		}
		if r.IntN(4) == 0 {
			veh.MaxTravelTime = 1500 + r.Int64N(1000)
		}
		if r.IntN(4) == 0 {
			veh.MaxDistance = 12000 + r.Int64N(8000)
		}
		switch r.IntN(7) {
		case 0:
			veh.WaitingCostPerHour = 1800 + r.Int64N(3600)
		case 1:
			veh.MaxWaiting = ptr(200 + r.Int64N(600))
		case 2:
			veh.BalanceCostPerHour2 = 100 + r.Int64N(2000)
		case 3:
			veh.DrivingRule = &vrp.DrivingRule{MaxDriving: 500 + r.Int64N(700), Rest: 30 + r.Int64N(150)}
		case 4:
			veh.WorkingCostPerHour, veh.MinDuration = 1800+r.Int64N(3600), r.Int64N(2000)
		case 6:
			veh.Reloads = &vrp.Reloads{Max: 1 + r.IntN(3), Service: r.Int64N(120)}
		case 5:
			start := r.Int64N(800)
			veh.Traffic = vrp.Traffic{{Start: start, End: start + 300 + r.Int64N(600), Factor: 1.2 + r.Float64()*1.5}}
			if r.IntN(2) == 0 {
				veh.Traffic = append(veh.Traffic, vrp.TrafficBand{Start: 2000, End: 2600, Factor: 0.7})
			}
		}
		p.Vehicles = append(p.Vehicles, veh)
	}
	return p
}

func TestSolveRandomProblemsCheck(t *testing.T) {
	// Every solution of a random rich problem must pass the independent
	// checker, whatever is assigned.
	assigned := 0
	for seed := uint64(1); seed <= 60; seed++ {
		p := richProblem(seed)
		sol := solveChecked(t, p, vrp.Options{Seed: int64(seed), Threads: 1 + int(seed%2), MaxIterations: 400})
		for _, r := range sol.Routes {
			assigned += len(r.Steps)
		}
		for _, u := range sol.Unassigned {
			if u.Reason == "" {
				t.Errorf("seed %d: %s %d unassigned without a reason", seed, u.Type, u.ID)
			}
		}
	}
	if assigned < 300 {
		t.Errorf("only %d steps routed over 60 problems: the generator makes problems too hard to test much", assigned)
	}
}

func TestSolveMaxRideTime(t *testing.T) {
	// On a line, with 5 s of service everywhere: shipment 1 goes 10 → 20,
	// shipment 2 goes 15 → 25. Unbounded, the best tour picks both first
	// (cost 50) and shipment 1 rides 15 s; bounded to 12 s, it must be
	// delivered before shipment 2 is picked up or picked after it (cost 60).
	build := func(maxRide int64) *vrp.Problem {
		step := func(id uint64, loc int) vrp.ShipmentStep {
			return vrp.ShipmentStep{ID: id, Location: at(loc), Service: 5}
		}
		return &vrp.Problem{
			Shipments: []vrp.Shipment{
				{Pickup: step(1, 1), Delivery: step(1, 3), Amount: vrp.Amount{1}, MaxRideTime: maxRide},
				{Pickup: step(2, 2), Delivery: step(2, 4), Amount: vrp.Amount{1}},
			},
			Vehicles: []vrp.Vehicle{func() vrp.Vehicle { v := vehicle(1, 0, 0); v.Capacity = vrp.Amount{2}; return v }()},
			Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 15, 20, 25)},
		}
	}
	free := solveChecked(t, build(0), vrp.Options{})
	if free.Summary.Cost != 50 {
		t.Fatalf("without a ride limit: cost %d, want 50", free.Summary.Cost)
	}
	bounded := solveChecked(t, build(12), vrp.Options{})
	if bounded.Summary.Cost != 60 || len(bounded.Unassigned) != 0 {
		t.Fatalf("with a 12 s ride limit: cost %d, %d unassigned; want 60, 0", bounded.Summary.Cost, len(bounded.Unassigned))
	}
	var left int64 = -1
	for _, st := range bounded.Routes[0].Steps {
		switch {
		case st.Type == vrp.StepPickup && st.ID == 1:
			left = st.Arrival + st.WaitingTime + st.Setup + st.Service
		case st.Type == vrp.StepDelivery && st.ID == 1:
			if ride := st.Arrival + st.WaitingTime - left; ride > 12 {
				t.Errorf("shipment 1 rides %d s, limit 12", ride)
			}
		}
	}
	// Too tight to be met at all: left out, with a reason.
	tight := solveChecked(t, build(3), vrp.Options{})
	if len(tight.Unassigned) != 2 || !strings.HasPrefix(tight.Unassigned[0].Reason, "ride time") {
		t.Errorf("a 3 s ride over 10 s of road: want shipment 1 unassigned (2 steps) for its ride time, got %+v", tight.Unassigned)
	}
}

func TestSolveMaxDuration(t *testing.T) {
	// Three jobs 100 s apart on a line, 600 s of service each, windows late
	// in a long shift. Started at the shift's start the day would wait
	// hours; the start is delayed, so one vehicle works 2,400 s. With 2,000
	// s of working time a second vehicle is needed.
	build := func(maxDur int64) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 100, 200, 300)}}
		for i := 1; i <= 3; i++ {
			p.Jobs = append(p.Jobs, vrp.Job{ID: uint64(i), Location: at(i), Service: 600,
				TimeWindows: []vrp.TimeWindow{{20000, 30000}}})
		}
		for v := 1; v <= 2; v++ {
			veh := vehicle(uint64(v), 0, 0)
			veh.TimeWindow = &vrp.TimeWindow{Start: 0, End: 40000}
			veh.MaxDuration = maxDur
			veh.Costs.Fixed = 10
			p.Vehicles = append(p.Vehicles, veh)
		}
		return p
	}
	one := solveChecked(t, build(2400), vrp.Options{})
	if len(one.Routes) != 1 {
		t.Fatalf("2,400 s of working time: want one route, got %d", len(one.Routes))
	}
	if start := one.Routes[0].Steps[0].Arrival; start < 19000 {
		t.Errorf("the route leaves at %d: it should leave as late as its first window allows", start)
	}
	two := solveChecked(t, build(2000), vrp.Options{})
	if len(two.Routes) != 2 || len(two.Unassigned) != 0 {
		t.Fatalf("2,000 s of working time: want two routes and nothing unassigned, got %d routes, %d unassigned", len(two.Routes), len(two.Unassigned))
	}
}

func TestSolveSoftTimeWindows(t *testing.T) {
	// Two jobs both due by 15 s, 10 and 12 s from the station and 10 s
	// apart; a vehicle costs 1,000. With hard windows each needs its own
	// vehicle (2,044). Soft windows at 3,600 an hour (1 a second) let one
	// vehicle serve both, job 2 five seconds late: 1,000 + 32 + 5 = 1,037.
	// A maximum lateness of 3 s forbids that again.
	m := &vrp.Matrix{Durations: [][]int64{{0, 10, 12}, {10, 0, 10}, {12, 10, 0}}}
	build := func(soft *vrp.SoftWindows) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": m}}
		for i := 1; i <= 2; i++ {
			p.Jobs = append(p.Jobs, vrp.Job{ID: uint64(i), Location: at(i), TimeWindows: []vrp.TimeWindow{{0, 15}}, Soft: soft})
		}
		for v := 1; v <= 2; v++ {
			veh := vehicle(uint64(v), 0, 0)
			veh.Costs.Fixed = 1000
			p.Vehicles = append(p.Vehicles, veh)
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		soft   *vrp.SoftWindows
		cost   int64
		routes int
		delay  int64
	}{
		{"hard", nil, 2044, 2, 0},
		{"soft", &vrp.SoftWindows{LateCostPerHour: 3600, MaxLateness: -1}, 1037, 1, 5},
		{"soft but at most 3 s late", &vrp.SoftWindows{LateCostPerHour: 3600, MaxLateness: 3}, 2044, 2, 0},
		{"soft and dear", &vrp.SoftWindows{LateCostPerHour: 3600 * 300, MaxLateness: -1}, 2044, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, build(tc.soft), vrp.Options{})
			if sol.Summary.Cost != tc.cost || len(sol.Routes) != tc.routes {
				t.Fatalf("cost %d with %d routes, want %d with %d", sol.Summary.Cost, len(sol.Routes), tc.cost, tc.routes)
			}
			var delay int64
			for _, v := range sol.Summary.Violations {
				if v.Cause == "delay" {
					delay += v.Duration
				}
			}
			if delay != tc.delay {
				t.Errorf("reported delay %d s, want %d", delay, tc.delay)
			}
		})
	}
}

func TestSolveStabilityTerm(t *testing.T) {
	// Re-planning: jobs 1 and 2 were promised for 10 and 25 s (5 s of
	// service each). New job 3 fits best between them (travel 41) but moves
	// job 2 by 6 s; after job 2 it costs 47 and moves nothing. At 2 a second
	// for a moved ETA, the stable plan wins.
	m := &vrp.Matrix{Durations: [][]int64{{0, 10, 20, 15}, {10, 0, 10, 3}, {20, 10, 0, 12}, {15, 3, 8, 0}}}
	build := func(etaCost int64) *vrp.Problem {
		promised := func(eta int64) *vrp.SoftWindows {
			return &vrp.SoftWindows{MaxLateness: -1, ETA: eta, ETACostPerHour: etaCost}
		}
		return &vrp.Problem{
			Jobs: []vrp.Job{
				{ID: 1, Location: at(1), Service: 5, Soft: promised(10)},
				{ID: 2, Location: at(2), Service: 5, Soft: promised(25)},
				{ID: 3, Location: at(3), Service: 5},
			},
			Vehicles: []vrp.Vehicle{vehicle(1, 0, 0)},
			Matrices: map[string]*vrp.Matrix{"car": m},
		}
	}
	free := solveChecked(t, build(0), vrp.Options{})
	if got := routeIDs(free.Routes[0]); free.Summary.Cost != 41 || !reflect.DeepEqual(got, []uint64{1, 3, 2}) {
		t.Errorf("without the stability term: cost %d, order %v; want 41, [1 3 2]", free.Summary.Cost, got)
	}
	stable := solveChecked(t, build(7200), vrp.Options{})
	if got := routeIDs(stable.Routes[0]); stable.Summary.Cost != 47 || !reflect.DeepEqual(got, []uint64{1, 2, 3}) {
		t.Errorf("with 2 per second of moved ETA: cost %d, order %v; want 47, [1 2 3]", stable.Summary.Cost, got)
	}
}

func TestSolveWarmStart(t *testing.T) {
	// Starting from a previous solution rebuilds its routes first: with a
	// single iteration the answer is at least as good, with the same routes.
	p := randomProblem(60, 21)
	prev := solveChecked(t, p, vrp.Options{Seed: 5, MaxIterations: 5000})
	again := solveChecked(t, p, vrp.Options{Seed: 9, MaxIterations: 1, Start: prev})
	if again.Summary.Cost > prev.Summary.Cost || len(again.Unassigned) > len(prev.Unassigned) {
		t.Fatalf("warm start: cost %d (%d unassigned), previous %d (%d)", again.Summary.Cost, len(again.Unassigned), prev.Summary.Cost, len(prev.Unassigned))
	}
	// a removed task and a new one: the rest keeps its order
	q := *p
	q.Jobs = append(append([]vrp.Job(nil), p.Jobs[1:]...), vrp.Job{ID: 999, Location: at(3), Service: 30, Delivery: vrp.Amount{1}})
	re := solveChecked(t, &q, vrp.Options{Seed: 9, MaxIterations: 1, Start: prev})
	if len(re.Unassigned) != 0 {
		t.Errorf("re-plan left %d tasks out", len(re.Unassigned))
	}
}

func TestSolveWaitingCost(t *testing.T) {
	// A station and two jobs 100 s from it and from each other: job 1 due
	// by 200 s, job 2 not before 1,000 s. One vehicle serves both for 300 s
	// of travel but waits 700 s (its start can be delayed by 100 s only);
	// two vehicles travel 400 s and never wait. Waiting at 3,600 an hour
	// (1 a second) makes the second plan the cheaper one; a 600 s bound on
	// one wait makes the first impossible, so that one vehicle alone
	// leaves a job out.
	m := &vrp.Matrix{Durations: [][]int64{{0, 100, 100}, {100, 0, 100}, {100, 100, 0}}}
	build := func(vehicles int, waitCost int64, maxWait *int64) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": m}}
		p.Jobs = []vrp.Job{
			{ID: 1, Location: at(1), TimeWindows: []vrp.TimeWindow{{0, 200}}},
			{ID: 2, Location: at(2), TimeWindows: []vrp.TimeWindow{{1000, 1100}}},
		}
		for v := 1; v <= vehicles; v++ {
			veh := vehicle(uint64(v), 0, 0)
			veh.TimeWindow = &vrp.TimeWindow{Start: 0, End: 10000}
			veh.WaitingCostPerHour = waitCost
			veh.MaxWaiting = maxWait
			p.Vehicles = append(p.Vehicles, veh)
		}
		return p
	}
	for _, tc := range []struct {
		name               string
		vehicles           int
		waitCost           int64
		maxWait            *int64
		cost, waiting      int64
		routes, unassigned int
	}{
		{"free waiting", 2, 0, nil, 300, 700, 1, 0},
		{"paid waiting", 2, 3600, nil, 400, 0, 2, 0},
		{"cheap waiting", 2, 360, nil, 370, 700, 1, 0},
		{"bounded waiting", 2, 0, ptr[int64](600), 400, 0, 2, 0},
		{"bound met", 2, 0, ptr[int64](700), 300, 700, 1, 0},
		{"bounded waiting, one vehicle", 1, 0, ptr[int64](600), 200, 0, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, build(tc.vehicles, tc.waitCost, tc.maxWait), vrp.Options{})
			if sol.Summary.Cost != tc.cost || sol.Summary.WaitingTime != tc.waiting || len(sol.Routes) != tc.routes || len(sol.Unassigned) != tc.unassigned {
				t.Fatalf("cost %d, waiting %d, %d routes, %d unassigned; want %d, %d, %d, %d",
					sol.Summary.Cost, sol.Summary.WaitingTime, len(sol.Routes), len(sol.Unassigned), tc.cost, tc.waiting, tc.routes, tc.unassigned)
			}
		})
	}
}

func TestSolveBalance(t *testing.T) {
	// Four jobs at one place 100 s from the station, 1,000 s of service
	// each, two vehicles. Without the balance term one vehicle does all
	// (travel 200). At 1,000 per squared hour that route (4,200 s) costs
	// 200 + 1,361 while two routes of 2,200 s cost 2 × 573 = 1,146 (373.46 rounded per route).
	build := func(c int64) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 100)}}
		for i := 1; i <= 4; i++ {
			p.Jobs = append(p.Jobs, vrp.Job{ID: uint64(i), Location: at(1), Service: 1000})
		}
		for v := 1; v <= 2; v++ {
			veh := vehicle(uint64(v), 0, 0)
			veh.BalanceCostPerHour2 = c
			p.Vehicles = append(p.Vehicles, veh)
		}
		return p
	}
	one := solveChecked(t, build(0), vrp.Options{})
	if len(one.Routes) != 1 || one.Summary.Cost != 200 {
		t.Fatalf("no balance: %d routes costing %d, want 1 costing 200", len(one.Routes), one.Summary.Cost)
	}
	two := solveChecked(t, build(1000), vrp.Options{})
	if len(two.Routes) != 2 || two.Summary.Cost != 1146 {
		t.Fatalf("balance: %d routes costing %d, want 2 costing 1,146", len(two.Routes), two.Summary.Cost)
	}
	for _, r := range two.Routes {
		if got := len(routeIDs(r)); got != 2 {
			t.Errorf("vehicle %d serves %d jobs, want 2", r.Vehicle, got)
		}
	}
}

func TestPlanReportsWorkingTimeViolations(t *testing.T) {
	// Jobs 1 then 2, 10 s apart on a line from the station; job 2 opens at
	// 100 s: the vehicle waits 80 s there and is back at 120 s.
	v := vehicle(1, 0, 0)
	v.MaxWaiting = ptr(int64(50))
	v.MaxDuration = 100
	v.Steps = []vrp.VehicleStep{{Type: vrp.StepStart}, {Type: vrp.StepJob, ID: 1}, {Type: vrp.StepJob, ID: 2}, {Type: vrp.StepEnd}}
	p := &vrp.Problem{
		Jobs: []vrp.Job{
			{ID: 1, Location: at(1)},
			{ID: 2, Location: at(2), TimeWindows: []vrp.TimeWindow{{100, 200}}},
		},
		Vehicles: []vrp.Vehicle{v},
		Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)},
	}
	sol, err := vrp.Plan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	causes := map[string]int64{}
	for _, v := range sol.Summary.Violations {
		causes[v.Cause] = v.Duration
	}
	if causes["max_waiting"] != 30 || causes["max_duration"] != 20 {
		t.Errorf("violations %+v: want max_waiting 30 (80 s > 50 s) and max_duration 20 (120 s > 100 s)", sol.Summary.Violations)
	}
	if got := sol.Routes[0].Steps[2].Violations; len(got) != 1 || got[0].Cause != "max_waiting" {
		t.Errorf("job 2 violations %+v, want max_waiting", got)
	}
}

func TestUnassignedBlockedPerVehicle(t *testing.T) {
	// Job 9 needs skill 1 and 5 units, by 15 s at 20 s from the station.
	// Vehicle 1 lacks the skill, vehicle 2 is too small, vehicle 3 cannot
	// be there in time, vehicle 4 could serve it alone but is taken by job
	// 1, which only it can serve too and which has priority 100.
	mat := lineMatrix(-20, 0, 20)
	mk := func(id uint64, skills []int, capacity int64) vrp.Vehicle {
		v := vehicle(id, 1, 1)
		v.Skills, v.Capacity = skills, vrp.Amount{capacity}
		return v
	}
	v3 := mk(3, []int{1}, 9)
	v3.TimeWindow = &vrp.TimeWindow{Start: 10, End: 1000}
	v4 := mk(4, []int{1}, 9)
	v4.MaxTasks = 1
	p := &vrp.Problem{
		Jobs: []vrp.Job{
			{ID: 1, Location: at(0), Delivery: vrp.Amount{5}, Priority: 100, Skills: []int{1}, TimeWindows: []vrp.TimeWindow{{0, 25}}},
			{ID: 9, Location: at(2), Delivery: vrp.Amount{5}, Skills: []int{1}, TimeWindows: []vrp.TimeWindow{{0, 25}}},
		},
		Vehicles: []vrp.Vehicle{mk(1, nil, 9), mk(2, []int{1}, 4), v3, v4},
		Matrices: map[string]*vrp.Matrix{"car": mat},
	}
	sol := solveChecked(t, p, vrp.Options{})
	if len(sol.Unassigned) != 1 || sol.Unassigned[0].ID != 9 {
		t.Fatalf("want job 9 unassigned, got %+v", sol.Unassigned)
	}
	want := []vrp.Blocked{
		{Cause: vrp.CauseSkills, Vehicles: []uint64{1}},
		{Cause: vrp.CauseCapacity, Vehicles: []uint64{2}},
		{Cause: vrp.CauseTimeWindow, Vehicles: []uint64{3}},
		{Cause: vrp.CauseNoRoom, Vehicles: []uint64{4}},
	}
	u := sol.Unassigned[0]
	if !reflect.DeepEqual(u.Blocked, want) {
		t.Errorf("blocked %+v, want %+v", u.Blocked, want)
	}
	if !strings.HasPrefix(u.Reason, "no room") {
		t.Errorf("reason %q: vehicle 4 could serve it alone, want no room", u.Reason)
	}
}

func TestSolveDrivingRule(t *testing.T) {
	// Jobs 100, 200 and 300 s out on a line from the station.
	build := func(maxDriving int64, window3 []vrp.TimeWindow) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 100, 200, 300)}}
		for i := 1; i <= 3; i++ {
			p.Jobs = append(p.Jobs, vrp.Job{ID: uint64(i), Location: at(i)})
		}
		p.Jobs[2].TimeWindows = window3
		v := vehicle(1, 0, 0)
		v.DrivingRule = &vrp.DrivingRule{MaxDriving: maxDriving, Rest: 50}
		p.Vehicles = []vrp.Vehicle{v}
		return p
	}
	rests := func(r vrp.Route) (n int, at []int) {
		for i, s := range r.Steps {
			if s.Rest {
				n++
				at = append(at, i)
			}
		}
		return n, at
	}
	t.Run("rest before the drive home", func(t *testing.T) {
		// 300 s out, then the 300 s drive home would make 600 > 300.
		sol := solveChecked(t, build(300, nil), vrp.Options{})
		r := sol.Routes[0]
		if n, at := rests(r); n != 1 || at[0] != len(r.Steps)-2 {
			t.Fatalf("want one rest just before the end, got %d at %v", n, at)
		}
		if end := r.Steps[len(r.Steps)-1].Arrival; end != 650 {
			t.Errorf("back at %d, want 650 (600 s of driving and a 50 s rest)", end)
		}
	})
	t.Run("waiting is a rest", func(t *testing.T) {
		// Job 3 opens at 400: the 100 s wait there is a rest.
		sol := solveChecked(t, build(300, []vrp.TimeWindow{{Start: 400, End: 1000}}), vrp.Options{})
		r := sol.Routes[0]
		if n, _ := rests(r); n != 0 {
			t.Errorf("%d rests: the wait at job 3 already is one", n)
		}
		if end := r.Steps[len(r.Steps)-1].Arrival; end != 700 {
			t.Errorf("back at %d, want 700", end)
		}
	})
	t.Run("no drive longer than the rule", func(t *testing.T) {
		// With 250 s the 300 s drive from job 3 home is impossible: the
		// route must leave job 3 for job 1 or 2 (100 s → 300 → 200 or
		// 200 → 300 → 100), with three rests, 750 s in all.
		sol := solveChecked(t, build(250, nil), vrp.Options{})
		if len(sol.Unassigned) != 0 {
			t.Fatalf("unassigned %+v: a route without a 300 s drive exists", sol.Unassigned)
		}
		r := sol.Routes[0]
		ids := routeIDs(r)
		var jobs []uint64
		for i, s := range r.Steps {
			if !s.Rest && s.Type == vrp.StepJob {
				jobs = append(jobs, ids[i-1])
			}
		}
		if n, _ := rests(r); n != 3 || r.Steps[len(r.Steps)-1].Arrival != 750 {
			t.Errorf("route %v with %d rests back at %d, want 3 rests and 750", ids, n, r.Steps[len(r.Steps)-1].Arrival)
		}
		if jobs[0] == 3 || jobs[2] == 3 {
			t.Errorf("route %v: job 3 must be in the middle", ids)
		}
	})
}

func TestSolveWorkingCost(t *testing.T) {
	// Two jobs 100 s from the station on opposite sides: one vehicle or
	// two travel 400 s alike. Working time at 3,600 an hour, paid for at
	// least 1,000 s, makes a second vehicle cost a second minimum: one
	// route costs 400 + 1,000, two 400 + 2,000. With 500 s of service at
	// job 1 and a 600 s minimum, one route works 900 s (400 + 900) while
	// two work 700 s and a paid 600 s (400 + 1,300).
	build := func(minDur int64, service int64) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 100, -100)}}
		p.Jobs = []vrp.Job{{ID: 1, Location: at(1), Service: service}, {ID: 2, Location: at(2)}}
		for v := 1; v <= 2; v++ {
			veh := vehicle(uint64(v), 0, 0)
			veh.WorkingCostPerHour, veh.MinDuration = 3600, minDur
			p.Vehicles = append(p.Vehicles, veh)
		}
		return p
	}
	for _, tc := range []struct {
		name            string
		minDur, service int64
		cost            int64
		routes          int
	}{
		{"paid minimum", 1000, 0, 1400, 1},
		{"service, short minimum", 600, 500, 1300, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, build(tc.minDur, tc.service), vrp.Options{})
			if sol.Summary.Cost != tc.cost || len(sol.Routes) != tc.routes {
				t.Fatalf("cost %d with %d routes, want %d with %d", sol.Summary.Cost, len(sol.Routes), tc.cost, tc.routes)
			}
		})
	}
}

func TestSolveTraffic(t *testing.T) {
	// Job 1 is 1,000 s out, job 2 100 s out with 500 s of service, 900 s
	// apart; rush hour doubles driving times until 1,100 s. Without traffic
	// both orders drive 2,000 s. With it, serving job 2 during the rush
	// and driving after it is cheaper: 2 then 1 drives 200 + 1,100 + 1,000
	// = 2,300 s (back at 2,800), 1 then 2 drives 1,550 + 900 + 100 = 2,550.
	m := &vrp.Matrix{Durations: [][]int64{{0, 1000, 100}, {1000, 0, 900}, {100, 900, 0}}}
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": m},
		Jobs: []vrp.Job{{ID: 1, Location: at(1)}, {ID: 2, Location: at(2), Service: 500}}}
	v := vehicle(1, 0, 0)
	v.Traffic = vrp.Traffic{{Start: 0, End: 1100, Factor: 2}}
	p.Vehicles = []vrp.Vehicle{v}
	sol := solveChecked(t, p, vrp.Options{})
	r := sol.Routes[0]
	if got := routeIDs(r); !reflect.DeepEqual(got, []uint64{2, 1}) || sol.Summary.Cost != 2300 || r.Duration != 2300 {
		t.Fatalf("route %v, cost %d, driving %d; want [2 1], 2,300, 2,300", got, sol.Summary.Cost, r.Duration)
	}
	if end := r.Steps[len(r.Steps)-1].Arrival; end != 2800 {
		t.Errorf("back at %d, want 2,800", end)
	}
	// The checker re-times the plan with the same bands: a plan timed
	// without them is refused.
	p.Vehicles[0].Traffic = nil
	if rep := check.Check(p, sol); rep.Feasible {
		t.Error("the checker accepts rush-hour times on a vehicle without traffic")
	}
}

func TestNearestNeighbour(t *testing.T) {
	// Jobs on a line at 10, 20, 30 and 5: from the station at 0 the
	// nearest-neighbour tour visits 5, 10, 20, 30.
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20, 30, 5)}}
	for i := 1; i <= 4; i++ {
		p.Jobs = append(p.Jobs, job(uint64(i), i))
	}
	p.Vehicles = []vrp.Vehicle{vehicle(1, 0, 0)}
	sol, err := vrp.NearestNeighbour(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if rep := check.Check(p, sol); !rep.Feasible {
		t.Fatalf("checker: %v", rep.Errors)
	}
	if got := routeIDs(sol.Routes[0]); !reflect.DeepEqual(got, []uint64{4, 1, 2, 3}) {
		t.Errorf("tour %v, want [4 1 2 3]", got)
	}
	// On random rich problems it is always feasible, and the optimizer
	// never does worse on the objective.
	worse := 0
	for seed := uint64(1); seed <= 40; seed++ {
		p := richProblem(seed)
		nn, err := vrp.NearestNeighbour(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if rep := check.Check(p, nn); !rep.Feasible {
			t.Fatalf("seed %d: checker refuses the nearest-neighbour plan: %v", seed, rep.Errors)
		}
		opt := solveChecked(t, p, vrp.Options{Seed: int64(seed), MaxIterations: 400})
		// the objective: priority served, then tasks served, then cost
		o, n := opt.Summary, nn.Summary
		if o.Priority < n.Priority || o.Priority == n.Priority && (o.Unassigned > n.Unassigned || o.Unassigned == n.Unassigned && o.Cost > n.Cost) {
			t.Logf("seed %d: optimizer priority %d, unassigned %d, cost %d; nearest neighbour %d, %d, %d", seed, o.Priority, o.Unassigned, o.Cost, n.Priority, n.Unassigned, n.Cost)
			worse++
		}
	}
	if worse > 2 {
		t.Errorf("the optimizer did worse than nearest neighbour on %d of 40 problems", worse)
	}
}

func TestSolveRelations(t *testing.T) {
	// Jobs 1, 2 and 3 at 10, 20 and 5 on a line from the station at 0;
	// open routes (no end), no fixed costs.
	build := func(vehicles int, rels ...vrp.Relation) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20, 5, -10)}, Relations: rels}
		for i := 1; i <= 3; i++ {
			p.Jobs = append(p.Jobs, job(uint64(i), i))
		}
		for v := 1; v <= vehicles; v++ {
			p.Vehicles = append(p.Vehicles, vehicle(uint64(v), 0, -1))
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		p     *vrp.Problem
		cost  int64
		order [][]uint64
	}{
		{"free", build(1), 20, [][]uint64{{3, 1, 2}}},
		{"sequence 2 before 1", build(1, vrp.Relation{Type: vrp.RelationSequence, Jobs: []uint64{2, 1}}), 30, [][]uint64{{3, 2, 1}}},
		{"direct 1 then 3", build(1, vrp.Relation{Type: vrp.RelationDirect, Jobs: []uint64{1, 3}}), 30, [][]uint64{{1, 3, 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, tc.p, vrp.Options{})
			var order [][]uint64
			for _, r := range sol.Routes {
				order = append(order, routeIDs(r))
			}
			if sol.Summary.Cost != tc.cost || !reflect.DeepEqual(order, tc.order) {
				t.Errorf("cost %d, routes %v; want %d, %v", sol.Summary.Cost, order, tc.cost, tc.order)
			}
		})
	}
	t.Run("same route", func(t *testing.T) {
		// Job 4 at -10: alone, two vehicles serve 1 and 4 apart (10 + 10);
		// tied to one route they cost 10 + 20.
		p := build(2)
		p.Jobs = []vrp.Job{job(1, 1), job(4, 4)}
		free := solveChecked(t, p, vrp.Options{})
		if len(free.Routes) != 2 || free.Summary.Cost != 20 {
			t.Fatalf("free: %d routes costing %d, want 2 costing 20", len(free.Routes), free.Summary.Cost)
		}
		p.Relations = []vrp.Relation{{Type: vrp.RelationSameRoute, Jobs: []uint64{4, 1}, Vehicle: ptr(uint64(2))}}
		tied := solveChecked(t, p, vrp.Options{})
		if len(tied.Routes) != 1 || tied.Summary.Cost != 30 || tied.Routes[0].Vehicle != 2 {
			t.Fatalf("tied: %d routes costing %d (vehicle %d), want 1 costing 30 on vehicle 2", len(tied.Routes), tied.Summary.Cost, tied.Routes[0].Vehicle)
		}
	})
	t.Run("same route over capacity", func(t *testing.T) {
		// Two jobs of 1 unit, vehicles of 1: tied together, one is left out
		// and explained by the relation on the other vehicle.
		p := build(2)
		p.Jobs = []vrp.Job{job(1, 1), job(2, 2)}
		p.Jobs[0].Delivery, p.Jobs[1].Delivery = vrp.Amount{1}, vrp.Amount{1}
		p.Jobs[1].Priority = 10
		for i := range p.Vehicles {
			p.Vehicles[i].Capacity = vrp.Amount{1}
		}
		p.Relations = []vrp.Relation{{Type: vrp.RelationSameRoute, Jobs: []uint64{1, 2}}}
		sol := solveChecked(t, p, vrp.Options{})
		if len(sol.Unassigned) != 1 || sol.Unassigned[0].ID != 1 {
			t.Fatalf("unassigned %+v, want job 1 (job 2 has the priority)", sol.Unassigned)
		}
		var causes []string
		for _, b := range sol.Unassigned[0].Blocked {
			causes = append(causes, b.Cause)
		}
		if !slices.Contains(causes, vrp.CauseRelation) {
			t.Errorf("blocked %+v: want the relation named", sol.Unassigned[0].Blocked)
		}
	})
}

func TestRelationsRejected(t *testing.T) {
	base := func() *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)}}
		p.Jobs = []vrp.Job{job(1, 1), job(2, 2)}
		p.Vehicles = []vrp.Vehicle{vehicle(1, 0, 0), vehicle(2, 0, 0)}
		return p
	}
	for _, tc := range []struct {
		name   string
		mutate func(p *vrp.Problem)
		field  string
	}{
		{"unknown type", func(p *vrp.Problem) { p.Relations = []vrp.Relation{{Type: "near", Jobs: []uint64{1, 2}}} }, "lastmile.relations[0].type"},
		{"one job", func(p *vrp.Problem) { p.Relations = []vrp.Relation{{Type: vrp.RelationSameRoute, Jobs: []uint64{1}}} }, "lastmile.relations[0].jobs"},
		{"unknown job", func(p *vrp.Problem) { p.Relations = []vrp.Relation{{Type: vrp.RelationSequence, Jobs: []uint64{1, 7}}} }, "lastmile.relations[0].jobs[1]"},
		{"unknown vehicle", func(p *vrp.Problem) {
			p.Relations = []vrp.Relation{{Type: vrp.RelationSequence, Jobs: []uint64{1, 2}, Vehicle: ptr(uint64(9))}}
		}, "lastmile.relations[0].vehicle"},
		{"cycle", func(p *vrp.Problem) {
			p.Relations = []vrp.Relation{{Type: vrp.RelationSequence, Jobs: []uint64{1, 2}}, {Type: vrp.RelationDirect, Jobs: []uint64{2, 1}}}
		}, "lastmile.relations[0]"},
		{"a sequence across two vehicles", func(p *vrp.Problem) {
			p.Vehicles[0].Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 1}}
			p.Vehicles[1].Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 2}}
			p.Relations = []vrp.Relation{{Type: vrp.RelationSequence, Jobs: []uint64{1, 2}}}
		}, "lastmile.relations[0].jobs[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.mutate(p)
			_, err := vrp.Solve(context.Background(), p, vrp.Options{MaxIterations: 10})
			var ie *vrp.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("got %v, want an input error at %s", err, tc.field)
			}
		})
	}
}

func TestPlanReportsRelationViolations(t *testing.T) {
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)}}
	p.Jobs = []vrp.Job{job(1, 1), job(2, 2)}
	v1, v2 := vehicle(1, 0, 0), vehicle(2, 0, 0)
	v1.Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 1}}
	v2.Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 2}}
	p.Vehicles = []vrp.Vehicle{v1, v2}
	p.Relations = []vrp.Relation{{Type: vrp.RelationSequence, Jobs: []uint64{1, 2}}}
	sol, err := vrp.Plan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sol.Routes {
		if len(r.Violations) != 1 || r.Violations[0].Cause != "relation" {
			t.Errorf("vehicle %d: violations %+v, want relation", r.Vehicle, r.Violations)
		}
	}
	// One vehicle serving them in the wrong order.
	v1.Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 2}, {Type: vrp.StepJob, ID: 1}}
	p.Vehicles = []vrp.Vehicle{v1}
	sol, err = vrp.Plan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got := sol.Summary.Violations; len(got) != 1 || got[0].Cause != "relation" {
		t.Errorf("violations %+v, want relation", got)
	}
}

func TestSolveSoftEarlyStart(t *testing.T) {
	// Job 1 at 10 s, job 2 10 s further, its window opening at 100 s, back
	// 20 s from it. Waiting costs 1 a second. Served in its window, job 2
	// waits 80 s: 40 + 80. Early service at 0.5 a second, at most 50 s
	// early, starts it at 50 after 30 s of waiting: 40 + 30 + 25. Dearer
	// earliness than waiting is never taken.
	build := func(earlyCost int64) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10, 20)}}
		p.Jobs = []vrp.Job{job(1, 1), {ID: 2, Location: at(2), TimeWindows: []vrp.TimeWindow{{Start: 100, End: 200}},
			Soft: &vrp.SoftWindows{MaxLateness: -1, EarlyCostPerHour: earlyCost, MaxEarliness: 50}}}
		v := vehicle(1, 0, 0)
		v.WaitingCostPerHour = 3600
		p.Vehicles = []vrp.Vehicle{v}
		return p
	}
	for _, tc := range []struct {
		name             string
		earlyCost        int64
		cost, lead, wait int64
	}{
		{"early is cheaper than waiting", 1800, 95, 50, 30},
		{"early is dearer", 7200, 120, 0, 80},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, build(tc.earlyCost), vrp.Options{})
			var lead int64
			for _, v := range sol.Summary.Violations {
				if v.Cause == "lead_time" {
					lead += v.Duration
				}
			}
			if sol.Summary.Cost != tc.cost || lead != tc.lead || sol.Summary.WaitingTime != tc.wait {
				t.Errorf("cost %d, lead time %d, waiting %d; want %d, %d, %d", sol.Summary.Cost, lead, sol.Summary.WaitingTime, tc.cost, tc.lead, tc.wait)
			}
		})
	}
}

func TestSolveReloads(t *testing.T) {
	// Jobs of one parcel 10 s from the station, a vehicle for 2 parcels.
	build := func(jobs int, reloads *vrp.Reloads) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 10)}}
		for i := 1; i <= jobs; i++ {
			p.Jobs = append(p.Jobs, vrp.Job{ID: uint64(i), Location: at(1), Delivery: vrp.Amount{1}})
		}
		v := vehicle(1, 0, 0)
		v.Capacity = vrp.Amount{2}
		v.Reloads = reloads
		p.Vehicles = []vrp.Vehicle{v}
		return p
	}
	count := func(r vrp.Route, typ vrp.StepType) int {
		n := 0
		for _, s := range r.Steps {
			if s.Type == typ {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name                    string
		jobs                    int
		reloads                 *vrp.Reloads
		unassigned, reloadSteps int
		cost, end               int64
	}{
		{"one trip", 4, nil, 2, 0, 20, 20},
		{"two trips", 4, &vrp.Reloads{Max: 3, Service: 30}, 0, 1, 40, 70},
		{"at most two trips", 6, &vrp.Reloads{Max: 1, Service: 30}, 2, 1, 40, 70},
		{"no reload needed", 2, &vrp.Reloads{Max: 3, Service: 30}, 0, 0, 20, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol := solveChecked(t, build(tc.jobs, tc.reloads), vrp.Options{})
			r := sol.Routes[0]
			if len(sol.Unassigned) != tc.unassigned || count(r, vrp.StepReload) != tc.reloadSteps || sol.Summary.Cost != tc.cost ||
				r.Steps[len(r.Steps)-1].Arrival != tc.end {
				t.Fatalf("unassigned %d, reloads %d, cost %d, back at %d; want %d, %d, %d, %d",
					len(sol.Unassigned), count(r, vrp.StepReload), sol.Summary.Cost, r.Steps[len(r.Steps)-1].Arrival,
					tc.unassigned, tc.reloadSteps, tc.cost, tc.end)
			}
			for _, s := range r.Steps {
				if s.Load[0] > 2 {
					t.Errorf("%s step carries %v over the capacity", s.Type, s.Load)
				}
			}
		})
	}
}

func TestSolveAlternativeLocations(t *testing.T) {
	// Job 1 at home 30 s east or (job 11) at a locker 5 s east; job 2 at
	// home 30 s west or (job 12) at the same locker. With room for both in
	// the locker, both go there (10 s of driving); with one compartment
	// left, job 2 goes to the locker and job 1 home (5 + 25 + 30 = 60)
	// rather than the other way round (5 + 35 + 30).
	build := func(compartments int) *vrp.Problem {
		p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{"car": lineMatrix(0, 30, -30, 5)}}
		p.Jobs = []vrp.Job{job(1, 1), job(2, 2), job(11, 3), job(12, 3)}
		p.Vehicles = []vrp.Vehicle{vehicle(1, 0, 0)}
		p.Relations = []vrp.Relation{
			{Type: vrp.RelationAlternative, Jobs: []uint64{1, 11}},
			{Type: vrp.RelationAlternative, Jobs: []uint64{2, 12}},
			{Type: vrp.RelationMaxServed, Jobs: []uint64{11, 12}, Max: compartments},
		}
		return p
	}
	for _, tc := range []struct {
		compartments int
		cost         int64
		served       []uint64
	}{{2, 10, []uint64{11, 12}}, {1, 60, []uint64{1, 12}}, {0, 120, []uint64{1, 2}}} {
		sol := solveChecked(t, build(tc.compartments), vrp.Options{})
		served := routeIDs(sol.Routes[0])
		slices.Sort(served)
		if sol.Summary.Cost != tc.cost || !reflect.DeepEqual(served, tc.served) || len(sol.Unassigned) != 0 {
			t.Errorf("%d compartments: cost %d, served %v, unassigned %+v; want %d, %v, none",
				tc.compartments, sol.Summary.Cost, served, sol.Unassigned, tc.cost, tc.served)
		}
	}
}
