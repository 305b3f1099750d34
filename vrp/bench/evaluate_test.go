package bench

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

func TestExactSqrt(t *testing.T) {
	tests := []struct {
		n           uint64
		floor, ceil uint64
		round       uint64
	}{
		{0, 0, 0, 0},
		{1, 1, 1, 1},
		{2, 1, 2, 1},
		{3, 1, 2, 2},
		{4, 2, 2, 2},
		{6, 2, 3, 2},
		{7, 2, 3, 3},
		{1_999_999_000_001, 1_414_213, 1_414_214, 1_414_213},
		{8_000_000_000_000_000_000, 2_828_427_124, 2_828_427_125, 2_828_427_125},
	}
	for _, tt := range tests {
		if got := isqrt(tt.n); got != tt.floor {
			t.Errorf("isqrt(%d) = %d, want %d", tt.n, got, tt.floor)
		}
		if got := ceilSqrt(tt.n); got != tt.ceil {
			t.Errorf("ceilSqrt(%d) = %d, want %d", tt.n, got, tt.ceil)
		}
		if got := roundSqrt(tt.n); got != tt.round {
			t.Errorf("roundSqrt(%d) = %d, want %d", tt.n, got, tt.round)
		}
	}
}

func TestScaledDistances(t *testing.T) {
	tests := []struct {
		name            string
		a, b            point
		ceil, round, ni int64
	}{
		{"3-4-5", point{0, 0}, point{3, 4}, 5000, 5000, 5},
		{"unit diagonal", point{0, 0}, point{1, 1}, 1415, 1414, 1},
		{"C101 depot to 1", point{40, 50}, point{45, 68}, 18682, 18682, 19}, // sqrt(349) = 18.68154...
		{"fractional", point{0, 0}, point{0.5, 0}, 500, 500, 1},
		{"nint half up", point{0, 0}, point{2.5, 0}, 2500, 2500, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scaledCeil(tt.a, tt.b); got != tt.ceil {
				t.Errorf("scaledCeil = %d, want %d", got, tt.ceil)
			}
			if got := scaledRound(tt.a, tt.b); got != tt.round {
				t.Errorf("scaledRound = %d, want %d", got, tt.round)
			}
			if got := nint(tt.a, tt.b); got != tt.ni {
				t.Errorf("nint = %d, want %d", got, tt.ni)
			}
		})
	}
}

