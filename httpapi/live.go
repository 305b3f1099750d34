package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
	"github.com/lastmile-dev/lastmile/tracking"
)

// Webhook is a receiver of notifications: every message of its topics (all
// when empty) and stations (all when empty) is posted to URL, signed with
// Secret.
type Webhook struct {
	ID         string   `json:"id,omitempty"` // registered through the API; none when configured
	URL        string   `json:"url"`
	Secret     string   `json:"-"`
	Topics     []string `json:"topics,omitempty"`
	StationIDs []string `json:"station_ids,omitempty"`
}

// Live tracking defaults.
const (
	defaultHistoryEvery = 15 * time.Second
	// Routes and the day's plans are cached this long; changes made
	// through this server invalidate them at once, others' within it.
	routeCacheTTL   = 30 * time.Second
	vehicleCacheTTL = 30 * time.Second
	// A vehicle may send this many positions in a burst (a phone back
	// online with its buffer) and this many per second after.
	positionBurst  = 1200
	positionPerSec = 5.0
)

// trackingActor is the actor of changes made by geofences.
var trackingActor = lastmile.Actor{Role: "system", Name: "tracking"}

// live is the server's live-tracking state: the tracker, the routes being
// driven, the device registry, the SSE hub.
type live struct {
	tr      *tracking.Tracker
	learner *tracking.Learner
	// learnedSaved is the learner's observation count when its values were
	// last loaded or saved.
	learnedSaved atomic.Uint64
	finished     finishedStops // ends of stops that left their route
	hub          *hub

	mu        sync.Mutex
	routes    map[string]*liveRoute // by vehicle id
	vehicles  map[string]cachedVehicle
	devices   map[string]string // device id → vehicle id
	devicesAt time.Time
	stored    map[string]time.Time          // last position kept in the history, per vehicle
	progress  map[string]*tracking.Progress // by route id
	buckets   map[string]*bucket            // rate limit per vehicle
	plans     map[string]cachedPlans        // published plans by station and date
	hooks     []Webhook                     // configured and registered receivers
	hooksAt   time.Time
}

type cachedPlans struct {
	ps []*lastmile.Plan
	at time.Time
}

type cachedVehicle struct {
	v  *lastmile.Vehicle
	at time.Time
}

