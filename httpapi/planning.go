package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/vrp"
)

// unlimited stands for a capacity dimension without limit.
const unlimited = int64(1) << 40

// crew is a vehicle with the driver who takes it out.
type crew struct {
	v     *lastmile.Vehicle
	d     *lastmile.Driver
	shift lastmile.Shift
}

// dayProblem is an optimizer problem built from a station's day, with the
// maps back to the domain.
type dayProblem struct {
	station *lastmile.Station
	date    string
	base    time.Time // local midnight of the date
	p       *vrp.Problem
	crews   []crew            // p.Vehicles[i] is crews[i]
	orders  []*lastmile.Order // p.Jobs[i] is orders[i]
	skills  map[string]int
}

// at turns seconds after local midnight into a time.
func (d *dayProblem) at(sec int64) time.Time {
	return d.base.Add(time.Duration(sec) * time.Second).UTC()
}

func (d *dayProblem) skillIDs(names ...[]string) []int {
	var out []int
	for _, ns := range names {
		for _, n := range ns {
			id, ok := d.skills[n]
			if !ok {
				id = len(d.skills) + 1
				d.skills[n] = id
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	sort.Ints(out)
	return out
}

// crews pairs the station's active vehicles with its drivers on shift that
// date, in id order, leaving out busy vehicles and drivers.
func (s *Server) crews(ctx context.Context, st *lastmile.Station, date time.Time, busyV, busyD map[string]bool) ([]crew, error) {
	vs, _, err := s.store.ListVehicles(ctx, lastmile.FleetFilter{StationIDs: []string{st.ID}, Page: lastmile.Page{Limit: lastmile.MaxLimit}})
	if err != nil {
		return nil, err
	}
	ds, _, err := s.store.ListDrivers(ctx, lastmile.FleetFilter{StationIDs: []string{st.ID}, Page: lastmile.Page{Limit: lastmile.MaxLimit}})
	if err != nil {
		return nil, err
	}
	var drivers []*lastmile.Driver
	var shifts []lastmile.Shift
	for _, d := range ds {
		if sh, ok := d.ShiftOn(date); ok && d.Active && !busyD[d.ID] {
			drivers = append(drivers, d)
			shifts = append(shifts, sh)
		}
	}
	var out []crew
	for _, v := range vs {
		if !v.Active || busyV[v.ID] {
			continue
		}
		if len(out) == len(drivers) {
			break
		}
		out = append(out, crew{v: v, d: drivers[len(out)], shift: shifts[len(out)]})
	}
	return out, nil
}

// buildDay builds the problem of a station's date for the given orders
// and crews.
func buildDay(st *lastmile.Station, date string, orders []*lastmile.Order, crews []crew) (*dayProblem, error) {
	day, err := time.ParseInLocation(lastmile.DateLayout, date, st.Loc())
	if err != nil {
		return nil, lastmile.Invalidf("date", "%q is not a date YYYY-MM-DD", date)
	}
	open, close, ok := st.Hours(day)
	if !ok {
		return nil, lastmile.Invalidf("date", "station %s is closed on %s (%s)", st.Name, date, day.Weekday())
	}
	d := &dayProblem{station: st, date: date, base: day, crews: crews, orders: orders, skills: map[string]int{},
		p: &vrp.Problem{}}
	depot := vrp.Location{Lon: st.Location.Lon, Lat: st.Location.Lat, HasCoord: true}
	for i, c := range crews {
		start, _ := lastmile.ParseClock(c.shift.Start)
		end, _ := lastmile.ParseClock(c.shift.End)
		start, end = max(start, open), min(end, close)
		if end <= start {
			start, end = open, open // no time: the vehicle cannot serve anything
		}
		capa := vrp.Amount{c.v.Capacity.Parcels, c.v.Capacity.WeightG, c.v.Capacity.VolumeCM3}
		for k := range capa {
			if capa[k] == 0 {
				capa[k] = unlimited
			}
		}
		costs := vrp.Costs{Fixed: c.v.Costs.Fixed, PerHour: c.v.Costs.PerHour, PerKm: c.v.Costs.PerKM}
		if costs.PerHour == 0 && costs.PerKm == 0 {
			costs.PerHour = 3600 // then cost is travel time, never nothing
		}
		s, e := depot, depot
		vv := vrp.Vehicle{ID: uint64(i + 1), Description: c.v.Name, Profile: "car", Start: &s, End: &e, Capacity: capa,
			Skills: d.skillIDs(c.v.Skills, c.d.Skills), TimeWindow: &vrp.TimeWindow{Start: start, End: end}, Costs: costs,
			SpeedFactor: c.v.SpeedFactor, MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1}
		if c.v.RangeKM > 0 {
			vv.MaxDistance = c.v.RangeKM * 1000
		}
		for k, b := range c.shift.Breaks {
			e, _ := lastmile.ParseClock(b.Earliest)
			l, _ := lastmile.ParseClock(b.Latest)
			vv.Breaks = append(vv.Breaks, vrp.Break{ID: uint64(k + 1), TimeWindows: []vrp.TimeWindow{{Start: e, End: l}}, Service: int64(b.Minutes) * 60})
		}
		d.p.Vehicles = append(d.p.Vehicles, vv)
	}
	for i, o := range orders {
		g, cm3 := o.Weight()
		amt := vrp.Amount{int64(len(o.Parcels)), g, cm3}
		j := vrp.Job{ID: uint64(i + 1), Description: o.ExternalID, Service: o.ServiceSeconds,
			Location: vrp.Location{Lon: o.Address.Location.Lon, Lat: o.Address.Location.Lat, HasCoord: true},
			Skills:   d.skillIDs(o.Skills)}
		if o.Kind == lastmile.KindReturn {
			j.Pickup = amt
		} else {
			j.Delivery = amt
		}
		if o.Window != nil {
			ws := int64(o.Window.Start.Sub(day).Seconds())
			we := int64(o.Window.End.Sub(day).Seconds())
			ws, we = max(ws, 0), min(we, 48*3600)
			if we < ws {
				ws, we = 0, 0 // a window on another day: it cannot be served this day
			}
			j.TimeWindows = []vrp.TimeWindow{{Start: ws, End: we}}
			j.Priority = 10
		}
		if o.Status == lastmile.StatusReattemptScheduled {
			j.Priority = max(j.Priority, 20)
		}
		d.p.Jobs = append(d.p.Jobs, j)
	}
	return d, nil
}

// routes turns a solution into plan routes and unassigned orders.
func (d *dayProblem) routes(sol *vrp.Solution, now time.Time) ([]lastmile.Route, []lastmile.Unassigned) {
	var routes []lastmile.Route
	for _, r := range sol.Routes {
		c := d.crews[r.Vehicle-1]
		rt := lastmile.Route{ID: lastmile.NewID("rte", now), VehicleID: c.v.ID, DriverID: c.d.ID, DistanceM: r.Distance,
			DurationS: r.Duration, Cost: r.Cost, Feasible: len(r.Violations) == 0}
		for _, v := range r.Violations {
			rt.Violations = append(rt.Violations, v.Cause)
		}
		seq := 0
		for _, st := range r.Steps {
			switch st.Type {
			case vrp.StepStart:
				rt.Start = d.at(st.Arrival)
			case vrp.StepEnd:
				rt.End = d.at(st.Arrival)
			case vrp.StepJob, vrp.StepBreak:
				seq++
				stop := lastmile.Stop{Seq: seq, Type: "break", ETA: d.at(st.Arrival), Start: d.at(st.Arrival + st.WaitingTime),
					Departure: d.at(st.Arrival + st.WaitingTime + st.Setup + st.Service), DistanceM: st.Distance}
				if len(st.Load) == 3 {
					stop.Load = lastmile.Capacity{Parcels: st.Load[0], WeightG: st.Load[1], VolumeCM3: st.Load[2]}
				}
				if st.Type == vrp.StepJob {
					o := d.orders[st.ID-1]
					stop.OrderID = o.ID
					stop.Type = "delivery"
					if o.Kind == lastmile.KindReturn {
						stop.Type = "pickup"
					}
					loc := o.Address.Location
					stop.Location = &loc
				}
				rt.Stops = append(rt.Stops, stop)
			}
		}
		routes = append(routes, rt)
	}
	var un []lastmile.Unassigned
	for _, u := range sol.Unassigned {
		if u.Type == vrp.StepJob && int(u.ID) >= 1 && int(u.ID) <= len(d.orders) {
			un = append(un, lastmile.Unassigned{OrderID: d.orders[u.ID-1].ID, Reason: u.Reason})
		}
	}
	return routes, un
}

// solve resolves travel and runs the optimizer within limit.
func (s *Server) solve(ctx context.Context, d *dayProblem, limit time.Duration, algo string) (*vrp.Solution, error) {
	s.metrics.planning.Inc()
	defer s.metrics.planning.Dec()
	t0 := time.Now()
	defer func() { s.metrics.planTime.WithLabelValues("plan").Observe(time.Since(t0).Seconds()) }()
	if len(d.p.Vehicles) == 0 {
		return &vrp.Solution{}, nil
	}
	if err := vrp.ResolveTravel(ctx, d.p, s.cfg.Travel); err != nil {
		return nil, fmt.Errorf("plan travel: %w", vrpError(err))
	}
	sctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var sol *vrp.Solution
	var err error
	if algo == "nearest" {
		sol, err = vrp.NearestNeighbour(sctx, d.p)
	} else {
		sol, err = vrp.Solve(sctx, d.p, vrp.Options{Seed: 1, Threads: s.cfg.Threads, MaxIterations: s.cfg.PlanIterations})
	}
	if err != nil {
		return nil, fmt.Errorf("plan: %w", vrpError(err))
	}
	return sol, nil
}

// planRequest asks for a plan.
type planRequest struct {
	StationID  string  `json:"station_id"`
	Date       string  `json:"date"`
	TimeLimitS float64 `json:"time_limit_s,omitempty"`
	// Algorithm is "optimizer" (the default) or "nearest": the
	// nearest-neighbour baseline, to measure the optimizer against.
	Algorithm string `json:"algorithm,omitempty"`
}

// algorithm checks a plan request's algorithm.
func algorithm(a string) (string, error) {
	switch a {
	case "", "optimizer":
		return "optimizer", nil
	case "nearest":
		return a, nil
	}
	return "", lastmile.Invalidf("algorithm", "%q is not optimizer or nearest", a)
}

func (s *Server) limit(sec float64) (time.Duration, error) {
	if sec == 0 {
		return s.cfg.PlanTimeLimit, nil
	}
	if !(sec > 0) || sec > 600 {
		return 0, lastmile.Invalidf("time_limit_s", "%g is not a number of seconds in (0, 600]", sec)
	}
	return min(time.Duration(sec*float64(time.Second)), max(s.cfg.PlanTimeLimit, 10*time.Second)), nil
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) error {
	var req planRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	st, err := s.stationFor(r, req.StationID)
	if err != nil {
		return err
	}
	limit, err := s.limit(req.TimeLimitS)
	if err != nil {
		return err
	}
	algo, err := algorithm(req.Algorithm)
	if err != nil {
		return err
	}
	p, err := s.plan(r, st, req.Date, nil, limit, algo)
	if err != nil {
		return err
	}
	etag(w, p.Version)
	return writeJSON(w, http.StatusCreated, p)
}

// plan computes and stores a draft plan of the station's plannable orders
// for date, keeping the locked routes of parent (a re-plan).
func (s *Server) plan(r *http.Request, st *lastmile.Station, date string, parent *lastmile.Plan, limit time.Duration, algo string) (*lastmile.Plan, error) {
	ctx := r.Context()
	day, err := time.ParseInLocation(lastmile.DateLayout, date, st.Loc())
	if err != nil {
		return nil, lastmile.Invalidf("date", "%q is not a date YYYY-MM-DD", date)
	}
	busyV, busyD, busyO := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var kept []lastmile.Route
	if parent != nil {
		for _, rt := range parent.Routes {
			if rt.Locked {
				rt.ID = lastmile.NewID("rte", s.now()) // route ids are unique across plans
				kept = append(kept, rt)
				busyV[rt.VehicleID], busyD[rt.DriverID] = true, true
				for _, stop := range rt.Stops {
					busyO[stop.OrderID] = true
				}
			}
		}
	}
	// Crews out on dispatched routes of the day are not available again.
	published, _, err := s.store.ListPlans(ctx, lastmile.PlanFilter{StationIDs: []string{st.ID}, Date: date, Status: lastmile.PlanPublished})
	if err != nil {
		return nil, err
	}
	for _, pp := range published {
		for _, rt := range pp.Routes {
			if rt.Dispatched != nil {
				busyV[rt.VehicleID], busyD[rt.DriverID] = true, true
			}
		}
	}
	var orders []*lastmile.Order
	cursor := ""
	for {
		page, next, err := s.store.ListOrders(ctx, lastmile.OrderFilter{StationIDs: []string{st.ID}, ServiceDate: date,
			Statuses: []string{lastmile.StatusPending, lastmile.StatusReattemptScheduled, lastmile.StatusPlanned},
			Page:     lastmile.Page{Limit: lastmile.MaxLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			// Orders of locked routes stay there. Planned orders of a
			// published plan are planned again: publishing this plan
			// moves them.
			if busyO[o.ID] {
				continue
			}
			orders = append(orders, o)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	crews, err := s.crews(ctx, st, day, busyV, busyD)
	if err != nil {
		return nil, err
	}
	d, err := buildDay(st, date, orders, crews)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	sol, err := s.solve(ctx, d, limit, algo)
	if err != nil {
		return nil, err
	}
	routes, un := d.routes(sol, s.now())
	if len(crews) == 0 {
		for _, o := range orders {
			un = append(un, lastmile.Unassigned{OrderID: o.ID, Reason: "no vehicle with a driver on shift"})
		}
	}
	p := &lastmile.Plan{StationID: st.ID, Date: date, Status: lastmile.PlanDraft, Routes: append(kept, routes...),
		Unassigned: un, SolveMS: time.Since(t0).Milliseconds()}
	if parent != nil {
		p.ParentID = parent.ID
	}
	if p.Unassigned == nil {
		p.Unassigned = []lastmile.Unassigned{}
	}
	if p.Routes == nil {
		p.Routes = []lastmile.Route{}
	}
	p.Summarize()
	if err := s.store.CreatePlan(ctx, p, change(r, "", map[string]any{"orders": len(orders), "routes": len(p.Routes), "unassigned": len(p.Unassigned)})); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) loadPlan(r *http.Request) (*lastmile.Plan, error) {
	p, err := s.store.Plan(r.Context(), pathID(r, "id"))
	if err != nil {
		return nil, err
	}
	if err := seeStation(r, p.StationID); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPlan(r)
	if err != nil {
		return err
	}
	etag(w, p.Version)
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	ids, err := stationScope(r)
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	out, next, err := s.store.ListPlans(r.Context(), lastmile.PlanFilter{StationIDs: ids, Date: q.Get("date"), Status: q.Get("status"), Page: pg})
	if err != nil {
		return err
	}
	return writeList(w, out, next)
}

// replanRequest re-plans a plan.
type replanRequest struct {
	TimeLimitS float64 `json:"time_limit_s,omitempty"`
	Algorithm  string  `json:"algorithm,omitempty"` // as in planRequest
}

func (s *Server) replan(w http.ResponseWriter, r *http.Request) error {
	parent, err := s.loadPlan(r)
	if err != nil {
		return err
	}
	var req replanRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
			return err
		}
	}
	if parent.Status != lastmile.PlanDraft {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s; re-plan a draft (or create a new plan for the day)", parent.ID, parent.Status)
	}
	limit, err := s.limit(req.TimeLimitS)
	if err != nil {
		return err
	}
	algo, err := algorithm(req.Algorithm)
	if err != nil {
		return err
	}
	st, err := s.store.Station(r.Context(), parent.StationID)
	if err != nil {
		return err
	}
	p, err := s.plan(r, st, parent.Date, parent, limit, algo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

// publish makes a draft the day's plan: its orders become planned on
// their routes. The station's previously published plan of the day is
// superseded and its orders that the new plan does not take are released,
// unless some of its routes were dispatched: then it stays published (a
// first wave) and only the orders the new plan takes move.
func (s *Server) publish(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPlan(r)
	if err != nil {
		return err
	}
	if p.Status != lastmile.PlanDraft {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s, only a draft can be published", p.ID, p.Status)
	}
	if v, err := ifMatch(r, 0); err != nil {
		return err
	} else if v > 0 && v != p.Version {
		return lastmile.Errorf(lastmile.EConflict, "version", "plan %s is at version %d, not %d", p.ID, p.Version, v)
	}
	now := s.now().UTC()
	plans := []*lastmile.Plan{p}
	var orders []*lastmile.Order
	touched := map[string]bool{}
	prev, _, err := s.store.ListPlans(r.Context(), lastmile.PlanFilter{StationIDs: []string{p.StationID}, Date: p.Date, Status: lastmile.PlanPublished})
	if err != nil {
		return err
	}
	inNew := map[string]string{}
	for _, rt := range p.Routes {
		for _, st := range rt.Stops {
			if st.OrderID != "" {
				inNew[st.OrderID] = rt.ID
			}
		}
	}
	for _, old := range prev {
		dispatched := false
		for _, rt := range old.Routes {
			dispatched = dispatched || rt.Dispatched != nil
		}
		if dispatched {
			// A wave already on the road stays published; its orders that
			// the new plan takes move to the new routes below.
			continue
		}
		old.Status = lastmile.PlanSuperseded
		plans = append(plans, old)
		os, _, err := s.store.ListOrders(r.Context(), lastmile.OrderFilter{PlanID: old.ID, Page: lastmile.Page{Limit: lastmile.MaxLimit}})
		if err != nil {
			return err
		}
		for _, o := range os {
			if o.Status == lastmile.StatusLoaded {
				if _, again := inNew[o.ID]; !again || o.RouteID != inNew[o.ID] {
					return lastmile.Errorf(lastmile.ETransition, "status", "order %s is loaded on route %s of plan %s; unload it before publishing another plan", o.ID, o.RouteID, old.ID)
				}
			}
			if _, again := inNew[o.ID]; again || o.Status != lastmile.StatusPlanned {
				continue
			}
			if err := o.Transition(lastmile.StatusPending, "", now); err != nil {
				return err
			}
			orders = append(orders, o)
			touched[o.ID] = true
		}
	}
	for id, route := range inNew {
		o, err := s.store.Order(r.Context(), id)
		if err != nil {
			return err
		}
		if o.Status == lastmile.StatusPlanned || o.Status == lastmile.StatusLoaded {
			o.PlanID, o.RouteID = p.ID, route // moved from the superseded plan
		} else {
			if err := o.Transition(lastmile.StatusPlanned, "", now); err != nil {
				return fmt.Errorf("publish: order %s: %w", o.ID, err)
			}
			o.PlanID, o.RouteID = p.ID, route
		}
		orders = append(orders, o)
	}
	p.Status = lastmile.PlanPublished
	p.PublishedAt = &now
	if err := s.store.UpdatePlan(r.Context(), plans, orders, change(r, "plan.published", map[string]any{"plan_id": p.ID})); err != nil {
		return err
	}
	etag(w, p.Version)
	return writeJSON(w, http.StatusOK, p)
}

// comparison sets two plans side by side.
type comparison struct {
	A, B  lastmile.PlanSummary            `json:"-"`
	Plan  string                          `json:"plan"`
	With  string                          `json:"with"`
	Delta map[string]int64                `json:"delta"` // with − plan
	Plans map[string]lastmile.PlanSummary `json:"summaries"`
	Moved int                             `json:"moved_orders"` // orders on a different vehicle
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) error {
	a, err := s.loadPlan(r)
	if err != nil {
		return err
	}
	withID := r.URL.Query().Get("with")
	if withID == "" {
		return lastmile.Invalidf("with", "required: the id of the plan to compare with")
	}
	b, err := s.store.Plan(r.Context(), withID)
	if lastmile.ErrorCode(err) == lastmile.ENotFound || (err == nil && !caller(r).SeesStation(b.StationID)) {
		return lastmile.Invalidf("with", "no plan %q", withID)
	}
	if err != nil {
		return err
	}
	vehicleOf := func(p *lastmile.Plan) map[string]string {
		m := map[string]string{}
		for _, rt := range p.Routes {
			for _, st := range rt.Stops {
				if st.OrderID != "" {
					m[st.OrderID] = rt.VehicleID
				}
			}
		}
		return m
	}
	va, vb := vehicleOf(a), vehicleOf(b)
	moved := 0
	for o, v := range va {
		if vb[o] != v {
			moved++
		}
	}
	sa, sb := a.Summary, b.Summary
	c := comparison{Plan: a.ID, With: b.ID, Moved: moved,
		Plans: map[string]lastmile.PlanSummary{a.ID: sa, b.ID: sb},
		Delta: map[string]int64{"routes": int64(sb.Routes - sa.Routes), "stops": int64(sb.Stops - sa.Stops),
			"unassigned": int64(sb.Unassigned - sa.Unassigned), "distance_m": sb.DistanceM - sa.DistanceM,
			"duration_s": sb.DurationS - sa.DurationS, "cost": sb.Cost - sa.Cost}}
	return writeJSON(w, http.StatusOK, c)
}
