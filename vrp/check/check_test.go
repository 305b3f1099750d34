package check

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func idx(i int) *vrp.Location { return &vrp.Location{Index: i, HasIndex: true} }

func at64(v int64) *int64 { return &v }

// baseProblem is a small problem with two used vehicles, one unused, and
// tasks exercising setup, time windows, a break, loads in two dimensions,
// a shipment, skills and a speed factor.
//
// Durations (distances are 100 times the durations):
//
//	     0   1   2   3
//	0 [  0  10  20  30 ]
//	1 [ 10   0  15  25 ]
//	2 [ 20  15   0  12 ]
//	3 [ 30  25  12   0 ]
func baseProblem() *vrp.Problem {
	dur := [][]int64{
		{0, 10, 20, 30},
		{10, 0, 15, 25},
		{20, 15, 0, 12},
		{30, 25, 12, 0},
	}
	dist := make([][]int64, len(dur))
	for i, row := range dur {
		dist[i] = make([]int64, len(row))
		for j, d := range row {
			dist[i][j] = 100 * d
		}
	}
	return &vrp.Problem{
		Jobs: []vrp.Job{
			{ID: 1, Location: *idx(1), Setup: 3, Service: 5, Delivery: vrp.Amount{2, 1}, Skills: []int{1}, Priority: 10,
				TimeWindows: []vrp.TimeWindow{{Start: 20, End: 100}}},
			{ID: 2, Location: *idx(2), Setup: 4, Service: 6, Pickup: vrp.Amount{1, 0}},
			{ID: 3, Location: *idx(2), Setup: 4, Service: 2, Delivery: vrp.Amount{1}},
			{ID: 4, Location: *idx(3), Service: 10, TimeWindows: []vrp.TimeWindow{{Start: 100, End: 200}, {Start: 300, End: 400}}},
			{ID: 5, Location: *idx(1)},
			{ID: 6, Location: *idx(0), Skills: []int{3}},
		},
		Shipments: []vrp.Shipment{
			{
				Pickup:   vrp.ShipmentStep{ID: 10, Location: *idx(3), Service: 3},
				Delivery: vrp.ShipmentStep{ID: 11, Location: *idx(1), Service: 4},
				Amount:   vrp.Amount{3, 2},
				Priority: 5,
			},
			{
				Pickup:   vrp.ShipmentStep{ID: 12, Location: *idx(0)},
				Delivery: vrp.ShipmentStep{ID: 13, Location: *idx(2)},
				Amount:   vrp.Amount{1, 1},
				Skills:   []int{3},
			},
		},
		Vehicles: []vrp.Vehicle{
			{
				ID: 7, Start: idx(0), End: idx(0), Capacity: vrp.Amount{10, 5}, Skills: []int{1, 2},
				TimeWindow: &vrp.TimeWindow{Start: 0, End: 1000},
				Breaks: []vrp.Break{{ID: 99, TimeWindows: []vrp.TimeWindow{{Start: 50, End: 60}}, Service: 5,
					MaxLoad: vrp.Amount{8, 5}}},
				Costs:    vrp.Costs{Fixed: 100, PerHour: 3600},
				MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1,
			},
			{
				ID: 8, Capacity: vrp.Amount{10, 5}, SpeedFactor: 2,
				Costs:    vrp.Costs{PerHour: 1800, PerKm: 500},
				MaxTasks: 2, MaxTravelTime: -1, MaxDistance: -1,
				Steps: []vrp.VehicleStep{
					{Type: vrp.StepJob, ID: 4, ServiceAfter: at64(120)},
					{Type: vrp.StepJob, ID: 5, ServiceBefore: at64(200)},
				},
			},
			{ID: 9, Start: idx(2), Capacity: vrp.Amount{1, 1}, MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1},
		},
		Matrices: map[string]*vrp.Matrix{"car": {Durations: dur, Distances: dist}},
	}
}

// baseSolution is the solution of baseProblem, computed by hand.
//
// Vehicle 7 starts at 0 with the deliveries of jobs 1 and 3 on board: [3 1].
//
//	job 1:   travel 10, arrival 10, setup 3, window [20,100]: wait 10, leaves 28, load [1 0]
//	break:   arrival 28, window [50,60]: wait 22, service 5, leaves 55
//	job 2:   travel 15, arrival 70, setup 4, service 6, leaves 80, load [2 0]
//	job 3:   same location, arrival 80, no setup, service 2, leaves 82, load [1 0]
//	pickup:  travel 12, arrival 94, service 3, leaves 97, load [4 2]
//	deliv.:  travel 25, arrival 122, service 4, leaves 126, load [1 0]
//	end:     travel 10, arrival 136; travel 72 s, 7200 m
//	cost:    100 fixed + (3600*72*1000 + 1_800_000) / 3_600_000 = 100 + 72
//
// Vehicle 8 has no start nor end and speed factor 2; it starts at 150.
//
//	job 4:   arrival 150, inside [100,200], service 10, leaves 160
//	job 5:   travel round(25/2) = 13, 2500 m, arrival 173
//	cost:    (1800*13*1000 + 500*2500*3600 + 1_800_000) / 3_600_000 = 1257
func baseSolution() *vrp.Solution {
	return &vrp.Solution{
		Summary: vrp.Summary{
			Cost: 172 + 1257, Routes: 2, Unassigned: 3, Setup: 7, Service: 35, Duration: 85,
			WaitingTime: 32, Priority: 20, Distance: 9700, Delivery: vrp.Amount{6, 3}, Pickup: vrp.Amount{4, 2},
		},
		Unassigned: []vrp.Unassigned{
			{ID: 6, Type: vrp.StepJob},
			{ID: 12, Type: vrp.StepPickup},
			{ID: 13, Type: vrp.StepDelivery},
		},
		Routes: []vrp.Route{
			{
				Vehicle: 7, Cost: 172, Setup: 7, Service: 25, Duration: 72, WaitingTime: 32, Priority: 20,
				Distance: 7200, Delivery: vrp.Amount{6, 3}, Pickup: vrp.Amount{4, 2},
				Steps: []vrp.Step{
					{Type: vrp.StepStart, Location: idx(0), Arrival: 0, Load: vrp.Amount{3, 1}},
					{Type: vrp.StepJob, ID: 1, Location: idx(1), Arrival: 10, WaitingTime: 10, Setup: 3, Service: 5,
						Duration: 10, Distance: 1000, Load: vrp.Amount{1, 0}},
					{Type: vrp.StepBreak, ID: 99, Arrival: 28, WaitingTime: 22, Service: 5,
						Duration: 10, Distance: 1000, Load: vrp.Amount{1, 0}},
					{Type: vrp.StepJob, ID: 2, Location: idx(2), Arrival: 70, Setup: 4, Service: 6,
						Duration: 25, Distance: 2500, Load: vrp.Amount{2, 0}},
					{Type: vrp.StepJob, ID: 3, Location: idx(2), Arrival: 80, Service: 2,
						Duration: 25, Distance: 2500, Load: vrp.Amount{1, 0}},
					{Type: vrp.StepPickup, ID: 10, Location: idx(3), Arrival: 94, Service: 3,
						Duration: 37, Distance: 3700, Load: vrp.Amount{4, 2}},
					{Type: vrp.StepDelivery, ID: 11, Location: idx(1), Arrival: 122, Service: 4,
						Duration: 62, Distance: 6200, Load: vrp.Amount{1, 0}},
					{Type: vrp.StepEnd, Location: idx(0), Arrival: 136, Duration: 72, Distance: 7200, Load: vrp.Amount{1, 0}},
				},
			},
			{
				Vehicle: 8, Cost: 1257, Service: 10, Duration: 13, Distance: 2500,
				Delivery: vrp.Amount{0, 0}, Pickup: vrp.Amount{0, 0},
				Steps: []vrp.Step{
					{Type: vrp.StepStart, Location: idx(3), Arrival: 150, Load: vrp.Amount{0, 0}},
					{Type: vrp.StepJob, ID: 4, Location: idx(3), Arrival: 150, Service: 10, Load: vrp.Amount{0, 0}},
					{Type: vrp.StepJob, ID: 5, Location: idx(1), Arrival: 173, Duration: 13, Distance: 2500, Load: vrp.Amount{0, 0}},
					{Type: vrp.StepEnd, Location: idx(1), Arrival: 173, Duration: 13, Distance: 2500, Load: vrp.Amount{0, 0}},
				},
			},
		},
	}
}

