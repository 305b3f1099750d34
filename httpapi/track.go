package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
)

// trackView is what a recipient sees with the tracking token: one stop's
// status, timeline and ETA window; the driver's first name and the
// vehicle's position only while this stop is the next one; the proof of
// delivery once delivered. Nothing about other stops, no personal data
// beyond what the recipient gave.
type trackView struct {
	ExternalID   string                 `json:"external_id"`
	Kind         string                 `json:"kind"`
	Status       string                 `json:"status"`
	ServiceDate  string                 `json:"service_date"`
	Window       *lastmile.Window       `json:"window,omitempty"`
	ETA          *time.Time             `json:"eta,omitempty"`
	ETAWindow    *etaWindow             `json:"eta_window,omitempty"`
	StopsAway    *int                   `json:"stops_away,omitempty"`
	Driver       string                 `json:"driver,omitempty"`
	Vehicle      *lastmile.Point        `json:"vehicle,omitempty"`
	Attempts     int                    `json:"attempts"`
	RedirectTo   *lastmile.PickupPoint  `json:"redirect_to,omitempty"`
	DeliveredAt  *time.Time             `json:"delivered_at,omitempty"`
	POD          *trackPOD              `json:"pod,omitempty"`
	Timeline     []timelineEntry        `json:"timeline"`
	Actions      []string               `json:"actions"` // what the recipient may still change
	PickupPoints []lastmile.PickupPoint `json:"pickup_points,omitempty"`
	SafePlace    string                 `json:"safe_place,omitempty"`
	Notify       *lastmile.NotifyPrefs  `json:"notify,omitempty"`
	Failure      string                 `json:"failure_reason,omitempty"`
}

type etaWindow struct {
	Earliest time.Time `json:"earliest"`
	Latest   time.Time `json:"latest"`
}

type trackPOD struct {
	At          time.Time `json:"at"`
	Photos      int       `json:"photos"`
	PhotoURLs   []string  `json:"photo_urls,omitempty"` // under this token
	Signed      bool      `json:"signed"`
	OTPVerified bool      `json:"otp_verified"`
}

type timelineEntry struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

