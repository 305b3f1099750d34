// Package storetest is the conformance suite every lastmile.Store must
// pass, in the manner of testing/fstest: a store package calls Run from its
// own tests with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Run runs the suite. open returns a new empty store; the suite closes it.
func Run(t *testing.T, open func(t *testing.T) lastmile.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s lastmile.Store)
	}{
		{"Stations", testStations},
		{"Fleet", testFleet},
		{"OrdersCreateAndGet", testOrdersCreate},
		{"OrdersAllOrNothing", testOrdersAllOrNothing},
		{"OrdersListFilterPage", testOrdersList},
		{"OrdersUpdateVersion", testOrdersUpdate},
		{"Plans", testPlans},
		{"PlanRoute", testPlanRoute},
		{"EventsAppendOnly", testEvents},
		{"APIKeys", testKeys},
		{"Idempotency", testIdempotency},
		{"ConcurrentUpdatesLoseNothing", testConcurrent},
		{"NotFound", testNotFound},
		{"Positions", testPositions},
		{"OutboxWithChange", testOutbox},
		{"Webhooks", testWebhooks},
		{"PointCapacity", testPointCapacity},
		{"Learned", testLearned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tt.fn(t, s)
		})
	}
}

var admin = lastmile.Change{Actor: lastmile.Actor{KeyID: "key_test", Role: lastmile.RoleAdmin, Name: "test"}}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if lastmile.ErrorCode(err) != code {
		t.Fatalf("error %v: code %q, want %q", err, lastmile.ErrorCode(err), code)
	}
}

func station(t *testing.T, s lastmile.Store, name string) *lastmile.Station {
	t.Helper()
	st := &lastmile.Station{Name: name, Location: lastmile.Point{Lat: 43.7384, Lon: 7.4246}, TimeZone: "Europe/Monaco"}
	st.Normalize()
	if err := s.CreateStation(ctx(t), st, admin); err != nil {
		t.Fatal(err)
	}
	return st
}

func order(stationID string, i int) *lastmile.Order {
	o := &lastmile.Order{StationID: stationID, ExternalID: fmt.Sprintf("EXT-%05d", i), Status: lastmile.StatusPending,
		Kind: lastmile.KindDelivery, ServiceLevel: lastmile.NextDay, ServiceDate: "2026-03-02", ServiceSeconds: 120,
		Recipient: lastmile.Recipient{Name: fmt.Sprintf("Recipient %d", i), Email: "r@example.com"},
		Address:   lastmile.Address{Line1: fmt.Sprintf("%d avenue", i), Location: lastmile.Point{Lat: 43.73 + float64(i%50)*1e-4, Lon: 7.42}},
		Parcels:   []lastmile.Parcel{{Barcode: fmt.Sprintf("BC%05dA", i), WeightG: 500}, {Barcode: fmt.Sprintf("BC%05dB", i), WeightG: 800}}}
	return o
}

func testStations(t *testing.T, s lastmile.Store) {
	a := station(t, s, "A")
	b := station(t, s, "B")
	if a.ID == "" || a.Version != 1 || a.CreatedAt.IsZero() {
		t.Fatalf("created station %+v", a)
	}
	got, err := s.Station(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "A" || got.Version != 1 || got.TimeZone != "Europe/Monaco" {
		t.Fatalf("got %+v", got)
	}
	got.Name = "A2"
	if err := s.UpdateStation(ctx(t), got, admin); err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Fatalf("version after update %d, want 2", got.Version)
	}
	stale := *a
	stale.Name = "stale"
	wantCode(t, s.UpdateStation(ctx(t), &stale, admin), lastmile.EConflict)
	all, next, err := s.ListStations(ctx(t), nil, lastmile.Page{})
	if err != nil || len(all) != 2 || next != "" {
		t.Fatalf("list all: %d, %q, %v", len(all), next, err)
	}
	only, _, err := s.ListStations(ctx(t), []string{b.ID}, lastmile.Page{})
	if err != nil || len(only) != 1 || only[0].ID != b.ID {
		t.Fatalf("list scoped: %v %v", only, err)
	}
	none, _, err := s.ListStations(ctx(t), []string{}, lastmile.Page{})
	if err != nil || len(none) != 0 {
		t.Fatalf("empty scope sees %d stations, %v", len(none), err)
	}
	p1, next, err := s.ListStations(ctx(t), nil, lastmile.Page{Limit: 1})
	if err != nil || len(p1) != 1 || next == "" {
		t.Fatalf("page 1: %d %q %v", len(p1), next, err)
	}
	p2, next2, err := s.ListStations(ctx(t), nil, lastmile.Page{Limit: 1, Cursor: next})
	if err != nil || len(p2) != 1 || next2 != "" || p2[0].ID == p1[0].ID {
		t.Fatalf("page 2: %v %q %v", p2, next2, err)
	}
}

