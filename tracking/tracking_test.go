package tracking_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
	"github.com/lastmile-dev/lastmile/travel"
)

var update = flag.Bool("update", false, "rewrite testdata goldens")

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func pos(sec int, lat, lon float64) lastmile.Position {
	return lastmile.Position{VehicleID: "veh_1", At: t0.Add(time.Duration(sec) * time.Second), Lat: lat, Lon: lon}
}

func TestFilter(t *testing.T) {
	last := pos(0, 43.7300, 7.4200)
	tests := []struct {
		name string
		last *lastmile.Position
		p    lastmile.Position
		want tracking.Verdict
	}{
		{"first fix", nil, pos(0, 43.73, 7.42), tracking.Accepted},
		{"normal move", &last, pos(10, 43.7301, 7.4201), tracking.Accepted},
		{"duplicate", &last, pos(0, 43.7300, 7.4200), tracking.Duplicate},
		{"out of order", &last, pos(-5, 43.7300, 7.4200), tracking.OutOfOrder},
		{"teleport 50 km in 10 s", &last, pos(10, 44.18, 7.42), tracking.Teleport},
		{"jitter while standing", &last, pos(1, 43.7303, 7.4200), tracking.Accepted},
		{"far future", &last, pos(3600, 43.7300, 7.4200), tracking.Future},
		{"stale", nil, pos(-2*86400, 43.73, 7.42), tracking.Stale},
		{"inaccurate", nil, func() lastmile.Position { p := pos(0, 43.73, 7.42); p.AccuracyM = 2000; return p }(), tracking.Inaccurate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (tracking.Filter{}).Check(tt.last, tt.p, t0.Add(time.Minute)); got != tt.want {
				t.Fatalf("verdict %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTeleportConfirmedBySecondFix(t *testing.T) {
	now := t0.Add(time.Hour)
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	ctx := context.Background()
	steps := []struct {
		p    lastmile.Position
		want tracking.Verdict
	}{
		{pos(0, 43.73, 7.42), tracking.Accepted},
		{pos(10, 44.73, 7.42), tracking.Teleport},    // 111 km in 10 s
		{pos(20, 44.7301, 7.42), tracking.Accepted},  // agrees with the jump: real
		{pos(20, 44.7301, 7.42), tracking.Duplicate}, // sent twice
		{pos(15, 44.7301, 7.42), tracking.OutOfOrder},
	}
	for i, s := range steps {
		res, err := tr.Update(ctx, nil, s.p)
		if err != nil || res.Verdict != s.want {
			t.Fatalf("step %d: %s, %v; want %s", i, res.Verdict, err, s.want)
		}
	}
	if last, _ := tr.Last("veh_1"); last.Lat != 44.7301 {
		t.Fatalf("last position %+v", last)
	}
}

// station and three stops along a street in Monaco, ~400 m apart.
var (
	station = lastmile.Point{Lat: 43.7325, Lon: 7.4189}
	stopA   = lastmile.Point{Lat: 43.7360, Lon: 7.4189}
	stopB   = lastmile.Point{Lat: 43.7396, Lon: 7.4189}
	stopC   = lastmile.Point{Lat: 43.7432, Lon: 7.4189}
)

func route() *tracking.Route {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	return &tracking.Route{ID: "rt_1", VehicleID: "veh_1", StationID: "st_1", Station: station, Stops: []tracking.Stop{
		{Seq: 1, Type: "delivery", OrderID: "ord_A", Location: &stopA, PlannedArrival: at(2), PlannedStart: at(2), PlannedDeparture: at(5)},
		{Seq: 2, Type: "delivery", OrderID: "ord_B", Location: &stopB, PlannedArrival: at(7), PlannedStart: at(7), PlannedDeparture: at(10),
			Window: &lastmile.Window{Start: at(0), End: at(30)}},
		{Seq: 3, Type: "break", PlannedArrival: at(10), PlannedStart: at(10), PlannedDeparture: at(40)},
		{Seq: 4, Type: "delivery", OrderID: "ord_C", Location: &stopC, PlannedArrival: at(42), PlannedStart: at(60), PlannedDeparture: at(63),
			Window: &lastmile.Window{Start: at(60), End: at(75)}},
	}}
}

// trip is a drive along the route: positions every 15 s.
type trip struct {
	sec int
	p   lastmile.Point
}

func lerp(a, b lastmile.Point, f float64) lastmile.Point {
	return lastmile.Point{Lat: a.Lat + (b.Lat-a.Lat)*f, Lon: a.Lon + (b.Lon-a.Lon)*f}
}

func TestDayOfGeofences(t *testing.T) {
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, Travel: tracking.FromSource(travel.GreatCircle{}, "car"),
		Zones: []tracking.Zone{{ID: "tunnel", Center: lerp(stopA, stopB, 0.5), RadiusM: 50}}})
	rt := route()
	ctx := context.Background()
	var plan []trip
	sec := 0
	add := func(p lastmile.Point, n int) {
		for i := 0; i < n; i++ {
			plan = append(plan, trip{sec, p})
			sec += 15
		}
	}
	drive := func(a, b lastmile.Point, n int) {
		for i := 0; i < n; i++ {
			add(lerp(a, b, float64(i)/float64(n)), 1)
		}
	}
	add(station, 2)
	drive(station, stopA, 6)
	add(stopA, 8) // two minutes at A
	drive(stopA, stopB, 6)
	add(stopB, 4)
	var events []string
	var lastETA []tracking.StopETA
	for _, s := range plan {
		now = t0.Add(time.Duration(s.sec) * time.Second)
		p := lastmile.Position{VehicleID: "veh_1", At: now, Lat: s.p.Lat, Lon: s.p.Lon}
		res, err := tr.Update(ctx, rt, p)
		if err != nil || res.Verdict != tracking.Accepted {
			t.Fatalf("t=%d: %s %v", s.sec, res.Verdict, err)
		}
		for _, e := range res.Events {
			events = append(events, e.Type+" "+e.OrderID+e.Zone)
			if e.Type == tracking.EventDeparted && e.OrderID == "ord_A" {
				rt.Stops[0].Done = true // the driver delivered A
			}
		}
		if res.Progress != nil {
			lastETA = res.Progress.ETAs
			for _, e := range lastETA {
				if e.ETA.Before(e.Earliest) || e.ETA.After(e.Latest) {
					t.Fatalf("t=%d: %s ETA %v outside [%v, %v]", s.sec, e.OrderID, e.ETA, e.Earliest, e.Latest)
				}
			}
		}
	}
	want := []string{"approaching ord_A", "approaching ord_B", "station_left ", "arrived ord_A", "departed ord_A", "zone_entered tunnel",
		"approaching ord_C", "zone_exited tunnel", "arrived ord_B"}
	if len(events) != len(want) {
		t.Fatalf("events %q\nwant   %q", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Fatalf("events %q\nwant   %q", events, want)
		}
	}
	golden(t, "day_etas.json", lastETA)
}

func TestETAWindowNarrows(t *testing.T) {
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	rt := route()
	ctx := context.Background()
	prev := time.Duration(1 << 62)
	for i, f := range []float64{0, 0.3, 0.6, 0.9} {
		now = t0.Add(time.Duration(i) * 20 * time.Second)
		p := lerp(station, stopA, f)
		res, err := tr.Update(ctx, rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: p.Lat, Lon: p.Lon})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Progress.ETAs[len(res.Progress.ETAs)-1] // the farthest stop
		w := c.Latest.Sub(c.Earliest)
		if c.ETA.Before(c.Earliest) || c.ETA.After(c.Latest) {
			t.Fatalf("ETA %v outside its window [%v, %v]", c.ETA, c.Earliest, c.Latest)
		}
		a := res.Progress.ETAs[0]
		if aw := a.Latest.Sub(a.Earliest); aw > w {
			t.Fatalf("the next stop's window %v is wider than the last's %v", aw, w)
		}
		if w > prev {
			t.Fatalf("window widened from %v to %v", prev, w)
		}
		prev = w
	}
}

func TestAtRisk(t *testing.T) {
	now := t0.Add(50 * time.Minute) // very late: B's window closes at +30 min
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	rt := route()
	res, err := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: station.Lat, Lon: station.Lon})
	if err != nil {
		t.Fatal(err)
	}
	risks := map[string]string{}
	for _, e := range res.Progress.ETAs {
		risks[e.OrderID] = e.Risk
	}
	if risks["ord_A"] != "" || risks["ord_B"] != tracking.RiskLate || risks["ord_C"] == "" {
		t.Fatalf("risks %v", risks)
	}
	n := 0
	for _, e := range res.Events {
		if e.Type == tracking.EventAtRisk {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d at-risk events, want 2: %+v", n, res.Events)
	}
	// Told once: the next fix raises nothing new.
	now = now.Add(10 * time.Second)
	res, _ = tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: station.Lat, Lon: station.Lon})
	for _, e := range res.Events {
		if e.Type == tracking.EventAtRisk {
			t.Fatalf("at-risk raised again: %+v", e)
		}
	}
}

