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
