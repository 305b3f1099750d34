package tracking_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// north is the point m metres north of p.
func north(p lastmile.Point, m float64) lastmile.Point {
	return lastmile.Point{Lat: p.Lat + m/111195, Lon: p.Lon}
}

// visit is a vehicle's day at a few doors: the fixes it sends, when the
// driver finished each stop, and the service each stop really took.
type visit struct {
	stops  []tracking.Stop
	fixes  []lastmile.Position
	doneAt map[string]time.Time
	ratios []float64 // actual over planned service, in the order the stops end
}

// visitBuilder drives a van in 15 s fixes with optional GPS noise (metres,
// normal per axis).
type visitBuilder struct {
	v     visit
	at    time.Time
	pos   lastmile.Point
	noise float64
	rng   *rand.Rand
}

func newVisit(noise float64) *visitBuilder {
	start := lastmile.Point{Lat: 43.70, Lon: 7.40}
	return &visitBuilder{v: visit{doneAt: map[string]time.Time{}}, at: t0, pos: start, noise: noise, rng: rand.New(rand.NewPCG(7, 9))}
}

func (b *visitBuilder) fix(p lastmile.Point) {
	if b.noise > 0 {
		p = lastmile.Point{Lat: p.Lat + b.rng.NormFloat64()*b.noise/111195,
			Lon: p.Lon + b.rng.NormFloat64()*b.noise/(111195*math.Cos(p.Lat*math.Pi/180))}
	}
	b.v.fixes = append(b.v.fixes, lastmile.Position{VehicleID: "veh_1", At: b.at, Lat: p.Lat, Lon: p.Lon, AccuracyM: 10})
}

// driveTo moves the van to p at 8 m/s.
func (b *visitBuilder) driveTo(p lastmile.Point) {
	d := b.pos.DistanceM(p)
	dur := time.Duration(d / 8 * float64(time.Second))
	from, start := b.pos, b.at
	for t := 15 * time.Second; t < dur; t += 15 * time.Second {
		f := float64(t) / float64(dur)
		b.at = start.Add(t)
		b.fix(lastmile.Point{Lat: from.Lat + (p.Lat-from.Lat)*f, Lon: from.Lon + (p.Lon-from.Lon)*f})
	}
	b.at = start.Add(max(dur, time.Second))
	b.pos = p
	b.fix(p)
}

// stay keeps the van where it is for d.
func (b *visitBuilder) stay(d time.Duration) {
	end := b.at.Add(d)
	for b.at.Add(15 * time.Second).Before(end) {
		b.at = b.at.Add(15 * time.Second)
		b.fix(b.pos)
	}
	b.at = end
	b.fix(b.pos)
}

// serve adds a stop at the van's position, planned at planned and served
// in actual after waiting for wait (its window opens then).
func (b *visitBuilder) serve(id string, planned, wait, actual time.Duration) {
	loc := b.pos
	s := tracking.Stop{Seq: len(b.v.stops) + 1, Type: "delivery", OrderID: id, Location: &loc,
		PlannedArrival: b.at, PlannedStart: b.at.Add(wait), PlannedDeparture: b.at.Add(wait + planned)}
	if wait > 0 {
		s.Window = &lastmile.Window{Start: b.at.Add(wait), End: b.at.Add(wait + 2*time.Hour)}
		b.stay(wait)
	}
	b.stay(actual)
	b.v.stops = append(b.v.stops, s)
	b.v.doneAt[id] = b.at
	b.v.ratios = append(b.v.ratios, actual.Seconds()/planned.Seconds())
}

// play feeds the fixes to a tracker whose service model is l. Live, the
// stops are finished as the driver finishes them and each fix comes in at
// its time; uploaded late, every fix comes in at the end of the day, when
// every stop is already finished. withEnd says whether the route knows
// when its stops were finished.
func (v visit) play(t *testing.T, l *tracking.Learner, late, withEnd bool) {
	v.playDropping(t, l, late, withEnd, false)
}

// playDropping is play; with dropWindow, a finished stop loses its time
// window, as a failed stop rescheduled for another day does.
func (v visit) playDropping(t *testing.T, l *tracking.Learner, late, withEnd, dropWindow bool) {
	t.Helper()
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, Service: l})
	rt := &tracking.Route{ID: "rt_1", VehicleID: "veh_1", StationID: "st_1", Station: lastmile.Point{Lat: 43.69, Lon: 7.40},
		Stops: append([]tracking.Stop(nil), v.stops...)}
	finish := func(upTo time.Time) {
		for i := range rt.Stops {
			if at := v.doneAt[rt.Stops[i].OrderID]; !at.After(upTo) {
				rt.Stops[i].Done = true
				if withEnd {
					rt.Stops[i].DoneAt = at
				}
				if dropWindow {
					rt.Stops[i].Window = nil
				}
			}
		}
	}
	if late {
		// The route is dispatched (its ETAs computed) before the day.
		if _, err := tr.Progress(context.Background(), rt); err != nil {
			t.Fatal(err)
		}
		now = v.fixes[len(v.fixes)-1].At.Add(time.Minute)
		finish(now)
	}
	for _, p := range v.fixes {
		if !late {
			now = p.At
			finish(now)
		}
		res, err := tr.Update(context.Background(), rt, p)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != tracking.Accepted {
			t.Fatalf("fix at %v: %s", p.At, res.Verdict)
		}
	}
}

