package httpapi_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// TestPlanIterations: with an iteration budget and one thread, two servers
// given the same day plan it the same way.
func TestPlanIterations(t *testing.T) {
	sequences := func() [][]string {
		e := newEnv(t)
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "it.db"), func() time.Time { return e.now })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		e.store = st
		e.api = httpapi.New(httpapi.Config{Store: st, Now: func() time.Time { return e.now },
			PlanTimeLimit: time.Minute, PlanIterations: 300})
		e.srv.Config.Handler = e.api.Handler()
		if e.admin, err = httpapi.Bootstrap(context.Background(), st, "", testNow); err != nil {
			t.Fatal(err)
		}
		station, _, _ := e.seed("Monaco")
		// Ids are ordered by creation time; crews pair in id order.
		e.now = e.now.Add(time.Second)
		e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": station, "name": "Van 2", "active": true,
			"capacity": map[string]any{"parcels": 20}}).must(t, 201)
		e.do("POST", "/v1/drivers", e.admin, map[string]any{"station_id": station, "name": "Eli", "active": true,
			"shifts": []map[string]any{{"start": "08:00", "end": "17:00"}}}).must(t, 201)
		for i := range 30 {
			e.now = e.now.Add(time.Millisecond)
			e.do("POST", "/v1/orders", e.admin, orderBody(station, fmt.Sprintf("IT-%02d", i), i)).must(t, 201)
		}
		e.now = testNow
		plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": station, "date": "2026-03-02"}).must(t, 201)
		var out [][]string
		for _, r := range plan["routes"].([]any) {
			var seq []string
			for _, s := range r.(map[string]any)["stops"].([]any) {
				seq = append(seq, str(s.(map[string]any), "type")+fmt.Sprint(s.(map[string]any)["eta"]))
			}
			out = append(out, seq)
		}
		if len(out) == 0 {
			t.Fatalf("no routes: %v", plan)
		}
		return out
	}
	a, b := sequences(), sequences()
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Fatalf("plans differ:\n%v\n%v", a, b)
	}
}