func TestProblemConversion(t *testing.T) {
	t.Run("solomon", func(t *testing.T) {
		in, err := ReadSolomonFile(filepath.Join(sharedDir(t, "solomon"), "C101.txt"))
		if err != nil {
			t.Fatal(err)
		}
		p := in.Problem()
		if len(p.Jobs) != 100 || len(p.Vehicles) != 25 {
			t.Fatalf("%d jobs, %d vehicles", len(p.Jobs), len(p.Vehicles))
		}
		j := p.Jobs[0] // customer 1: 45 68 10 912 967 90
		if j.ID != 1 || j.Location.Index != 1 || j.Service != 90000 || j.Delivery[0] != 10 ||
			len(j.TimeWindows) != 1 || j.TimeWindows[0] != (vrp.TimeWindow{Start: 912000, End: 967000}) {
			t.Errorf("job 1 = %+v", j)
		}
		v := p.Vehicles[24]
		if v.ID != 25 || v.Start.Index != 0 || v.End.Index != 0 || v.Capacity[0] != 200 ||
			*v.TimeWindow != (vrp.TimeWindow{Start: 0, End: 1236000}) || v.Costs != (vrp.Costs{PerKm: 1000}) ||
			v.MaxTasks >= 0 || v.MaxDistance >= 0 || v.MaxTravelTime >= 0 {
			t.Errorf("vehicle 25 = %+v", v)
		}
		m := p.Matrices[profile]
		for i := range m.Durations {
			for k := range m.Durations {
				d := euclid(in.Nodes[i].point(), in.Nodes[k].point())
				if dur := m.Durations[i][k]; float64(dur) < Scale*d || float64(dur-1) >= Scale*d {
					t.Fatalf("durations[%d][%d] = %d for d = %.6f", i, k, dur, d)
				}
				if dist := m.Distances[i][k]; math.Abs(float64(dist)-Scale*d) > 0.5 {
					t.Fatalf("distances[%d][%d] = %d for d = %.6f", i, k, dist, d)
				}
			}
		}
	})
	t.Run("cost formula", func(t *testing.T) {
		// VROOM's cost of a route of 12345 scaled distance units.
		c := distanceCosts
		const dist, seconds = 12345, 99999
		cost := c.Fixed + (c.PerHour*seconds*1000+c.PerKm*dist*3600+1_800_000)/3_600_000
		if cost != dist {
			t.Errorf("cost %d, want %d", cost, dist)
		}
	})
	t.Run("cvrp", func(t *testing.T) {
		in, err := ReadCVRPFile(filepath.Join(sharedDir(t, "cvrp"), "X-n101-k25.vrp"))
		if err != nil {
			t.Fatal(err)
		}
		p := in.Problem()
		if len(p.Jobs) != 100 || len(p.Vehicles) != 100 || p.Jobs[0].ID != 2 || p.Jobs[0].Location.Index != 1 {
			t.Fatalf("%d jobs, %d vehicles, first job %+v", len(p.Jobs), len(p.Vehicles), p.Jobs[0])
		}
		// Node 1 (365, 689) to node 2 (146, 180): sqrt(219²+509²) = 554.11...
		if d := p.Matrices[profile].Distances[0][1]; d != 554 || p.Matrices[profile].Durations[0][1] != 554 {
			t.Errorf("distance node 1 to 2 = %d, want 554", d)
		}
		if p.Vehicles[0].TimeWindow != nil || len(p.Jobs[0].TimeWindows) != 0 {
			t.Error("CVRP has no windows")
		}
	})
}

// route builds a solution route of vehicle v with the given task steps.
func route(v uint64, typ vrp.StepType, ids ...uint64) vrp.Route {
	r := vrp.Route{Vehicle: v, Steps: []vrp.Step{{Type: vrp.StepStart}}}
	for _, id := range ids {
		r.Steps = append(r.Steps, vrp.Step{Type: typ, ID: id})
	}
	r.Steps = append(r.Steps, vrp.Step{Type: vrp.StepEnd})
	return r
}