func testFleet(t *testing.T, s lastmile.Store) {
	a := station(t, s, "A")
	b := station(t, s, "B")
	v := &lastmile.Vehicle{StationID: a.ID, Name: "Van 1", Capacity: lastmile.Capacity{Parcels: 100, WeightG: 800000}, Active: true}
	v.Normalize()
	if err := s.CreateVehicle(ctx(t), v, admin); err != nil {
		t.Fatal(err)
	}
	d := &lastmile.Driver{StationID: b.ID, Name: "Dee", Skills: []string{"white_glove"}, Shifts: []lastmile.Shift{{Start: "08:00", End: "17:00"}}}
	if err := s.CreateDriver(ctx(t), d, admin); err != nil {
		t.Fatal(err)
	}
	gv, err := s.Vehicle(ctx(t), v.ID)
	if err != nil || gv.Capacity.WeightG != 800000 || gv.StationID != a.ID {
		t.Fatalf("vehicle %+v %v", gv, err)
	}
	gd, err := s.Driver(ctx(t), d.ID)
	if err != nil || len(gd.Skills) != 1 || gd.Shifts[0].End != "17:00" {
		t.Fatalf("driver %+v %v", gd, err)
	}
	vs, _, err := s.ListVehicles(ctx(t), lastmile.FleetFilter{StationIDs: []string{b.ID}})
	if err != nil || len(vs) != 0 {
		t.Fatalf("vehicles of B: %v %v", vs, err)
	}
	ds, _, err := s.ListDrivers(ctx(t), lastmile.FleetFilter{StationIDs: []string{b.ID}})
	if err != nil || len(ds) != 1 {
		t.Fatalf("drivers of B: %v %v", ds, err)
	}
	gv.Active = false
	if err := s.UpdateVehicle(ctx(t), gv, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.UpdateVehicle(ctx(t), v, admin), lastmile.EConflict)
	gd.Name = "Dee Dee"
	if err := s.UpdateDriver(ctx(t), gd, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.UpdateDriver(ctx(t), d, admin), lastmile.EConflict)
}

func testOrdersCreate(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	var os []*lastmile.Order
	for i := range 1200 { // more rows than one multi-row statement holds
		os = append(os, order(st.ID, i))
	}
	if err := s.CreateOrders(ctx(t), os, admin); err != nil {
		t.Fatal(err)
	}
	o := os[7]
	if o.ID == "" || o.TrackingToken == "" || o.Version != 1 {
		t.Fatalf("created %+v", o)
	}
	got, err := s.Order(ctx(t), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExternalID != o.ExternalID || len(got.Parcels) != 2 || got.Address.Location != o.Address.Location || got.Recipient != o.Recipient {
		t.Fatalf("round trip: got %+v, want %+v", got, o)
	}
	byTok, err := s.OrderByToken(ctx(t), o.TrackingToken)
	if err != nil || byTok.ID != o.ID {
		t.Fatalf("by token: %v %v", byTok, err)
	}
	byBar, err := s.OrderByBarcode(ctx(t), st.ID, o.Parcels[1].Barcode)
	if err != nil || byBar.ID != o.ID {
		t.Fatalf("by barcode: %v %v", byBar, err)
	}
	other := station(t, s, "B")
	_, err = s.OrderByBarcode(ctx(t), other.ID, o.Parcels[1].Barcode)
	wantCode(t, err, lastmile.ENotFound)
	ext, bar, err := s.ExistingOrders(ctx(t), st.ID, []string{"EXT-00003", "nope"}, []string{"BC00004B", "nope"})
	if err != nil || ext["EXT-00003"] != os[3].ID || bar["BC00004B"] != os[4].ID || len(ext) != 1 || len(bar) != 1 {
		t.Fatalf("existing: %v %v %v", ext, bar, err)
	}
	// The same external id at another station is fine.
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{order(other.ID, 3)}, admin); err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(ctx(t), lastmile.EventFilter{EntityType: "order", EntityID: o.ID})
	if err != nil || len(evs) != 1 || evs[0].Type != "order.created" || evs[0].Actor.KeyID != "key_test" || evs[0].Status != lastmile.StatusPending {
		t.Fatalf("events of a new order: %+v %v", evs, err)
	}
}

