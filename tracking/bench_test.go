package tracking_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// BenchmarkUpdate feeds positions of 2,000 vehicles, each on a 30-stop
// route, and recomputes the ETAs of every remaining stop on each position.
func BenchmarkUpdate(b *testing.B) { benchUpdate(b, false) }

// BenchmarkUpdateLearning is BenchmarkUpdate with a learner, as the
// server runs the tracker: 30 more stops per route already finished (with
// their ends), a time window on every third stop.
func BenchmarkUpdateLearning(b *testing.B) { benchUpdate(b, true) }

func benchUpdate(b *testing.B, learn bool) {
	const vehicles, stops = 2000, 30
	now := t0
	cfg := tracking.Config{Now: func() time.Time { return now }}
	if learn {
		cfg.Learner = &tracking.Learner{}
	}
	tr := tracking.New(cfg)
	routes := make([]*tracking.Route, vehicles)
	for v := range routes {
		rt := &tracking.Route{ID: fmt.Sprintf("rt_%d", v), VehicleID: fmt.Sprintf("veh_%d", v), StationID: "st", Station: station}
		at := t0
		if learn {
			for s := 0; s < stops; s++ {
				loc := lastmile.Point{Lat: 43.60 + float64(s)*0.002, Lon: 7.40 + float64(v%50)*0.002}
				start := at.Add(-time.Duration(stops-s) * 8 * time.Minute)
				rt.Stops = append(rt.Stops, tracking.Stop{Seq: len(rt.Stops) + 1, Type: "delivery", OrderID: fmt.Sprintf("d_%d_%d", v, s), Location: &loc,
					PlannedArrival: start, PlannedStart: start, PlannedDeparture: start.Add(3 * time.Minute), Done: true, DoneAt: start.Add(3 * time.Minute)})
			}
		}
		for s := 0; s < stops; s++ {
			loc := lastmile.Point{Lat: 43.70 + float64(s)*0.002, Lon: 7.40 + float64(v%50)*0.002}
			st := tracking.Stop{Seq: len(rt.Stops) + 1, Type: "delivery", OrderID: fmt.Sprintf("o_%d_%d", v, s), Location: &loc,
				PlannedArrival: at, PlannedStart: at, PlannedDeparture: at.Add(3 * time.Minute)}
			if learn && s%3 == 0 {
				st.Window = &lastmile.Window{Start: at, End: at.Add(2 * time.Hour)}
			}
			rt.Stops = append(rt.Stops, st)
			at = at.Add(8 * time.Minute)
		}
		routes[v] = rt
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := i % vehicles
		now = t0.Add(time.Duration(i/vehicles+1) * time.Second)
		p := lastmile.Position{VehicleID: routes[v].VehicleID, At: now, Lat: 43.695 + float64(i/vehicles)*1e-5, Lon: 7.40 + float64(v%50)*0.002}
		res, err := tr.Update(ctx, routes[v], p)
		if err != nil || res.Verdict != tracking.Accepted || len(res.Progress.ETAs) != stops {
			b.Fatalf("%v %v", res.Verdict, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "positions/s")
}
