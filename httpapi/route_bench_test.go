package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// routeDay is a station's published day: 1,000 stops on 12 routes, each
// route with its driver's key, on a SQLite store, served with recipient
// notifications on (as a station runs them).
type routeDay struct {
	srv     *httptest.Server
	store   lastmile.Store
	clock   *atomic.Int64 // the server's clock, Unix nanoseconds
	plan    *lastmile.Plan
	keys    []string            // driver key of each route
	orders  [][]*lastmile.Order // orders of each route, in stop order
	station string
}

func (d *routeDay) now() time.Time { return time.Unix(0, d.clock.Load()).UTC() }

// newRouteDay builds the day with every order at status (planned:
// nothing dispatched; later statuses: every route dispatched).
func newRouteDay(b *testing.B, status string) *routeDay {
	b.Helper()
	const stops, routes = 1000, 12
	ctx := context.Background()
	dir := b.TempDir()
	d := &routeDay{clock: new(atomic.Int64)}
	d.clock.Store(testNow.UnixNano())
	st, err := sqlite.Open(ctx, filepath.Join(dir, "lastmile.db"), d.now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	d.store = st
	api := httpapi.New(httpapi.Config{Store: st, Blobs: blobs, Now: d.now, RateClock: d.now, MaxUpload: 1 << 20,
		PlanTimeLimit: time.Second, Email: true, SMS: true, PublicURL: "http://127.0.0.1"})
	d.srv = httptest.NewServer(api.Handler())
	b.Cleanup(d.srv.Close)
	admin, err := httpapi.Bootstrap(ctx, st, "", testNow)
	if err != nil {
		b.Fatal(err)
	}
	sys := lastmile.Change{Actor: lastmile.System}
	station := &lastmile.Station{Name: "Bench", Location: lastmile.Point{Lat: 43.7325, Lon: 7.4189}, TimeZone: "UTC"}
	if err := st.CreateStation(ctx, station, sys); err != nil {
		b.Fatal(err)
	}
	d.station = station.ID
	date := testNow.Format(lastmile.DateLayout)
	published := testNow
	d.plan = &lastmile.Plan{StationID: station.ID, Date: date, Status: lastmile.PlanPublished, PublishedAt: &published}
	var all []*lastmile.Order
	for r := range routes {
		v := &lastmile.Vehicle{StationID: station.ID, Name: fmt.Sprintf("Van %d", r), Type: "van", Active: true,
			Capacity: lastmile.Capacity{Parcels: 200}}
		v.Normalize()
		if err := st.CreateVehicle(ctx, v, sys); err != nil {
			b.Fatal(err)
		}
		dr := &lastmile.Driver{StationID: station.ID, Name: fmt.Sprintf("Driver %d", r), Active: true}
		if err := st.CreateDriver(ctx, dr, sys); err != nil {
			b.Fatal(err)
		}
		rt := lastmile.Route{ID: fmt.Sprintf("rte_bench_%02d", r), VehicleID: v.ID, DriverID: dr.ID, Start: testNow,
			End: testNow.Add(9 * time.Hour), Feasible: true, DistanceM: 60000, DurationS: 9000, Cost: 25000}
		if status != lastmile.StatusPlanned {
			rt.Dispatched = &published
		}
		at := testNow.Add(20 * time.Minute)
		var ros []*lastmile.Order
		for s := 0; s*routes+r < stops; s++ {
			i := s*routes + r
			loc := lastmile.Point{Lat: 43.70 + float64(s)*0.0007, Lon: 7.40 + float64(r)*0.003}
			o := &lastmile.Order{StationID: station.ID, ExternalID: fmt.Sprintf("E-%04d", i), Kind: lastmile.KindDelivery,
				ServiceLevel: lastmile.NextDay, ServiceDate: date, ServiceSeconds: 120, Status: status, PlanID: "", RouteID: rt.ID,
				Recipient: lastmile.Recipient{Name: fmt.Sprintf("Recipient %d", i), Phone: "+377 93 15 00 00", Email: "r@example.com"},
				Address:   lastmile.Address{Line1: fmt.Sprintf("%d boulevard", i), City: "Monaco", Location: loc},
				Parcels:   []lastmile.Parcel{{Barcode: fmt.Sprintf("BC-%04d-1", i), WeightG: 1200}, {Barcode: fmt.Sprintf("BC-%04d-2", i), WeightG: 800}}}
			o.ID = fmt.Sprintf("ord_bench_%04d", i)
			ros = append(ros, o)
			rt.Stops = append(rt.Stops, lastmile.Stop{Seq: s + 1, Type: "delivery", OrderID: o.ID, Location: &loc, ETA: at, Start: at,
				Departure: at.Add(2 * time.Minute), Load: lastmile.Capacity{Parcels: int64(2 * (stops/routes - s))}, DistanceM: 700})
			at = at.Add(6 * time.Minute)
		}
		d.plan.Routes = append(d.plan.Routes, rt)
		d.orders = append(d.orders, ros)
		all = append(all, ros...)
		res := doJSON(b, d.srv.URL, "POST", "/v1/api-keys", admin, map[string]any{"name": dr.Name, "role": "driver", "driver_id": dr.ID})
		d.keys = append(d.keys, res["secret"].(string))
	}
	d.plan.Summarize()
	if err := st.CreatePlan(ctx, d.plan, sys); err != nil {
		b.Fatal(err)
	}
	for _, o := range all {
		o.PlanID = d.plan.ID
	}
	if err := st.CreateOrders(ctx, all, sys); err != nil {
		b.Fatal(err)
	}
	return d
}

// reset puts a route's orders back at status, unloaded, without proof.
func (d *routeDay) reset(b *testing.B, r int, status string) {
	b.Helper()
	ctx := context.Background()
	var os []*lastmile.Order
	for _, o := range d.orders[r] {
		cur, err := d.store.Order(ctx, o.ID)
		if err != nil {
			b.Fatal(err)
		}
		cur.Status, cur.POD, cur.ClosedAt = status, nil, nil
		for i := range cur.Parcels {
			cur.Parcels[i].LoadedAt = nil
		}
		os = append(os, cur)
	}
	if err := d.store.UpdateOrders(ctx, os, lastmile.Change{Actor: lastmile.System}); err != nil {
		b.Fatal(err)
	}
}

// doJSON sends a JSON request and fails unless it answers 2xx.
func doJSON(b *testing.B, base, method, path, key string, body any) map[string]any {
	b.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		b.Fatal(err)
	}
	return doRaw(b, base, method, path, key, "application/json", data)
}

