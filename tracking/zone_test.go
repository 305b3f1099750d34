package tracking_test

import (
	"context"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// TestPolygonZones drives past polygon zones: a square around stop B is
// entered and left like a circle; a U-shaped zone whose notch holds stop C
// is entered at its arm (stop B) and left in the notch, and a circle and a
// polygon of one station work side by side.
func TestPolygonZones(t *testing.T) {
	d := 0.0009 // about 100 m of latitude
	square := []lastmile.LonLat{{stopB.Lon - d, stopB.Lat - d}, {stopB.Lon + d, stopB.Lat - d}, {stopB.Lon + d, stopB.Lat + d}, {stopB.Lon - d, stopB.Lat + d}}
	// A U open to the north: its arms reach past stop C, its notch holds it.
	u := []lastmile.LonLat{
		{stopB.Lon - 3*d, stopB.Lat - d}, {stopB.Lon + 3*d, stopB.Lat - d}, {stopB.Lon + 3*d, stopC.Lat + 2*d},
		{stopB.Lon + d, stopC.Lat + 2*d}, {stopB.Lon + d, stopB.Lat + d}, {stopB.Lon - d, stopB.Lat + d},
		{stopB.Lon - d, stopC.Lat + 2*d}, {stopB.Lon - 3*d, stopC.Lat + 2*d},
	}
	tests := []struct {
		name  string
		zones []tracking.Zone
		want  []string
	}{
		{"square", []tracking.Zone{{ID: "sq", Polygon: square}}, []string{"zone_entered sq", "zone_exited sq"}},
		{"u-shape", []tracking.Zone{{ID: "u", Polygon: u}}, []string{"zone_entered u", "zone_exited u"}},
		{"circle and polygon", []tracking.Zone{{ID: "c", Center: stopA, RadiusM: 50}, {ID: "sq", Polygon: square}},
			[]string{"zone_entered c", "zone_exited c", "zone_entered sq", "zone_exited sq"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
			rt := route()
			rt.Zones = tt.zones
			var got []string
			for i, p := range []lastmile.Point{station, stopA, stopB, stopC} {
				now = t0.Add(time.Duration(i) * time.Minute)
				res, err := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: p.Lat, Lon: p.Lon})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range res.Events {
					if e.Zone != "" {
						got = append(got, e.Type+" "+e.Zone)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("zone events %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("zone events %q, want %q", got, tt.want)
				}
			}
		})
	}
	// A station's polygon reaches the tracked route.
	rt := tracking.RouteOf(&lastmile.Route{ID: "r"}, "st", station, []lastmile.Zone{{ID: "sq", Polygon: square}}, nil)
	if len(rt.Zones) != 1 || len(rt.Zones[0].Polygon) != 4 || !rt.Zones[0].Contains(stopB) || rt.Zones[0].Contains(stopA) {
		t.Fatalf("route zones %+v", rt.Zones)
	}
}
