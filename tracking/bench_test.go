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
func BenchmarkUpdate(b *testing.B) {
	const vehicles, stops = 2000, 30
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	routes := make([]*tracking.Route, vehicles)
	for v := range routes {
		rt := &tracking.Route{ID: fmt.Sprintf("rt_%d", v), VehicleID: fmt.Sprintf("veh_%d", v), StationID: "st", Station: station}
		at := t0
		for s := 0; s < stops; s++ {
			loc := lastmile.Point{Lat: 43.70 + float64(s)*0.002, Lon: 7.40 + float64(v%50)*0.002}
			rt.Stops = append(rt.Stops, tracking.Stop{Seq: s + 1, Type: "delivery", OrderID: fmt.Sprintf("o_%d_%d", v, s), Location: &loc,
				PlannedArrival: at, PlannedStart: at, PlannedDeparture: at.Add(3 * time.Minute)})
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
