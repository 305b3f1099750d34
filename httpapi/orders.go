package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
)

// orderView hides what callers never see.
func orderView(o *lastmile.Order) *lastmile.Order {
	c := *o
	c.OTPHash = ""
	if c.POD != nil && c.POD.Request != "" {
		p := *c.POD
		p.Request = ""
		c.POD = &p
	}
	return &c
}

// fresh resets what the server owns in a new order.
func fresh(o *lastmile.Order) {
	o.ID, o.Status, o.Attempts, o.FailureReason, o.RedirectTo = "", lastmile.StatusPending, 0, "", ""
	o.PlanID, o.RouteID, o.TrackingToken, o.OTPHash, o.POD, o.ClosedAt, o.Erased, o.Version = "", "", "", "", nil, nil, false, 0
	for i := range o.Parcels {
		o.Parcels[i].LoadedAt = nil
	}
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) error {
	var o lastmile.Order
	if err := decode(w, r, s.cfg.MaxBody, &o); err != nil {
		return err
	}
	fresh(&o)
	st, err := s.stationFor(r, o.StationID)
	if err != nil {
		return err
	}
	o.Normalize(s.now(), st.Loc())
	if err := o.Validate(); err != nil {
		return err
	}
	ext, bar, err := s.store.ExistingOrders(r.Context(), o.StationID, []string{o.ExternalID}, barcodes(&o))
	if err != nil {
		return err
	}
	if id := ext[o.ExternalID]; id != "" {
		return lastmile.Errorf(lastmile.EConflict, "external_id", "order %q already exists at this station as %s", o.ExternalID, id)
	}
	for i, p := range o.Parcels {
		if id := bar[p.Barcode]; id != "" {
			return lastmile.Errorf(lastmile.EConflict, "parcels["+itoa(i)+"].barcode", "barcode %q is already on order %s", p.Barcode, id)
		}
	}
	if err := s.store.CreateOrders(r.Context(), []*lastmile.Order{&o}, change(r, "", nil)); err != nil {
		return err
	}
	s.metrics.imported.WithLabelValues("created").Inc()
	etag(w, o.Version)
	return writeJSON(w, http.StatusCreated, orderView(&o))
}

func barcodes(o *lastmile.Order) []string {
	b := make([]string, len(o.Parcels))
	for i, p := range o.Parcels {
		b[i] = p.Barcode
	}
	return b
}