// example2 is VROOM's documented example 2 built directly: one vehicle from
// index 0 to index 3 and two jobs, with its published solution.
func example2() (*vrp.Problem, *vrp.Solution) {
	p := &vrp.Problem{
		Vehicles: []vrp.Vehicle{{ID: 0, Start: idx(0), End: idx(3), Costs: vrp.Costs{PerHour: 3600},
			MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1}},
		Jobs: []vrp.Job{{ID: 1414, Location: *idx(1)}, {ID: 1515, Location: *idx(2)}},
		Matrices: map[string]*vrp.Matrix{"car": {Durations: [][]int64{
			{0, 2104, 197, 1299},
			{2103, 0, 2255, 3152},
			{197, 2256, 0, 1102},
			{1299, 3153, 1102, 0},
		}}},
	}
	s := &vrp.Solution{
		Summary: vrp.Summary{Cost: 5461, Routes: 1, Duration: 5461},
		Routes: []vrp.Route{{
			Vehicle: 0, Cost: 5461, Duration: 5461,
			Steps: []vrp.Step{
				{Type: vrp.StepStart, Location: idx(0)},
				{Type: vrp.StepJob, ID: 1414, Location: idx(1), Arrival: 2104, Duration: 2104},
				{Type: vrp.StepJob, ID: 1515, Location: idx(2), Arrival: 4359, Duration: 4359},
				{Type: vrp.StepEnd, Location: idx(3), Arrival: 5461, Duration: 5461},
			},
		}},
	}
	return p, s
}

// withCostMatrix gives the car profile a costs matrix c[a][b] = 10a + b + 1.
func withCostMatrix(p *vrp.Problem, s *vrp.Solution) {
	m := p.Matrices["car"]
	m.Costs = make([][]int64, 4)
	for a := range m.Costs {
		m.Costs[a] = make([]int64, 4)
		for b := range m.Costs[a] {
			m.Costs[a][b] = int64(10*a + b + 1)
		}
	}
	// Vehicle 7: legs 0-1, 1-2, 2-2, 2-3, 3-1, 1-0 cost 2+13+23+24+32+11 = 105, plus 100 fixed.
	// Vehicle 8: leg 3-1 costs 32.
	s.Routes[0].Cost = 205
	s.Routes[1].Cost = 32
	s.Summary.Cost = 237
}

func TestCheckFeasible(t *testing.T) {
	tests := []struct {
		name  string
		build func() (*vrp.Problem, *vrp.Solution)
		cost  int64
	}{
		{"base", func() (*vrp.Problem, *vrp.Solution) { return baseProblem(), baseSolution() }, 1429},
		{"costs matrix", func() (*vrp.Problem, *vrp.Solution) {
			p, s := baseProblem(), baseSolution()
			withCostMatrix(p, s)
			return p, s
		}, 237},
		{"vroom example 2", example2, 5461},
		{"nothing assigned", func() (*vrp.Problem, *vrp.Solution) {
			p := baseProblem()
			s := &vrp.Solution{Summary: vrp.Summary{Unassigned: 10}}
			for _, j := range p.Jobs {
				s.Unassigned = append(s.Unassigned, vrp.Unassigned{ID: j.ID, Type: vrp.StepJob})
			}
			for _, sh := range p.Shipments {
				s.Unassigned = append(s.Unassigned,
					vrp.Unassigned{ID: sh.Pickup.ID, Type: vrp.StepPickup},
					vrp.Unassigned{ID: sh.Delivery.ID, Type: vrp.StepDelivery})
			}
			return p, s
		}, 0},
		{"vehicle steps hold", func() (*vrp.Problem, *vrp.Solution) {
			p, s := baseProblem(), baseSolution()
			p.Vehicles[1].Steps = []vrp.VehicleStep{
				{Type: vrp.StepStart, ServiceAt: at64(150)},
				{Type: vrp.StepJob, ID: 4, ServiceAt: at64(150)},
				{Type: vrp.StepJob, ID: 5, ServiceAfter: at64(173), ServiceBefore: at64(173)},
				{Type: vrp.StepEnd, ServiceBefore: at64(173)},
			}
			p.Vehicles[0].Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 1}, {Type: vrp.StepBreak, ID: 99}, {Type: vrp.StepDelivery, ID: 11}}
			return p, s
		}, 1429},
		{"limits at their bounds", func() (*vrp.Problem, *vrp.Solution) {
			p, s := baseProblem(), baseSolution()
			v := &p.Vehicles[0]
			v.MaxTasks, v.MaxTravelTime, v.MaxDistance = 6, 72, 7200
			v.TimeWindow = &vrp.TimeWindow{Start: 0, End: 136}
			v.Capacity = vrp.Amount{4, 2}
			v.Breaks[0].MaxLoad = vrp.Amount{1, 0}
			return p, s
		}, 1429},
		{"reported amounts omitted", func() (*vrp.Problem, *vrp.Solution) {
			p, s := baseProblem(), baseSolution()
			r := &s.Routes[1]
			r.Delivery, r.Pickup = nil, nil
			for k := range r.Steps {
				r.Steps[k].Load = nil
			}
			return p, s
		}, 1429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := tt.build()
			rep := Check(p, s)
			for _, f := range rep.Errors {
				t.Errorf("unexpected finding: %v", f)
			}
			if !rep.Feasible {
				t.Errorf("Feasible = false")
			}
			if rep.Cost != tt.cost {
				t.Errorf("Cost = %d, want %d", rep.Cost, tt.cost)
			}
		})
	}
}

