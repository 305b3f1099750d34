package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

// TestPlanAlgorithm: "algorithm": "nearest" plans the day with the
// nearest-neighbour baseline; the optimizer's plan drives no farther.
func TestPlanAlgorithm(t *testing.T) {
	e := newEnv(t)
	station, _, _ := e.seed("Monaco")
	for i := range 25 {
		e.now = e.now.Add(time.Millisecond)
		e.do("POST", "/v1/orders", e.admin, orderBody(station, fmt.Sprintf("NN-%02d", i), i)).must(t, 201)
	}
	e.now = testNow
	distance := func(plan map[string]any) (km float64, stops int) {
		for _, r := range plan["routes"].([]any) {
			rt := r.(map[string]any)
			km += rt["distance_m"].(float64) / 1000
			stops += len(rt["stops"].([]any))
		}
		return km, stops
	}
	nn := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": station, "date": "2026-03-02", "algorithm": "nearest"}).must(t, 201)
	opt := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": station, "date": "2026-03-02", "time_limit_s": 1}).must(t, 201)
	nnKm, nnStops := distance(nn)
	optKm, optStops := distance(opt)
	if nnStops == 0 || optStops < nnStops {
		t.Fatalf("stops: nearest %d, optimizer %d", nnStops, optStops)
	}
	if optStops == nnStops && optKm > nnKm+0.001 {
		t.Errorf("the optimizer drives %.2f km, nearest neighbour %.2f km", optKm, nnKm)
	}
	bad := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": station, "date": "2026-03-02", "algorithm": "genetic"})
	bad.must(t, 422)
	if code, field := bad.err(); code != "invalid" || field != "algorithm" {
		t.Errorf("unknown algorithm: %s at %q, want invalid at algorithm", code, field)
	}
	e.do("POST", "/v1/plans/"+str(nn, "id")+"/replan", e.admin, map[string]any{"algorithm": "nearest"}).must(t, 201)
}
