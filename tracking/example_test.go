package tracking_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

func ExampleTracker_Update() {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	door := lastmile.Point{Lat: 43.7360, Lon: 7.4189}
	rt := &tracking.Route{ID: "rt_1", VehicleID: "van", StationID: "st", Station: lastmile.Point{Lat: 43.7325, Lon: 7.4189},
		Stops: []tracking.Stop{{Seq: 1, Type: "delivery", OrderID: "ord_1", Location: &door,
			PlannedArrival: now.Add(5 * time.Minute), PlannedStart: now.Add(5 * time.Minute), PlannedDeparture: now.Add(8 * time.Minute)}}}
	for _, sec := range []int{0, 30, 60} { // a minute at the door
		now = time.Date(2026, 3, 2, 8, 10, sec, 0, time.UTC)
		res, _ := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "van", At: now, Lat: door.Lat, Lon: door.Lon})
		for _, e := range res.Events {
			fmt.Println(e.Type, e.OrderID, e.At.Format("15:04:05"))
		}
	}
	// A fix from the other side of the country ten seconds later is refused.
	res, _ := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "van", At: now.Add(10 * time.Second), Lat: 48.85, Lon: 2.35})
	fmt.Println(res.Verdict)
	// Output:
	// approaching ord_1 08:10:00
	// arrived ord_1 08:10:00
	// teleport
}
