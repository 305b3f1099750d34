package vroomjson

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

// sharedDir returns ../shared/<sub> from the repository root, skipping the
// test when it is missing unless CI=true.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data missing: %v", err)
		}
		t.Skipf("shared data missing: %v", err)
	}
	return dir
}

func decodeFile(t *testing.T, path string) *vrp.Problem {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Decode(f)
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	return p
}

func i64(v int64) *int64 { return &v }

func TestDecodeFull(t *testing.T) {
	got := decodeFile(t, filepath.Join("testdata", "full.json"))
	want := &vrp.Problem{
		Vehicles: []vrp.Vehicle{
			{
				ID:          7,
				Profile:     "van",
				Description: "Van \"A\" é",
				Start:       &vrp.Location{Index: 0, HasIndex: true, Lon: 4.35, Lat: 50.85, HasCoord: true},
				End:         &vrp.Location{Index: 1, HasIndex: true},
				Capacity:    vrp.Amount{10, 200},
				Skills:      []int{1, 3},
				TimeWindow:  &vrp.TimeWindow{Start: 28800, End: 64800},
				Breaks: []vrp.Break{{
					ID: 1, Description: "lunch",
					TimeWindows: []vrp.TimeWindow{{Start: 43200, End: 45000}, {Start: 46800, End: 48600}},
					Service:     1800, MaxLoad: vrp.Amount{5, 100},
				}},
				Costs:         vrp.Costs{Fixed: 5000, PerHour: 1800, PerKm: 120},
				SpeedFactor:   1.25,
				MaxTasks:      20,
				MaxTravelTime: 30000,
				MaxDistance:   150000,
				Steps: []vrp.VehicleStep{
					{Type: vrp.StepStart},
					{Type: vrp.StepJob, ID: 1, ServiceAfter: i64(30000), ServiceBefore: i64(40000)},
					{Type: vrp.StepBreak, ID: 1},
					{Type: vrp.StepPickup, ID: 10, ServiceAt: i64(50000)},
					{Type: vrp.StepDelivery, ID: 11},
					{Type: vrp.StepEnd},
				},
			},
			{
				ID: 8, Profile: "car", Start: &vrp.Location{Index: 0, HasIndex: true},
				Capacity: vrp.Amount{10, 200}, Skills: []int{},
				Costs: vrp.Costs{PerHour: 3600}, SpeedFactor: 1,
				MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1,
			},
		},
		Jobs: []vrp.Job{
			{
				ID: 1, Description: "first",
				Location: vrp.Location{Index: 2, HasIndex: true, Lon: 4.36, Lat: 50.84, HasCoord: true},
				Setup:    60, Service: 300, Delivery: vrp.Amount{1, 20}, Pickup: vrp.Amount{0, 5},
				Skills: []int{1}, Priority: 42,
				TimeWindows: []vrp.TimeWindow{{Start: 30000, End: 35000}, {Start: 40000, End: 45000}},
			},
			{ID: 2, Location: vrp.Location{Index: 3, HasIndex: true}, Delivery: vrp.Amount{2, 0}, TimeWindows: []vrp.TimeWindow{}},
			{ID: 3, Location: vrp.Location{Index: 3, HasIndex: true}},
		},
		Shipments: []vrp.Shipment{{
			Amount: vrp.Amount{3, 30}, Skills: []int{3}, Priority: 100,
			Pickup: vrp.ShipmentStep{
				ID: 10, Description: "p", Location: vrp.Location{Index: 2, HasIndex: true},
				Setup: 10, Service: 20, TimeWindows: []vrp.TimeWindow{{Start: 0, End: 100000}},
			},
			Delivery: vrp.ShipmentStep{ID: 11, Location: vrp.Location{Index: 1, HasIndex: true}, Service: 40},
		}},
		Matrices: map[string]*vrp.Matrix{
			"van": {
				Durations: [][]int64{{0, 10, 20, 30}, {10, 0, 15, 25}, {20, 15, 0, 5}, {30, 25, 5, 0}},
				Distances: [][]int64{{0, 100, 200, 300}, {100, 0, 150, 250}, {200, 150, 0, 50}, {300, 250, 50, 0}},
				Costs:     [][]int64{{0, 1, 2, 3}, {1, 0, 1, 2}, {2, 1, 0, 1}, {3, 2, 1, 0}},
			},
			"car": {Durations: [][]int64{{0, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0}}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decode(full.json) differs:\n got %s\nwant %s", dump(got), dump(want))
	}
}

// dump renders a problem for failure messages.
func dump(p *vrp.Problem) string {
	var b bytes.Buffer
	if err := EncodeProblem(&b, p); err != nil {
		return err.Error()
	}
	return b.String()
}

func TestDecodeExamples(t *testing.T) {
	dir := sharedDir(t, "vroom-examples")
	tests := []struct {
		name                        string
		jobs, shipments, vehicles   int
		matrix                      bool
		firstJobCoord, firstJobIdx  bool
		vehicleSteps, vehicleBreaks int
	}{
		{name: "example_1", jobs: 4, shipments: 1, vehicles: 2, firstJobCoord: true, vehicleBreaks: 1},
		{name: "example_2", jobs: 2, vehicles: 1, matrix: true, firstJobIdx: true},
		{name: "example_3", jobs: 6, vehicles: 2, firstJobCoord: true, vehicleSteps: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decodeFile(t, filepath.Join(dir, tt.name+".json"))
			if len(p.Jobs) != tt.jobs || len(p.Shipments) != tt.shipments || len(p.Vehicles) != tt.vehicles {
				t.Errorf("got %d jobs, %d shipments, %d vehicles; want %d, %d, %d",
					len(p.Jobs), len(p.Shipments), len(p.Vehicles), tt.jobs, tt.shipments, tt.vehicles)
			}
			if got := p.Matrices["car"] != nil; got != tt.matrix {
				t.Errorf("car matrix present = %v, want %v", got, tt.matrix)
			}
			l := p.Jobs[0].Location
			if l.HasCoord != tt.firstJobCoord || l.HasIndex != tt.firstJobIdx {
				t.Errorf("jobs[0].location = %+v", l)
			}
			steps, breaks := 0, 0
			for _, v := range p.Vehicles {
				steps += len(v.Steps)
				breaks += len(v.Breaks)
				if v.Profile != "car" || v.MaxTasks != -1 || v.Costs.PerHour != 3600 || v.SpeedFactor != 1 {
					t.Errorf("vehicle %d defaults: %+v", v.ID, v)
				}
			}
			if steps != tt.vehicleSteps || breaks != tt.vehicleBreaks {
				t.Errorf("got %d vehicle steps, %d breaks; want %d, %d", steps, breaks, tt.vehicleSteps, tt.vehicleBreaks)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	files := []string{filepath.Join("testdata", "full.json")}
	if dir := sharedDir(t, "vroom-examples"); dir != "" {
		for _, n := range []string{"example_1", "example_2", "example_3"} {
			files = append(files, filepath.Join(dir, n+".json"))
		}
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p := decodeFile(t, file)
			var b bytes.Buffer
			if err := EncodeProblem(&b, p); err != nil {
				t.Fatal(err)
			}
			q, err := Decode(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatalf("Decode(EncodeProblem(p)): %v\n%s", err, b.String())
			}
			if !reflect.DeepEqual(p, q) {
				t.Errorf("round trip differs:\n got %s\nwant %s", dump(q), dump(p))
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	const veh = `"vehicles":[{"id":1,"start":[2.3,48.8],"capacity":[4]}]`
	tests := []struct {
		name, in string
		field    string // want this InputError field
		msg      string // and a message containing this
	}{
		{"empty input", ``, "", "unexpected end of input"},
		{"not an object", `[1]`, "", "expected an object, got an array"},
		{"trailing data", `{` + veh + `} x`, "", "unexpected data after the top-level value"},
		{"truncated", `{"jobs":[{"id":1`, "jobs[0]", "unexpected end of input"},
		{"bad literal", `{"jobs":[{"id":1,"x":nul}]}`, "jobs[0].x", "invalid literal"},
		{"bad number", `{"jobs":[{"id":-}]}`, "jobs[0].id", "invalid number"},
		{"leading zero", `{"jobs":[{"id":01}]}`, "jobs[0]", "expected ',' or '}'"},
		{"missing colon", `{"jobs" []}`, "", "expected ':'"},
		{"bad key", `{1:2}`, "", "expected a string as object key"},
		{"control in string", "{\"jobs\":[{\"id\":1,\"description\":\"a\x01\"}]}", "jobs[0].description", "invalid string"},
		{"unterminated string", `{"jobs":[{"description":"abc`, "jobs[0].description", "unterminated string"},
		{"id as string", `{"jobs":[{"id":"1"}]}`, "jobs[0].id", "expected a non-negative integer, got a string"},
		{"negative id", `{"jobs":[{"id":-1}]}`, "jobs[0].id", "expected a non-negative integer, got -1"},
		{"fractional service", `{"jobs":[{"id":1,"service":1.5}]}`, "jobs[0].service", "expected an integer, got 1.5"},
		{"huge integer", `{"jobs":[{"id":1,"service":9223372036854775808}]}`, "jobs[0].service", "out of range"},
		{"missing id", `{"jobs":[{"location":[1,2]}],` + veh + `}`, "jobs[0].id", "missing"},
		{"location of 3", `{"jobs":[{"id":1,"location":[1,2,3]}]}`, "jobs[0].location", "expected [lon, lat], got more than 2 numbers"},
		{"location of 1", `{"jobs":[{"id":1,"location":[1]}]}`, "jobs[0].location", "expected [lon, lat], got 1 numbers"},
		{"window of 1", `{"jobs":[{"id":1,"time_windows":[[1]]}]}`, "jobs[0].time_windows[0]", "expected [start, end], got 1 numbers"},
		{"window not array", `{"jobs":[{"id":1,"time_windows":[5]}]}`, "jobs[0].time_windows[0]", "expected an array, got a number"},
		{"shipment without delivery", `{"shipments":[{"pickup":{"id":1,"location":[1,2]}}]}`, "shipments[0].delivery", "missing"},
		{"step without type", `{"vehicles":[{"id":1,"steps":[{"id":3}]}]}`, "vehicles[0].steps[0].type", "missing"},
		{"speed factor zero", `{"vehicles":[{"id":1,"speed_factor":0}]}`, "vehicles[0].speed_factor", "outside (0, 5]"},
		{"speed factor six", `{"vehicles":[{"id":1,"speed_factor":6}]}`, "vehicles[0].speed_factor", "outside (0, 5]"},
		{"negative max_tasks", `{"vehicles":[{"id":1,"max_tasks":-2}]}`, "vehicles[0].max_tasks", "negative"},
		{"matrix not square", `{"matrix":[[0,1],[1]]}`, "matrix[1]", "1 entries, expected 2"},
		{"matrix too many rows", `{"matrix":[[0,1],[1,0],[0,0]]}`, "matrix", "more than 2 rows"},
		{"matrix row too long", `{"matrix":[[0,1],[1,0,3]]}`, "matrix[1]", "more than 2 entries"},
		{"matrix too few rows", `{"matrix":[[0,1]]}`, "matrix", "1 rows of 2 entries"},
		{"matrix float", `{"matrices":{"car":{"durations":[[0,1.5],[1,0]]}}}`, "matrices.car.durations[0][1]", "expected an integer, got 1.5"},
		{"matrix string", `{"matrices":{"car":{"durations":[[0,"a"],[1,0]]}}}`, "matrices.car.durations[0][1]", "expected an integer, got a string"},
		{"too deep", `{"x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, "x" + strings.Repeat("[0]", 15) + "...", "nested more than"},
		// Semantic errors found by Validate.
		{"no vehicles", `{"jobs":[{"id":1,"location":[1,2]}]}`, "vehicles", "at least one vehicle"},
		{"window reversed", `{"jobs":[{"id":1,"location":[1,2]},{"id":2,"location":[1,2]},{"id":3,"location":[1,2]},{"id":4,"location":[1,2],"time_windows":[[500,100]]}],` + veh + `}`,
			"jobs[3].time_windows[0]", "start 500 is after end 100"},
		{"capacity dimensions", `{"vehicles":[{"id":1,"start":[1,2],"capacity":[1]},{"id":2,"start":[1,2],"capacity":[1,2]}]}`,
			"vehicles[1].capacity", "2 dimensions, expected 1"},
		{"duplicate job", `{"jobs":[{"id":1,"location":[1,2]},{"id":1,"location":[1,2]}],` + veh + `}`, "jobs[1].id", "duplicate job id 1"},
		{"amount legacy dimensions", `{"jobs":[{"id":1,"location":[1,2],"amount":[1,2]}],` + veh + `}`, "jobs[0].delivery", "2 dimensions, expected 1"},
		{"index out of range", `{"jobs":[{"id":1,"location_index":2}],"vehicles":[{"id":1}],"matrix":[[0,1],[1,0]]}`,
			"jobs[0].location_index", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.in))
			var ie *vrp.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Decode error = %v (%T), want *vrp.InputError", err, err)
			}
			if ie.Field != tt.field || !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("Decode error = %q (field %q), want field %q and a message containing %q", err, ie.Field, tt.field, tt.msg)
			}
		})
	}
}

func TestDecodeNullIsAbsent(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start":null,"start_index":0,"profile":null,"time_window":null}],"jobs":[{"id":2,"location_index":1,"skills":null}],"matrix":[[0,1],[1,0]]}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	v := p.Vehicles[0]
	if v.Profile != "car" || v.TimeWindow != nil || v.Start.HasCoord || p.Jobs[0].Skills != nil {
		t.Errorf("null fields not treated as absent: %+v %+v", v, p.Jobs[0])
	}
}

func TestDecodeAmountAndDelivery(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start":[1,2],"capacity":[9]}],"jobs":[{"id":1,"location":[1,2],"delivery":[3],"amount":[5]},{"id":2,"location":[1,2],"amount":[5]}]}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Jobs[0].Delivery; !reflect.DeepEqual(got, vrp.Amount{3}) {
		t.Errorf("delivery with amount = %v, want [3]", got)
	}
	if got := p.Jobs[1].Delivery; !reflect.DeepEqual(got, vrp.Amount{5}) {
		t.Errorf("legacy amount = %v, want [5]", got)
	}
}

func TestDecodeLimits(t *testing.T) {
	repeat := func(item string, n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, item, i)
		}
		return b.String()
	}
	tests := []struct {
		name, in, field, msg string
	}{
		{"jobs", `{"jobs":[` + repeat(`{"id":%d}`, MaxTasks+1) + `]}`, "jobs", "more than 100000 tasks"},
		{"shipments count twice", `{"jobs":[` + repeat(`{"id":%d}`, MaxTasks-1) + `],"shipments":[{"pickup":{"id":1},"delivery":{"id":1}}]}`,
			"shipments", "more than 100000 tasks"},
		{"vehicles", `{"vehicles":[` + repeat(`{"id":%d}`, MaxVehicles+1) + `]}`, "vehicles", "more than 100000 vehicles"},
		{"matrix", `{"matrix":[[` + repeat(`%d`, MaxMatrixSize+1) + `]]}`, "matrix[0]", "limited to 50000 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.in))
			var ie *vrp.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field || !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("Decode error = %v, want field %q and %q", err, tt.field, tt.msg)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestDecodeReadError(t *testing.T) {
	_, err := Decode(failingReader{})
	var ie *vrp.InputError
	if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Decode(failing reader) = %v, want a read error that is not an InputError", err)
	}
}

func TestDecodeStrings(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start":[1,2],"description":"caf\u00e9 \"x\" \\ \/ \ud83d\ude9a é"}]}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Vehicles[0].Description, "café \"x\" \\ / 🚚 é"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
}

func TestDecodeMaxRideTimeExtension(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0,"capacity":[2]}],
	 "shipments":[{"pickup":{"id":1,"location_index":1},"delivery":{"id":1,"location_index":2},"amount":[1],
	   "lastmile":{"max_ride_time":900,"future_field":true}}],
	 "matrices":{"car":{"durations":[[0,1,2],[1,0,1],[2,1,0]]}}}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Shipments[0].MaxRideTime; got != 900 {
		t.Fatalf("max_ride_time %d, want 900", got)
	}
	var buf bytes.Buffer
	if err := EncodeProblem(&buf, p); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Shipments[0].MaxRideTime != 900 {
		t.Errorf("round trip lost max_ride_time: %s", buf.String())
	}
	bad := strings.Replace(in, `"max_ride_time":900`, `"max_ride_time":-5`, 1)
	_, err = Decode(strings.NewReader(bad))
	var ie *vrp.InputError
	if !errors.As(err, &ie) || ie.Field != "shipments[0].lastmile.max_ride_time" {
		t.Errorf("negative max_ride_time: got %v, want an error at shipments[0].lastmile.max_ride_time", err)
	}
}

func TestDecodeSoftWindowsExtension(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0}],
	 "jobs":[{"id":1,"location_index":1,"time_windows":[[0,15]],"lastmile":{"late_cost_per_hour":600,"max_lateness":120}},
	         {"id":2,"location_index":1,"lastmile":{"late_cost_per_hour":60}},
	         {"id":3,"location_index":1,"time_windows":[[100,150]],"lastmile":{"early_cost_per_hour":900,"max_earliness":60}}],
	 "matrices":{"car":{"durations":[[0,1],[1,0]]}}}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Jobs[0].Soft; got == nil || *got != (vrp.SoftWindows{LateCostPerHour: 600, MaxLateness: 120, MaxEarliness: -1}) {
		t.Fatalf("jobs[0] soft windows %+v", got)
	}
	if got := p.Jobs[1].Soft; got == nil || got.MaxLateness != -1 {
		t.Fatalf("jobs[1]: an absent max_lateness means none, got %+v", got)
	}
	if got := p.Jobs[2].Soft; got == nil || got.EarlyCostPerHour != 900 || got.MaxEarliness != 60 {
		t.Fatalf("jobs[2]: early service read as %+v", got)
	}
	var buf bytes.Buffer
	if err := EncodeProblem(&buf, p); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Jobs, p.Jobs) {
		t.Errorf("round trip changed the jobs: %s", buf.String())
	}
	bad := strings.Replace(in, `"late_cost_per_hour":600`, `"late_cost_per_hour":-1`, 1)
	_, err = Decode(strings.NewReader(bad))
	var ie *vrp.InputError
	if !errors.As(err, &ie) || ie.Field != "jobs[0].lastmile.late_cost_per_hour" {
		t.Errorf("negative late cost: got %v, want an error at jobs[0].lastmile.late_cost_per_hour", err)
	}
}

func TestDecodeVehicleExtensions(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0,"lastmile":{"max_duration":3600,"max_waiting":600,"waiting_cost_per_hour":1800,"balance_cost_per_hour2":50,"driving_rule":{"max_driving":16200,"rest":2700},"working_cost_per_hour":2500,"min_duration":1800,"traffic":[{"start":25200,"end":32400,"factor":1.6}]}}],
	 "jobs":[{"id":1,"location_index":1}],
	 "matrices":{"car":{"durations":[[0,1],[1,0]]}}}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	v := p.Vehicles[0]
	if v.MaxDuration != 3600 || v.MaxWaiting == nil || *v.MaxWaiting != 600 || v.WaitingCostPerHour != 1800 || v.BalanceCostPerHour2 != 50 ||
		v.DrivingRule == nil || *v.DrivingRule != (vrp.DrivingRule{MaxDriving: 16200, Rest: 2700}) ||
		v.WorkingCostPerHour != 2500 || v.MinDuration != 1800 || !reflect.DeepEqual(v.Traffic, vrp.Traffic{{Start: 25200, End: 32400, Factor: 1.6}}) {
		t.Fatalf("vehicle extensions read as %+v", v)
	}
	var buf bytes.Buffer
	if err := EncodeProblem(&buf, p); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Vehicles, p.Vehicles) {
		t.Errorf("round trip changed the vehicles: %s", buf.String())
	}
	bad := strings.Replace(in, `"max_waiting":600`, `"max_waiting":-1`, 1)
	_, err = Decode(strings.NewReader(bad))
	var ie *vrp.InputError
	if !errors.As(err, &ie) || ie.Field != "vehicles[0].lastmile.max_waiting" {
		t.Errorf("negative max_waiting: got %v, want an error at vehicles[0].lastmile.max_waiting", err)
	}
}

func TestDecodeRelations(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0},{"id":2,"start_index":0}],
	 "jobs":[{"id":1,"location_index":1},{"id":2,"location_index":1},{"id":3,"location_index":1}],
	 "lastmile":{"relations":[{"type":"direct","jobs":[3,1]},{"type":"same_route","jobs":[1,2],"vehicle":2},{"type":"max_served","jobs":[2,3],"max":1}]},
	 "matrices":{"car":{"durations":[[0,1],[1,0]]}}}`
	p, err := Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	two := uint64(2)
	want := []vrp.Relation{{Type: vrp.RelationDirect, Jobs: []uint64{3, 1}}, {Type: vrp.RelationSameRoute, Jobs: []uint64{1, 2}, Vehicle: &two},
		{Type: vrp.RelationMaxServed, Jobs: []uint64{2, 3}, Max: 1}}
	if !reflect.DeepEqual(p.Relations, want) {
		t.Fatalf("relations %+v", p.Relations)
	}
	var buf bytes.Buffer
	if err := EncodeProblem(&buf, p); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Relations, p.Relations) {
		t.Errorf("round trip changed the relations: %s", buf.String())
	}
	bad := strings.Replace(in, `"jobs":[3,1]`, `"jobs":[3,9]`, 1)
	_, err = Decode(strings.NewReader(bad))
	var ie *vrp.InputError
	if !errors.As(err, &ie) || ie.Field != "lastmile.relations[0].jobs[1]" {
		t.Errorf("unknown job: got %v, want an error at lastmile.relations[0].jobs[1]", err)
	}
}
