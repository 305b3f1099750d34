package httpapi

import (
	"net/http"
	"strings"

	"github.com/lastmile-dev/lastmile"
)

// routeFor loads a route the caller may work on: staff of its station, or
// its own driver.
func (s *Server) routeFor(r *http.Request, id string) (*lastmile.PlanRoute, error) {
	ref, err := s.route(r.Context(), id)
	if err != nil {
		return nil, err
	}
	k := caller(r)
	if k.Role == lastmile.RoleDriver {
		if ref.Route.DriverID != k.DriverID {
			return nil, lastmile.Errorf(lastmile.ENotFound, "", "not found")
		}
	} else if err := seeStation(r, ref.StationID); err != nil {
		return nil, err
	}
	return ref, nil
}

// routeOrders returns the orders of a route by id.
func (s *Server) routeOrders(r *http.Request, routeID string) (map[string]*lastmile.Order, error) {
	out := map[string]*lastmile.Order{}
	cursor := ""
	for {
		os, next, err := s.store.ListOrders(r.Context(), lastmile.OrderFilter{RouteID: routeID, Page: lastmile.Page{Limit: lastmile.MaxLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			out[o.ID] = o
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.routeFor(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	rt := &ref.Route
	if ref.PlanStatus != lastmile.PlanPublished {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s: manifests exist for published plans", ref.PlanID, ref.PlanStatus)
	}
	orders, err := s.routeOrders(r, rt.ID)
	if err != nil {
		return err
	}
	m := lastmile.Manifest{PlanID: ref.PlanID, RouteID: rt.ID, StationID: ref.StationID, Date: ref.Date, VehicleID: rt.VehicleID, DriverID: rt.DriverID,
		Stops: []lastmile.ManifestStop{}, Missing: []string{}}
	for _, st := range rt.Stops {
		o := orders[st.OrderID]
		if o == nil {
			continue
		}
		m.Stops = append(m.Stops, lastmile.ManifestStop{Seq: st.Seq, OrderID: o.ID, ExternalID: o.ExternalID, Kind: o.Kind, Status: o.Status,
			ETA: st.ETA, Address: o.Address, Recipient: o.Recipient, Instructions: o.Instructions, OTPRequired: o.OTPRequired, Parcels: o.Parcels})
		if o.Kind == lastmile.KindReturn {
			continue // picked up on the way: nothing to load
		}
		for _, pc := range o.Parcels {
			m.Parcels++
			if pc.LoadedAt != nil {
				m.Loaded++
			} else {
				m.Missing = append(m.Missing, pc.Barcode)
			}
		}
	}
	return writeJSON(w, http.StatusOK, m)
}

type scanRequest struct {
	Barcode string `json:"barcode"`
}

// scan checks a parcel against the route's manifest and loads it.
func (s *Server) scan(w http.ResponseWriter, r *http.Request) error {
	var req scanRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	req.Barcode = strings.TrimSpace(req.Barcode)
	if req.Barcode == "" || len(req.Barcode) > 64 {
		return lastmile.Invalidf("barcode", "required, at most 64 characters")
	}
	ref, err := s.routeFor(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	rt := &ref.Route
	if ref.PlanStatus != lastmile.PlanPublished {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s: publish it before loading", ref.PlanID, ref.PlanStatus)
	}
	if rt.Dispatched != nil {
		return lastmile.Errorf(lastmile.ETransition, "status", "route %s has left the station", rt.ID)
	}
	res := lastmile.ScanResult{Barcode: req.Barcode}
	o, err := s.store.OrderByBarcode(r.Context(), ref.StationID, req.Barcode)
	switch {
	case lastmile.ErrorCode(err) == lastmile.ENotFound:
		res.Result, res.Message = lastmile.ScanUnknown, "no parcel with this barcode at the station: set it aside"
		return writeJSON(w, http.StatusOK, res)
	case err != nil:
		return err
	}
	res.OrderID, res.RouteID, res.OrderStatus = o.ID, o.RouteID, o.Status
	switch {
	case o.RouteID == "":
		res.Result, res.Message = lastmile.ScanNotPlanned, "this parcel is on no published route"
		return writeJSON(w, http.StatusOK, res)
	case o.RouteID != rt.ID:
		res.Result, res.Message = lastmile.ScanMissort, "mis-sort: this parcel belongs to route "+o.RouteID
		s.recordScan(r, o, rt.ID, lastmile.ScanMissort, req.Barcode)
		return writeJSON(w, http.StatusOK, res)
	}
	o, err = s.updateOrder(r, o.ID, 0, func(o *lastmile.Order, _ *lastmile.Station) (lastmile.Change, error) {
		res.Result, res.Message = lastmile.ScanLoaded, "loaded"
		now := s.now().UTC()
		all := true
		for i := range o.Parcels {
			if o.Parcels[i].Barcode == req.Barcode {
				if o.Parcels[i].LoadedAt != nil {
					res.Result, res.Message = lastmile.ScanDuplicate, "already scanned"
				} else {
					o.Parcels[i].LoadedAt = &now
				}
			}
			all = all && o.Parcels[i].LoadedAt != nil
		}
		if all && o.Status == lastmile.StatusPlanned {
			if err := o.Transition(lastmile.StatusLoaded, "", now); err != nil {
				return lastmile.Change{}, err
			}
		}
		return change(r, "order.scanned", map[string]any{"barcode": req.Barcode, "route_id": rt.ID, "result": res.Result}), nil
	})
	if err != nil {
		return err
	}
	res.OrderStatus = o.Status
	return writeJSON(w, http.StatusOK, res)
}

// recordScan logs a mis-sort in the order's history (it changes nothing
// else but the order's version).
func (s *Server) recordScan(r *http.Request, o *lastmile.Order, routeID, result, barcode string) {
	c := change(r, "order.scanned", map[string]any{"barcode": barcode, "route_id": routeID, "result": result})
	if err := s.store.UpdateOrders(r.Context(), []*lastmile.Order{o}, c); err != nil {
		s.log.Warn("scan not recorded", "order", o.ID, "err", err)
	}
}

type dispatchRequest struct {
	// Force dispatches with parcels missing: their orders go back to
	// pending and off the route.
	Force bool `json:"force,omitempty"`
}

// dispatchResponse lists what left and the OTPs to send to recipients.
type dispatchResponse struct {
	RouteID     string            `json:"route_id"`
	Dispatched  int               `json:"dispatched"`
	Released    []string          `json:"released"`
	OTPs        map[string]string `json:"otps"` // order id → one-time password for the recipient
	PlanVersion int64             `json:"plan_version"`
}

// dispatch sends a loaded route out: its orders go out for delivery and
// the OTPs of orders that need one are issued.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) error {
	var req dispatchRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
			return err
		}
	}
	ref, err := s.routeFor(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	// Dispatch changes the plan: it works on the whole plan as stored.
	p, err := s.store.Plan(r.Context(), ref.PlanID)
	if err != nil {
		return err
	}
	rt, ok := p.Route(ref.Route.ID)
	if !ok {
		return lastmile.Errorf(lastmile.ENotFound, "", "route %q not found", ref.Route.ID)
	}
	if p.Status != lastmile.PlanPublished {
		return lastmile.Errorf(lastmile.ETransition, "status", "plan %s is %s: publish it before dispatch", p.ID, p.Status)
	}
	if rt.Dispatched != nil {
		return lastmile.Errorf(lastmile.ETransition, "status", "route %s was dispatched at %s", rt.ID, rt.Dispatched.Format("15:04"))
	}
	orders, err := s.routeOrders(r, rt.ID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	res := dispatchResponse{RouteID: rt.ID, Released: []string{}, OTPs: map[string]string{}}
	var missing []string
	var changed []*lastmile.Order
	for _, st := range rt.Stops {
		o := orders[st.OrderID]
		if o == nil {
			continue
		}
		if o.Kind == lastmile.KindReturn && o.Status == lastmile.StatusPlanned {
			if err := o.Transition(lastmile.StatusLoaded, "", now); err != nil { // nothing to load for a pickup
				return err
			}
		}
		switch o.Status {
		case lastmile.StatusLoaded:
			if err := o.Transition(lastmile.StatusOutForDelivery, "", now); err != nil {
				return err
			}
			if o.OTPRequired {
				otp := lastmile.NewOTP()
				o.OTPHash = lastmile.HashSecret(o.ID + ":" + otp)
				res.OTPs[o.ID] = otp
			}
			res.Dispatched++
			changed = append(changed, o)
		case lastmile.StatusPlanned:
			missing = append(missing, o.ID)
			if req.Force {
				if err := o.Transition(lastmile.StatusPending, "", now); err != nil {
					return err
				}
				res.Released = append(res.Released, o.ID)
				changed = append(changed, o)
			}
		}
	}
	if len(missing) > 0 && !req.Force {
		return lastmile.Errorf(lastmile.ETransition, "route", "%d orders are not fully loaded (%s): scan their parcels or dispatch with force", len(missing), strings.Join(missing, ", "))
	}
	rt.Dispatched = &now
	if len(res.Released) > 0 {
		released := map[string]bool{}
		for _, id := range res.Released {
			released[id] = true
		}
		kept := rt.Stops[:0]
		for _, st := range rt.Stops {
			if !released[st.OrderID] {
				kept = append(kept, st)
			}
		}
		rt.Stops = kept
		p.Summarize()
	}
	c := change(r, "route.dispatched", map[string]any{"route_id": rt.ID})
	if c.Outbox, err = s.dispatchOutbox(r.Context(), p, rt, orders); err != nil {
		return err
	}
	if err := s.store.UpdatePlan(r.Context(), []*lastmile.Plan{p}, changed, c); err != nil {
		return err
	}
	s.forgetPlans(p.StationID)
	s.forgetRoute(rt.VehicleID)
	res.PlanVersion = p.Version
	return writeJSON(w, http.StatusOK, res)
}