// want describes one expected finding: Field equal to field and Msg
// containing msg.
type want struct{ field, msg string }

func TestCheckFindings(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *vrp.Problem, s *vrp.Solution)
		want   []want
		only   bool // the wanted findings are all the findings
	}{
		// Solution-level.
		{"error code", func(p *vrp.Problem, s *vrp.Solution) { s.Code, s.Error = 3, "routing" },
			[]want{{"code", "error code 3"}}, true},
		{"unknown vehicle", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[1].Vehicle = 42 },
			[]want{{"routes[1].vehicle", "unknown vehicle 42"}}, false},
		{"two routes for one vehicle", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[1].Vehicle = 7 },
			[]want{{"routes[1].vehicle", "vehicle 7 already has route 0"}}, false},
		{"task in two routes", func(p *vrp.Problem, s *vrp.Solution) {
			st := s.Routes[0].Steps[4]
			st.Location, st.Arrival, st.Duration, st.Distance, st.Load = idx(2), 173, 13, 2500, vrp.Amount{0, 0}
			s.Routes[1].Steps = append(s.Routes[1].Steps[:3:3], st, s.Routes[1].Steps[3])
		}, []want{{"routes[1].steps[3].id", "job 3 already served at routes[0].steps[4]"}}, false},
		{"task twice in a route", func(p *vrp.Problem, s *vrp.Solution) {
			r := &s.Routes[1]
			r.Steps = append(r.Steps[:3:3], r.Steps[2], r.Steps[3])
		}, []want{{"routes[1].steps[3].id", "job 5 already served at step 2"}}, true},
		{"unknown task", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[4].ID = 333 },
			[]want{{"routes[0].steps[4].id", "unknown job id 333"}}, false},
		{"pickup id used as job", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[5].Type = vrp.StepJob },
			[]want{{"routes[0].steps[5].id", "unknown job id 10"}}, false},

		// Unassigned list.
		{"unassigned task missing from list", func(p *vrp.Problem, s *vrp.Solution) { s.Unassigned = s.Unassigned[1:] },
			[]want{{"unassigned", "job 6 (jobs[5]) is neither in a route nor listed as unassigned"}}, true},
		{"served task listed unassigned", func(p *vrp.Problem, s *vrp.Solution) {
			s.Unassigned = append(s.Unassigned, vrp.Unassigned{ID: 5, Type: vrp.StepJob})
		}, []want{{"unassigned[3]", "job 5 is listed as unassigned but served at routes[1].steps[2]"}}, true},
		{"unknown unassigned task", func(p *vrp.Problem, s *vrp.Solution) {
			s.Unassigned = append(s.Unassigned, vrp.Unassigned{ID: 11, Type: vrp.StepPickup})
		}, []want{{"unassigned[3]", "unknown task pickup 11"}}, true},
		{"unassigned listed twice", func(p *vrp.Problem, s *vrp.Solution) {
			s.Unassigned = append(s.Unassigned, s.Unassigned[0])
		}, []want{{"unassigned[3]", "job 6 already listed at unassigned[0]"}}, true},
		{"invalid unassigned type", func(p *vrp.Problem, s *vrp.Solution) {
			s.Unassigned = append(s.Unassigned, vrp.Unassigned{ID: 6, Type: vrp.StepBreak})
		}, []want{{"unassigned[3].type", `invalid unassigned type "break"`}}, true},

		// Route shape.
		{"missing start step", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps = s.Routes[0].Steps[1:] },
			[]want{{"routes[0]", "does not begin with a start step"}}, false},
		{"missing end step", func(p *vrp.Problem, s *vrp.Solution) {
			s.Routes[0].Steps = s.Routes[0].Steps[:len(s.Routes[0].Steps)-1]
		}, []want{{"routes[0]", "does not finish with an end step"}}, false},
		{"start step in the middle", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[2].Type = vrp.StepStart },
			[]want{{"routes[0].steps[2].type", "start step is not the first step"}}, false},
		{"end step in the middle", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[2].Type = vrp.StepEnd },
			[]want{{"routes[0].steps[2].type", "end step is not the last step"}}, false},
		{"unknown step type", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[2].Type = "lunch" },
			[]want{{"routes[0].steps[2].type", `unknown step type "lunch"`}}, false},
		{"route without tasks", func(p *vrp.Problem, s *vrp.Solution) {
			s.Routes = append(s.Routes, vrp.Route{Vehicle: 9, Steps: []vrp.Step{{Type: vrp.StepStart, Location: idx(2)}, {Type: vrp.StepEnd}}})
			s.Summary.Routes = 3
		}, []want{{"routes[2]", "route of vehicle 9 serves no task"}}, true},

		// Timing.
		{"start before the shift", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].TimeWindow.Start = 5 },
			[]want{{"routes[0].steps[0].arrival", "route starts at 0, before the vehicle's time window start 5"}}, true},
		{"negative start without shift", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[0].TimeWindow = nil
			s.Routes[0].Steps[0].Arrival = -1
		}, []want{{"routes[0].steps[0].arrival", "route starts at -1, before the vehicle's time window start 0"}}, false},
		{"end after the shift", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].TimeWindow.End = 135 },
			[]want{{"routes[0].steps[7].arrival", "route ends at 136, after the vehicle's time window end 135"}}, true},
		{"end after the shift without end location", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[1].TimeWindow = &vrp.TimeWindow{Start: 0, End: 170}
			s.Routes[1].Steps = s.Routes[1].Steps[:3]
		}, []want{{"routes[1]", "route ends at 173, after the vehicle's time window end 170"}}, true},
		{"arrival after the time windows", func(p *vrp.Problem, s *vrp.Solution) {
			p.Jobs[0].TimeWindows = []vrp.TimeWindow{{Start: 0, End: 5}}
		}, []want{{"routes[0].steps[1].arrival", "job 1 arrives at 10, after its time windows [0, 5]"}}, false},
		{"between two time windows", func(p *vrp.Problem, s *vrp.Solution) {
			// Job 4 arriving at 250 waits for its second window [300, 400].
			r := &s.Routes[1]
			r.Steps[0].Arrival, r.Steps[1].Arrival, r.Steps[2].Arrival, r.Steps[3].Arrival = 250, 250, 323, 323
		}, []want{{"routes[1].steps[1].waiting_time", "reported 0, recomputed 50"},
			{"routes[1].waiting_time", "reported 0, recomputed 50"},
			{"summary.waiting_time", "reported 32, recomputed 82"},
			{"routes[1].steps[2].arrival", "job 5 starts at 323, vehicles[1].steps[1] sets service_before 200"}}, true},
		{"arrival", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[3].Arrival++ },
			[]want{{"routes[0].steps[3].arrival", "reported 71, recomputed 70"}}, true},
		{"end arrival", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[7].Arrival = 126 },
			[]want{{"routes[0].steps[7].arrival", "reported 126, recomputed 136"}}, true},
		{"waiting time", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[1].WaitingTime = 0 },
			[]want{{"routes[0].steps[1].waiting_time", "reported 0, recomputed 10"}}, true},
		{"setup at the same location", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[4].Setup = 4 },
			[]want{{"routes[0].steps[4].setup", "reported 4, recomputed 0"}}, true},
		{"setup after a break", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[3].Setup = 0 },
			[]want{{"routes[0].steps[3].setup", "reported 0, recomputed 4"}}, true},
		{"setup at the start location", func(p *vrp.Problem, s *vrp.Solution) {
			// Job 1 moved to the vehicle's start: no setup, no travel.
			p.Jobs[0].Location = *idx(0)
			p.Jobs[0].TimeWindows = nil
			r := &s.Routes[0]
			r.Steps = append(r.Steps[:1:1], r.Steps[1])
			r.Steps[1].Location = idx(0)
		}, []want{{"routes[0].steps[1].setup", "reported 3, recomputed 0"}}, false},
		{"service", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[5].Service = 0 },
			[]want{{"routes[0].steps[5].service", "reported 0, recomputed 3"}}, true},
		{"duration", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[2].Duration = 0 },
			[]want{{"routes[0].steps[2].duration", "reported 0, recomputed 10"}}, true},
		{"distance", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[7].Distance = 7000 },
			[]want{{"routes[0].steps[7].distance", "reported 7000, recomputed 7200"}}, true},
		{"start step values", func(p *vrp.Problem, s *vrp.Solution) {
			st := &s.Routes[0].Steps[0]
			st.Setup, st.Service, st.WaitingTime, st.Duration, st.Distance = 1, 2, 3, 4, 5
		}, []want{{"routes[0].steps[0].setup", "reported 1, recomputed 0"},
			{"routes[0].steps[0].service", "reported 2, recomputed 0"},
			{"routes[0].steps[0].waiting_time", "reported 3, recomputed 0"},
			{"routes[0].steps[0].duration", "reported 4, recomputed 0"},
			{"routes[0].steps[0].distance", "reported 5, recomputed 0"}}, true},
		{"location", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[1].Location = idx(2) },
			[]want{{"routes[0].steps[1].location_index", "reported 2, expected 1"}}, true},
		{"speed factor ignored", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].SpeedFactor = 0 },
			[]want{{"routes[1].steps[2].arrival", "reported 173, recomputed 185"}}, false},

		// Loads.
		{"load", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[3].Load = vrp.Amount{1, 0} },
			[]want{{"routes[0].steps[3].load", "reported [1 0], recomputed [2 0]"}}, true},
		{"start load", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[0].Load = vrp.Amount{0, 0} },
			[]want{{"routes[0].steps[0].load", "reported [0 0], recomputed [3 1]"}}, true},
		{"capacity", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].Capacity = vrp.Amount{3, 5} },
			[]want{{"routes[0].steps[5].load", "load [4 2] exceeds capacity [3 5] in dimension 0"}}, true},
		{"capacity at the start", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].Capacity = vrp.Amount{10, 0} },
			[]want{{"routes[0].steps[0].load", "load [3 1] exceeds capacity [10 0] in dimension 1"},
				{"routes[0].steps[5].load", "load [4 2] exceeds capacity [10 0] in dimension 1"}}, true},
		{"missing capacity dimension", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].Capacity = vrp.Amount{10} },
			[]want{{"routes[0].steps[0].load", "load [3 1] exceeds capacity [10] in dimension 1"},
				{"routes[0].steps[5].load", "load [4 2] exceeds capacity [10] in dimension 1"}}, true},
		{"break max_load", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].Breaks[0].MaxLoad = vrp.Amount{0, 5} },
			[]want{{"routes[0].steps[2].load", "load [1 0] during break 99 exceeds its max_load [0 5] in dimension 0"}}, true},

		// Breaks.
		{"break missing", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[0].Breaks = append(p.Vehicles[0].Breaks, vrp.Break{ID: 98})
		}, []want{{"routes[0]", "break 98 of vehicle 7 is missing"}}, true},
		{"break of another vehicle", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Steps[2].ID = 55 },
			[]want{{"routes[0].steps[2].id", "vehicle 7 has no break 55"}, {"routes[0]", "break 99 of vehicle 7 is missing"}}, false},
		{"break twice", func(p *vrp.Problem, s *vrp.Solution) {
			r := &s.Routes[0]
			r.Steps = append(r.Steps[:3:3], append([]vrp.Step{r.Steps[2]}, r.Steps[3:]...)...)
		}, []want{{"routes[0].steps[3].id", "break 99 already taken at step 2"}}, true},
		{"break outside its windows", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[0].Breaks[0].TimeWindows = []vrp.TimeWindow{{Start: 0, End: 20}}
		}, []want{{"routes[0].steps[2].arrival", "break 99 starts at 28, after its time windows [0, 20]"}}, false},

		// Skills and shipments.
		{"skills", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].Skills = []int{2} },
			[]want{{"routes[0].steps[1].id", "vehicle 7 lacks skills [1] required by job 1"}}, true},
		{"delivery before pickup", func(p *vrp.Problem, s *vrp.Solution) {
			r := &s.Routes[0]
			r.Steps[5].Type, r.Steps[5].ID, r.Steps[6].Type, r.Steps[6].ID = vrp.StepDelivery, 11, vrp.StepPickup, 10
		}, []want{{"routes[0].steps[5].id", "delivery 11 comes before its pickup 10 (step 6)"}}, false},
		{"pickup without its delivery", func(p *vrp.Problem, s *vrp.Solution) {
			r := &s.Routes[0]
			r.Steps = append(r.Steps[:6:6], r.Steps[7])
			s.Unassigned = append(s.Unassigned, vrp.Unassigned{ID: 11, Type: vrp.StepDelivery})
		}, []want{{"routes[0].steps[5].id", "pickup 10 is on the route but its delivery 11 is not"}}, false},
		{"shipment across two routes", func(p *vrp.Problem, s *vrp.Solution) {
			r := &s.Routes[0]
			d := r.Steps[6]
			r.Steps = append(r.Steps[:6:6], r.Steps[7])
			s.Routes[1].Steps = append(s.Routes[1].Steps[:3:3], d, s.Routes[1].Steps[3])
		}, []want{{"routes[0].steps[5].id", "pickup 10 is on the route but its delivery 11 is not"},
			{"routes[1].steps[3].id", "delivery 11 is on the route but its pickup 10 is not"}}, false},

		// Limits.
		{"max_tasks", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].MaxTasks = 1 },
			[]want{{"routes[1]", "2 tasks exceed max_tasks 1"}}, true},
		{"max_tasks zero", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].MaxTasks = 0 },
			[]want{{"routes[1]", "2 tasks exceed max_tasks 0"}}, true},
		{"max_travel_time", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].MaxTravelTime = 71 },
			[]want{{"routes[0]", "travel time 72 exceeds max_travel_time 71"}}, true},
		{"max_distance", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].MaxDistance = 7199 },
			[]want{{"routes[0]", "distance 7200 exceeds max_distance 7199"}}, true},

		// Vehicle steps.
		{"vehicle steps order", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[1].Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 5}, {Type: vrp.StepJob, ID: 4}}
		}, []want{{"routes[1].steps[1]", "job 4 comes before job 5 but vehicles[1].steps lists it after (steps[0] then steps[1])"}}, true},
		{"vehicle steps service_at", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].Steps[0].ServiceAt = at64(151) },
			[]want{{"routes[1].steps[1].arrival", "job 4 starts at 150, vehicles[1].steps[0] sets service_at 151"}}, true},
		{"vehicle steps service_after", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].Steps[0].ServiceAfter = at64(160) },
			[]want{{"routes[1].steps[1].arrival", "job 4 starts at 150, vehicles[1].steps[0] sets service_after 160"}}, true},
		{"vehicle steps service_before", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].Steps[1].ServiceBefore = at64(172) },
			[]want{{"routes[1].steps[2].arrival", "job 5 starts at 173, vehicles[1].steps[1] sets service_before 172"}}, true},
		{"vehicle steps end", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[0].Steps = []vrp.VehicleStep{{Type: vrp.StepEnd, ServiceBefore: at64(100)}}
		}, []want{{"routes[0].steps[7].arrival", "end starts at 136, vehicles[0].steps[0] sets service_before 100"}}, true},
		{"vehicle steps bind a task", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[0].Steps = []vrp.VehicleStep{{Type: vrp.StepJob, ID: 4}}
		}, []want{{"routes[1].steps[1]", "job 4 is listed in vehicles[0].steps[0] (vehicle 7) but served by another vehicle"}}, true},

		// Route totals.
		{"route cost", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Cost = 72 },
			[]want{{"routes[0].cost", "reported 72, recomputed 172"}}, true},
		{"route cost rounding", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[1].Cost = 1256 },
			[]want{{"routes[1].cost", "reported 1256, recomputed 1257"}}, true},
		{"route cost per hour taken as given", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[0].Costs.PerHour = 0 },
			[]want{{"routes[0].cost", "reported 172, recomputed 100"}, {"summary.cost", "reported 1429, recomputed 1357"}}, true},
		{"route setup", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Setup = 11 },
			[]want{{"routes[0].setup", "reported 11, recomputed 7"}}, true},
		{"route service without break", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Service = 20 },
			[]want{{"routes[0].service", "reported 20, recomputed 25"}}, true},
		{"route duration", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[1].Duration = 25 },
			[]want{{"routes[1].duration", "reported 25, recomputed 13"}}, true},
		{"route waiting time", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].WaitingTime = 10 },
			[]want{{"routes[0].waiting_time", "reported 10, recomputed 32"}}, true},
		{"route priority", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Priority = 15 },
			[]want{{"routes[0].priority", "reported 15, recomputed 20"}}, true},
		{"route distance", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Distance = 0 },
			[]want{{"routes[0].distance", "reported 0, recomputed 7200"}}, true},
		{"route delivery", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Delivery = vrp.Amount{3, 1} },
			[]want{{"routes[0].delivery", "reported [3 1], recomputed [6 3]"}}, true},
		{"route pickup", func(p *vrp.Problem, s *vrp.Solution) { s.Routes[0].Pickup = nil },
			[]want{{"routes[0].pickup", "reported [], recomputed [4 2]"}}, true},
		{"route cost from the costs matrix", func(p *vrp.Problem, s *vrp.Solution) {
			withCostMatrix(p, s)
			s.Routes[0].Cost = 172
		}, []want{{"routes[0].cost", "reported 172, recomputed 205"}}, false},

		// Summary.
		{"summary cost", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Cost = 1428 },
			[]want{{"summary.cost", "reported 1428, recomputed 1429"}}, true},
		{"summary routes", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Routes = 3 },
			[]want{{"summary.routes", "reported 3, recomputed 2"}}, true},
		{"summary unassigned", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Unassigned = 2 },
			[]want{{"summary.unassigned", "reported 2, recomputed 3"}}, true},
		{"summary setup", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Setup = 0 },
			[]want{{"summary.setup", "reported 0, recomputed 7"}}, true},
		{"summary service", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Service = 30 },
			[]want{{"summary.service", "reported 30, recomputed 35"}}, true},
		{"summary duration", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Duration = 97 },
			[]want{{"summary.duration", "reported 97, recomputed 85"}}, true},
		{"summary waiting time", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.WaitingTime = 0 },
			[]want{{"summary.waiting_time", "reported 0, recomputed 32"}}, true},
		{"summary priority", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Priority = 15 },
			[]want{{"summary.priority", "reported 15, recomputed 20"}}, true},
		{"summary distance", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Distance = 9699 },
			[]want{{"summary.distance", "reported 9699, recomputed 9700"}}, true},
		{"summary delivery", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Delivery = vrp.Amount{6} },
			[]want{{"summary.delivery", "reported [6], recomputed [6 3]"}}, true},
		{"summary pickup", func(p *vrp.Problem, s *vrp.Solution) { s.Summary.Pickup = vrp.Amount{4, 2, 1} },
			[]want{{"summary.pickup", "reported [4 2 1], recomputed [4 2]"}}, true},

		// Problem data the solution cannot be judged on.
		{"no matrix for the profile", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[1].Profile = "bike" },
			[]want{{"routes[1]", `no matrix for profile "bike" of vehicle 8`}}, false},
		{"location outside the matrix", func(p *vrp.Problem, s *vrp.Solution) { p.Jobs[4].Location = *idx(9) },
			[]want{{"routes[1].steps[2]", "travel from 3 to 9: durations[3][9] out of range"}}, false},
		{"location without index", func(p *vrp.Problem, s *vrp.Solution) { p.Jobs[4].Location = vrp.Location{HasCoord: true} },
			[]want{{"routes[1].steps[2].location_index", "jobs[4] has no matrix index"}}, false},
		{"ragged distances", func(p *vrp.Problem, s *vrp.Solution) { p.Matrices["car"].Distances[3] = nil },
			[]want{{"routes[0].steps[6]", "travel from 3 to 1: distances[3][1] out of range"}}, false},
		{"duplicate job id in the problem", func(p *vrp.Problem, s *vrp.Solution) { p.Jobs[5].ID = 5 },
			[]want{{"jobs[5].id", "duplicate job id in the problem (also jobs[4])"}}, false},
		{"duplicate vehicle id in the problem", func(p *vrp.Problem, s *vrp.Solution) { p.Vehicles[2].ID = 8 },
			[]want{{"vehicles[2].id", "duplicate vehicle id 8 (also vehicles[1])"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := baseProblem(), baseSolution()
			tt.mutate(p, s)
			rep := Check(p, s)
			if rep.Feasible {
				t.Fatalf("Feasible = true, want findings %v", tt.want)
			}
			matched := make([]bool, len(rep.Errors))
			for _, w := range tt.want {
				found := false
				for i, f := range rep.Errors {
					if f.Field == w.field && strings.Contains(f.Msg, w.msg) {
						found, matched[i] = true, true
					}
				}
				if !found {
					t.Errorf("missing finding %s: %s", w.field, w.msg)
				}
			}
			for i, f := range rep.Errors {
				if tt.only && !matched[i] {
					t.Errorf("unexpected finding: %v", f)
				}
			}
			if t.Failed() {
				for _, f := range rep.Errors {
					t.Logf("got: %v", f)
				}
			}
		})
	}
}

