package httpapi_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/travel/roads"
)

// BenchmarkPlan2000Roads plans a 2,000-stop station day end to end on the
// road graph of Monaco and of Andorra: POST /v1/plans (orders read from
// the store, the problem built, a 2,001-point road matrix, the optimizer
// with a time limit of LASTMILE_BENCH_PLAN_LIMIT seconds (default 20) on
// 2 threads, the plan stored). The 2,000 addresses are the shared
// reference points, each used four times a few metres apart; 20 vans of
// 120 parcels and 20 drivers on 08:00-18:00 shifts.
func BenchmarkPlan2000Roads(b *testing.B) {
	limit := 20.0
	if v := os.Getenv("LASTMILE_BENCH_PLAN_LIMIT"); v != "" {
		limit, _ = strconv.ParseFloat(v, 64)
	}
	for _, city := range []string{"monaco", "andorra"} {
		b.Run(city, func(b *testing.B) {
			dir := filepath.Join("..", "..", "shared", "osm")
			g, err := roads.ImportFile(context.Background(), filepath.Join(dir, city+".osm.pbf"), roads.ImportOptions{})
			if err != nil {
				b.Skipf("road data: %v", err)
			}
			f, err := os.Open(filepath.Join(dir, "reference", city+"_points_500.csv"))
			if err != nil {
				b.Skipf("points: %v", err)
			}
			recs, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			recs = recs[1:]
			for range b.N {
				b.StopTimer()
				e := newEnv(b)
				e.api = httpapi.New(httpapi.Config{Store: e.store, Now: func() time.Time { return e.now }, Threads: 2,
					PlanTimeLimit: time.Duration(limit * float64(time.Second)), Travel: &roads.Source{Graph: g}})
				srv := httptest.NewServer(e.api.Handler())
				e.srv = srv
				lat0, _ := strconv.ParseFloat(recs[0][3], 64)
				lon0, _ := strconv.ParseFloat(recs[0][2], 64)
				st := str(e.do("POST", "/v1/stations", e.admin, map[string]any{"name": city, "location": map[string]any{"lat": lat0, "lon": lon0},
					"time_zone": "Europe/Paris"}).must(b, 201), "id")
				for i := range 20 {
					e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": st, "name": fmt.Sprint("Van ", i), "active": true,
						"capacity": map[string]any{"parcels": 120}, "costs": map[string]any{"fixed": 5000, "per_hour": 2500, "per_km": 30}}).must(b, 201)
					e.do("POST", "/v1/drivers", e.admin, map[string]any{"station_id": st, "name": fmt.Sprint("Driver ", i), "active": true,
						"shifts": []map[string]any{{"start": "08:00", "end": "18:00"}}}).must(b, 201)
				}
				var rows []any
				for i := range 2000 {
					rec := recs[i%len(recs)]
					lon, _ := strconv.ParseFloat(rec[2], 64)
					lat, _ := strconv.ParseFloat(rec[3], 64)
					o := orderBody(st, fmt.Sprintf("R-%04d", i), i)
					o["address"].(map[string]any)["location"] = map[string]any{"lat": lat + float64(i/len(recs))*0.00003, "lon": lon}
					rows = append(rows, o)
				}
				e.do("POST", "/v1/orders/import", e.admin, rows).must(b, 201)
				b.StartTimer()
				t0 := time.Now()
				p := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": limit}).must(b, 201)
				elapsed := time.Since(t0)
				b.StopTimer()
				sum := p["summary"].(map[string]any)
				b.ReportMetric(elapsed.Seconds(), "plan_s")
				b.ReportMetric(sum["stops"].(float64), "stops")
				b.ReportMetric(sum["unassigned"].(float64), "unassigned")
				b.ReportMetric(sum["routes"].(float64), "routes")
				b.ReportMetric(sum["distance_m"].(float64)/1000, "km")
				srv.Close()
			}
		})
	}
}
