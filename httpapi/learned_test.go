package httpapi_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
)

// TestLearnedSurvivesRestart teaches a server service times and a traffic
// factor, stops it (its saver stores them on the way out), starts a new
// server on the same database, and checks that the new one's ETAs use the
// learned service ratio rather than the plan's service alone.
func TestLearnedSurvivesRestart(t *testing.T) {
	e, _ := newLiveEnv(t, "")
	st, veh, drv := e.seed("Monaco")
	ctx := context.Background()

	// The first server learns: 6 deliveries that took twice their planned
	// service, 6 legs driven 1.5 times slower than planned at 07:00 UTC.
	l := e.api.Learner()
	for range 6 {
		l.ObserveService(st, "delivery", 3*time.Minute, 6*time.Minute)
		l.ObserveLeg(st, time.Date(2026, 3, 2, 7, 10, 0, 0, time.UTC), 10*time.Minute, 15*time.Minute)
	}
	keepCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.api.KeepLearned(keepCtx, time.Hour, func(err error) { t.Error(err) }) }()
	stop() // shutdown: the saver stores what was learned
	<-done
	saved, err := e.store.LearnedValues(ctx)
	if err != nil || len(saved) != 2 {
		t.Fatalf("saved %+v %v", saved, err)
	}

	// A new server on the same database.
	fresh := func() *httpapi.Server {
		return httpapi.New(httpapi.Config{Store: e.store, Now: func() time.Time { return e.now }, PlanTimeLimit: 300 * time.Millisecond})
	}
	before := fresh()
	if got := before.Learner().ServiceS(st, "delivery", 180); got != 180 {
		t.Fatalf("a server that did not load knows %d s", got)
	}
	s2 := fresh()
	if err := s2.LoadLearned(ctx); err != nil {
		t.Fatal(err)
	}
	// A ratio of 2 from 6 samples, blended 6:5 with the plan.
	want := time.Duration(math.Round(180*(1+6.0/11))) * time.Second
	if got := s2.Learner().ServiceS(st, "delivery", 180); got != int64(want/time.Second) {
		t.Fatalf("service time after restart %d s, want %v", got, want)
	}
	if f := s2.Learner().Factor(st, time.Date(2026, 3, 3, 7, 30, 0, 0, time.UTC)); f != 1.5 {
		t.Fatalf("traffic factor after restart %g, want 1.5", f)
	}
	if err := s2.SaveLearned(ctx); err != nil { // nothing new: nothing written
		t.Fatal(err)
	}

	// Its live ETAs use the learned ratio at every remaining delivery.
	e.api = s2
	e.srv.Config.Handler = s2.Handler()
	routeID, _, _ := dispatchDay(t, e, st, drv, 3, func(i int) map[string]any { return orderBody(st, "L-"+string(rune('A'+i)), i*5) })
	e.do("POST", "/v1/positions", e.admin, map[string]any{"positions": []any{
		pos(veh, e.now, lastmile.Point{Lat: 43.7325, Lon: 7.4189})}}).must(t, 200)
	pr := e.do("GET", "/v1/routes/"+routeID+"/progress", e.admin, nil).must(t, 200)
	etas, _ := pr["etas"].([]any)
	checked := 0
	for _, x := range etas {
		s := x.(map[string]any)
		if s["type"] != "delivery" {
			continue
		}
		eta, _ := time.Parse(time.RFC3339, str(s, "eta"))
		dep, _ := time.Parse(time.RFC3339, str(s, "departure"))
		if d := dep.Sub(eta); d != want {
			t.Fatalf("stop %v: %v at the door, want the learned %v", s["seq"], d, want)
		}
		checked++
	}
	if checked != 3 {
		t.Fatalf("%d delivery ETAs checked: %v", checked, pr)
	}
}

// TestServiceLearnedFromFailedStops drives a route whose two stops fail
// (the recipients are out): each failed order leaves the route for a new
// attempt, and the server still learns each stop's service against its
// plan — from entering its radius to the failure.
func TestServiceLearnedFromFailedStops(t *testing.T) {
	e, _ := newLiveEnv(t, "")
	st, veh, drv := e.seed("Monaco")
	routeID, orders, _ := dispatchDay(t, e, st, drv, 2, func(i int) map[string]any { return orderBody(st, "F-"+string(rune('A'+i)), i*7) })
	driverKey := e.key("driver", nil, drv)
	track := e.do("GET", "/v1/routes/"+routeID+"/track", e.admin, nil).must(t, 200)
	planned := map[string]time.Duration{}
	locs := map[string]lastmile.Point{}
	for _, x := range track["planned"].([]any) {
		s := x.(map[string]any)
		if id := str(s, "order_id"); id != "" {
			start, _ := time.Parse(time.RFC3339, str(s, "start"))
			dep, _ := time.Parse(time.RFC3339, str(s, "departure"))
			planned[id] = dep.Sub(start)
			loc := s["location"].(map[string]any)
			locs[id] = lastmile.Point{Lat: loc["lat"].(float64), Lon: loc["lon"].(float64)}
		}
	}
	if len(planned) != 2 || locs[orders[0]].DistanceM(locs[orders[1]]) < 200 {
		t.Fatalf("planned stops %v at %v", planned, locs)
	}
	send := func(p lastmile.Point) {
		e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": []any{pos(veh, e.now, p)}}).must(t, 200)
	}
	served := []time.Duration{4 * time.Minute, 2 * time.Minute}
	for k, id := range orders {
		// Arrive, stay, fail; the positions at the door go up before the
		// failure, the next one after it.
		e.now = e.now.Add(5 * time.Minute)
		send(locs[id])
		for d := 15 * time.Second; d < served[k]; d += 15 * time.Second {
			e.now = e.now.Add(15 * time.Second)
			send(locs[id])
		}
		e.now = e.now.Add(15 * time.Second)
		e.do("POST", "/v1/orders/"+id+"/status", driverKey, map[string]any{"status": "failed", "reason": "not_home"}).must(t, 200)
		e.now = e.now.Add(15 * time.Second)
		send(lerp(locs[id], lastmile.Point{Lat: 43.70, Lon: 7.40}, 0.5))
	}
	vs, _ := e.api.Learner().Export()
	var got *lastmile.Learned
	for i := range vs {
		if vs[i].Kind == lastmile.LearnedServiceRatio {
			got = &vs[i]
		}
	}
	// The plain mean of the two ratios; each stop measured within a fix.
	r0, r1 := served[0].Seconds()/planned[orders[0]].Seconds(), served[1].Seconds()/planned[orders[1]].Seconds()
	slack := 15 / planned[orders[0]].Seconds()
	if got == nil || got.N != 2 || got.Key != "delivery" || math.Abs(got.Mean-(r0+r1)/2) > slack {
		t.Fatalf("learned %+v, want 2 deliveries with a mean ratio of %.3f", vs, (r0+r1)/2)
	}
}