func TestCheckFindingRoute(t *testing.T) {
	p, s := baseProblem(), baseSolution()
	s.Routes[1].Steps[2].Arrival = 0
	s.Summary.Cost = 0
	rep := Check(p, s)
	if len(rep.Errors) != 2 {
		t.Fatalf("got %d findings, want 2: %v", len(rep.Errors), rep.Errors)
	}
	if f := rep.Errors[0]; f.Route != 1 || f.Step != 2 {
		t.Errorf("step finding has Route %d Step %d, want 1 2", f.Route, f.Step)
	}
	if f := rep.Errors[1]; f.Route != -1 || f.Step != -1 {
		t.Errorf("summary finding has Route %d Step %d, want -1 -1", f.Route, f.Step)
	}
}

func TestCheckNil(t *testing.T) {
	tests := []struct {
		name  string
		p     *vrp.Problem
		s     *vrp.Solution
		field string
	}{
		{"no problem", nil, &vrp.Solution{}, "problem"},
		{"no solution", baseProblem(), nil, "solution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Check(tt.p, tt.s)
			if rep.Feasible || len(rep.Errors) != 1 || rep.Errors[0].Field != tt.field {
				t.Errorf("got %+v, want one finding on %q", rep, tt.field)
			}
		})
	}
}

func TestCheckSequence(t *testing.T) {
	p, s := baseProblem(), baseSolution()
	rr, findings := CheckSequence(p, 0, s.Routes[0].Steps)
	if len(findings) != 0 {
		t.Fatalf("findings: %v", findings)
	}
	wantArrivals := []int64{0, 10, 28, 70, 80, 94, 122, 136}
	var got []int64
	for _, st := range rr.Steps {
		got = append(got, st.Arrival)
	}
	if fmt.Sprint(got) != fmt.Sprint(wantArrivals) {
		t.Errorf("arrivals %v, want %v", got, wantArrivals)
	}
	if rr.Cost != 172 || rr.Tasks != 5 || rr.Start != 0 || rr.End != 136 || rr.Vehicle != 7 {
		t.Errorf("route report %+v", rr)
	}

	steps := append([]vrp.Step(nil), s.Routes[0].Steps...)
	steps[6].Load = nil
	_, findings = CheckSequence(p, 0, steps)
	if len(findings) != 1 || findings[0].Field != "steps[6].load" {
		t.Errorf("findings %v, want one on steps[6].load", findings)
	}

	_, findings = CheckSequence(p, 5, nil)
	if len(findings) != 1 || findings[0].Field != "vehicle" {
		t.Errorf("findings %v, want one on vehicle", findings)
	}
}