func TestEvaluateVRPTW(t *testing.T) {
	// Depot at (0,0), window [0, 100]; capacity 10.
	in := &VRPTW{Name: "t", Vehicles: 2, Capacity: 10, Nodes: []Node{
		{X: 0, Y: 0, Ready: 0, Due: 100},
		{X: 3, Y: 4, Demand: 4, Ready: 0, Due: 10, Service: 1},  // 5 from the depot
		{X: 6, Y: 8, Demand: 4, Ready: 20, Due: 30, Service: 1}, // 5 from node 1
		{X: 0, Y: 9, Demand: 5, Ready: 0, Due: 9, Service: 2},   // 9 from the depot
	}}
	tests := []struct {
		name     string
		routes   []vrp.Route
		vehicles int
		distance float64
		want     string // "" feasible, else substring of the error
	}{
		{"feasible with waiting", []vrp.Route{route(1, vrp.StepJob, 1, 2), route(2, vrp.StepJob, 3)}, 2, 20 + 18, ""},
		{"empty route ignored", []vrp.Route{route(1, vrp.StepJob, 1, 2), route(2, vrp.StepJob, 3), route(2, vrp.StepJob)}, 2, 38, ""},
		{"late arrival", []vrp.Route{route(1, vrp.StepJob, 2, 1), route(2, vrp.StepJob, 3)}, 2, 20 + 18, "node 1 reached at 26.000000, after its due date 10"},
		{"late by a hair", []vrp.Route{route(1, vrp.StepJob, 1, 3), route(2, vrp.StepJob, 2)}, 2,
			5 + math.Sqrt(34) + 9 + 20, "node 3 reached at 11.830952, after its due date 9"},
		{"over capacity", []vrp.Route{route(1, vrp.StepJob, 1, 2, 3)}, 1, 5 + 5 + math.Sqrt(37) + 9, "load 13 exceeds capacity 10"},
		{"missing", []vrp.Route{route(1, vrp.StepJob, 1, 2)}, 1, 20, "1 customer(s) not served: 3"},
		{"twice", []vrp.Route{route(1, vrp.StepJob, 1, 2), route(2, vrp.StepJob, 3, 1)}, 2, 20 + 9 + math.Sqrt(34) + 5, "served more than once: 1"},
		{"unknown vehicle", []vrp.Route{route(1, vrp.StepJob, 1, 2), route(7, vrp.StepJob, 3)}, 2, 38, "unknown vehicle 7"},
		{"vehicle reused", []vrp.Route{route(1, vrp.StepJob, 1, 2), route(1, vrp.StepJob, 3)}, 2, 38, "vehicle 1 used by two routes"},
		{"too many routes", []vrp.Route{route(1, vrp.StepJob, 1), route(2, vrp.StepJob, 2), route(3, vrp.StepJob, 3)}, 3, 10 + 20 + 18, "3 routes, fleet has 2 vehicles"},
		{"unknown customer", []vrp.Route{route(1, vrp.StepJob, 1, 2, 9), route(2, vrp.StepJob, 3)}, 2, 38, "unknown customer 9"},
		{"wrong step type", []vrp.Route{route(1, vrp.StepPickup, 1, 2), route(2, vrp.StepJob, 3)}, 2, 18, "pickup step 1 in a VRPTW solution"},
		{"break step", []vrp.Route{{Vehicle: 1, Steps: []vrp.Step{{Type: vrp.StepBreak, ID: 1}}}}, 0, 0, "unexpected \"break\" step"},
		{"late at the depot", nil, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := tt.routes
			inst := Instance(in)
			if tt.name == "late at the depot" {
				short := *in
				short.Nodes = append([]Node{{X: 0, Y: 0, Ready: 0, Due: 25}}, in.Nodes[1:]...)
				inst = &short
				routes = []vrp.Route{route(1, vrp.StepJob, 1, 2), route(2, vrp.StepJob, 3)}
				tt.vehicles, tt.distance, tt.want = 2, 38, "back at the depot at 31.000000, after its due date 25"
			}
			vehicles, distance, err := Evaluate(inst, &vrp.Solution{Routes: routes})
			if vehicles != tt.vehicles || math.Abs(distance-tt.distance) > 1e-9 {
				t.Errorf("vehicles %d, distance %.9f; want %d, %.9f", vehicles, distance, tt.vehicles, tt.distance)
			}
			checkErr(t, err, tt.want)
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error, want %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error %q\nwant it to contain %q", err, want)
	}
}

func TestEvaluatePDPTW(t *testing.T) {
	in := &PDPTW{Name: "t", Vehicles: 2, Capacity: 10, Nodes: []PDNode{
		{Node: Node{Due: 1000}},
		{Node: Node{X: 3, Y: 4, Demand: 6, Due: 1000}, Delivery: 2},
		{Node: Node{X: 6, Y: 8, Demand: -6, Due: 1000}, Pickup: 1},
		{Node: Node{X: 0, Y: 5, Demand: 5, Due: 1000}, Delivery: 4},
		{Node: Node{X: 0, Y: 10, Demand: -5, Due: 1000}, Pickup: 3},
	}}
	step := func(typ vrp.StepType, id uint64) vrp.Step { return vrp.Step{Type: typ, ID: id} }
	P, D := vrp.StepPickup, vrp.StepDelivery
	tests := []struct {
		name  string
		steps [][]vrp.Step
		want  string
	}{
		{"feasible", [][]vrp.Step{{step(P, 1), step(D, 2)}, {step(P, 3), step(D, 4)}}, ""},
		{"over capacity", [][]vrp.Step{{step(P, 1), step(P, 3), step(D, 2), step(D, 4)}}, "load 11 after node 3 exceeds capacity 10"},
		{"delivery first", [][]vrp.Step{{step(D, 2), step(P, 1)}, {step(P, 3), step(D, 4)}}, "delivery 2 before its pickup 1"},
		{"split pair", [][]vrp.Step{{step(P, 1), step(P, 3), step(D, 4)}, {step(D, 2)}}, "pickup 1 without its delivery 2"},
		{"type mismatch", [][]vrp.Step{{step(D, 1), step(D, 2)}, {step(P, 3), step(D, 4)}}, "delivery step for node 1 (demand 6)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sol := &vrp.Solution{}
			for i, s := range tt.steps {
				sol.Routes = append(sol.Routes, vrp.Route{Vehicle: uint64(i + 1), Steps: s})
			}
			_, _, err := Evaluate(in, sol)
			checkErr(t, err, tt.want)
		})
	}
}