// order loads an order the caller may see: staff and integrations of its
// station, and the driver of its route.
func (s *Server) order(r *http.Request, id string) (*lastmile.Order, error) {
	o, err := s.store.Order(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := s.canSeeOrder(r, o); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Server) canSeeOrder(r *http.Request, o *lastmile.Order) error {
	k := caller(r)
	if k.Role != lastmile.RoleDriver {
		return seeStation(r, o.StationID)
	}
	if o.RouteID == "" {
		return lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	ref, err := s.route(r.Context(), o.RouteID)
	if err != nil || ref.Route.DriverID != k.DriverID {
		return lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	return nil
}

// route returns a route with its plan's identity, status and version,
// read without the plan's other routes.
func (s *Server) route(ctx context.Context, id string) (*lastmile.PlanRoute, error) {
	return s.store.PlanRoute(ctx, id)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := s.order(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	etag(w, o.Version)
	return writeJSON(w, http.StatusOK, orderView(o))
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	ids, err := stationScope(r)
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := lastmile.OrderFilter{StationIDs: ids, Statuses: q["status"], ServiceDate: q.Get("date"), RouteID: q.Get("route_id"),
		PlanID: q.Get("plan_id"), ExternalID: q.Get("external_id"), Page: p}
	for _, st := range f.Statuses {
		if !lastmile.ValidStatus(st) {
			return lastmile.Invalidf("status", "%q is not a stop status", st)
		}
	}
	if f.ServiceDate != "" {
		if _, err := time.Parse(lastmile.DateLayout, f.ServiceDate); err != nil {
			return lastmile.Invalidf("date", "%q is not a date YYYY-MM-DD", f.ServiceDate)
		}
	}
	out, next, err := s.store.ListOrders(r.Context(), f)
	if err != nil {
		return err
	}
	for i := range out {
		out[i] = orderView(out[i])
	}
	return writeList(w, out, next)
}

func (s *Server) orderEvents(w http.ResponseWriter, r *http.Request) error {
	o, err := s.order(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	evs, err := s.store.Events(r.Context(), lastmile.EventFilter{EntityType: "order", EntityID: o.ID, Limit: 10 * lastmile.MaxLimit})
	if err != nil {
		return err
	}
	return writeList(w, evs, "")
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	ids, err := stationScope(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := lastmile.EventFilter{StationIDs: ids, EntityType: q.Get("entity_type"), EntityID: q.Get("entity_id"), Type: q.Get("type")}
	n, err := intParam(r, "limit", lastmile.DefaultLimit, 1, lastmile.MaxLimit)
	if err != nil {
		return err
	}
	f.Limit = n
	after, err := intParam(r, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	f.After = int64(after)
	for name, t := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			if *t, err = time.Parse(time.RFC3339, v); err != nil {
				return lastmile.Invalidf(name, "%q is not an RFC 3339 time", v)
			}
		}
	}
	evs, err := s.store.Events(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(evs) == f.Limit {
		next = itoa(int(evs[len(evs)-1].Seq))
	}
	return writeList(w, evs, next)
}

// statusRequest moves a stop.
type statusRequest struct {
	Status   string          `json:"status"`
	Reason   string          `json:"reason,omitempty"`
	Position *lastmile.Point `json:"position,omitempty"`
	Version  int64           `json:"version,omitempty"`
}

// statusResponse is the order after a stop update, with what the failed
// delivery policy decided.
type statusResponse struct {
	*lastmile.Order
	Outcome string `json:"outcome,omitempty"`
	// OutcomeNote says why the outcome is not the policy's: its pickup
	// point was full.
	OutcomeNote string `json:"outcome_note,omitempty"`
}

func (s *Server) orderStatus(w http.ResponseWriter, r *http.Request) error {
	var req statusRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Position != nil {
		if err := req.Position.Validate(); err != nil {
			return lastmile.Invalidf("position", "%s", lastmile.ErrorMessage(err))
		}
	}
	k := caller(r)
	switch req.Status {
	case lastmile.StatusDelivered:
		return lastmile.Invalidf("status", "deliveries are completed with proof: POST /v1/orders/{id}/pod")
	case lastmile.StatusArrived, lastmile.StatusFailed:
	case lastmile.StatusCancelled, lastmile.StatusLoaded, lastmile.StatusOutForDelivery, lastmile.StatusReturned:
		if k.Role == lastmile.RoleDriver && req.Status == lastmile.StatusCancelled {
			return lastmile.Errorf(lastmile.EForbidden, "status", "drivers may not cancel orders")
		}
		if k.Role == lastmile.RoleDriver && req.Status == lastmile.StatusReturned {
			return lastmile.Errorf(lastmile.EForbidden, "status", "the station takes back parcels left at a pickup point")
		}
	default:
		if !lastmile.ValidStatus(req.Status) {
			return lastmile.Invalidf("status", "%q is not a stop status", req.Status)
		}
		return lastmile.Invalidf("status", "%s is set by planning and publishing, not directly", req.Status)
	}
	ver, err := ifMatch(r, req.Version)
	if err != nil {
		return err
	}
	var outcome, note string
	var full error // the policy's pickup point refused the parcel
	edit := func(o *lastmile.Order, st *lastmile.Station) (lastmile.Change, error) {
		now := s.now().UTC()
		if err := o.Transition(req.Status, req.Reason, now); err != nil {
			return lastmile.Change{}, err
		}
		data := map[string]any{"to": req.Status}
		typ := "order.status"
		if req.Status == lastmile.StatusFailed {
			policy := st.FailurePolicy
			if full != nil && policy.Action == lastmile.PolicyRedirect {
				policy.Action = lastmile.PolicyReattempt
				note = lastmile.ErrorMessage(full) + "; a new attempt is scheduled instead"
			}
			next, err := o.ApplyPolicy(policy, st.Loc(), now)
			if err != nil {
				return lastmile.Change{}, err
			}
			outcome = next
			typ = "order.failed"
			data = map[string]any{"reason": req.Reason, "attempt": o.Attempts, "outcome": next}
			if note != "" {
				data["redirect_refused"] = note
			}
		}
		c := change(r, typ, data)
		c.Position = req.Position
		switch req.Status {
		case lastmile.StatusFailed:
			c.Outbox = s.lifecycleOutbox(r.Context(), o, notify.TopicFailed)
		case lastmile.StatusArrived:
			c.Outbox = s.lifecycleOutbox(r.Context(), o, notify.TopicArrived)
		}
		return c, nil
	}
	o, err := s.updateOrder(r, pathID(r, "id"), ver, edit)
	if err != nil && pointFull(err) && req.Status == lastmile.StatusFailed {
		// The failure is recorded all the same: a driver at the door
		// cannot make room in a locker.
		full = err
		o, err = s.updateOrder(r, pathID(r, "id"), ver, edit)
	}
	if err != nil {
		return err
	}
	s.stopChanged(o)
	etag(w, o.Version)
	return writeJSON(w, http.StatusOK, statusResponse{Order: orderView(o), Outcome: outcome, OutcomeNote: note})
}

// updateOrder applies edit to an order the caller may see and stores it.
// With version 0 it retries on concurrent changes; otherwise the stored
// version must be version.
func (s *Server) updateOrder(r *http.Request, id string, version int64, edit func(*lastmile.Order, *lastmile.Station) (lastmile.Change, error)) (*lastmile.Order, error) {
	for try := 0; ; try++ {
		o, err := s.order(r, id)
		if err != nil {
			return nil, err
		}
		if version > 0 && o.Version != version {
			return nil, lastmile.Errorf(lastmile.EConflict, "version", "order %s is at version %d, not %d", o.ID, o.Version, version)
		}
		st, err := s.store.Station(r.Context(), o.StationID)
		if err != nil {
			return nil, err
		}
		prev, held := o.RedirectTo, lastmile.HoldsPoint(o, o.RedirectTo)
		c, err := edit(o, st)
		if err != nil {
			return nil, err
		}
		err = s.saveOrder(r.Context(), o, st, prev, held, c)
		if err == nil {
			return o, nil
		}
		if version > 0 || lastmile.ErrorCode(err) != lastmile.EConflict || pointFull(err) || try >= 5 {
			return nil, err
		}
	}
}

// saveOrder stores an edited order. An order newly sent to a pickup point
// (prev and held are its point and whether it took room there before the
// edit) takes room there: a full point refuses it with EConflict on
// redirect_to, race-free across servers.
func (s *Server) saveOrder(ctx context.Context, o *lastmile.Order, st *lastmile.Station, prev string, held bool, c lastmile.Change) error {
	if !lastmile.HoldsPoint(o, o.RedirectTo) || (held && prev == o.RedirectTo) {
		return s.store.UpdateOrders(ctx, []*lastmile.Order{o}, c)
	}
	p, _ := st.PickupPoint(o.RedirectTo)
	return s.store.UpdateOrdersAtPoint(ctx, []*lastmile.Order{o},
		lastmile.PointHold{StationID: st.ID, PointID: o.RedirectTo, Capacity: p.Capacity, Field: "redirect_to"}, c)
}

// pointFull reports whether err is a full pickup point's refusal.
func pointFull(err error) bool {
	return lastmile.ErrorCode(err) == lastmile.EConflict && lastmile.ErrorField(err) == "redirect_to"
}

func (s *Server) eraseOrder(w http.ResponseWriter, r *http.Request) error {
	var keys []string
	o, err := s.updateOrder(r, pathID(r, "id"), 0, func(o *lastmile.Order, _ *lastmile.Station) (lastmile.Change, error) {
		if o.POD != nil {
			keys = append(append([]string(nil), o.POD.Photos...), o.POD.Signature)
		}
		o.Erase()
		return change(r, "order.erased", nil), nil
	})
	if err != nil {
		return err
	}
	if s.cfg.Blobs != nil {
		for _, k := range keys {
			if k != "" {
				if err := s.cfg.Blobs.Delete(r.Context(), k); err != nil {
					s.log.Warn("erase: blob not deleted", "key", k, "err", err)
				}
			}
		}
	}
	return writeJSON(w, http.StatusOK, orderView(o))
}