// liveRoute is a vehicle's dispatched route; rt is nil when it has none.
type liveRoute struct {
	rt      *tracking.Route
	plan    *lastmile.Plan
	route   *lastmile.Route
	station *lastmile.Station
	loaded  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLive(cfg Config, now func() time.Time) *live {
	tc := cfg.Tracking
	if tc.Now == nil {
		tc.Now = now
	}
	if tc.Travel == nil {
		tc.Travel = tracking.FromSource(cfg.Travel, "car")
	}
	// The server always learns (and saves what it learns); a Service
	// given in the configuration decides only the times at stops.
	l := tc.Learner
	if given, ok := tc.Service.(*tracking.Learner); ok && l == nil {
		l = given
	}
	if l == nil {
		l = &tracking.Learner{}
	}
	tc.Learner = l
	return &live{tr: tracking.New(tc), learner: l, hub: newHub(),
		routes: map[string]*liveRoute{}, vehicles: map[string]cachedVehicle{}, devices: map[string]string{},
		stored: map[string]time.Time{}, progress: map[string]*tracking.Progress{}, buckets: map[string]*bucket{},
		plans: map[string]cachedPlans{}}
}

// allow takes n tokens of a vehicle's bucket.
func (l *live) allow(vehicleID string, n int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[vehicleID]
	if b == nil {
		b = &bucket{tokens: positionBurst, at: now}
		l.buckets[vehicleID] = b
	}
	b.tokens = min(positionBurst, b.tokens+now.Sub(b.at).Seconds()*positionPerSec)
	b.at = now
	if b.tokens < float64(n) {
		return false
	}
	b.tokens -= float64(n)
	return true
}

// vehicle returns a vehicle through a short cache.
func (s *Server) liveVehicle(ctx context.Context, id string) (*lastmile.Vehicle, error) {
	now := time.Now()
	s.live.mu.Lock()
	c, ok := s.live.vehicles[id]
	s.live.mu.Unlock()
	if ok && now.Sub(c.at) < vehicleCacheTTL {
		return c.v, nil
	}
	v, err := s.store.Vehicle(ctx, id)
	if err != nil {
		return nil, err
	}
	s.live.mu.Lock()
	s.live.vehicles[id] = cachedVehicle{v: v, at: now}
	s.live.mu.Unlock()
	return v, nil
}

// vehicleByDevice maps a tracker's device id to its vehicle, reloading the
// registry at most once per second when the id is unknown.
func (s *Server) vehicleByDevice(ctx context.Context, device string) (string, error) {
	s.live.mu.Lock()
	id, ok := s.live.devices[device]
	fresh := time.Since(s.live.devicesAt) < time.Second

	s.live.mu.Unlock()
	if ok && time.Since(s.live.devicesAt) < vehicleCacheTTL {
		return id, nil
	}
	if !ok && fresh {
		return "", lastmile.Errorf(lastmile.EForbidden, "id", "device %q is not registered to a vehicle", device)
	}
	m := map[string]string{}
	cursor := ""
	for {
		vs, next, err := s.store.ListVehicles(ctx, lastmile.FleetFilter{Page: lastmile.Page{Limit: lastmile.MaxLimit, Cursor: cursor}})
		if err != nil {
			return "", err
		}
		for _, v := range vs {
			if v.DeviceID != "" {
				m[v.DeviceID] = v.ID
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	s.live.mu.Lock()
	s.live.devices, s.live.devicesAt = m, time.Now()
	s.live.mu.Unlock()
	if id, ok := m[device]; ok {
		return id, nil
	}
	return "", lastmile.Errorf(lastmile.EForbidden, "id", "device %q is not registered to a vehicle", device)
}

// deviceFree refuses a device id another vehicle than self already has,
// and refreshes the device registry so that a change applies at once.
func (s *Server) deviceFree(ctx context.Context, device, self string) error {
	s.live.mu.Lock()
	s.live.devicesAt = time.Time{}
	s.live.mu.Unlock()
	if device == "" {
		return nil
	}
	id, err := s.vehicleByDevice(ctx, device)
	switch {
	case lastmile.ErrorCode(err) == lastmile.EForbidden:
		return nil
	case err != nil:
		return err
	case id != self:
		return lastmile.Errorf(lastmile.EConflict, "device_id", "device %q is already used by vehicle %s", device, id)
	}
	return nil
}

// vehicleChanged forgets what is cached of a vehicle after it changed
// (deactivated, a new device).
func (s *Server) vehicleChanged(id string) {
	s.live.mu.Lock()
	delete(s.live.vehicles, id)
	s.live.devicesAt = time.Time{}
	s.live.mu.Unlock()
}

// activeRoute returns the vehicle's dispatched route of the station's
// day (the one dispatched last), through a short cache.
func (s *Server) activeRoute(ctx context.Context, vehicleID string) (*liveRoute, error) {
	s.live.mu.Lock()
	lr, ok := s.live.routes[vehicleID]
	s.live.mu.Unlock()
	if ok && time.Since(lr.loaded) < routeCacheTTL {
		return lr, nil
	}
	v, err := s.liveVehicle(ctx, vehicleID)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Station(ctx, v.StationID)
	if err != nil {
		return nil, err
	}
	lr = &liveRoute{station: st, loaded: time.Now()}
	date := s.now().In(st.Loc()).Format(lastmile.DateLayout)
	ps, err := s.dayPlans(ctx, st.ID, date)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		for i := range p.Routes {
			r := &p.Routes[i]
			if r.VehicleID == v.ID && r.Dispatched != nil && (lr.route == nil || r.Dispatched.After(*lr.route.Dispatched)) {
				lr.plan, lr.route = p, r
			}
		}
	}
	if lr.route != nil {
		orders, err := s.ordersOfRoute(ctx, lr.route.ID)
		if err != nil {
			return nil, err
		}
		lr.rt = tracking.RouteOf(lr.route, st.ID, st.Location, st.Zones, orders)
		s.live.finished.fill(lr.rt)
	}
	s.live.mu.Lock()
	s.live.routes[vehicleID] = lr
	s.live.mu.Unlock()
	return lr, nil
}

// dayPlans returns a station's published plans of a date, through a cache
// shared by its vehicles.
func (s *Server) dayPlans(ctx context.Context, stationID, date string) ([]*lastmile.Plan, error) {
	key := stationID + "/" + date
	s.live.mu.Lock()
	c, ok := s.live.plans[key]
	s.live.mu.Unlock()
	if ok && time.Since(c.at) < routeCacheTTL {
		return c.ps, nil
	}
	ps, _, err := s.store.ListPlans(ctx, lastmile.PlanFilter{StationIDs: []string{stationID}, Date: date, Status: lastmile.PlanPublished, Page: lastmile.Page{Limit: lastmile.MaxLimit}})
	if err != nil {
		return nil, err
	}
	s.live.mu.Lock()
	s.live.plans[key] = cachedPlans{ps: ps, at: time.Now()}
	s.live.mu.Unlock()
	return ps, nil
}

// forgetRoute drops a vehicle's cached route (its stops changed).
func (s *Server) forgetRoute(vehicleID string) {
	s.live.mu.Lock()
	delete(s.live.routes, vehicleID)
	s.live.mu.Unlock()
}

// forgetPlans drops a station's cached plans (a route was dispatched).
func (s *Server) forgetPlans(stationID string) {
	s.live.mu.Lock()
	for k := range s.live.plans {
		if strings.HasPrefix(k, stationID+"/") {
			delete(s.live.plans, k)
		}
	}
	s.live.mu.Unlock()
}

func (s *Server) ordersOfRoute(ctx context.Context, routeID string) (map[string]*lastmile.Order, error) {
	out := map[string]*lastmile.Order{}
	cursor := ""
	for {
		os, next, err := s.store.ListOrders(ctx, lastmile.OrderFilter{RouteID: routeID, Page: lastmile.Page{Limit: lastmile.MaxLimit, Cursor: cursor}})
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

// ingest runs positions through the tracker: verdicts in input order. The
// accepted ones update the live state, stream to subscribers, move stops
// by their geofence events and go to the history (at most one per vehicle
// per HistoryEvery, plus those of events).
func (s *Server) ingest(ctx context.Context, ps []lastmile.Position) ([]tracking.Verdict, error) {
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]].At.Before(ps[idx[b]].At) })
	verdicts := make([]tracking.Verdict, len(ps))
	var keep []lastmile.Position
	var errs []error
	for _, i := range idx {
		p := ps[i]
		lr, err := s.activeRoute(ctx, p.VehicleID)
		if err != nil {
			return nil, err
		}
		res, err := s.live.tr.Update(ctx, lr.rt, p)
		if err != nil {
			return nil, err
		}
		verdicts[i] = res.Verdict
		if res.Verdict != tracking.Accepted {
			continue
		}
		s.live.mu.Lock()
		if p.At.Sub(s.live.stored[p.VehicleID]) >= s.cfg.HistoryEvery || len(res.Events) > 0 {
			s.live.stored[p.VehicleID] = p.At
			keep = append(keep, p)
		}
		if res.Progress != nil {
			s.live.progress[res.Progress.RouteID] = res.Progress
		}
		s.live.mu.Unlock()
		s.publishPosition(lr, p, res.Progress)
		for _, e := range res.Events {
			if err := s.onTrackEvent(ctx, lr, e, res.Progress); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := s.store.AddPositions(ctx, keep); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		s.log.Warn("tracking events", "err", err)
	}
	return verdicts, nil
}

// eventTopic maps tracker events to notification topics.
var eventTopic = map[string]string{
	tracking.EventArrived: notify.TopicArrived, tracking.EventDeparted: notify.TopicDeparted,
	tracking.EventApproaching: notify.TopicApproaching, tracking.EventAtRisk: notify.TopicAtRisk,
	tracking.EventStationLeft: notify.TopicStationLeft, tracking.EventStationReturned: notify.TopicStationReturned,
	tracking.EventZoneEntered: notify.TopicZoneEntered, tracking.EventZoneExited: notify.TopicZoneExited,
}

// onTrackEvent acts on a geofence event: an arrival moves the stop to
// arrived (with its notifications, in the same transaction); every event
// is streamed and notified.
func (s *Server) onTrackEvent(ctx context.Context, lr *liveRoute, e tracking.Event, pr *tracking.Progress) error {
	stationID := ""
	if lr.station != nil {
		stationID = lr.station.ID
	}
	s.live.hub.publish("station:"+stationID, "alert", e)
	topic := eventTopic[e.Type]
	var o *lastmile.Order
	if e.OrderID != "" {
		var err error
		if o, err = s.store.Order(ctx, e.OrderID); err != nil {
			return err
		}
	}
	if e.Type == tracking.EventArrived && o != nil && o.Status == lastmile.StatusOutForDelivery {
		for try := 0; ; try++ {
			if err := o.Transition(lastmile.StatusArrived, "", s.now().UTC()); err != nil {
				return err
			}
			pos := e.Position
			c := lastmile.Change{Actor: trackingActor, Type: "order.status", Position: &pos,
				Data:   map[string]any{"to": lastmile.StatusArrived, "source": "geofence", "vehicle_id": e.VehicleID},
				Outbox: s.messages(ctx, topic, o, lr, e, pr)}
			err := s.store.UpdateOrders(ctx, []*lastmile.Order{o}, c)
			if err == nil {
				break
			}
			if lastmile.ErrorCode(err) != lastmile.EConflict || try >= 3 {
				return err
			}
			if o, err = s.store.Order(ctx, e.OrderID); err != nil || o.Status != lastmile.StatusOutForDelivery {
				return err
			}
		}
		s.forgetRoute(e.VehicleID)
		s.publishStop(stationID, o)
		return nil
	}
	if o != nil && closedFor(e.Type, o) {
		return nil // the recipient has nothing more to hear about this stop
	}
	ms := s.messages(ctx, topic, o, lr, e, pr)
	if len(ms) == 0 {
		return nil
	}
	return s.store.AddMessages(ctx, ms)
}

func closedFor(typ string, o *lastmile.Order) bool {
	return typ == tracking.EventApproaching && o.Status != lastmile.StatusOutForDelivery
}

// messages builds the outbox messages of a topic: one per matching webhook
// and, for recipient topics, one per recipient channel (held back during
// quiet hours).
func (s *Server) messages(ctx context.Context, topic string, o *lastmile.Order, lr *liveRoute, e any, pr *tracking.Progress) []lastmile.OutboxMessage {
	now := s.now().UTC()
	stationID, routeID, vehicleID := "", "", ""
	var st *lastmile.Station
	if lr != nil {
		st = lr.station
		if lr.route != nil {
			routeID, vehicleID = lr.route.ID, lr.route.VehicleID
		}
	}
	if st != nil {
		stationID = st.ID
	} else if o != nil {
		stationID = o.StationID
	}
	body := map[string]any{"topic": topic, "at": now, "station_id": stationID}
	if routeID != "" {
		body["route_id"], body["vehicle_id"] = routeID, vehicleID
	}
	if o != nil {
		body["order_id"], body["external_id"], body["status"] = o.ID, o.ExternalID, o.Status
		if w := etaOf(pr, o.ID); w != nil {
			body["eta"], body["eta_window"] = w.ETA, map[string]time.Time{"earliest": w.Earliest, "latest": w.Latest}
		}
		body["tracking_url"] = s.trackURL(o)
	}
	if e != nil {
		body["event"] = e
	}
	var out []lastmile.OutboxMessage
	for _, wh := range s.webhooks(ctx) {
		if (len(wh.Topics) > 0 && !slices.Contains(wh.Topics, topic)) || (len(wh.StationIDs) > 0 && !slices.Contains(wh.StationIDs, stationID)) {
			continue
		}
		id := lastmile.NewID("msg", now)
		body["id"] = id
		payload, _ := json.Marshal(body)
		out = append(out, lastmile.OutboxMessage{ID: id, Topic: topic, StationID: stationID, OrderID: orderID(o),
			Channel: lastmile.ChannelWebhook, Target: wh.URL, Payload: payload, NextAttemptAt: now})
	}
	if o == nil || o.Erased {
		return out
	}
	if o.Kind == lastmile.KindReturn && topic == notify.TopicDelivered {
		topic = notify.TopicReturnCollected
	}
	d := notify.Data{ExternalID: o.ExternalID, TrackURL: s.trackURL(o), PODURL: s.trackURL(o), RescheduleURL: s.trackURL(o)}
	if st != nil {
		d.Station = st.Name
	}
	loc := time.UTC
	if st != nil {
		loc = st.Loc()
	}
	if w := etaOf(pr, o.ID); w != nil {
		d.From, d.To = w.Earliest.In(loc).Format("15:04"), w.Latest.In(loc).Format("15:04")
	}
	if lr != nil && lr.route != nil && lr.route.DriverID != "" {
		if dr, err := s.store.Driver(ctx, lr.route.DriverID); err == nil {
			d.Driver = notify.FirstName(dr.Name)
		}
	}
	txt, ok := notify.Render(topic, d)
	if !ok {
		return out
	}
	payload, _ := json.Marshal(txt)
	next := now
	if until, quiet := notify.QuietUntil(o.Notify, loc, now); quiet {
		if topic == notify.TopicApproaching || topic == notify.TopicArrived {
			return out // stale by the morning
		}
		next = until.UTC()
	}
	for ch, target := range notify.Channels(o) {
		if (ch == lastmile.ChannelEmail && !s.cfg.Email) || (ch == lastmile.ChannelSMS && !s.cfg.SMS) {
			continue
		}
		out = append(out, lastmile.OutboxMessage{ID: lastmile.NewID("msg", now), Topic: topic, StationID: stationID, OrderID: o.ID,
			Channel: ch, Target: target, Payload: payload, NextAttemptAt: next})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel+out[i].Target < out[j].Channel+out[j].Target })
	return out
}

func orderID(o *lastmile.Order) string {
	if o == nil {
		return ""
	}
	return o.ID
}

func etaOf(pr *tracking.Progress, orderID string) *tracking.StopETA {
	if pr == nil {
		return nil
	}
	for i := range pr.ETAs {
		if pr.ETAs[i].OrderID == orderID {
			return &pr.ETAs[i]
		}
	}
	return nil
}

// trackURL is the recipient's tracking page of an order (served by the web
// app at /t/{token}; its data comes from /v1/track/{token}).
func (s *Server) trackURL(o *lastmile.Order) string {
	return strings.TrimSuffix(s.cfg.PublicURL, "/") + "/t/" + url.PathEscape(o.TrackingToken)
}

// lifecycleOutbox returns the notifications of an order's status change
// made through the API (dispatch, delivery, failure), for the change's
// transaction.
func (s *Server) lifecycleOutbox(ctx context.Context, o *lastmile.Order, topic string) []lastmile.OutboxMessage {
	if len(s.webhooks(ctx)) == 0 && !s.cfg.Email && !s.cfg.SMS {
		return nil
	}
	var lr *liveRoute
	var pr *tracking.Progress
	if o.RouteID != "" {
		if ref, err := s.route(ctx, o.RouteID); err == nil {
			if l, err := s.activeRoute(ctx, ref.Route.VehicleID); err == nil {
				lr = l
				s.live.mu.Lock()
				pr = s.live.progress[o.RouteID]
				s.live.mu.Unlock()
			}
		}
	}
	if lr == nil {
		if st, err := s.store.Station(ctx, o.StationID); err == nil {
			lr = &liveRoute{station: st}
		}
	}
	return s.messages(ctx, topic, o, lr, nil, pr)
}

// SweepPositions erases position history older than the retention.
func (s *Server) SweepPositions(ctx context.Context) (int64, error) {
	if s.cfg.PositionRetention <= 0 {
		return 0, nil
	}
	return s.store.DeletePositionsBefore(ctx, s.now().Add(-s.cfg.PositionRetention))
}

// WebhookSecret returns the signing secret of a webhook URL.
func (s *Server) WebhookSecret(target string) string {
	for _, w := range s.webhooks(context.Background()) {
		if w.URL == target {
			return w.Secret
		}
	}
	return ""
}

// dispatchOutbox returns the "out for delivery" notifications of a route
// being dispatched, with each stop's ETA window from the tracker.
func (s *Server) dispatchOutbox(ctx context.Context, p *lastmile.Plan, rt *lastmile.Route, orders map[string]*lastmile.Order) ([]lastmile.OutboxMessage, error) {
	if len(s.webhooks(ctx)) == 0 && !s.cfg.Email && !s.cfg.SMS {
		return nil, nil
	}
	st, err := s.store.Station(ctx, p.StationID)
	if err != nil {
		return nil, err
	}
	lr := &liveRoute{rt: tracking.RouteOf(rt, st.ID, st.Location, st.Zones, orders), plan: p, route: rt, station: st}
	pr, err := s.live.tr.Progress(ctx, lr.rt)
	if err != nil {
		return nil, err
	}
	var out []lastmile.OutboxMessage
	for _, stop := range rt.Stops {
		if o := orders[stop.OrderID]; o != nil && o.Status == lastmile.StatusOutForDelivery {
			out = append(out, s.messages(ctx, notify.TopicDispatched, o, lr, nil, pr)...)
		}
	}
	return out, nil
}

// stopChanged refreshes the live state after a stop changed through the
// API: the vehicle's route is reloaded and subscribers are told.
func (s *Server) stopChanged(o *lastmile.Order) {
	s.live.finished.note(o)
	s.live.mu.Lock()
	for v, lr := range s.live.routes {
		if lr.rt != nil && hasStop(lr.rt, o.ID) {
			delete(s.live.routes, v)
		}
	}
	s.live.mu.Unlock()
	s.publishStop(o.StationID, o)
}

func hasStop(rt *tracking.Route, orderID string) bool {
	for _, st := range rt.Stops {
		if st.OrderID == orderID {
			return true
		}
	}
	return false
}
