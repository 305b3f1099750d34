package httpapi_test

import (
	"fmt"
	"testing"
)

// TestMyRoutes: a driver key lists its own routes of the day, with the
// vehicle and stop count; other roles and other drivers get none of them.
func TestMyRoutes(t *testing.T) {
	e := newEnv(t)
	st, veh, drv := e.seed("A")
	other := str(e.do("POST", "/v1/drivers", e.admin, map[string]any{"station_id": st, "name": "Eve", "active": true}).must(t, 201), "id")
	k, kOther := e.key("driver", nil, drv), e.key("driver", nil, other)

	empty := e.do("GET", "/v1/me/routes", k, nil).must(t, 200)
	if str(empty, "date") != "2026-03-02" || len(empty["routes"].([]any)) != 0 || str(empty["driver"].(map[string]any), "name") != "Dana" {
		t.Fatalf("before any plan: %v", empty)
	}
	var rows []any
	for i := range 4 {
		rows = append(rows, orderBody(st, fmt.Sprintf("M-%d", i), i))
	}
	e.do("POST", "/v1/orders/import", e.admin, rows).must(t, 201)
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.2}).must(t, 201)
	if got := e.do("GET", "/v1/me/routes", k, nil).must(t, 200); len(got["routes"].([]any)) != 0 {
		t.Fatalf("a draft plan is not the driver's yet: %v", got)
	}
	e.do("POST", "/v1/plans/"+str(plan, "id")+"/publish", e.admin, nil).must(t, 200)
	rt := plan["routes"].([]any)[0].(map[string]any)

	tests := []struct {
		name, key, query string
		status, routes   int
		field            string
	}{
		{"today", k, "", 200, 1, ""},
		{"that date", k, "?date=2026-03-02", 200, 1, ""},
		{"another day", k, "?date=2026-03-03", 200, 0, ""},
		{"another driver", kOther, "", 200, 0, ""},
		{"bad date", k, "?date=03/02/2026", 422, 0, "date"},
		{"admin", e.admin, "", 403, 0, ""},
		{"no key", "", "", 401, 0, "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", "/v1/me/routes"+tt.query, tt.key, nil)
			b := r.must(t, tt.status)
			if tt.status != 200 {
				if _, f := r.err(); f != tt.field {
					t.Fatalf("field %q, want %q: %s", f, tt.field, r.raw)
				}
				return
			}
			routes := b["routes"].([]any)
			if len(routes) != tt.routes {
				t.Fatalf("%d routes, want %d: %s", len(routes), tt.routes, r.raw)
			}
			if tt.routes == 0 {
				return
			}
			got := routes[0].(map[string]any)
			if str(got, "route_id") != str(rt, "id") || str(got, "plan_id") != str(plan, "id") || str(got, "vehicle_id") != veh ||
				str(got, "vehicle_name") != "Van 1" || got["stops"] != float64(len(routeStops(rt))) || got["dispatched_at"] != nil {
				t.Fatalf("route %v", got)
			}
		})
	}
	e.do("GET", "/v1/routes/"+str(rt, "id")+"/manifest", k, nil).must(t, 200)
}
