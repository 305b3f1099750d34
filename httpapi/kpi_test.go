package httpapi_test

import (
	"fmt"
	"math"
	"testing"
)

// TestKPIKilometresAndCO2: the KPIs give the planned km of the published
// routes and their tailpipe CO2 estimate, which depends on the vehicle's
// type and energy.
func TestKPIKilometresAndCO2(t *testing.T) {
	e := newEnv(t)
	st, vehicle, _ := e.seed("KPI station")
	for i := 0; i < 8; i++ {
		e.do("POST", "/v1/orders", e.admin, orderBody(st, fmt.Sprintf("K-%d", i), i)).must(t, 201)
	}
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.3}).must(t, 201)
	kpis := func() map[string]any {
		return e.do("GET", "/v1/stations/"+st+"/kpis?date=2026-03-02", e.admin, nil).must(t, 200)
	}
	// A draft counts for nothing.
	if k := kpis(); k["km"].(float64) != 0 || k["co2_kg"].(float64) != 0 {
		t.Fatalf("before publishing: %v", k)
	}
	e.do("POST", "/v1/plans/"+str(plan, "id")+"/publish", e.admin, nil).must(t, 200)
	var metres float64
	for _, r := range plan["routes"].([]any) {
		metres += r.(map[string]any)["distance_m"].(float64)
	}
	if metres == 0 {
		t.Fatal("the plan drives no distance")
	}
	wantKM := math.Round(metres/100) / 10
	k := kpis()
	if k["km"].(float64) != wantKM {
		t.Fatalf("km %v, want %v", k["km"], wantKM)
	}
	// A fuel van: 0.2 kg per km.
	if got, want := k["co2_kg"].(float64), math.Round(metres/1000*0.2*10)/10; got != want {
		t.Fatalf("co2_kg %v, want %v for a fuel van", got, want)
	}
	// The same van made electric: no tailpipe CO2, same km.
	v := e.do("GET", "/v1/vehicles/"+vehicle, e.admin, nil).must(t, 200)
	v["energy"] = "electric"
	v["range_km"] = 200
	e.do("PUT", "/v1/vehicles/"+vehicle, e.admin, v).must(t, 200)
	if k := kpis(); k["co2_kg"].(float64) != 0 || k["km"].(float64) != wantKM {
		t.Fatalf("electric: %v", k)
	}
}