// TestCheckGolden pins the whole report, recomputed steps included, of the
// base solution and of a tampered one.
func TestCheckGolden(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *vrp.Problem, s *vrp.Solution)
	}{
		{"base", func(p *vrp.Problem, s *vrp.Solution) {}},
		{"tampered", func(p *vrp.Problem, s *vrp.Solution) {
			p.Vehicles[0].Capacity = vrp.Amount{3, 1}
			s.Routes[0].Steps[3].Arrival = 60
			s.Routes[1].Cost = 1000
			s.Unassigned = s.Unassigned[:2]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := baseProblem(), baseSolution()
			tt.mutate(p, s)
			got, err := json.MarshalIndent(Check(p, s), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from %s (run with -update to refresh):\n%s", path, got)
			}
		})
	}
}

// TestCheckNeverPanics feeds randomly corrupted solutions to the checker.
func TestCheckNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	types := []vrp.StepType{vrp.StepStart, vrp.StepJob, vrp.StepPickup, vrp.StepDelivery, vrp.StepBreak, vrp.StepEnd, "", "x"}
	for i := 0; i < 3000; i++ {
		p, s := baseProblem(), baseSolution()
		for n := rng.Intn(6) + 1; n > 0; n-- {
			r := &s.Routes[rng.Intn(len(s.Routes))]
			switch rng.Intn(9) {
			case 0:
				if len(r.Steps) > 0 {
					k := rng.Intn(len(r.Steps))
					r.Steps = append(r.Steps[:k], r.Steps[k+1:]...)
				}
			case 1:
				if len(r.Steps) > 0 {
					r.Steps[rng.Intn(len(r.Steps))].Type = types[rng.Intn(len(types))]
				}
			case 2:
				if len(r.Steps) > 0 {
					r.Steps[rng.Intn(len(r.Steps))].ID = uint64(rng.Intn(15))
				}
			case 3:
				if len(r.Steps) > 0 {
					r.Steps[rng.Intn(len(r.Steps))].Location = idx(rng.Intn(8) - 2)
				}
			case 4:
				r.Vehicle = uint64(rng.Intn(12))
			case 5:
				s.Unassigned = append(s.Unassigned, vrp.Unassigned{ID: uint64(rng.Intn(15)), Type: types[rng.Intn(len(types))]})
			case 6:
				p.Jobs[rng.Intn(len(p.Jobs))].Location = *idx(rng.Intn(8) - 2)
			case 7:
				v := &p.Vehicles[rng.Intn(len(p.Vehicles))]
				v.Start, v.End = idx(rng.Intn(8)-2), nil
				v.Capacity = v.Capacity[:rng.Intn(len(v.Capacity)+1)]
			case 8:
				m := p.Matrices["car"]
				m.Durations[rng.Intn(len(m.Durations))] = m.Durations[0][:rng.Intn(4)]
			}
		}
		if rng.Intn(10) == 0 {
			s.Routes = append(s.Routes, vrp.Route{Vehicle: 9})
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("iteration %d: panic: %v", i, r)
				}
			}()
			Check(p, s)
		}()
	}
}

