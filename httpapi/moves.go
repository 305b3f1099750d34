package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/vrp"
)

// moveRequest moves a stop of a draft plan.
type moveRequest struct {
	OrderID string `json:"order_id"`
	// RouteID is the route to move to; empty takes the stop off every
	// route (it becomes unassigned).
	RouteID string `json:"route_id"`
	// Position is the 1-based position among the target route's stops
	// (breaks included); 0 or past the end appends.
	Position int `json:"position"`
}

// moveStop moves a stop by hand and re-checks the routes it touches: the
// move is refused when a route it changes becomes infeasible (time
// windows, shift, capacity, skills, range).
func (s *Server) moveStop(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPlan(r)
	if err != nil {
		return err
	}
	var req moveRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if p.Status != lastmile.PlanDraft {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s: edit a draft", p.ID, p.Status)
	}
	if req.Position < 0 {
		return lastmile.Invalidf("position", "negative")
	}
	// Take the stop out of where it is.
	var from *lastmile.Route
	var stop lastmile.Stop
	found := false
	for i := range p.Routes {
		for k, st := range p.Routes[i].Stops {
			if st.OrderID == req.OrderID && req.OrderID != "" {
				from, stop, found = &p.Routes[i], st, true
				from.Stops = slices.Delete(from.Stops, k, k+1)
				break
			}
		}
	}
	if !found {
		k := slices.IndexFunc(p.Unassigned, func(u lastmile.Unassigned) bool { return u.OrderID == req.OrderID })
		if k < 0 || req.OrderID == "" {
			return lastmile.Invalidf("order_id", "order %q is not in plan %s", req.OrderID, p.ID)
		}
		p.Unassigned = slices.Delete(p.Unassigned, k, k+1)
		stop = lastmile.Stop{Type: "delivery", OrderID: req.OrderID}
	}
	if from != nil && from.Locked {
		return lastmile.Errorf(lastmile.ETransition, "order_id", "route %s is locked", from.ID)
	}
	var to *lastmile.Route
	if req.RouteID != "" {
		var ok bool
		if to, ok = p.Route(req.RouteID); !ok {
			return lastmile.Invalidf("route_id", "route %q is not in plan %s", req.RouteID, p.ID)
		}
		if to.Locked {
			return lastmile.Errorf(lastmile.ETransition, "route_id", "route %s is locked", to.ID)
		}
		pos := req.Position - 1
		if pos < 0 || pos > len(to.Stops) {
			pos = len(to.Stops)
		}
		to.Stops = slices.Insert(to.Stops, pos, stop)
	} else {
		p.Unassigned = append(p.Unassigned, lastmile.Unassigned{OrderID: req.OrderID, Reason: "taken off the routes by hand"})
	}
	st, err := s.store.Station(r.Context(), p.StationID)
	if err != nil {
		return err
	}
	touched := []*lastmile.Route{from}
	if to != from {
		touched = append(touched, to)
	}
	for _, rt := range touched {
		if rt == nil {
			continue
		}
		if err := s.recheck(r.Context(), st, p.Date, rt); err != nil {
			return err
		}
	}
	p.Summarize()
	if err := s.store.UpdatePlan(r.Context(), []*lastmile.Plan{p}, nil, change(r, "plan.edited", req)); err != nil {
		return err
	}
	etag(w, p.Version)
	return writeJSON(w, http.StatusOK, p)
}

// recheck recomputes a route's schedule for its stops in their order,
// leaving the driver's breaks to the optimizer, and refuses an infeasible
// sequence.
func (s *Server) recheck(ctx context.Context, st *lastmile.Station, date string, rt *lastmile.Route) error {
	v, err := s.store.Vehicle(ctx, rt.VehicleID)
	if err != nil {
		return err
	}
	d, err := s.store.Driver(ctx, rt.DriverID)
	if err != nil {
		return err
	}
	day, _ := time.ParseInLocation(lastmile.DateLayout, date, st.Loc())
	shift, _ := d.ShiftOn(day)
	var orders []*lastmile.Order
	for _, stop := range rt.Stops {
		if stop.OrderID == "" {
			continue
		}
		o, err := s.store.Order(ctx, stop.OrderID)
		if err != nil {
			return err
		}
		orders = append(orders, o)
	}
	keep := *rt
	if len(orders) == 0 {
		*rt = lastmile.Route{ID: keep.ID, VehicleID: keep.VehicleID, DriverID: keep.DriverID, Locked: keep.Locked, Feasible: true, Stops: []lastmile.Stop{}}
		return nil
	}
	dp, err := buildDay(st, date, orders, []crew{{v: v, d: d, shift: shift}})
	if err != nil {
		return err
	}
	for i := range orders {
		dp.p.Vehicles[0].Steps = append(dp.p.Vehicles[0].Steps, vrp.VehicleStep{Type: vrp.StepJob, ID: uint64(i + 1)})
	}
	if err := vrp.ResolveTravel(ctx, dp.p, s.cfg.Travel); err != nil {
		return vrpError(err)
	}
	sctx, cancel := context.WithTimeout(ctx, s.cfg.PlanTimeLimit)
	defer cancel()
	sol, err := vrp.Solve(sctx, dp.p, vrp.Options{Seed: 1, MaxIterations: 200})
	var ie *vrp.InputError
	if errors.As(err, &ie) {
		return lastmile.Invalidf("position", "route %s would be infeasible in this order (time windows, shift, capacity or range)", rt.ID)
	}
	if err != nil {
		return err
	}
	if len(sol.Unassigned) > 0 || len(sol.Routes) != 1 {
		return lastmile.Invalidf("position", "route %s cannot serve all its stops in this order: %s", rt.ID, firstReason(sol))
	}
	routes, _ := dp.routes(sol, s.now())
	nr := routes[0]
	nr.ID, nr.Locked = keep.ID, keep.Locked
	*rt = nr
	return nil
}

func firstReason(sol *vrp.Solution) string {
	if len(sol.Unassigned) > 0 {
		return sol.Unassigned[0].Reason
	}
	return "no route"
}

type lockRequest struct {
	Locked bool `json:"locked"`
}

// lockRoute locks (or unlocks) a route of a draft: a re-plan keeps locked
// routes as they are.
func (s *Server) lockRoute(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPlan(r)
	if err != nil {
		return err
	}
	req := lockRequest{Locked: true}
	if r.ContentLength != 0 {
		if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
			return err
		}
	}
	if p.Status != lastmile.PlanDraft {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s: lock routes of a draft", p.ID, p.Status)
	}
	rt, ok := p.Route(pathID(r, "route"))
	if !ok {
		return lastmile.Errorf(lastmile.ENotFound, "", "route %q is not in plan %s", pathID(r, "route"), p.ID)
	}
	rt.Locked = req.Locked
	if err := s.store.UpdatePlan(r.Context(), []*lastmile.Plan{p}, nil, change(r, "plan.route_locked", map[string]any{"route_id": rt.ID, "locked": req.Locked})); err != nil {
		return err
	}
	etag(w, p.Version)
	return writeJSON(w, http.StatusOK, p)
}