func TestLearnedServiceTimes(t *testing.T) {
	l := &tracking.Learner{MinSamples: 3}
	if got := l.ServiceS("st", "delivery", 180); got != 180 {
		t.Fatalf("before learning %d", got)
	}
	for range 2 {
		l.ObserveService("st", "delivery", 200*time.Second, 400*time.Second)
	}
	if got := l.ServiceS("st", "delivery", 180); got != 180 {
		t.Fatalf("learned from %d samples: %d, want the plan's", 2, got)
	}
	l.ObserveService("st", "delivery", 200*time.Second, 400*time.Second)
	// A ratio of 2 after 3 samples, blended 3:3 with the plan: 1.5, applied
	// to each stop's own planned service.
	for _, c := range []struct{ planned, want int64 }{{180, 270}, {1200, 1800}, {0, 0}} {
		if got := l.ServiceS("st", "delivery", c.planned); got != c.want {
			t.Fatalf("planned %d: learned %d, want %d", c.planned, got, c.want)
		}
	}
	if got := l.ServiceS("st", "pickup", 120); got != 120 {
		t.Fatalf("other stop type %d", got)
	}
	// Outliers are clamped: a stop confirmed two hours late counts as
	// MaxServiceRatio. The plain mean of 2, 2, 2, 4 is 2.5, blended 4:3
	// with the plan: 1 + 1.5×4/7.
	l.ObserveService("st", "delivery", 200*time.Second, 2*time.Hour)
	if r, want := l.ServiceRatio("st", "delivery"), 1+1.5*4/7; math.Abs(r-want) > 1e-9 {
		t.Fatalf("ratio after an outlier %g, want %g", r, want)
	}
	// Past 1/ServiceAlpha stops, a new one weighs ServiceAlpha.
	slow := &tracking.Learner{ServiceAlpha: 0.1}
	for range 10 {
		slow.ObserveService("st", "delivery", 100*time.Second, 100*time.Second)
	}
	slow.ObserveService("st", "delivery", 100*time.Second, 300*time.Second)
	if vs, _ := slow.Export(); len(vs) != 1 || math.Abs(vs[0].Mean-1.2) > 1e-9 {
		t.Fatalf("after 10 stops at 1 and one at 3: %+v, want a mean of 1.2", vs)
	}
	// Too short a planned service, or nothing measured: ignored.
	_, n0 := l.Export()
	l.ObserveService("st", "delivery", 5*time.Second, time.Minute)
	l.ObserveService("st", "delivery", time.Minute, 0)
	if _, n := l.Export(); n != n0 {
		t.Fatalf("%d observations taken from nonsense", n-n0)
	}
}

