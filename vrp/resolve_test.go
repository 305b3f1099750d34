package vrp

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// fakeSource makes durations from the longitude difference (1 s per 0.001°)
// and distances ten times larger, and records its calls.
type fakeSource struct {
	calls []string
	n     []int
	err   error
}

func (f *fakeSource) Matrix(ctx context.Context, profile string, points []Coord) ([][]int64, [][]int64, error) {
	f.calls = append(f.calls, profile)
	f.n = append(f.n, len(points))
	if f.err != nil {
		return nil, nil, f.err
	}
	dur := make([][]int64, len(points))
	dist := make([][]int64, len(points))
	for i, a := range points {
		dur[i] = make([]int64, len(points))
		dist[i] = make([]int64, len(points))
		for j, b := range points {
			d := int64(math.Round(math.Abs(a.Lon-b.Lon) * 1000))
			dur[i][j], dist[i][j] = d, 10*d
		}
	}
	return dur, dist, nil
}

func TestResolveTravelCoordinates(t *testing.T) {
	depot := Location{Lon: 2.0, Lat: 48, HasCoord: true}
	p := &Problem{
		Jobs: []Job{
			{ID: 1, Location: Location{Lon: 2.1, Lat: 48, HasCoord: true}},
			{ID: 2, Location: Location{Lon: 2.3, Lat: 48, HasCoord: true}},
			{ID: 3, Location: Location{Lon: 2.1, Lat: 48, HasCoord: true}}, // same place as job 1
		},
		Shipments: []Shipment{{
			Pickup:   ShipmentStep{ID: 1, Location: depot},
			Delivery: ShipmentStep{ID: 1, Location: Location{Lon: 2.5, Lat: 48, HasCoord: true}},
		}},
		Vehicles: []Vehicle{
			{ID: 1, Start: &Location{Lon: 2.0, Lat: 48, HasCoord: true}, MaxTasks: -1},
			{ID: 2, Profile: "bike", End: &Location{Lon: 2.0, Lat: 48, HasCoord: true}, MaxTasks: -1},
			{ID: 3, Profile: "car", MaxTasks: -1},
		},
	}
	src := &fakeSource{}
	if err := ResolveTravel(context.Background(), p, src); err != nil {
		t.Fatal(err)
	}
	if want := []string{"bike", "car"}; !reflect.DeepEqual(src.calls, want) {
		t.Errorf("source called for %v, want %v", src.calls, want)
	}
	if want := []int{4, 4}; !reflect.DeepEqual(src.n, want) {
		t.Errorf("source asked for %v points, want %v (distinct coordinates)", src.n, want)
	}
	got := []int{p.Jobs[0].Location.Index, p.Jobs[1].Location.Index, p.Jobs[2].Location.Index,
		p.Shipments[0].Pickup.Location.Index, p.Shipments[0].Delivery.Location.Index,
		p.Vehicles[0].Start.Index, p.Vehicles[1].End.Index}
	if want := []int{0, 1, 0, 2, 3, 2, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("indices = %v, want %v", got, want)
	}
	for _, l := range problemLocations(p) {
		if !l.loc.HasIndex {
			t.Errorf("%s has no index after ResolveTravel", l.field)
		}
	}
	car := p.Matrices["car"]
	if car == nil || car.Durations[1][3] != 200 || car.Distances[1][3] != 2000 {
		t.Errorf("car matrix = %+v", car)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate after ResolveTravel: %v", err)
	}
}