func TestCheckMaxRideTime(t *testing.T) {
	// Line 0 — 10 — 20: pickup at 10, delivery at 20, 10 s of road.
	m := &vrp.Matrix{Durations: [][]int64{{0, 10, 20}, {10, 0, 10}, {20, 10, 0}}}
	at := func(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }
	for _, tc := range []struct {
		limit int64
		ok    bool
	}{{0, true}, {10, true}, {9, false}} {
		p := &vrp.Problem{
			Shipments: []vrp.Shipment{{Pickup: vrp.ShipmentStep{ID: 1, Location: at(1)}, Delivery: vrp.ShipmentStep{ID: 1, Location: at(2)},
				Amount: vrp.Amount{1}, MaxRideTime: tc.limit}},
			Vehicles: []vrp.Vehicle{{ID: 1, Start: &vrp.Location{Index: 0, HasIndex: true}, Capacity: vrp.Amount{1},
				MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1, Costs: vrp.Costs{PerHour: 3600}}},
			Matrices: map[string]*vrp.Matrix{"car": m},
		}
		s := &vrp.Solution{Summary: vrp.Summary{Cost: 20, Routes: 1, Duration: 20, Delivery: vrp.Amount{1}, Pickup: vrp.Amount{1}},
			Routes: []vrp.Route{{Vehicle: 1, Cost: 20, Duration: 20, Delivery: vrp.Amount{1}, Pickup: vrp.Amount{1}, Steps: []vrp.Step{
				{Type: vrp.StepStart, Location: ptrLoc(at(0)), Load: vrp.Amount{0}},
				{Type: vrp.StepPickup, ID: 1, Location: ptrLoc(at(1)), Arrival: 10, Duration: 10, Load: vrp.Amount{1}},
				{Type: vrp.StepDelivery, ID: 1, Location: ptrLoc(at(2)), Arrival: 20, Duration: 20, Load: vrp.Amount{0}},
			}}}}
		rep := Check(p, s)
		if rep.Feasible != tc.ok {
			t.Errorf("max_ride_time %d: feasible %v, want %v (findings %v)", tc.limit, rep.Feasible, tc.ok, rep.Errors)
		}
	}
}