// ewMean is the learner's weighted mean of the clamped ratios: their
// plain mean until 1/alpha of them, then exponentially weighted.
func ewMean(rs []float64, alpha float64) float64 {
	m := 0.0
	for i, r := range rs {
		r = min(max(r, tracking.MinServiceRatio), tracking.MaxServiceRatio)
		m += max(alpha, 1/float64(i+1)) * (r - m)
	}
	return m
}

// TestServiceLearnedPerStop plays the cases that made a learned service
// mean inflate the ETAs — stops closer together than the departure radius
// (so that one dwell covered several), a van waiting for a time window at
// the door, noisy GPS, positions uploaded after the stops were finished —
// and checks that each stop is learned as the service it really took,
// against its own planned service.
func TestServiceLearnedPerStop(t *testing.T) {
	const m = 3 * time.Minute
	cases := []struct {
		name    string
		build   func(b *visitBuilder)
		noise   float64
		late    bool
		withEnd bool
		drop    bool // finished stops lose their window
		wantN   int
	}{
		{name: "co-located stops", withEnd: true, wantN: 4, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 0, 200*time.Second)
			b.driveTo(north(b.pos, 25))
			b.serve("B", m, 0, 150*time.Second)
			b.driveTo(north(b.pos, 30))
			b.serve("C", 4*m, 0, 14*time.Minute) // a white-glove stop: planned 12 min
			b.driveTo(north(b.pos, 1500))
			b.serve("D", m, 0, 170*time.Second)
			b.driveTo(north(b.pos, 1500))
		}},
		{name: "waiting for a window", withEnd: true, wantN: 2, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 25*time.Minute, 190*time.Second)
			b.driveTo(north(b.pos, 40))
			b.serve("B", 2*m, 10*time.Minute, 5*time.Minute)
			b.driveTo(north(b.pos, 1500))
		}},
		{name: "failed, rescheduled without its window", withEnd: true, drop: true, wantN: 1, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 15*time.Minute, 70*time.Second)
			b.driveTo(north(b.pos, 1500))
		}},
		{name: "failed and uploaded late, rescheduled without its window", late: true, withEnd: true, drop: true, wantN: 1, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 15*time.Minute, 70*time.Second)
			b.driveTo(north(b.pos, 1500))
		}},
		{name: "noisy GPS", noise: 15, withEnd: true, wantN: 3, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 0, 200*time.Second)
			b.driveTo(north(b.pos, 35))
			b.serve("B", m, 0, 160*time.Second)
			b.driveTo(north(b.pos, 1500))
			b.serve("C", m, 5*time.Minute, 210*time.Second)
			b.driveTo(north(b.pos, 1500))
		}},
		{name: "uploaded after the stops were finished", late: true, withEnd: true, wantN: 3, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 0, 200*time.Second)
			b.driveTo(north(b.pos, 20))
			b.serve("B", m, 4*time.Minute, 160*time.Second)
			b.driveTo(north(b.pos, 1500))
			b.serve("C", m, 0, 130*time.Second)
			b.driveTo(north(b.pos, 1500))
		}},
		{name: "no end known: nothing learned", withEnd: false, wantN: 0, build: func(b *visitBuilder) {
			b.driveTo(north(b.pos, 1500))
			b.serve("A", m, 0, 200*time.Second)
			b.driveTo(north(b.pos, 1500))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newVisit(c.noise)
			c.build(b)
			l := &tracking.Learner{MinSamples: 1}
			b.v.playDropping(t, l, c.late, c.withEnd, c.drop)
			vs, _ := l.Export()
			if c.wantN == 0 {
				if len(vs) != 0 {
					t.Fatalf("learned %+v", vs)
				}
				return
			}
			if len(vs) != 1 || vs[0].Kind != lastmile.LearnedServiceRatio || vs[0].Key != "delivery" {
				t.Fatalf("learned %+v", vs)
			}
			want := ewMean(b.v.ratios, 0.05)
			if vs[0].N != c.wantN || math.Abs(vs[0].Mean-want) > 0.04 {
				t.Fatalf("learned %d stops, ratio %.3f; want %d, %.3f (true ratios %.2f)", vs[0].N, vs[0].Mean, c.wantN, want, b.v.ratios)
			}
		})
	}
}

