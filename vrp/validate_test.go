package vrp

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// validProblem has a little of everything and passes Validate.
func validProblem() *Problem {
	return &Problem{
		Jobs: []Job{
			{ID: 1, Location: Location{Index: 1, HasIndex: true}, Service: 300, Delivery: Amount{1, 2},
				TimeWindows: []TimeWindow{{0, 100}, {200, 300}}, Skills: []int{1}, Priority: 10},
			{ID: 2, Location: Location{Index: 2, HasIndex: true}, Pickup: Amount{1, 0}},
		},
		Shipments: []Shipment{{
			Pickup:   ShipmentStep{ID: 1, Location: Location{Index: 1, HasIndex: true}},
			Delivery: ShipmentStep{ID: 1, Location: Location{Index: 2, HasIndex: true}},
			Amount:   Amount{1, 1},
		}},
		Vehicles: []Vehicle{{
			ID: 1, Start: &Location{Index: 0, HasIndex: true}, End: &Location{Index: 0, HasIndex: true},
			Capacity: Amount{5, 5}, Skills: []int{1}, TimeWindow: &TimeWindow{0, 1000},
			Breaks:   []Break{{ID: 1, TimeWindows: []TimeWindow{{100, 200}}, Service: 60, MaxLoad: Amount{3, 3}}},
			Costs:    Costs{PerHour: 3600},
			MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1,
			Steps: []VehicleStep{{Type: StepStart}, {Type: StepJob, ID: 1}, {Type: StepBreak, ID: 1},
				{Type: StepPickup, ID: 1}, {Type: StepDelivery, ID: 1}, {Type: StepEnd}},
		}},
		Matrices: map[string]*Matrix{"car": {
			Durations: [][]int64{{0, 1, 2}, {1, 0, 3}, {2, 3, 0}},
			Distances: [][]int64{{0, 10, 20}, {10, 0, 30}, {20, 30, 0}},
		}},
	}
}

