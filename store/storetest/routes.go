package storetest

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// testPlanRoute checks that one route read alone is the route of the
// plan as stored, with the plan's current identity and version, after
// every kind of plan change.
func testPlanRoute(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	stop := func(seq int, order string) lastmile.Stop {
		loc := lastmile.Point{Lat: 43.73 + float64(seq)*1e-3, Lon: 7.42}
		eta := at.Add(time.Duration(seq) * 10 * time.Minute)
		return lastmile.Stop{Seq: seq, Type: "delivery", OrderID: order, Location: &loc, ETA: eta, Start: eta,
			Departure: eta.Add(2 * time.Minute), Load: lastmile.Capacity{Parcels: int64(10 - seq), WeightG: 1500}, DistanceM: int64(700 * seq)}
	}
	p := &lastmile.Plan{StationID: st.ID, Date: "2026-03-02", Status: lastmile.PlanDraft, Routes: []lastmile.Route{
		{ID: "rte_one", VehicleID: "veh_1", DriverID: "drv_1", Start: at, End: at.Add(8 * time.Hour), Feasible: true,
			Stops: []lastmile.Stop{stop(1, "ord_1"), stop(2, "ord_2")}, DistanceM: 1400, DurationS: 600, Cost: 2500},
		{ID: "rte_two", VehicleID: "veh_2", Start: at, End: at.Add(6 * time.Hour), Stops: []lastmile.Stop{stop(1, "ord_3")},
			Violations: []string{"shift"}},
	}}
	p.Summarize()
	if err := s.CreatePlan(ctx(t), p, admin); err != nil {
		t.Fatal(err)
	}
	check := func(step string, p *lastmile.Plan, routeID string) {
		t.Helper()
		got, err := s.PlanRoute(ctx(t), routeID)
		if err != nil {
			t.Fatalf("%s: route %s: %v", step, routeID, err)
		}
		want, _ := p.Route(routeID)
		if got.PlanID != p.ID || got.PlanVersion != p.Version || got.StationID != p.StationID || got.Date != p.Date || got.PlanStatus != p.Status {
			t.Fatalf("%s: route %s of plan %s v%d %s %s %s, want %s v%d %s %s %s", step, routeID, got.PlanID, got.PlanVersion, got.StationID, got.Date, got.PlanStatus,
				p.ID, p.Version, p.StationID, p.Date, p.Status)
		}
		if !sameRoute(got.Route, *want) {
			t.Fatalf("%s: route %s is\n%+v\nwant\n%+v", step, routeID, got.Route, *want)
		}
		// The route alone is the route of the whole plan as read back.
		whole, err := s.PlanByRoute(ctx(t), routeID)
		if err != nil {
			t.Fatal(err)
		}
		inPlan, _ := whole.Route(routeID)
		if whole.Version != got.PlanVersion || !sameRoute(got.Route, *inPlan) {
			t.Fatalf("%s: route %s differs from the plan's copy (plan v%d)", step, routeID, whole.Version)
		}
	}
	check("created", p, "rte_one")
	check("created", p, "rte_two")

	// A route read is the caller's own: changing it changes no later read.
	mine, err := s.PlanRoute(ctx(t), "rte_one")
	if err != nil {
		t.Fatal(err)
	}
	mine.Route.Stops[0].Location.Lat = 0
	mine.Route.Stops[1].OrderID = "ord_x"
	mine.Route.Stops = append(mine.Route.Stops, stop(3, "ord_y"))
	mine.Route.DriverID = "drv_x"
	check("after a caller changed its copy", p, "rte_one")

	// Publish, dispatch one route, move a stop to the other, lock it.
	p.Status = lastmile.PlanPublished
	now := at.Add(time.Hour)
	p.PublishedAt = &now
	p.Routes[0].Dispatched = &now
	p.Routes[1].Stops = append(p.Routes[1].Stops, p.Routes[0].Stops[1])
	p.Routes[1].Stops[1].Seq = 2
	p.Routes[0].Stops = p.Routes[0].Stops[:1]
	p.Routes[1].Locked = true
	if err := s.UpdatePlan(ctx(t), []*lastmile.Plan{p}, nil, admin); err != nil {
		t.Fatal(err)
	}
	if p.Version != 2 {
		t.Fatalf("plan version %d after one update", p.Version)
	}
	check("updated", p, "rte_one")
	check("updated", p, "rte_two")

	// A route taken off the plan is gone; a new one is there.
	p.Routes = []lastmile.Route{p.Routes[1], {ID: "rte_three", VehicleID: "veh_3", Stops: []lastmile.Stop{}}}
	if err := s.UpdatePlan(ctx(t), []*lastmile.Plan{p}, nil, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, second(s.PlanRoute(ctx(t), "rte_one")), lastmile.ENotFound)
	check("routes replaced", p, "rte_two")
	check("routes replaced", p, "rte_three")

	// A stale update changes neither the plan nor its routes.
	stale := *p
	stale.Version = 1
	stale.Routes = []lastmile.Route{{ID: "rte_two", VehicleID: "veh_9"}}
	wantCode(t, s.UpdatePlan(ctx(t), []*lastmile.Plan{&stale}, nil, admin), lastmile.EConflict)
	check("stale update", p, "rte_two")

	// Superseding a plan shows in its routes' status at once.
	p.Status = lastmile.PlanSuperseded
	if err := s.UpdatePlan(ctx(t), []*lastmile.Plan{p}, nil, admin); err != nil {
		t.Fatal(err)
	}
	check("superseded", p, "rte_two")
}