func TestEvaluateCVRP(t *testing.T) {
	in := &CVRP{Name: "t", Capacity: 10, X: []float64{0, 3, 6, 0}, Y: []float64{0, 4, 8, 2.5}, Demand: []int64{0, 5, 5, 6}}
	tests := []struct {
		name     string
		routes   []vrp.Route
		distance float64
		want     string
	}{
		{"feasible", []vrp.Route{route(1, vrp.StepJob, 2, 3), route(2, vrp.StepJob, 4)}, 5 + 5 + 10 + 3 + 3, ""},
		{"over capacity", []vrp.Route{route(1, vrp.StepJob, 2, 3, 4)}, 5 + 5 + 8 + 3, "load 16 exceeds capacity 10"},
		{"depot as customer", []vrp.Route{route(1, vrp.StepJob, 1, 2, 3), route(2, vrp.StepJob, 4)}, 26, "job step 1 is not a customer"},
		{"missing", []vrp.Route{route(1, vrp.StepJob, 2, 3)}, 20, "1 customer(s) not served: 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, distance, err := Evaluate(in, &vrp.Solution{Routes: tt.routes})
			if distance != tt.distance {
				t.Errorf("distance %g, want %g", distance, tt.distance)
			}
			checkErr(t, err, tt.want)
		})
	}
}

// TestIntegerFeasibleIsExactlyFeasible solves every VRPTW and PDPTW instance
// with the test constructor, which only sees the scaled integer matrices, and
// checks that the exact evaluator finds no late service or return: the
// rounding of the conversion is conservative.
func TestIntegerFeasibleIsExactlyFeasible(t *testing.T) {
	for _, set := range []string{"solomon", "homberger200", "lilim100"} {
		t.Run(set, func(t *testing.T) {
			for _, f := range files(t, sharedDir(t, set), "*.txt") {
				var inst Instance
				var err error
				if set == "lilim100" {
					inst, err = ReadLiLimFile(f)
				} else {
					inst, err = ReadSolomonFile(f)
				}
				if err != nil {
					t.Fatal(err)
				}
				p := inst.Problem()
				sol, _ := greedySolve(context.Background(), p, vrp.Options{})
				_, dist, err := Evaluate(inst, sol)
				if err != nil && (strings.Contains(err.Error(), "due date") || strings.Contains(err.Error(), "capacity")) {
					t.Errorf("%s: %v", f, err)
				}
				if want := float64(sol.Summary.Distance) / Scale; math.Abs(dist-want) > 0.0005*float64(len(p.Jobs)+2*len(p.Shipments)+len(sol.Routes)) {
					t.Errorf("%s: exact distance %.3f, scaled %.3f", f, dist, want)
				}
			}
		})
	}
}