func ptrLoc(l vrp.Location) *vrp.Location { return &l }

func TestCheckMaxDuration(t *testing.T) {
	// One job 10 s away, 5 s of service: the route works 25 s.
	m := &vrp.Matrix{Durations: [][]int64{{0, 10}, {10, 0}}}
	at := func(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }
	for _, tc := range []struct {
		limit int64
		ok    bool
	}{{0, true}, {25, true}, {24, false}} {
		p := &vrp.Problem{
			Jobs: []vrp.Job{{ID: 1, Location: at(1), Service: 5}},
			Vehicles: []vrp.Vehicle{{ID: 1, Start: ptrLoc(at(0)), End: ptrLoc(at(0)), MaxDuration: tc.limit,
				MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1, Costs: vrp.Costs{PerHour: 3600}}},
			Matrices: map[string]*vrp.Matrix{"car": m},
		}
		s := &vrp.Solution{Summary: vrp.Summary{Cost: 20, Routes: 1, Duration: 20, Service: 5},
			Routes: []vrp.Route{{Vehicle: 1, Cost: 20, Duration: 20, Service: 5, Steps: []vrp.Step{
				{Type: vrp.StepStart, Location: ptrLoc(at(0))},
				{Type: vrp.StepJob, ID: 1, Location: ptrLoc(at(1)), Arrival: 10, Duration: 10, Service: 5},
				{Type: vrp.StepEnd, Location: ptrLoc(at(0)), Arrival: 25, Duration: 20},
			}}}}
		if rep := Check(p, s); rep.Feasible != tc.ok {
			t.Errorf("max_duration %d: feasible %v, want %v (findings %v)", tc.limit, rep.Feasible, tc.ok, rep.Errors)
		}
	}
}

func TestCheckWaitingAndBalance(t *testing.T) {
	// One job 10 s away with a window from 30 s: the vehicle leaves at 0,
	// waits 20 s, serves 5 s and is back at 45 s (travel 20 s).
	m := &vrp.Matrix{Durations: [][]int64{{0, 10}, {10, 0}}}
	at := func(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }
	for _, tc := range []struct {
		name              string
		maxWait           *int64
		waitCost, balance int64
		cost              int64
		ok                bool
	}{
		{"plain", nil, 0, 0, 20, true},
		{"wait bound met", ptrInt(20), 0, 0, 20, true},
		{"wait bound broken", ptrInt(19), 0, 0, 20, false},
		{"waiting priced", nil, 3600, 0, 40, true},
		{"waiting priced, cost reported without it", nil, 3600, 0, 20, false},
		// 45 s of working time at 3,600,000 per squared hour: 562.5 → 563.
		{"balance", nil, 0, 3_600_000, 583, true},
	} {
		p := &vrp.Problem{
			Jobs: []vrp.Job{{ID: 1, Location: at(1), Service: 5, TimeWindows: []vrp.TimeWindow{{Start: 30, End: 100}}}},
			Vehicles: []vrp.Vehicle{{ID: 1, Start: ptrLoc(at(0)), End: ptrLoc(at(0)), MaxWaiting: tc.maxWait,
				WaitingCostPerHour: tc.waitCost, BalanceCostPerHour2: tc.balance,
				MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1, Costs: vrp.Costs{PerHour: 3600}}},
			Matrices: map[string]*vrp.Matrix{"car": m},
		}
		s := &vrp.Solution{Summary: vrp.Summary{Cost: tc.cost, Routes: 1, Duration: 20, Service: 5, WaitingTime: 20},
			Routes: []vrp.Route{{Vehicle: 1, Cost: tc.cost, Duration: 20, Service: 5, WaitingTime: 20, Steps: []vrp.Step{
				{Type: vrp.StepStart, Location: ptrLoc(at(0))},
				{Type: vrp.StepJob, ID: 1, Location: ptrLoc(at(1)), Arrival: 10, WaitingTime: 20, Duration: 10, Service: 5},
				{Type: vrp.StepEnd, Location: ptrLoc(at(0)), Arrival: 45, Duration: 20},
			}}}}
		if rep := Check(p, s); rep.Feasible != tc.ok {
			t.Errorf("%s: feasible %v, want %v (findings %v)", tc.name, rep.Feasible, tc.ok, rep.Errors)
		}
	}
}