func (s *Server) orderByToken(r *http.Request) (*lastmile.Order, error) {
	tok := pathID(r, "token")
	if len(tok) < 20 || len(tok) > 64 {
		return nil, lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	o, err := s.store.OrderByToken(r.Context(), tok)
	if lastmile.ErrorCode(err) == lastmile.ENotFound {
		return nil, lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	return o, err
}

// beforeDeparture reports whether the recipient may still change the
// delivery: the van has not left with it.
func beforeDeparture(o *lastmile.Order) bool {
	switch o.Status {
	case lastmile.StatusPending, lastmile.StatusPlanned, lastmile.StatusLoaded, lastmile.StatusReattemptScheduled:
		return true
	}
	return false
}

func (s *Server) trackViewOf(ctx context.Context, o *lastmile.Order) (*trackView, error) {
	v := &trackView{ExternalID: o.ExternalID, Kind: o.Kind, Status: o.Status, ServiceDate: o.ServiceDate, Window: o.Window,
		Attempts: o.Attempts, Timeline: []timelineEntry{}, Actions: []string{}, SafePlace: o.SafePlace, Notify: o.Notify, Failure: o.FailureReason}
	st, err := s.store.Station(ctx, o.StationID)
	if err != nil {
		return nil, err
	}
	if o.RouteID != "" && o.ClosedAt == nil {
		if ref, err := s.route(ctx, o.RouteID); err == nil {
			rt := &ref.Route
			for _, stop := range rt.Stops {
				if stop.OrderID == o.ID {
					eta := stop.ETA
					v.ETA = &eta
				}
			}
			if rt.Dispatched != nil && (o.Status == lastmile.StatusOutForDelivery || o.Status == lastmile.StatusArrived) {
				if err := s.liveETA(ctx, o, rt, v); err != nil {
					return nil, err
				}
			}
		}
	}
	if o.RedirectTo != "" {
		if p, ok := st.PickupPoint(o.RedirectTo); ok {
			v.RedirectTo = &p
		}
	}
	if o.Status == lastmile.StatusDelivered {
		v.DeliveredAt = o.ClosedAt
		if o.POD != nil {
			v.POD = &trackPOD{At: o.POD.At, Photos: len(o.POD.Photos), Signed: o.POD.Signature != "", OTPVerified: o.POD.OTPVerified}
			for _, k := range o.POD.Photos {
				v.POD.PhotoURLs = append(v.POD.PhotoURLs, "/v1/track/"+url.PathEscape(o.TrackingToken)+"/pod/"+url.PathEscape(path.Base(k)))
			}
		}
	}
	evs, err := s.store.Events(ctx, lastmile.EventFilter{EntityType: "order", EntityID: o.ID, Limit: lastmile.MaxLimit})
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if e.Status == "" || (len(v.Timeline) > 0 && v.Timeline[len(v.Timeline)-1].Status == e.Status) {
			continue
		}
		v.Timeline = append(v.Timeline, timelineEntry{Status: e.Status, At: e.At})
	}
	if beforeDeparture(o) {
		v.Actions = []string{"instructions", "safe_place", "notify", "reschedule", "redirect"}
		if o.Status == lastmile.StatusLoaded {
			v.Actions = []string{"instructions", "safe_place", "notify"}
		}
		v.PickupPoints = st.PickupPoints
	}
	return v, nil
}

// liveETA fills the live ETA window and, while this stop is the next, the
// driver's first name and the vehicle's position.
func (s *Server) liveETA(ctx context.Context, o *lastmile.Order, rt *lastmile.Route, v *trackView) error {
	lr, err := s.activeRoute(ctx, rt.VehicleID)
	if err != nil || lr.rt == nil || lr.rt.ID != rt.ID {
		return err
	}
	pr, err := s.live.tr.Progress(ctx, lr.rt)
	if err != nil {
		return err
	}
	if rt.DriverID != "" {
		if d, err := s.store.Driver(ctx, rt.DriverID); err == nil {
			v.Driver = notify.FirstName(d.Name)
		}
	}
	e := etaOf(pr, o.ID)
	if e == nil {
		return nil
	}
	eta := e.ETA
	away := e.StopsAway
	v.ETA, v.StopsAway = &eta, &away
	v.ETAWindow = &etaWindow{Earliest: e.Earliest, Latest: e.Latest}
	if away == 0 && o.Status == lastmile.StatusOutForDelivery {
		if p, ok := s.live.tr.Last(rt.VehicleID); ok {
			pt := p.Point()
			v.Vehicle = &pt
		}
	}
	return nil
}

// trackPhoto is GET /v1/track/{token}/pod/{file}: a photo of the proof of
// delivery, for the recipient (not the signature).
func (s *Server) trackPhoto(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderByToken(r)
	if err != nil {
		return err
	}
	key := path.Join("pod", o.ID, pathID(r, "file"))
	if o.Status != lastmile.StatusDelivered || o.POD == nil || o.Erased || !slices.Contains(o.POD.Photos, key) || s.cfg.Blobs == nil {
		return lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	rc, ct, err := s.cfg.Blobs.Get(r.Context(), key)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = io.Copy(w, rc)
	return err
}

// track is GET /v1/track/{token}.
func (s *Server) track(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderByToken(r)
	if err != nil {
		return err
	}
	v, err := s.trackViewOf(r.Context(), o)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, v)
}

type trackActionRequest struct {
	Instructions *string               `json:"instructions"`
	SafePlace    *string               `json:"safe_place"`
	Notify       *lastmile.NotifyPrefs `json:"notify"`
	Reschedule   string                `json:"reschedule_date"` // YYYY-MM-DD
	RedirectTo   string                `json:"redirect_to"`     // a pickup point or locker of the station
}

// trackAction is POST /v1/track/{token}/actions: before the van leaves, the
// recipient leaves instructions or a safe place, sets notification
// preferences, picks another day, or sends the parcel to a pickup point
// or locker.
func (s *Server) trackAction(w http.ResponseWriter, r *http.Request) error {
	var req trackActionRequest
	if err := decode(w, r, 64<<10, &req); err != nil {
		return err
	}
	o, err := s.orderByToken(r)
	if err != nil {
		return err
	}
	if req.Instructions == nil && req.SafePlace == nil && req.Notify == nil && req.Reschedule == "" && req.RedirectTo == "" {
		return lastmile.Invalidf("", "nothing to change: give instructions, safe_place, notify, reschedule_date or redirect_to")
	}
	st, err := s.store.Station(r.Context(), o.StationID)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		prev, held := o.RedirectTo, lastmile.HoldsPoint(o, o.RedirectTo)
		if err := s.applyTrackAction(r, o, st, req); err != nil {
			return err
		}
		c := lastmile.Change{Actor: lastmile.Actor{Role: "recipient"}, Type: "order.recipient_action", Data: map[string]any{
			"instructions": req.Instructions != nil, "safe_place": req.SafePlace != nil, "notify": req.Notify != nil,
			"reschedule_date": req.Reschedule, "redirect_to": req.RedirectTo}}
		err := s.saveOrder(r.Context(), o, st, prev, held, c)
		if err == nil {
			break
		}
		if lastmile.ErrorCode(err) != lastmile.EConflict || pointFull(err) || try >= 3 {
			return err
		}
		if o, err = s.store.Order(r.Context(), o.ID); err != nil {
			return err
		}
	}
	v, err := s.trackViewOf(r.Context(), o)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) applyTrackAction(r *http.Request, o *lastmile.Order, st *lastmile.Station, req trackActionRequest) error {
	if !beforeDeparture(o) {
		return lastmile.Errorf(lastmile.ETransition, "status", "the delivery is %s: it can no longer be changed here", o.Status)
	}
	if req.Instructions != nil {
		if len(*req.Instructions) > lastmile.MaxTextField {
			return lastmile.Invalidf("instructions", "longer than %d bytes", lastmile.MaxTextField)
		}
		o.Instructions = strings.TrimSpace(*req.Instructions)
	}
	if req.SafePlace != nil {
		if len(*req.SafePlace) > lastmile.MaxTextField {
			return lastmile.Invalidf("safe_place", "longer than %d bytes", lastmile.MaxTextField)
		}
		o.SafePlace = strings.TrimSpace(*req.SafePlace)
	}
	if req.Notify != nil {
		if err := req.Notify.Validate(); err != nil {
			return prefixErr("notify", err)
		}
		o.Notify = req.Notify
	}
	if req.Reschedule == "" && req.RedirectTo == "" {
		return nil
	}
	if o.Status == lastmile.StatusLoaded {
		field := "reschedule_date"
		if req.RedirectTo != "" {
			field = "redirect_to"
		}
		return lastmile.Errorf(lastmile.ETransition, field, "the parcel is already loaded: contact the station")
	}
	now := s.now()
	if req.Reschedule != "" {
		d, err := time.ParseInLocation(lastmile.DateLayout, req.Reschedule, st.Loc())
		today := now.In(st.Loc()).Format(lastmile.DateLayout)
		if err != nil {
			return lastmile.Invalidf("reschedule_date", "%q is not a date YYYY-MM-DD", req.Reschedule)
		}
		if req.Reschedule <= today || d.After(now.AddDate(0, 0, 14)) {
			return lastmile.Invalidf("reschedule_date", "%s is not between tomorrow and 14 days from now", req.Reschedule)
		}
		if _, _, open := st.Hours(d); !open {
			return lastmile.Invalidf("reschedule_date", "the station does not deliver on %s", req.Reschedule)
		}
		o.ServiceDate = req.Reschedule
		if o.Window != nil {
			o.Window, o.ServiceLevel = nil, lastmile.NextDay
		}
	}
	if req.RedirectTo != "" {
		p, ok := st.PickupPoint(req.RedirectTo)
		if !ok {
			return lastmile.Invalidf("redirect_to", "%q is not a pickup point of this station", req.RedirectTo)
		}
		o.RedirectTo = p.ID
		o.Address = lastmile.Address{Line1: p.Name, Line2: p.Address, Location: p.Location}
	}
	if o.Status == lastmile.StatusPlanned { // off its route: the next plan takes it
		if err := o.Transition(lastmile.StatusPending, "", now.UTC()); err != nil {
			return err
		}
	}
	return nil
}