// sameRoute compares routes as stored: times to the microsecond (JSON
// keeps nanoseconds; PostgreSQL's JSONB keeps the text as is too), nil and
// empty slices alike.
func sameRoute(a, b lastmile.Route) bool {
	if len(a.Stops) == 0 && len(b.Stops) == 0 {
		a.Stops, b.Stops = nil, nil
	}
	if len(a.Violations) == 0 && len(b.Violations) == 0 {
		a.Violations, b.Violations = nil, nil
	}
	return reflect.DeepEqual(normRoute(a), normRoute(b))
}

func normRoute(r lastmile.Route) lastmile.Route {
	u := func(t time.Time) time.Time { return t.UTC() }
	r.Start, r.End = u(r.Start), u(r.End)
	if r.Dispatched != nil {
		d := u(*r.Dispatched)
		r.Dispatched = &d
	}
	stops := make([]lastmile.Stop, len(r.Stops))
	for i, st := range r.Stops {
		st.ETA, st.Start, st.Departure = u(st.ETA), u(st.Start), u(st.Departure)
		stops[i] = st
	}
	if r.Stops != nil {
		r.Stops = stops
	}
	return r
}

// RouteMigration checks the migration that gives every route of a plan
// its own document: db is a database migrated up to, not including, that
// migration (placeholders $1, $2 … when dollar); open applies the
// remaining migrations and returns the store. Plans written before it
// (one with no routes at all) must read back route by route, from the
// routes' documents the migration filled in.
func RouteMigration(t *testing.T, db *sql.DB, dollar bool, open func() lastmile.Store) {
	t.Helper()
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	loc := lastmile.Point{Lat: 43.73, Lon: 7.42}
	p := &lastmile.Plan{ID: "pln_old", StationID: "st_old", Date: "2026-03-02", Status: lastmile.PlanPublished, Version: 3, Routes: []lastmile.Route{
		{ID: "rte_old_1", VehicleID: "veh_1", DriverID: "drv_1", Start: at, End: at.Add(time.Hour), Dispatched: &at, Feasible: true,
			Stops: []lastmile.Stop{{Seq: 1, Type: "delivery", OrderID: "ord_1", Location: &loc, ETA: at, Start: at, Departure: at.Add(time.Minute)}}},
		{ID: "rte_old_2", VehicleID: "veh_2", Start: at, End: at, Stops: []lastmile.Stop{}},
	}}
	empty := &lastmile.Plan{ID: "pln_empty", StationID: "st_old", Date: "2026-03-02", Status: lastmile.PlanDraft, Version: 1}
	q := func(s string) string {
		if !dollar {
			return s
		}
		for i := 1; strings.Contains(s, "?"); i++ {
			s = strings.Replace(s, "?", "$"+strconv.Itoa(i), 1)
		}
		return s
	}
	for _, pl := range []*lastmile.Plan{p, empty} {
		data, err := json.Marshal(pl)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx(t), q("INSERT INTO plans (id, station_id, service_date, status, version, data) VALUES (?, ?, ?, ?, ?, ?)"),
			pl.ID, pl.StationID, pl.Date, pl.Status, pl.Version, string(data)); err != nil {
			t.Fatal(err)
		}
		for _, r := range pl.Routes {
			if _, err := db.ExecContext(ctx(t), q("INSERT INTO plan_routes (route_id, plan_id) VALUES (?, ?)"), r.ID, pl.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := open()
	defer s.Close()
	var missing int
	if err := db.QueryRowContext(ctx(t), "SELECT COUNT(*) FROM plan_routes WHERE data IS NULL").Scan(&missing); err != nil || missing != 0 {
		t.Fatalf("%d routes without their document after the migration (%v)", missing, err)
	}
	for _, r := range p.Routes {
		got, err := s.PlanRoute(ctx(t), r.ID)
		if err != nil {
			t.Fatalf("route %s after the migration: %v", r.ID, err)
		}
		if got.PlanID != p.ID || got.PlanVersion != p.Version || got.PlanStatus != p.Status || !sameRoute(got.Route, r) {
			t.Fatalf("route %s after the migration: %+v, want %+v", r.ID, got, r)
		}
	}
}

// SharedRoutes checks PlanRoute on two stores sharing one database, as
// two servers do: a route read on one store is read again as the other
// changed it.
func SharedRoutes(t *testing.T, a, b lastmile.Store) {
	t.Helper()
	st := station(t, a, "A")
	p := &lastmile.Plan{StationID: st.ID, Date: "2026-03-02", Status: lastmile.PlanDraft, Routes: []lastmile.Route{
		{ID: "rte_shared", VehicleID: "veh_1", Stops: []lastmile.Stop{{Seq: 1, Type: "delivery", OrderID: "ord_1"}}}}}
	if err := a.CreatePlan(ctx(t), p, admin); err != nil {
		t.Fatal(err)
	}
	read := func(s lastmile.Store) *lastmile.PlanRoute {
		t.Helper()
		pr, err := s.PlanRoute(ctx(t), "rte_shared")
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}
	read(a)
	read(b)
	// b publishes and adds a stop; a sees both.
	cur, err := b.Plan(ctx(t), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.Status = lastmile.PlanPublished
	cur.Routes[0].Stops = append(cur.Routes[0].Stops, lastmile.Stop{Seq: 2, Type: "delivery", OrderID: "ord_2"})
	if err := b.UpdatePlan(ctx(t), []*lastmile.Plan{cur}, nil, admin); err != nil {
		t.Fatal(err)
	}
	if got := read(a); got.PlanVersion != 2 || got.PlanStatus != lastmile.PlanPublished || len(got.Route.Stops) != 2 {
		t.Fatalf("the other store's change is not read: v%d %s, %d stops", got.PlanVersion, got.PlanStatus, len(got.Route.Stops))
	}
	// a dispatches the route; b sees it.
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cur.Routes[0].Dispatched = &now
	if err := a.UpdatePlan(ctx(t), []*lastmile.Plan{cur}, nil, admin); err != nil {
		t.Fatal(err)
	}
	if got := read(b); got.PlanVersion != 3 || got.Route.Dispatched == nil || !got.Route.Dispatched.Equal(now) {
		t.Fatalf("the other store's dispatch is not read: v%d %v", got.PlanVersion, got.Route.Dispatched)
	}
}