func TestReturning(t *testing.T) {
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	rt := route()
	for i := range rt.Stops {
		rt.Stops[i].Done = true
	}
	res, err := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: stopC.Lat, Lon: stopC.Lon})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Progress.Returning || !res.Progress.BackETA.After(now) || len(res.Progress.ETAs) != 0 {
		t.Fatalf("progress %+v", res.Progress)
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tracking -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden:\n%s", name, got)
	}
}

func TestStationZones(t *testing.T) {
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }})
	rt := route()
	rt.Zones = []tracking.Zone{{ID: "harbour", Center: stopB, RadiusM: 100}}
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
	if len(got) != 2 || got[0] != "zone_entered harbour" || got[1] != "zone_exited harbour" {
		t.Fatalf("zone events %q", got)
	}
}

func TestLearnedTimeOfDay(t *testing.T) {
	l := &tracking.Learner{MinSamples: 1}
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, Service: l})
	rt := route()
	ctx := context.Background()
	step := func(sec int, p lastmile.Point) {
		now = t0.Add(time.Duration(sec) * time.Second)
		if _, err := tr.Update(ctx, rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: p.Lat, Lon: p.Lon}); err != nil {
			t.Fatal(err)
		}
	}
	// At A for a minute, then four minutes to B, planned two.
	for s := 0; s <= 60; s += 15 {
		step(s, stopA)
	}
	rt.Stops[0].Done, rt.Stops[0].DoneAt = true, t0.Add(time.Minute) // delivered after a minute
	step(75, lerp(stopA, stopB, 0.5))
	for s := 315; s <= 375; s += 15 {
		step(s, stopB)
	}
	// The leg runs from A's end (60 s) to entering B's radius (315 s):
	// 4¼ min for a planned 2.
	f := l.Factor("st_1", t0.Add(75*time.Second))
	if math.Abs(f-255.0/120) > 0.01 {
		t.Fatalf("learned factor %.3f, want %.3f (255 s for a planned 120 s)", f, 255.0/120)
	}
	// One minute for A's planned three: a ratio of 1/3, blended 1:1 with
	// the plan (one sample, MinSamples 1): 2/3.
	if got := l.ServiceS("st_1", "delivery", 180); got != 120 {
		t.Fatalf("learned service %d s, want 120 (A took a third of its plan)", got)
	}
	if l.Factor("st_1", t0.Add(5*time.Hour)) != 1 {
		t.Fatal("another hour learned too")
	}
}

func TestNoArrivalAtAStopFarAhead(t *testing.T) {
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, ArriveAhead: 1})
	rt := route()
	for s := 0; s <= 120; s += 15 { // two minutes beside B while A is next
		now = t0.Add(time.Duration(s) * time.Second)
		res, err := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "veh_1", At: now, Lat: stopB.Lat, Lon: stopB.Lon})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Events {
			if e.Type == tracking.EventArrived {
				t.Fatalf("arrived at %s, which is not among the next stops", e.OrderID)
			}
		}
	}
}
