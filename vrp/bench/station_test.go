package bench

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

func TestGenerateStationDayDeterministic(t *testing.T) {
	a, b := GenerateStationDay(150, 42), GenerateStationDay(150, 42)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed, different problems")
	}
	if c := GenerateStationDay(150, 43); reflect.DeepEqual(a.Jobs, c.Jobs) {
		t.Error("different seeds, same jobs")
	}
}

func TestGenerateStationDayShape(t *testing.T) {
	const n = 800
	p := GenerateStationDay(n, 7)
	if len(p.Jobs) != n {
		t.Fatalf("%d jobs", len(p.Jobs))
	}
	m := p.Matrices["car"]
	if len(m.Durations) != n+1 || len(m.Distances) != n+1 {
		t.Fatalf("matrix size %d", len(m.Durations))
	}
	ids := map[uint64]bool{}
	var windowed, returns, skilled int
	minLon, maxLon, minLat, maxLat := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, j := range p.Jobs {
		ids[j.ID] = true
		l := j.Location
		if !l.HasIndex || !l.HasCoord || l.Index < 1 || l.Index > n {
			t.Fatalf("job %d location %+v", j.ID, l)
		}
		minLon, maxLon = min(minLon, l.Lon), max(maxLon, l.Lon)
		minLat, maxLat = min(minLat, l.Lat), max(maxLat, l.Lat)
		if len(j.Delivery) != 2 || len(j.Pickup) != 2 {
			t.Fatalf("job %d amounts %v %v", j.ID, j.Delivery, j.Pickup)
		}
		if j.Pickup[0] > 0 {
			returns++
			if j.Delivery[0] != 0 {
				t.Errorf("job %d both delivers and picks up", j.ID)
			}
		}
		switch {
		case len(j.Skills) > 0:
			skilled++
			if j.Service < 15*60 || j.Service > 20*60 || j.Skills[0] != SkillTwoPerson {
				t.Errorf("white-glove job %d: service %d, skills %v", j.ID, j.Service, j.Skills)
			}
		case j.Service < 120 || j.Service > 300:
			t.Errorf("job %d service %d", j.ID, j.Service)
		case len(j.TimeWindows) > 0:
			windowed++
			w := j.TimeWindows[0]
			if l := w.End - w.Start; w.Start < shiftStart || w.End > shiftEnd || l < 1800 || l > 7200 {
				t.Errorf("job %d window %+v", j.ID, w)
			}
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct ids", len(ids))
	}
	if f := float64(windowed) / n; f < 0.28 || f > 0.39 {
		t.Errorf("%.2f of stops have a window, want about a third", f)
	}
	if f := float64(returns) / n; f < 0.03 || f > 0.07 {
		t.Errorf("%.3f of stops are returns, want about 5%%", f)
	}
	if skilled < 2 || skilled > 10 {
		t.Errorf("%d white-glove stops", skilled)
	}
	if w, h := (maxLon-minLon)*68.6, (maxLat-minLat)*111.2; w < 10 || w > 20.1 || h < 7 || h > 15.1 {
		t.Errorf("town spans %.1f × %.1f km", w, h)
	}
	if len(p.Vehicles) < n/80+2 {
		t.Errorf("%d vehicles", len(p.Vehicles))
	}
	kinds := map[string]int{}
	for _, v := range p.Vehicles {
		var kind string
		fmt.Sscanf(v.Description, "%s", &kind)
		kinds[kind]++
		if kind == "crew" && (len(v.Skills) != 1 || v.Skills[0] != SkillTwoPerson) {
			t.Errorf("crew vehicle skills %v", v.Skills)
		}
		if (kind == "ev") != (v.MaxDistance > 0) {
			t.Errorf("%s: max distance %d", v.Description, v.MaxDistance)
		}
		if *v.TimeWindow != (vrp.TimeWindow{Start: 8 * 3600, End: 18 * 3600}) || v.Start.Index != 0 || v.End.Index != 0 ||
			len(v.Breaks) != 1 || v.Breaks[0].Service != 1800 || v.Breaks[0].TimeWindows[0] != (vrp.TimeWindow{Start: 41400, End: 50400}) {
			t.Errorf("%s: shift %+v, breaks %+v", v.Description, v.TimeWindow, v.Breaks)
		}
		if v.Costs.Fixed <= 0 || v.Costs.PerHour <= 0 || v.Costs.PerKm <= 0 || len(v.Capacity) != 2 {
			t.Errorf("%s: costs %+v, capacity %v", v.Description, v.Costs, v.Capacity)
		}
	}
	if kinds["crew"] != 1 || kinds["ev"] < 1 || kinds["van"] < 1 {
		t.Errorf("fleet %v", kinds)
	}
	for i := range m.Durations {
		if m.Durations[i][i] != 0 || m.Distances[i][i] != 0 {
			t.Fatalf("non-zero diagonal at %d", i)
		}
		for j := range i {
			d, dur := m.Distances[i][j], m.Durations[i][j]
			if d != m.Distances[j][i] || dur != m.Durations[j][i] {
				t.Fatalf("asymmetric at %d,%d", i, j)
			}
			if math.Abs(float64(dur)-float64(d)*3.6/30) > 1 {
				t.Fatalf("duration %d s for %d m is not 30 km/h", dur, d)
			}
		}
	}
	// Station to the first stop: great-circle distance × 1.3.
	s, j := p.Vehicles[0].Start, p.Jobs[0].Location
	want := 1.3 * haversine(vrp.Coord{Lon: s.Lon, Lat: s.Lat}, vrp.Coord{Lon: j.Lon, Lat: j.Lat})
	if got := m.Distances[0][j.Index]; math.Abs(float64(got)-want) > 0.5 {
		t.Errorf("distance station to %d: %d, want %.1f", j.Index, got, want)
	}
}

func TestHaversine(t *testing.T) {
	// One degree of latitude is about 111.2 km; one of longitude at 60° half that.
	if d := haversine(vrp.Coord{Lon: 5, Lat: 52}, vrp.Coord{Lon: 5, Lat: 53}); math.Abs(d-111195) > 5 {
		t.Errorf("1° of latitude: %.0f m", d)
	}
	if d := haversine(vrp.Coord{Lon: 0, Lat: 60}, vrp.Coord{Lon: 1, Lat: 60}); math.Abs(d-55597) > 50 {
		t.Errorf("1° of longitude at 60°: %.0f m", d)
	}
}

// TestGenerateStationDayFeasible shows that the fleet can serve every stop:
// the simple test constructor, which obeys windows, breaks, skills,
// capacities and max_distance, leaves nothing unassigned.
func TestGenerateStationDayFeasible(t *testing.T) {
	for _, n := range []int{1, 10, 60, 250, 1000, 2000} {
		for seed := range int64(5) {
			if n == 2000 && seed > 0 {
				continue
			}
			t.Run(fmt.Sprintf("n=%d/seed=%d", n, seed), func(t *testing.T) {
				p := GenerateStationDay(n, seed)
				sol, _ := greedySolve(context.Background(), p, vrp.Options{})
				if len(sol.Unassigned) > 0 {
					t.Errorf("%d of %d stops unassigned with %d vehicles", len(sol.Unassigned), n, len(p.Vehicles))
				}
				t.Logf("%d routes of %d vehicles", len(sol.Routes), len(p.Vehicles))
			})
		}
	}
}