// TestLearnedServiceKeepsETAs learns a station's stops served at their
// plan and checks that the ETAs of a route with short and long stops are
// those of the plan: one learned figure no longer stands for every stop.
func TestLearnedServiceKeepsETAs(t *testing.T) {
	const m = 3 * time.Minute
	b := newVisit(0)
	b.driveTo(north(b.pos, 1500))
	for _, id := range []string{"A", "B", "C", "D", "E", "F"} {
		b.serve(id, m, 0, m)
		b.driveTo(north(b.pos, 30)) // co-located, in pairs of three
		if id == "C" {
			b.driveTo(north(b.pos, 1500))
		}
	}
	l := &tracking.Learner{}
	b.v.play(t, l, false, true)
	if r := l.ServiceRatio("st_1", "delivery"); math.Abs(r-1) > 0.05 {
		t.Fatalf("ratio %.3f after stops served as planned", r)
	}
	now := t0.Add(8 * time.Hour)
	at := func(min int) time.Time { return now.Add(time.Duration(min) * time.Minute) }
	door := lastmile.Point{Lat: 43.72, Lon: 7.40}
	far := north(door, 3000)
	rt := &tracking.Route{ID: "rt_2", VehicleID: "veh_2", StationID: "st_1", Station: door, Stops: []tracking.Stop{
		{Seq: 1, Type: "delivery", OrderID: "X", Location: &door, PlannedArrival: at(0), PlannedStart: at(0), PlannedDeparture: at(3)},
		{Seq: 2, Type: "delivery", OrderID: "Y", Location: &far, PlannedArrival: at(10), PlannedStart: at(10), PlannedDeparture: at(35)},
	}}
	for _, model := range []tracking.ServiceModel{nil, l} {
		tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, Service: model})
		res, err := tr.Update(context.Background(), rt, lastmile.Position{VehicleID: "veh_2", At: now, Lat: door.Lat, Lon: door.Lon})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range res.Progress.ETAs {
			planned := rt.Stops[i].PlannedDeparture.Sub(rt.Stops[i].PlannedStart)
			if got := e.Departure.Sub(e.ETA); math.Abs(got.Seconds()-planned.Seconds()) > 0.05*planned.Seconds() {
				t.Fatalf("model %T, stop %s: %v at the door, planned %v", model, e.OrderID, got, planned)
			}
		}
	}
}

type planOnly struct{}

func (planOnly) ServiceS(_, _ string, planned int64) int64 { return planned }

// TestLearnerBesideAnotherServiceModel keeps learning when the ETAs use
// another service model: the learner still learns services and legs.
func TestLearnerBesideAnotherServiceModel(t *testing.T) {
	b := newVisit(0)
	b.driveTo(north(b.pos, 1500))
	b.serve("A", 3*time.Minute, 0, 6*time.Minute)
	b.driveTo(north(b.pos, 1500))
	b.serve("B", 3*time.Minute, 0, 6*time.Minute)
	b.driveTo(north(b.pos, 1500))
	l := &tracking.Learner{MinSamples: 1}
	now := t0
	tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, Service: planOnly{}, Learner: l})
	rt := &tracking.Route{ID: "rt_1", VehicleID: "veh_1", StationID: "st_1", Station: lastmile.Point{Lat: 43.69, Lon: 7.40},
		Stops: append([]tracking.Stop(nil), b.v.stops...)}
	for _, p := range b.v.fixes {
		now = p.At
		for i := range rt.Stops {
			if at := b.v.doneAt[rt.Stops[i].OrderID]; !at.After(now) {
				rt.Stops[i].Done, rt.Stops[i].DoneAt = true, at
			}
		}
		if _, err := tr.Update(context.Background(), rt, p); err != nil {
			t.Fatal(err)
		}
	}
	vs, _ := l.Export()
	kinds := map[string]int{}
	for _, v := range vs {
		kinds[v.Kind] += v.N
	}
	if kinds[lastmile.LearnedServiceRatio] != 2 || kinds[lastmile.LearnedTraffic] != 1 {
		t.Fatalf("learned %+v", vs)
	}
	if r := l.ServiceRatio("st_1", "delivery"); r < 1.4 {
		t.Fatalf("ratio %.2f, want about 1.5 (twice the plan, blended)", r)
	}
	// The ETAs keep the plan's service.
	again := &tracking.Route{ID: rt.ID, VehicleID: rt.VehicleID, StationID: rt.StationID, Station: rt.Station, Stops: b.v.stops}
	pr, err := tr.Progress(context.Background(), again)
	if err != nil || len(pr.ETAs) != 2 {
		t.Fatalf("progress %+v %v", pr, err)
	}
	for _, e := range pr.ETAs {
		if got := e.Departure.Sub(e.ETA); got != 3*time.Minute {
			t.Fatalf("stop %s: %v at the door, want the plan's 3m0s", e.OrderID, got)
		}
	}
}