func doRaw(b *testing.B, base, method, path, key, ct string, body []byte) map[string]any {
	b.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		b.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		b.Fatalf("%s %s: %v", method, path, err)
	}
	return out
}

// BenchmarkRouteRequests measures the requests a driver makes on a route
// all day long, each by the route's driver, on a published 1,000-stop,
// 12-route plan: a parcel scan at loading, a stop update (arrived), a
// proof of delivery (recipient's name and position, no files: the blob
// store's fsync is not what is measured) and a batch of 10 positions.
// Requests go round the routes; ns/op is one request.
func BenchmarkRouteRequests(b *testing.B) {
	b.Run("scan", func(b *testing.B) {
		d := newRouteDay(b, lastmile.StatusPlanned)
		next := make([]int, len(d.orders))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			r := i % len(d.orders)
			if next[r] == 2*len(d.orders[r]) {
				b.StopTimer()
				d.reset(b, r, lastmile.StatusPlanned)
				next[r] = 0
				b.StartTimer()
			}
			o := d.orders[r][next[r]/2]
			bc := o.Parcels[next[r]%2].Barcode
			next[r]++
			res := doJSON(b, d.srv.URL, "POST", "/v1/routes/"+o.RouteID+"/scans", d.keys[r], map[string]any{"barcode": bc})
			if res["result"] != lastmile.ScanLoaded {
				b.Fatalf("scan %s: %v", bc, res)
			}
		}
	})
	b.Run("status", func(b *testing.B) {
		d := newRouteDay(b, lastmile.StatusOutForDelivery)
		next := make([]int, len(d.orders))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			r := i % len(d.orders)
			if next[r] == len(d.orders[r]) {
				b.StopTimer()
				d.reset(b, r, lastmile.StatusOutForDelivery)
				next[r] = 0
				b.StartTimer()
			}
			o := d.orders[r][next[r]]
			next[r]++
			res := doJSON(b, d.srv.URL, "POST", "/v1/orders/"+o.ID+"/status", d.keys[r], map[string]any{"status": lastmile.StatusArrived})
			if res["status"] != lastmile.StatusArrived {
				b.Fatalf("status %s: %v", o.ID, res)
			}
		}
	})
	b.Run("pod", func(b *testing.B) {
		d := newRouteDay(b, lastmile.StatusArrived)
		next := make([]int, len(d.orders))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			r := i % len(d.orders)
			if next[r] == len(d.orders[r]) {
				b.StopTimer()
				d.reset(b, r, lastmile.StatusArrived)
				next[r] = 0
				b.StartTimer()
			}
			o := d.orders[r][next[r]]
			next[r]++
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("recipient_name", "Recipient")
			mw.WriteField("lat", fmt.Sprint(o.Address.Location.Lat))
			mw.WriteField("lon", fmt.Sprint(o.Address.Location.Lon))
			mw.Close()
			res := doRaw(b, d.srv.URL, "POST", "/v1/orders/"+o.ID+"/pod", d.keys[r], mw.FormDataContentType(), body.Bytes())
			if res["status"] != lastmile.StatusDelivered {
				b.Fatalf("pod %s: %v", o.ID, res)
			}
		}
	})
	b.Run("positions", func(b *testing.B) {
		const batch = 10
		d := newRouteDay(b, lastmile.StatusOutForDelivery)
		step := make([]int, len(d.orders))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			r := i % len(d.orders)
			if r == 0 {
				d.clock.Add(int64(batch * 5 * time.Second))
			}
			rt := d.plan.Routes[r]
			ps := make([]map[string]any, batch)
			end := d.now()
			for k := range ps {
				// Along the way to the first stop, 5 s apart.
				f := float64(step[r]%2000) / 2000
				at := end.Add(-time.Duration(batch-1-k) * 5 * time.Second)
				ps[k] = pos(rt.VehicleID, at, lastmile.Point{Lat: 43.7325 + (43.70-43.7325)*f, Lon: 7.4189 + (rt.Stops[0].Location.Lon-7.4189)*f})
				step[r]++
			}
			res := doJSON(b, d.srv.URL, "POST", "/v1/positions", d.keys[r], map[string]any{"positions": ps})
			if res["accepted"].(float64) == 0 {
				b.Fatalf("positions of %s: %v", rt.VehicleID, res)
			}
		}
	})
}
