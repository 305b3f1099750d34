package httpapi_test

import (
	"fmt"
	"slices"
	"testing"
)

// TestRouteReadsFollowPlanChanges reads routes (track, manifest, scans)
// between every kind of plan change — moves, publication, a new plan
// superseding the first, dispatch — and checks each read shows the change
// at once.
func TestRouteReadsFollowPlanChanges(t *testing.T) {
	e := newEnv(t)
	st, _, drv := e.seed("A")
	driver := e.key("driver", nil, drv)
	var rows []any
	for i := range 6 {
		rows = append(rows, orderBody(st, fmt.Sprintf("R-%d", i), i))
	}
	e.do("POST", "/v1/orders/import", e.admin, rows).must(t, 201)
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.3}).must(t, 201)
	first := str(plan, "id")
	rt := str(plan["routes"].([]any)[0].(map[string]any), "id")
	planned := func(route, key string) []string {
		t.Helper()
		tr := e.do("GET", "/v1/routes/"+route+"/track", key, nil).must(t, 200)
		return routeStops(map[string]any{"stops": tr["planned"]})
	}
	before := planned(rt, e.admin)
	if len(before) != 6 {
		t.Fatalf("draft route stops %v", before)
	}
	if got := planned(rt, driver); !slices.Equal(got, before) {
		t.Fatalf("the driver reads %v, staff %v", got, before)
	}

	// Moves: off the route, then back first.
	victim := before[len(before)-1]
	e.do("POST", "/v1/plans/"+first+"/moves", e.admin, map[string]any{"order_id": victim}).must(t, 200)
	if got := planned(rt, driver); len(got) != 5 || slices.Contains(got, victim) {
		t.Fatalf("after taking %s off: %v", victim, got)
	}
	e.do("POST", "/v1/plans/"+first+"/moves", e.admin, map[string]any{"order_id": victim, "route_id": rt, "position": 1}).must(t, 200)
	if got := planned(rt, driver); len(got) != 6 || got[0] != victim {
		t.Fatalf("after moving %s back first: %v", victim, got)
	}

	// A draft has no manifest; once published it has, in the moved order.
	draft := e.do("GET", "/v1/routes/"+rt+"/manifest", driver, nil)
	if c, _ := draft.err(); draft.status != 409 || c != "illegal_transition" {
		t.Fatalf("manifest of a draft: %d %s", draft.status, draft.raw)
	}
	e.do("POST", "/v1/plans/"+first+"/publish", e.admin, nil).must(t, 200)
	m := e.do("GET", "/v1/routes/"+rt+"/manifest", driver, nil).must(t, 200)
	if stops := m["stops"].([]any); len(stops) != 6 || str(stops[0].(map[string]any), "order_id") != victim || str(m, "plan_id") != first {
		t.Fatalf("manifest after publication: %v", m)
	}

	// A new plan of the day supersedes the first: the first's route has
	// no manifest and takes no scan any more; the new route does.
	second := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.3}).must(t, 201)
	e.do("POST", "/v1/plans/"+str(second, "id")+"/publish", e.admin, nil).must(t, 200)
	old := e.do("GET", "/v1/routes/"+rt+"/manifest", driver, nil)
	if c, _ := old.err(); old.status != 409 || c != "illegal_transition" {
		t.Fatalf("manifest of a superseded plan's route: %d %s", old.status, old.raw)
	}
	bc := str(m["stops"].([]any)[0].(map[string]any)["parcels"].([]any)[0].(map[string]any), "barcode")
	scan := e.do("POST", "/v1/routes/"+rt+"/scans", driver, map[string]any{"barcode": bc})
	if c, _ := scan.err(); scan.status != 409 || c != "illegal_transition" {
		t.Fatalf("scan on a superseded plan's route: %d %s", scan.status, scan.raw)
	}
	rt2 := str(second["routes"].([]any)[0].(map[string]any), "id")
	m2 := e.do("GET", "/v1/routes/"+rt2+"/manifest", driver, nil).must(t, 200)
	if str(m2, "plan_id") != str(second, "id") || len(m2["missing"].([]any)) != 6 {
		t.Fatalf("manifest of the new plan: %v", m2)
	}
	for _, b := range m2["missing"].([]any) {
		if r := e.do("POST", "/v1/routes/"+rt2+"/scans", driver, map[string]any{"barcode": b}).must(t, 200); str(r, "result") != "loaded" {
			t.Fatalf("scan %s: %v", b, r)
		}
	}

	// Once dispatched, the route takes no more scans, and its manifest
	// shows everything loaded.
	e.do("POST", "/v1/routes/"+rt2+"/dispatch", e.admin, nil).must(t, 200)
	late := e.do("POST", "/v1/routes/"+rt2+"/scans", driver, map[string]any{"barcode": m2["missing"].([]any)[0]})
	if c, _ := late.err(); late.status != 409 || c != "illegal_transition" {
		t.Fatalf("scan after dispatch: %d %s", late.status, late.raw)
	}
	if m3 := e.do("GET", "/v1/routes/"+rt2+"/manifest", driver, nil).must(t, 200); len(m3["missing"].([]any)) != 0 || m3["loaded"].(float64) != 6 {
		t.Fatalf("manifest after dispatch: %v", m3)
	}
}
