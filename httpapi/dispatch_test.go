package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

// TestMissortAndDriverScope has two crews: a parcel scanned on the wrong
// route is flagged with its route, and each driver sees only their own
// route and orders.
func TestMissortAndDriverScope(t *testing.T) {
	e := newEnv(t)
	st, _, d1 := e.seed("A")
	e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": st, "name": "Van 2", "capacity": map[string]any{"parcels": 40}, "active": true}).must(t, 201)
	d2b := e.do("POST", "/v1/drivers", e.admin, map[string]any{"station_id": st, "name": "Eve", "active": true, "shifts": []map[string]any{{"start": "08:00", "end": "17:00"}}}).must(t, 201)
	d2 := str(d2b, "id")
	var rows []any
	for i := range 10 { // 90 parcels: more than the first van's 80
		o := orderBody(st, fmt.Sprintf("S-%d", i), i)
		var ps []map[string]any
		for k := range 9 {
			ps = append(ps, map[string]any{"barcode": fmt.Sprintf("S-%d-%d", i, k), "weight_g": 100})
		}
		o["parcels"] = ps
		rows = append(rows, o)
	}
	e.do("POST", "/v1/orders/import", e.admin, rows).must(t, 201)
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.3}).must(t, 201)
	if len(plan["routes"].([]any)) != 2 {
		t.Fatalf("want two routes (the first van holds 80 parcels): %v", plan["summary"])
	}
	e.do("POST", "/v1/plans/"+str(plan, "id")+"/publish", e.admin, nil).must(t, 200)
	byDriver := map[string]map[string]any{}
	for _, r := range plan["routes"].([]any) {
		m := r.(map[string]any)
		byDriver[str(m, "driver_id")] = m
	}
	r1, r2 := byDriver[d1], byDriver[d2]
	k1, k2 := e.key("driver", nil, d1), e.key("driver", nil, d2)
	o2 := routeStops(r2)[0]
	ord := e.do("GET", "/v1/orders/"+o2, e.admin, nil).must(t, 200)
	barcode := str(ord["parcels"].([]any)[0].(map[string]any), "barcode")

	res := e.do("POST", "/v1/routes/"+str(r1, "id")+"/scans", k1, map[string]any{"barcode": barcode}).must(t, 200)
	if str(res, "result") != "missort" || str(res, "route_id") != str(r2, "id") {
		t.Fatalf("missort scan %v", res)
	}
	e.do("GET", "/v1/routes/"+str(r2, "id")+"/manifest", k1, nil).must(t, 404)
	e.do("POST", "/v1/routes/"+str(r2, "id")+"/scans", k1, map[string]any{"barcode": barcode}).must(t, 404)
	e.do("GET", "/v1/orders/"+o2, k1, nil).must(t, 404)
	e.do("GET", "/v1/orders/"+o2, k2, nil).must(t, 200)
	e.do("POST", "/v1/orders/"+o2+"/status", k1, map[string]any{"status": "arrived"}).must(t, 404)
	e.do("GET", "/v1/orders", k1, nil).must(t, 403)

	// Dispatch refuses a route with parcels missing, unless forced.
	r := e.do("POST", "/v1/routes/"+str(r2, "id")+"/dispatch", e.admin, nil)
	if c, _ := r.err(); r.status != 409 || c != "illegal_transition" {
		t.Fatalf("dispatch with missing parcels: %d %s", r.status, r.raw)
	}
	forced := e.do("POST", "/v1/routes/"+str(r2, "id")+"/dispatch", e.admin, map[string]any{"force": true}).must(t, 200)
	if len(forced["released"].([]any)) != len(routeStops(r2)) {
		t.Fatalf("forced dispatch %v", forced)
	}
	back := e.do("GET", "/v1/orders/"+o2, e.admin, nil).must(t, 200)
	if str(back, "status") != "pending" || str(back, "route_id") != "" {
		t.Fatalf("released order %v", back)
	}
}

func TestRetentionSweep(t *testing.T) {
	e := newEnv(t)
	st := e.do("POST", "/v1/stations", e.admin, map[string]any{"name": "R", "location": map[string]any{"lat": 43.73, "lon": 7.42}, "retention_days": 30}).must(t, 201)
	o := e.do("POST", "/v1/orders", e.admin, orderBody(str(st, "id"), "R-1", 1)).must(t, 201)
	keep := e.do("POST", "/v1/orders", e.admin, orderBody(str(st, "id"), "R-2", 2)).must(t, 201)
	e.do("POST", "/v1/orders/"+str(o, "id")+"/status", e.admin, map[string]any{"status": "cancelled"}).must(t, 200)
	if n, err := e.api.SweepRetention(t.Context()); err != nil || n != 0 {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	e.now = e.now.Add(31 * 24 * time.Hour)
	if n, err := e.api.SweepRetention(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	got := e.do("GET", "/v1/orders/"+str(o, "id"), e.admin, nil).must(t, 200)
	if got["erased"] != true || str(got["recipient"].(map[string]any), "name") != "(erased)" || str(got, "status") != "cancelled" {
		t.Fatalf("after sweep %v", got)
	}
	open := e.do("GET", "/v1/orders/"+str(keep, "id"), e.admin, nil).must(t, 200)
	if open["erased"] == true {
		t.Fatalf("an open order was erased")
	}
}