func ptrInt(v int64) *int64 { return &v }

func TestCheckDrivingRule(t *testing.T) {
	// One job 10 s away, 5 s of service; the rule allows 15 s of driving,
	// so the drive home needs a 7 s rest before it.
	m := &vrp.Matrix{Durations: [][]int64{{0, 10}, {10, 0}}}
	at := func(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }
	p := &vrp.Problem{
		Jobs: []vrp.Job{{ID: 1, Location: at(1), Service: 5}},
		Vehicles: []vrp.Vehicle{{ID: 1, Start: ptrLoc(at(0)), End: ptrLoc(at(0)), DrivingRule: &vrp.DrivingRule{MaxDriving: 15, Rest: 7},
			MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1, Costs: vrp.Costs{PerHour: 3600}}},
		Matrices: map[string]*vrp.Matrix{"car": m},
	}
	solution := func(rest bool) *vrp.Solution {
		steps := []vrp.Step{
			{Type: vrp.StepStart, Location: ptrLoc(at(0))},
			{Type: vrp.StepJob, ID: 1, Location: ptrLoc(at(1)), Arrival: 10, Duration: 10, Service: 5},
		}
		end, service := int64(25), int64(5)
		if rest {
			steps = append(steps, vrp.Step{Type: vrp.StepBreak, Rest: true, Location: ptrLoc(at(1)), Arrival: 15, Duration: 10, Service: 7})
			end, service = 32, 12
		}
		steps = append(steps, vrp.Step{Type: vrp.StepEnd, Location: ptrLoc(at(0)), Arrival: end, Duration: 20})
		return &vrp.Solution{Summary: vrp.Summary{Cost: 20, Routes: 1, Duration: 20, Service: service},
			Routes: []vrp.Route{{Vehicle: 1, Cost: 20, Duration: 20, Service: service, Steps: steps}}}
	}
	if rep := Check(p, solution(true)); !rep.Feasible {
		t.Errorf("with the rest: findings %v", rep.Errors)
	}
	rep := Check(p, solution(false))
	if rep.Feasible {
		t.Fatal("20 s of driving without a rest accepted under a 15 s rule")
	}
	if !strings.Contains(fmt.Sprint(rep.Errors), "max_driving") {
		t.Errorf("findings %v do not name max_driving", rep.Errors)
	}
	p.Vehicles[0].DrivingRule = nil
	if rep := Check(p, solution(true)); rep.Feasible {
		t.Error("a rest step on a vehicle without a driving rule accepted")
	}
}

func TestCheckRelations(t *testing.T) {
	// Jobs 1, 2 and 3 at one place, 10 s away; one vehicle serves 1, 3, 2.
	m := &vrp.Matrix{Durations: [][]int64{{0, 10}, {10, 0}}}
	at := func(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }
	p := &vrp.Problem{
		Jobs: []vrp.Job{{ID: 1, Location: at(1)}, {ID: 2, Location: at(1)}, {ID: 3, Location: at(1)}},
		Vehicles: []vrp.Vehicle{{ID: 1, Start: ptrLoc(at(0)), End: ptrLoc(at(0)),
			MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1, Costs: vrp.Costs{PerHour: 3600}}},
		Matrices: map[string]*vrp.Matrix{"car": m},
	}
	s := &vrp.Solution{Summary: vrp.Summary{Cost: 20, Routes: 1, Duration: 20},
		Routes: []vrp.Route{{Vehicle: 1, Cost: 20, Duration: 20, Steps: []vrp.Step{
			{Type: vrp.StepStart, Location: ptrLoc(at(0))},
			{Type: vrp.StepJob, ID: 1, Location: ptrLoc(at(1)), Arrival: 10, Duration: 10},
			{Type: vrp.StepJob, ID: 3, Location: ptrLoc(at(1)), Arrival: 10, Duration: 10},
			{Type: vrp.StepJob, ID: 2, Location: ptrLoc(at(1)), Arrival: 10, Duration: 10},
			{Type: vrp.StepEnd, Location: ptrLoc(at(0)), Arrival: 20, Duration: 20},
		}}}}
	two := uint64(2)
	for _, tc := range []struct {
		rel vrp.Relation
		ok  bool
	}{
		{vrp.Relation{Type: vrp.RelationSameRoute, Jobs: []uint64{2, 1}}, true},
		{vrp.Relation{Type: vrp.RelationSequence, Jobs: []uint64{1, 2}}, true},
		{vrp.Relation{Type: vrp.RelationSequence, Jobs: []uint64{2, 1}}, false},
		{vrp.Relation{Type: vrp.RelationDirect, Jobs: []uint64{1, 3, 2}}, true},
		{vrp.Relation{Type: vrp.RelationDirect, Jobs: []uint64{1, 2}}, false},
		{vrp.Relation{Type: vrp.RelationSameRoute, Jobs: []uint64{1, 2}, Vehicle: &two}, false},
		{vrp.Relation{Type: vrp.RelationAlternative, Jobs: []uint64{1, 2}}, false},
		{vrp.Relation{Type: vrp.RelationMaxServed, Jobs: []uint64{1, 2, 3}, Max: 2}, false},
		{vrp.Relation{Type: vrp.RelationMaxServed, Jobs: []uint64{1, 2, 3}, Max: 3}, true},
	} {
		p.Relations = []vrp.Relation{tc.rel}
		if rep := Check(p, s); rep.Feasible != tc.ok {
			t.Errorf("%s %v: feasible %v, want %v (findings %v)", tc.rel.Type, tc.rel.Jobs, rep.Feasible, tc.ok, rep.Errors)
		}
	}
}
