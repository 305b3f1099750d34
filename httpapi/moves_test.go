package httpapi_test

import (
	"fmt"
	"testing"
)

func routeStops(r map[string]any) []string {
	var ids []string
	for _, s := range r["stops"].([]any) {
		if id := str(s.(map[string]any), "order_id"); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestManualEdits(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("A")
	// A second crew with a small vehicle: 3 parcels at most.
	e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": st, "name": "Bike", "type": "cargo_bike", "capacity": map[string]any{"parcels": 3}, "active": true}).must(t, 201)
	e.do("POST", "/v1/drivers", e.admin, map[string]any{"station_id": st, "name": "Bo", "active": true, "shifts": []map[string]any{{"start": "08:00", "end": "17:00"}}}).must(t, 201)
	var rows []any
	for i := range 10 {
		rows = append(rows, orderBody(st, fmt.Sprintf("M-%d", i), i))
	}
	e.do("POST", "/v1/orders/import", e.admin, rows).must(t, 201)
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.3}).must(t, 201)
	id := str(plan, "id")
	routes := plan["routes"].([]any)
	if len(routes) == 0 {
		t.Fatalf("no routes: %v", plan)
	}
	var big, small map[string]any
	for _, r := range routes {
		m := r.(map[string]any)
		if len(routeStops(m)) > 3 {
			big = m
		} else {
			small = m
		}
	}
	if big == nil {
		t.Fatalf("no route with more than 3 stops: %v", routes)
	}
	victim := routeStops(big)[0]

	// Take a stop off, then put it back at the end of the same route.
	off := e.do("POST", "/v1/plans/"+id+"/moves", e.admin, map[string]any{"order_id": victim}).must(t, 200)
	if off["summary"].(map[string]any)["unassigned"].(float64) != 1 {
		t.Fatalf("after taking off: %v", off["summary"])
	}
	back := e.do("POST", "/v1/plans/"+id+"/moves", e.admin, map[string]any{"order_id": victim, "route_id": str(big, "id")}).must(t, 200)
	for _, r := range back["routes"].([]any) {
		m := r.(map[string]any)
		if str(m, "id") == str(big, "id") {
			got := routeStops(m)
			if got[len(got)-1] != victim || m["feasible"] != true {
				t.Fatalf("stop not appended: %v", got)
			}
		}
	}
	// The small vehicle cannot take more than 3 parcels.
	if small != nil {
		for _, o := range routeStops(big)[1:] {
			r := e.do("POST", "/v1/plans/"+id+"/moves", e.admin, map[string]any{"order_id": o, "route_id": str(small, "id"), "position": 1})
			if r.status == 422 {
				if _, f := r.err(); f != "position" {
					t.Fatalf("infeasible move: %s", r.raw)
				}
				break
			}
			r.must(t, 200)
		}
	}
	bad := e.do("POST", "/v1/plans/"+id+"/moves", e.admin, map[string]any{"order_id": "ord_nope", "route_id": str(big, "id")})
	if _, f := bad.err(); bad.status != 422 || f != "order_id" {
		t.Fatalf("unknown order: %s", bad.raw)
	}
	// Lock a route: a re-plan keeps it as it is.
	cur := e.do("GET", "/v1/plans/"+id, e.admin, nil).must(t, 200)
	var locked map[string]any
	for _, r := range cur["routes"].([]any) {
		if str(r.(map[string]any), "id") == str(big, "id") {
			locked = r.(map[string]any)
		}
	}
	e.do("POST", "/v1/plans/"+id+"/routes/"+str(big, "id")+"/lock", e.admin, nil).must(t, 200)
	re := e.do("POST", "/v1/plans/"+id+"/replan", e.admin, map[string]any{"time_limit_s": 0.2}).must(t, 201)
	kept := false
	for _, r := range re["routes"].([]any) {
		m := r.(map[string]any)
		if m["locked"] == true {
			kept = fmt.Sprint(routeStops(m)) == fmt.Sprint(routeStops(locked))
		}
	}
	if !kept {
		t.Fatalf("locked route not kept by the re-plan")
	}
	lockedMove := e.do("POST", "/v1/plans/"+str(re, "id")+"/moves", e.admin, map[string]any{"order_id": routeStops(locked)[0]})
	if c, _ := lockedMove.err(); lockedMove.status != 409 || c != "illegal_transition" {
		t.Fatalf("move off a locked route: %d %s", lockedMove.status, lockedMove.raw)
	}
}
