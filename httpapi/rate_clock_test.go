package httpapi_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// TestRateClock: position budgets refill on the configured clock.
func TestRateClock(t *testing.T) {
	e := newEnv(t)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "rate.db"), func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rate := testNow
	e.store = st
	e.api = httpapi.New(httpapi.Config{Store: st, Now: func() time.Time { return e.now }, RateClock: func() time.Time { return rate }})
	e.srv.Config.Handler = e.api.Handler()
	if e.admin, err = httpapi.Bootstrap(context.Background(), st, "", testNow); err != nil {
		t.Fatal(err)
	}
	_, veh, _ := e.seed("Monaco")
	next := 0
	batch := func() map[string]any {
		var ps []any
		for range 1000 {
			next++
			ps = append(ps, map[string]any{"vehicle_id": veh, "at": testNow.Add(time.Duration(next-5000) * time.Second).Format(time.RFC3339), "lat": 43.73, "lon": 7.42})
		}
		return map[string]any{"positions": ps}
	}
	e.do("POST", "/v1/positions", e.admin, batch()).must(t, 200)
	if r := e.do("POST", "/v1/positions", e.admin, batch()); r.status != 429 {
		t.Fatalf("over the budget: %d %s", r.status, r.raw)
	}
	// 200 s on the rate clock refill 1,000 positions, whatever the machine's clock says.
	rate = rate.Add(200 * time.Second)
	e.do("POST", "/v1/positions", e.admin, batch()).must(t, 200)
}