func TestResolveTravelIndicesAndCoordinates(t *testing.T) {
	p := &Problem{
		Jobs: []Job{
			{ID: 1, Location: Location{Index: 3, HasIndex: true, Lon: 1.3, Lat: 0, HasCoord: true}},
			{ID: 2, Location: Location{Index: 1, HasIndex: true, Lon: 1.1, Lat: 0, HasCoord: true}},
		},
		Vehicles: []Vehicle{{ID: 1, Start: &Location{Index: 1, HasIndex: true, Lon: 1.1, Lat: 0, HasCoord: true}, MaxTasks: -1}},
		Matrices: map[string]*Matrix{"car": {Distances: [][]int64{{0, 1, 2, 3}, {1, 0, 1, 2}, {2, 1, 0, 1}, {3, 2, 1, 0}}}},
	}
	if err := ResolveTravel(context.Background(), p, &fakeSource{}); err != nil {
		t.Fatal(err)
	}
	m := p.Matrices["car"]
	if len(m.Durations) != 4 || m.Durations[1][3] != 200 {
		t.Errorf("durations = %v, want 4 rows with [1][3] = 200", m.Durations)
	}
	if m.Distances[1][3] != 2 {
		t.Errorf("given distances were replaced: %v", m.Distances)
	}
	if p.Jobs[0].Location.Index != 3 {
		t.Errorf("given index changed to %d", p.Jobs[0].Location.Index)
	}
}

func TestResolveTravelKeepsMatrices(t *testing.T) {
	p := validProblem()
	before := p.Matrices["car"]
	src := &fakeSource{}
	if err := ResolveTravel(context.Background(), p, src); err != nil {
		t.Fatal(err)
	}
	if len(src.calls) != 0 || p.Matrices["car"] != before {
		t.Errorf("ResolveTravel replaced an existing matrix (calls %v)", src.calls)
	}
}

func TestResolveTravelErrors(t *testing.T) {
	tests := []struct {
		name   string
		base   func() *Problem
		mutate func(*Problem)
		field  string
		msg    string
	}{
		{"coordinates but matrix exists", validProblem, func(p *Problem) {
			p.Jobs[0].Location = Location{Lon: 1, Lat: 1, HasCoord: true}
		}, "jobs[0].location_index", `profile "car" has a matrix`},
		{"mixed indices", coordProblem, func(p *Problem) {
			p.Vehicles[0].Start.HasIndex = true
		}, "jobs[0].location_index", "either every location or none"},
		{"index only", coordProblem, func(p *Problem) {
			p.Jobs[0].Location = Location{Index: 2, HasIndex: true}
		}, "jobs[0].location", "coordinates required"},
		{"one profile with matrix, one without", coordProblem, func(p *Problem) {
			p.Vehicles = append(p.Vehicles, Vehicle{ID: 2, Profile: "truck"})
			p.Matrices = map[string]*Matrix{"truck": {Durations: [][]int64{{0}}}}
		}, "jobs[0].location_index", `profile "truck" has a matrix`},
		{"same index, different places", coordProblem, func(p *Problem) {
			p.Jobs[0].Location.HasIndex = true
			p.Vehicles[0].Start.HasIndex = true
		}, "vehicles[0].start", "index 0 has coordinates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.base()
			tt.mutate(p)
			err := ResolveTravel(context.Background(), p, &fakeSource{})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field || !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("ResolveTravel = %v, want an InputError at %q containing %q", err, tt.field, tt.msg)
			}
		})
	}
}

func TestResolveTravelSourceError(t *testing.T) {
	boom := errors.New("router down")
	err := ResolveTravel(context.Background(), coordProblem(), &fakeSource{err: boom})
	var ie *InputError
	if !errors.Is(err, boom) || errors.As(err, &ie) {
		t.Errorf("ResolveTravel = %v, want the source's error, not an InputError", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ResolveTravel(ctx, coordProblem(), &fakeSource{}); !errors.Is(err, context.Canceled) {
		t.Errorf("ResolveTravel with a cancelled context = %v", err)
	}
}

type shortSource struct{}

func (shortSource) Matrix(ctx context.Context, profile string, points []Coord) ([][]int64, [][]int64, error) {
	return [][]int64{{0}}, nil, nil
}

func TestResolveTravelChecksSource(t *testing.T) {
	p := coordProblem()
	if err := ResolveTravel(context.Background(), p, shortSource{}); err == nil || !strings.Contains(err.Error(), "1 rows for 2 points") {
		t.Errorf("ResolveTravel with a short matrix = %v", err)
	}
}