func testOrdersAllOrNothing(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{order(st.ID, 1)}, admin); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		batch []*lastmile.Order
	}{
		{"duplicate external id in the store", []*lastmile.Order{order(st.ID, 2), order(st.ID, 1)}},
		{"duplicate external id in the batch", []*lastmile.Order{order(st.ID, 3), order(st.ID, 3)}},
		{"duplicate barcode", func() []*lastmile.Order {
			o := order(st.ID, 4)
			o.Parcels[0].Barcode = "BC00001A"
			return []*lastmile.Order{order(st.ID, 5), o}
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, s.CreateOrders(ctx(t), tt.batch, admin), lastmile.EConflict)
		})
	}
	all, _, err := s.ListOrders(ctx(t), lastmile.OrderFilter{})
	if err != nil || len(all) != 1 {
		t.Fatalf("after failed batches: %d orders, %v; want 1", len(all), err)
	}
	evs, err := s.Events(ctx(t), lastmile.EventFilter{EntityType: "order"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("after failed batches: %d order events, %v; want 1", len(evs), err)
	}
}

func testOrdersList(t *testing.T, s lastmile.Store) {
	a := station(t, s, "A")
	b := station(t, s, "B")
	var os []*lastmile.Order
	for i := range 25 {
		o := order(a.ID, i)
		if i%5 == 0 {
			o.ServiceDate = "2026-03-03"
		}
		os = append(os, o)
	}
	os = append(os, order(b.ID, 100))
	if err := s.CreateOrders(ctx(t), os, admin); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    lastmile.OrderFilter
		want int
	}{
		{"all", lastmile.OrderFilter{}, 26},
		{"station", lastmile.OrderFilter{StationIDs: []string{a.ID}}, 25},
		{"no station", lastmile.OrderFilter{StationIDs: []string{}}, 0},
		{"date", lastmile.OrderFilter{StationIDs: []string{a.ID}, ServiceDate: "2026-03-03"}, 5},
		{"status", lastmile.OrderFilter{Statuses: []string{lastmile.StatusPending}}, 26},
		{"other status", lastmile.OrderFilter{Statuses: []string{lastmile.StatusDelivered}}, 0},
		{"external id", lastmile.OrderFilter{ExternalID: "EXT-00007"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := s.ListOrders(ctx(t), tt.f)
			if err != nil || len(got) != tt.want {
				t.Fatalf("got %d, %v; want %d", len(got), err, tt.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		seen := map[string]bool{}
		cursor := ""
		for range 10 {
			page, next, err := s.ListOrders(ctx(t), lastmile.OrderFilter{StationIDs: []string{a.ID}, Page: lastmile.Page{Limit: 7, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				if seen[o.ID] {
					t.Fatalf("order %s on two pages", o.ID)
				}
				seen[o.ID] = true
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 25 {
			t.Fatalf("pages covered %d orders, want 25", len(seen))
		}
	})
}

func testOrdersUpdate(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	o := order(st.ID, 1)
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{o}, admin); err != nil {
		t.Fatal(err)
	}
	stale := *o
	o.Status = lastmile.StatusPlanned
	o.RouteID = "rte_1"
	c := admin
	c.Type = "order.status"
	c.Position = &lastmile.Point{Lat: 43.7, Lon: 7.4}
	if err := s.UpdateOrders(ctx(t), []*lastmile.Order{o}, c); err != nil {
		t.Fatal(err)
	}
	if o.Version != 2 {
		t.Fatalf("version %d", o.Version)
	}
	wantCode(t, s.UpdateOrders(ctx(t), []*lastmile.Order{&stale}, admin), lastmile.EConflict)
	got, _, err := s.ListOrders(ctx(t), lastmile.OrderFilter{RouteID: "rte_1", Statuses: []string{lastmile.StatusPlanned}})
	if err != nil || len(got) != 1 || got[0].Version != 2 {
		t.Fatalf("by route: %v %v", got, err)
	}
	evs, err := s.Events(ctx(t), lastmile.EventFilter{EntityID: o.ID})
	if err != nil || len(evs) != 2 {
		t.Fatalf("events: %v %v", evs, err)
	}
	e := evs[1]
	if e.Type != "order.status" || e.Status != lastmile.StatusPlanned || e.Position == nil || e.Position.Lat != 43.7 || e.Seq <= evs[0].Seq {
		t.Fatalf("status event %+v", e)
	}
	// A batch with one stale order changes nothing.
	o2 := order(st.ID, 2)
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{o2}, admin); err != nil {
		t.Fatal(err)
	}
	o2.Status = lastmile.StatusCancelled
	wantCode(t, s.UpdateOrders(ctx(t), []*lastmile.Order{o2, &stale}, admin), lastmile.EConflict)
	g2, _ := s.Order(ctx(t), o2.ID)
	if g2.Status != lastmile.StatusPending || g2.Version != 1 {
		t.Fatalf("half-written batch: %+v", g2)
	}
}

func testPlans(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	o := order(st.ID, 1)
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{o}, admin); err != nil {
		t.Fatal(err)
	}
	p := &lastmile.Plan{StationID: st.ID, Date: "2026-03-02", Status: lastmile.PlanDraft,
		Routes: []lastmile.Route{{ID: "rte_a", VehicleID: "veh_1", Stops: []lastmile.Stop{{Seq: 1, Type: "delivery", OrderID: o.ID}}}}}
	if err := s.CreatePlan(ctx(t), p, admin); err != nil {
		t.Fatal(err)
	}
	got, err := s.PlanByRoute(ctx(t), "rte_a")
	if err != nil || got.ID != p.ID || len(got.Routes[0].Stops) != 1 {
		t.Fatalf("by route: %+v %v", got, err)
	}
	got.Status = lastmile.PlanPublished
	got.Routes = append(got.Routes, lastmile.Route{ID: "rte_b"})
	o.Status, o.PlanID, o.RouteID = lastmile.StatusPlanned, p.ID, "rte_a"
	if err := s.UpdatePlan(ctx(t), []*lastmile.Plan{got}, []*lastmile.Order{o}, admin); err != nil {
		t.Fatal(err)
	}
	if b, err := s.PlanByRoute(ctx(t), "rte_b"); err != nil || b.ID != p.ID {
		t.Fatalf("new route not indexed: %v", err)
	}
	pub, _, err := s.ListPlans(ctx(t), lastmile.PlanFilter{StationIDs: []string{st.ID}, Date: "2026-03-02", Status: lastmile.PlanPublished})
	if err != nil || len(pub) != 1 {
		t.Fatalf("published plans: %v %v", pub, err)
	}
	// Stale plan and fresh order: nothing changes.
	p.Status = lastmile.PlanSuperseded
	o.Status = lastmile.StatusPending
	wantCode(t, s.UpdatePlan(ctx(t), []*lastmile.Plan{p}, []*lastmile.Order{o}, admin), lastmile.EConflict)
	g, _ := s.Order(ctx(t), o.ID)
	if g.Status != lastmile.StatusPlanned {
		t.Fatalf("order changed by a failed plan update: %s", g.Status)
	}
}

func testEvents(t *testing.T, s lastmile.Store) {
	a := station(t, s, "A")
	b := station(t, s, "B")
	a.Name = "A2"
	if err := s.UpdateStation(ctx(t), a, admin); err != nil {
		t.Fatal(err)
	}
	all, err := s.Events(ctx(t), lastmile.EventFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("events %v %v", all, err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("events out of order")
		}
	}
	ofB, err := s.Events(ctx(t), lastmile.EventFilter{StationIDs: []string{b.ID}})
	if err != nil || len(ofB) != 1 || ofB[0].Type != "station.created" {
		t.Fatalf("events of B %v %v", ofB, err)
	}
	after, err := s.Events(ctx(t), lastmile.EventFilter{After: all[0].Seq, Limit: 1})
	if err != nil || len(after) != 1 || after[0].Seq != all[1].Seq {
		t.Fatalf("cursor: %v %v", after, err)
	}
	if all[2].Type != "station.updated" || all[2].At.IsZero() || all[2].Actor.Role != lastmile.RoleAdmin {
		t.Fatalf("update event %+v", all[2])
	}
}

func testKeys(t *testing.T, s lastmile.Store) {
	secret := lastmile.NewSecret()
	k := &lastmile.APIKey{Name: "ops", Role: lastmile.RoleDispatcher, Stations: []string{"st_1"}, Prefix: secret[:8], Hash: lastmile.HashSecret(secret)}
	if err := s.CreateAPIKey(ctx(t), k, admin); err != nil {
		t.Fatal(err)
	}
	got, err := s.APIKeyByHash(ctx(t), lastmile.HashSecret(secret))
	if err != nil || got.ID != k.ID || got.Role != lastmile.RoleDispatcher || got.Stations[0] != "st_1" || got.Hash != k.Hash {
		t.Fatalf("by hash: %+v %v", got, err)
	}
	_, err = s.APIKeyByHash(ctx(t), lastmile.HashSecret("wrong"))
	wantCode(t, err, lastmile.ENotFound)
	now := time.Now().UTC()
	got.RevokedAt = &now
	if err := s.UpdateAPIKey(ctx(t), got, admin); err != nil {
		t.Fatal(err)
	}
	again, err := s.APIKey(ctx(t), k.ID)
	if err != nil || again.RevokedAt == nil || again.Hash != k.Hash {
		t.Fatalf("revoked key %+v %v", again, err)
	}
	dup := &lastmile.APIKey{Role: lastmile.RoleAdmin, Hash: k.Hash}
	wantCode(t, s.CreateAPIKey(ctx(t), dup, admin), lastmile.EConflict)
	list, err := s.ListAPIKeys(ctx(t))
	if err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
}

func testIdempotency(t *testing.T, s lastmile.Store) {
	_, err := s.Idempotent(ctx(t), "key_1", "abc")
	wantCode(t, err, lastmile.ENotFound)
	r := &lastmile.Idempotent{Owner: "key_1", Key: "abc", Fingerprint: "POST /v1/orders x", Status: 201, ContentType: "application/json", Body: []byte(`{"id":"ord_1"}`)}
	if err := s.PutIdempotent(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Idempotent(ctx(t), "key_1", "abc")
	if err != nil || got.Status != 201 || string(got.Body) != `{"id":"ord_1"}` || got.Fingerprint != r.Fingerprint {
		t.Fatalf("got %+v %v", got, err)
	}
	wantCode(t, s.PutIdempotent(ctx(t), r), lastmile.EConflict)
	if _, err := s.Idempotent(ctx(t), "key_2", "abc"); lastmile.ErrorCode(err) != lastmile.ENotFound {
		t.Fatalf("another owner sees the key: %v", err)
	}
}

// testConcurrent has goroutines read-modify-write one order through
// optimistic versioning; every increment must survive.
func testConcurrent(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	o := order(st.ID, 1)
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{o}, admin); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for try := 0; ; try++ {
					cur, err := s.Order(ctx(t), o.ID)
					if err != nil {
						errs <- err
						return
					}
					cur.Attempts++
					err = s.UpdateOrders(ctx(t), []*lastmile.Order{cur}, lastmile.Change{Actor: lastmile.Actor{Role: "test", Name: fmt.Sprint(w)}})
					if err == nil {
						break
					}
					if lastmile.ErrorCode(err) != lastmile.EConflict || try > 1000 {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := s.Order(ctx(t), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != workers*each || got.Version != 1+workers*each {
		t.Fatalf("attempts %d version %d, want %d and %d: updates were lost", got.Attempts, got.Version, workers*each, 1+workers*each)
	}
	evs, err := s.Events(ctx(t), lastmile.EventFilter{EntityID: o.ID})
	if err != nil || len(evs) != 1+workers*each {
		t.Fatalf("%d events, want %d (%v)", len(evs), 1+workers*each, err)
	}
}

func testNotFound(t *testing.T, s lastmile.Store) {
	c := ctx(t)
	for name, err := range map[string]error{
		"station":     second(s.Station(c, "st_x")),
		"vehicle":     second(s.Vehicle(c, "veh_x")),
		"driver":      second(s.Driver(c, "drv_x")),
		"order":       second(s.Order(c, "ord_x")),
		"token":       second(s.OrderByToken(c, "nope")),
		"plan":        second(s.Plan(c, "pln_x")),
		"route":       second(s.PlanByRoute(c, "rte_x")),
		"route alone": second(s.PlanRoute(c, "rte_x")),
		"key":         second(s.APIKey(c, "key_x")),
	} {
		if lastmile.ErrorCode(err) != lastmile.ENotFound {
			t.Errorf("%s: %v, want not_found", name, err)
		}
	}
	ghost := &lastmile.Station{ID: "st_ghost", Version: 1}
	err := s.UpdateStation(c, ghost, admin)
	var de *lastmile.Error
	if !errors.As(err, &de) || de.Code != lastmile.ENotFound {
		t.Errorf("update of a missing station: %v", err)
	}
	if err := s.Ping(c); err != nil {
		t.Errorf("ping: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