// coordProblem has coordinates only and no matrix.
func coordProblem() *Problem {
	return &Problem{
		Jobs: []Job{{ID: 1, Location: Location{Lon: 2.3, Lat: 48.8, HasCoord: true}}},
		Vehicles: []Vehicle{{ID: 1, Start: &Location{Lon: 2.35, Lat: 48.7, HasCoord: true},
			MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1}},
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		p    *Problem
	}{
		{"indices and matrix", validProblem()},
		{"coordinates without matrix", coordProblem()},
		{"coordinates and indices without matrix", func() *Problem {
			p := coordProblem()
			p.Jobs[0].Location.Index, p.Jobs[0].Location.HasIndex = 1, true
			p.Vehicles[0].Start.HasIndex = true
			return p
		}()},
		{"no capacity anywhere", func() *Problem {
			p := coordProblem()
			p.Jobs[0].TimeWindows = []TimeWindow{}
			return p
		}()},
		{"speed factor unset", func() *Problem {
			p := validProblem()
			p.Vehicles[0].SpeedFactor = 0
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		base   func() *Problem
		mutate func(p *Problem)
		field  string
		msg    string
	}{
		{"no vehicles", validProblem, func(p *Problem) { p.Vehicles = nil }, "vehicles", "at least one vehicle"},
		{"negative max waiting", validProblem, func(p *Problem) { p.Vehicles[0].MaxWaiting = new(int64(-1)) }, "vehicles[0].lastmile.max_waiting", "negative"},
		{"driving rule without rest", validProblem, func(p *Problem) { p.Vehicles[0].DrivingRule = &DrivingRule{MaxDriving: 3600} }, "vehicles[0].lastmile.driving_rule.rest", "positive"},
		{"driving rule too short", validProblem, func(p *Problem) { p.Vehicles[0].DrivingRule = &DrivingRule{MaxDriving: 5, Rest: 60} }, "vehicles[0].lastmile.driving_rule.max_driving", "at least 60"},
		{"unpaid minimum", validProblem, func(p *Problem) { p.Vehicles[0].MinDuration = 3600 }, "vehicles[0].lastmile.min_duration", "needs working_cost_per_hour"},
		{"traffic bands overlap", validProblem, func(p *Problem) {
			p.Vehicles[0].Traffic = Traffic{{Start: 0, End: 100, Factor: 2}, {Start: 50, End: 150, Factor: 1.5}}
		}, "vehicles[0].lastmile.traffic[1].start", "must not overlap"},
		{"traffic factor", validProblem, func(p *Problem) { p.Vehicles[0].Traffic = Traffic{{Start: 0, End: 100, Factor: 0}} }, "vehicles[0].lastmile.traffic[0].factor", "outside"},
		{"traffic band empty", validProblem, func(p *Problem) { p.Vehicles[0].Traffic = Traffic{{Start: 100, End: 100, Factor: 2}} }, "vehicles[0].lastmile.traffic[0]", "not a time band"},
		{"negative waiting cost", validProblem, func(p *Problem) { p.Vehicles[0].WaitingCostPerHour = -3 }, "vehicles[0].lastmile.waiting_cost_per_hour", "outside"},
		{"huge balance rate", validProblem, func(p *Problem) { p.Vehicles[0].BalanceCostPerHour2 = 1 << 40 }, "vehicles[0].lastmile.balance_cost_per_hour2", "outside"},
		{"duplicate job", validProblem, func(p *Problem) { p.Jobs[1].ID = 1 }, "jobs[1].id", "duplicate job id 1 (also jobs[0])"},
		{"duplicate pickup", validProblem, func(p *Problem) {
			p.Shipments = append(p.Shipments, p.Shipments[0])
			p.Shipments[1].Delivery.ID = 2
		}, "shipments[1].pickup.id", "duplicate pickup id 1"},
		{"duplicate delivery", validProblem, func(p *Problem) {
			p.Shipments = append(p.Shipments, p.Shipments[0])
			p.Shipments[1].Pickup.ID = 2
		}, "shipments[1].delivery.id", "duplicate delivery id 1"},
		{"duplicate vehicle", validProblem, func(p *Problem) {
			p.Vehicles = append(p.Vehicles, p.Vehicles[0])
			p.Vehicles[1].Steps = nil
		}, "vehicles[1].id", "duplicate vehicle id 1"},
		{"negative service", validProblem, func(p *Problem) { p.Jobs[0].Service = -1 }, "jobs[0].service", "negative"},
		{"negative setup", validProblem, func(p *Problem) { p.Shipments[0].Delivery.Setup = -5 }, "shipments[0].delivery.setup", "negative"},
		{"negative amount", validProblem, func(p *Problem) { p.Jobs[1].Pickup = Amount{0, -1} }, "jobs[1].pickup", "negative amount -1 in dimension 1"},
		{"negative capacity", validProblem, func(p *Problem) { p.Vehicles[0].Capacity = Amount{5, -5} }, "vehicles[0].capacity", "negative"},
		{"window reversed", validProblem, func(p *Problem) { p.Jobs[0].TimeWindows[1] = TimeWindow{500, 100} }, "jobs[0].time_windows[1]", "start 500 is after end 100"},
		{"windows overlap", validProblem, func(p *Problem) { p.Jobs[0].TimeWindows[1] = TimeWindow{50, 300} }, "jobs[0].time_windows[1]", "must not overlap"},
		{"windows unsorted", validProblem, func(p *Problem) {
			p.Jobs[0].TimeWindows = []TimeWindow{{200, 300}, {0, 100}}
		}, "jobs[0].time_windows[1]", "must be sorted"},
		{"windows touching", validProblem, func(p *Problem) { p.Jobs[0].TimeWindows[1] = TimeWindow{100, 300} }, "jobs[0].time_windows[1]", "must not overlap"},
		{"vehicle window reversed", validProblem, func(p *Problem) { p.Vehicles[0].TimeWindow = &TimeWindow{10, 5} }, "vehicles[0].time_window", "start 10 is after end 5"},
		{"break window reversed", validProblem, func(p *Problem) { p.Vehicles[0].Breaks[0].TimeWindows[0] = TimeWindow{10, 5} }, "vehicles[0].breaks[0].time_windows[0]", "after end"},
		{"amount dimensions", validProblem, func(p *Problem) { p.Jobs[0].Delivery = Amount{1} }, "jobs[0].delivery", "1 dimensions, expected 2 as in vehicles[0].capacity"},
		{"empty amount", validProblem, func(p *Problem) { p.Shipments[0].Amount = Amount{} }, "shipments[0].amount", "0 dimensions, expected 2"},
		{"second vehicle capacity", validProblem, func(p *Problem) {
			p.Vehicles = append(p.Vehicles, Vehicle{ID: 2, Capacity: Amount{1}, MaxTasks: -1})
		}, "vehicles[1].capacity", "1 dimensions, expected 2"},
		{"dimensions from first amount", coordProblem, func(p *Problem) {
			p.Jobs[0].Delivery = Amount{1}
			p.Vehicles = append(p.Vehicles, Vehicle{ID: 2, Capacity: Amount{1, 2}, MaxTasks: -1})
		}, "vehicles[1].capacity", "2 dimensions, expected 1 as in jobs[0].delivery"},
		{"break max_load", validProblem, func(p *Problem) { p.Vehicles[0].Breaks[0].MaxLoad = Amount{1, 2, 3} }, "vehicles[0].breaks[0].max_load", "3 dimensions"},
		{"no location", validProblem, func(p *Problem) { p.Jobs[1].Location = Location{} }, "jobs[1].location", "neither coordinates nor a matrix index"},
		{"index out of range", validProblem, func(p *Problem) { p.Jobs[1].Location.Index = 3 }, "jobs[1].location_index", `index 3 out of range: the matrix of profile "car" has 3 rows`},
		{"negative index", validProblem, func(p *Problem) { p.Vehicles[0].End.Index = -1 }, "vehicles[0].end_index", "negative index -1"},
		{"coordinates without index", validProblem, func(p *Problem) {
			p.Jobs[1].Location = Location{Lon: 1, Lat: 2, HasCoord: true}
		}, "jobs[1].location_index", `missing: profile "car" has a matrix`},
		{"index without matrix", coordProblem, func(p *Problem) {
			p.Jobs[0].Location = Location{Index: 4, HasIndex: true}
		}, "jobs[0].location", `coordinates required: profile "car" has no matrix`},
		{"mixed indices without matrix", coordProblem, func(p *Problem) {
			p.Jobs[0].Location.HasIndex = true
		}, "vehicles[0].start_index", "either every location or none"},
		{"profile without matrix", validProblem, func(p *Problem) {
			p.Vehicles = append(p.Vehicles, Vehicle{ID: 2, Profile: "bike", Capacity: Amount{1, 1}, MaxTasks: -1})
		}, "jobs[0].location", `coordinates required: profile "bike" has no matrix`},
		{"NaN coordinate", coordProblem, func(p *Problem) { p.Jobs[0].Location.Lat = math.NaN() }, "jobs[0].location", "out of range"},
		{"latitude too big", coordProblem, func(p *Problem) { p.Vehicles[0].Start.Lat = 91 }, "vehicles[0].start", "out of range"},
		{"infinite longitude", coordProblem, func(p *Problem) { p.Jobs[0].Location.Lon = math.Inf(-1) }, "jobs[0].location", "out of range"},
		{"matrix not square", validProblem, func(p *Problem) { p.Matrices["car"].Durations[1] = []int64{1, 0} }, "matrices.car.durations[1]", "2 entries, expected 3"},
		{"negative matrix entry", validProblem, func(p *Problem) { p.Matrices["car"].Distances[2][0] = -4 }, "matrices.car.distances[2][0]", "negative value -4"},
		{"matrix sizes differ", validProblem, func(p *Problem) { p.Matrices["car"].Costs = [][]int64{{0}} }, "matrices.car.costs", "1 rows, expected 3"},
		{"speed factor negative", validProblem, func(p *Problem) { p.Vehicles[0].SpeedFactor = -1 }, "vehicles[0].speed_factor", "outside (0, 5]"},
		{"speed factor too big", validProblem, func(p *Problem) { p.Vehicles[0].SpeedFactor = 5.5 }, "vehicles[0].speed_factor", "outside (0, 5]"},
		{"priority too big", validProblem, func(p *Problem) { p.Jobs[0].Priority = 101 }, "jobs[0].priority", "outside 0..100"},
		{"shipment priority negative", validProblem, func(p *Problem) { p.Shipments[0].Priority = -1 }, "shipments[0].priority", "outside 0..100"},
		{"negative skill", validProblem, func(p *Problem) { p.Vehicles[0].Skills = []int{1, -2} }, "vehicles[0].skills[1]", "negative skill"},
		{"negative cost", validProblem, func(p *Problem) { p.Vehicles[0].Costs.PerKm = -1 }, "vehicles[0].costs.per_km", "negative"},
		{"duplicate break", validProblem, func(p *Problem) {
			p.Vehicles[0].Breaks = append(p.Vehicles[0].Breaks, p.Vehicles[0].Breaks[0])
		}, "vehicles[0].breaks[1].id", "duplicate break id 1"},
		{"step unknown job", validProblem, func(p *Problem) { p.Vehicles[0].Steps[1].ID = 9 }, "vehicles[0].steps[1].id", "no job with id 9"},
		{"step unknown pickup", validProblem, func(p *Problem) { p.Vehicles[0].Steps[3].ID = 2 }, "vehicles[0].steps[3].id", "no pickup with id 2"},
		{"step unknown break", validProblem, func(p *Problem) { p.Vehicles[0].Steps[2].ID = 7 }, "vehicles[0].steps[2].id", "no break with id 7"},
		{"step twice", validProblem, func(p *Problem) {
			p.Vehicles[0].Steps[4] = VehicleStep{Type: StepJob, ID: 1}
		}, "vehicles[0].steps[4].id", "job 1 is listed twice (also vehicles[0].steps[1])"},
		{"step in two vehicles", validProblem, func(p *Problem) {
			p.Vehicles = append(p.Vehicles, Vehicle{ID: 2, Capacity: Amount{1, 1}, MaxTasks: -1,
				Steps: []VehicleStep{{Type: StepDelivery, ID: 1}}})
		}, "vehicles[1].steps[0].id", "delivery 1 is listed twice"},
		{"break twice", validProblem, func(p *Problem) { p.Vehicles[0].Steps[1] = VehicleStep{Type: StepBreak, ID: 1} }, "vehicles[0].steps[2].id", "break 1 is listed twice"},
		{"unknown step type", validProblem, func(p *Problem) { p.Vehicles[0].Steps[1].Type = "visit" }, "vehicles[0].steps[1].type", `unknown step type "visit"`},
		{"start not first", validProblem, func(p *Problem) { p.Vehicles[0].Steps[1] = VehicleStep{Type: StepStart} }, "vehicles[0].steps[1].type", "start step must come first"},
		{"end not last", validProblem, func(p *Problem) { p.Vehicles[0].Steps[0] = VehicleStep{Type: StepEnd} }, "vehicles[0].steps[0].type", "end step must come last"},
		{"service_after after service_before", validProblem, func(p *Problem) {
			a, b := int64(10), int64(5)
			p.Vehicles[0].Steps[1].ServiceAfter, p.Vehicles[0].Steps[1].ServiceBefore = &a, &b
		}, "vehicles[0].steps[1]", "service_after 10 is after service_before 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.base()
			tt.mutate(p)
			err := p.Validate()
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Validate() = %v, want an *InputError", err)
			}
			if ie.Field != tt.field || !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("Validate() = %q, want field %q and a message containing %q", err, tt.field, tt.msg)
			}
		})
	}
}

// TestValidateLinear guards against quadratic checks: 100,000 jobs with
// coordinates must validate quickly.
func TestValidateLinear(t *testing.T) {
	p := coordProblem()
	p.Jobs = make([]Job, 100000)
	for i := range p.Jobs {
		p.Jobs[i] = Job{ID: uint64(i), Location: Location{Lon: float64(i%360) - 180, Lat: 10, HasCoord: true},
			Delivery: Amount{1}, TimeWindows: []TimeWindow{{0, 10}, {20, 30}}}
	}
	p.Vehicles[0].Capacity = Amount{10}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkValidate(b *testing.B) {
	p := coordProblem()
	p.Jobs = make([]Job, 10000)
	for i := range p.Jobs {
		p.Jobs[i] = Job{ID: uint64(i), Location: Location{Lon: 1, Lat: 1, HasCoord: true}}
	}
	for b.Loop() {
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
