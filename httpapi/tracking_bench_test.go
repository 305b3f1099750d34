package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// BenchmarkPositions posts positions of 2,000 vehicles, each driving a
// dispatched 30-stop route, in batches of 200 from 4 clients; every
// position refreshes the ETAs of its route's remaining stops before the
// response. It reports positions/s and the p50/p99 latency of a batch,
// which is the ingest-to-ETA latency.
func BenchmarkPositions(b *testing.B) {
	const vehicles, stops, batch, clients = 2000, 30, 200, 4
	e, _ := newLiveEnv(b, "")
	ctx := context.Background()
	stRes := e.do("POST", "/v1/stations", e.admin, map[string]any{"name": "Bench", "location": map[string]any{"lat": 43.7325, "lon": 7.4189}, "time_zone": "UTC"}).must(b, 201)
	station := str(stRes, "id")
	date := e.now.Format(lastmile.DateLayout)
	dispatched := e.now
	plan := &lastmile.Plan{StationID: station, Date: date, Status: lastmile.PlanPublished}
	vids := make([]string, vehicles)
	var orders []*lastmile.Order
	for v := range vehicles {
		veh := &lastmile.Vehicle{StationID: station, Name: fmt.Sprintf("V%d", v), Active: true}
		veh.Normalize()
		if err := e.store.CreateVehicle(ctx, veh, lastmile.Change{Actor: lastmile.System}); err != nil {
			b.Fatal(err)
		}
		vids[v] = veh.ID
		rt := lastmile.Route{ID: fmt.Sprintf("rte_%d", v), VehicleID: veh.ID, Start: e.now, End: e.now.Add(8 * time.Hour), Dispatched: &dispatched, Feasible: true}
		at := e.now
		for s := range stops {
			loc := lastmile.Point{Lat: 43.70 + float64(s)*0.002, Lon: 7.40 + float64(v%50)*0.002}
			o := &lastmile.Order{StationID: station, ExternalID: fmt.Sprintf("B-%d-%d", v, s), Kind: lastmile.KindDelivery, ServiceLevel: lastmile.SameDay,
				ServiceDate: date, ServiceSeconds: 180, Status: lastmile.StatusOutForDelivery, RouteID: rt.ID,
				Recipient: lastmile.Recipient{Name: "R"}, Address: lastmile.Address{Line1: "x", Location: loc},
				Parcels: []lastmile.Parcel{{Barcode: fmt.Sprintf("B-%d-%d", v, s)}}}
			o.ID = lastmile.NewID("ord", e.now)
			orders = append(orders, o)
			rt.Stops = append(rt.Stops, lastmile.Stop{Seq: s + 1, Type: "delivery", OrderID: o.ID, Location: &loc, ETA: at, Start: at, Departure: at.Add(3 * time.Minute)})
			at = at.Add(8 * time.Minute)
		}
		plan.Routes = append(plan.Routes, rt)
	}
	for i := 0; i < len(orders); i += 5000 {
		if err := e.store.CreateOrders(ctx, orders[i:min(i+5000, len(orders))], lastmile.Change{Actor: lastmile.System}); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.store.CreatePlan(ctx, plan, lastmile.Change{Actor: lastmile.System}); err != nil {
		b.Fatal(err)
	}
	// Bodies: round r moves every vehicle one step south of its first stop.
	body := func(round, part int) []byte {
		ps := make([]map[string]any, 0, batch)
		at := e.now.Add(time.Duration(round) * time.Second)
		for v := part * batch; v < (part+1)*batch; v++ {
			ps = append(ps, pos(vids[v], at, lastmile.Point{Lat: 43.69 + float64(round)*2e-5, Lon: 7.40 + float64(v%50)*0.002}))
		}
		data, _ := json.Marshal(map[string]any{"positions": ps})
		return data
	}
	// Warm the caches of routes and plans.
	for part := range vehicles / batch {
		post(b, e, body(0, part))
	}
	parts := vehicles / batch
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				t0 := time.Now()
				post(b, e, body(1+j/parts, j%parts))
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	n := (b.N + batch - 1) / batch
	for j := 0; j < n; j++ {
		// Rounds are posted in order: a round starts when the one before
		// it has been sent, so a vehicle's fixes arrive in time order.
		if j%parts == 0 && j > 0 {
			mu.Lock()
			done := len(lat)
			mu.Unlock()
			for done < j {
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				done = len(lat)
				mu.Unlock()
			}
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	b.StopTimer()
	vp := e.do("GET", "/v1/vehicles/"+vids[7]+"/position", e.admin, nil).must(b, 200)
	if pr, _ := vp["progress"].(map[string]any); pr == nil || len(pr["etas"].([]any)) != stops {
		b.Fatalf("no live ETAs: %v", vp)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(n*batch)/b.Elapsed().Seconds(), "positions/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}

func post(b *testing.B, e *env, body []byte) {
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/positions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	defer res.Body.Close()
	var out struct {
		Accepted int `json:"accepted"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 200 || out.Accepted != batchSize(body) {
		b.Errorf("status %d, %d accepted", res.StatusCode, out.Accepted)
	}
}

func batchSize(body []byte) int { return bytes.Count(body, []byte(`"vehicle_id"`)) }
