package tracking

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Event types.
const (
	EventArrived         = "arrived"          // inside a stop's radius for the dwell time
	EventDeparted        = "departed"         // left a stop it had arrived at
	EventApproaching     = "approaching"      // N stops away or ETA under T
	EventAtRisk          = "at_risk"          // a stop's risk rose (at_risk, then late)
	EventStationLeft     = "station_left"     // left the station's radius
	EventStationReturned = "station_returned" // came back into it
	EventZoneEntered     = "zone_entered"
	EventZoneExited      = "zone_exited"
)

// Event is a geofence or alert event.
type Event struct {
	Type      string         `json:"type"`
	VehicleID string         `json:"vehicle_id"`
	RouteID   string         `json:"route_id,omitempty"`
	OrderID   string         `json:"order_id,omitempty"`
	Seq       int            `json:"seq,omitempty"`
	Zone      string         `json:"zone,omitempty"`
	At        time.Time      `json:"at"`
	Position  lastmile.Point `json:"position"`
	DwellS    int64          `json:"dwell_s,omitempty"` // departed: time spent at the stop
	Risk      string         `json:"risk,omitempty"`
	ETA       *time.Time     `json:"eta,omitempty"`
}

// Zone is a custom geofence: a circle (Center, RadiusM) or a polygon
// (Polygon, [lon, lat] vertices).
type Zone struct {
	ID      string            `json:"id"`
	Center  lastmile.Point    `json:"center,omitzero"`
	RadiusM float64           `json:"radius_m,omitzero"`
	Polygon []lastmile.LonLat `json:"polygon,omitempty"`
}

// Contains reports whether p is inside the zone.
func (z Zone) Contains(p lastmile.Point) bool {
	return lastmile.Zone{ID: z.ID, Center: z.Center, RadiusM: z.RadiusM, Polygon: z.Polygon}.Contains(p)
}

// Config tunes a Tracker. Zero fields take defaults.
type Config struct {
	Now     func() time.Time // the clock (required for determinism; default time.Now)
	Filter  Filter
	Travel  Estimator    // from the position to the next stop (default StraightLine{})
	Service ServiceModel // expected time at stops (default: Learner, else the plan's)
	// Learner, when set, learns service ratios and time-of-day factors
	// from the positions; the factors scale travel times (unless Traffic
	// is set) whatever the Service. A Service that is a *Learner is the
	// Learner too.
	Learner *Learner
	Traffic func(at time.Time) float64
	StopM   float64       // arrival radius around a stop (default 60 m)
	Dwell   time.Duration // time inside the radius that makes an arrival (default 45 s)
	// ArriveAhead is how many of the next remaining stops an arrival may
	// be at (default 3).
	ArriveAhead int
	StationM    float64 // station radius (default 150 m)
	// ApproachStops and ApproachETA trigger "approaching": the stop is at
	// most this many stops away (default 1: it is the next one, after the
	// current), or its ETA is under this duration (default 10 min).
	ApproachStops int
	ApproachETA   time.Duration
	// WindowMin, WindowFrac and WindowMax shape the ETA window: its width
	// is WindowFrac of the time until arrival, between WindowMin and
	// WindowMax (defaults 4 min, 0.25, 60 min).
	WindowMin  time.Duration
	WindowFrac float64
	WindowMax  time.Duration
	Zones      []Zone
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Filter = c.Filter.withDefaults()
	if c.Travel == nil {
		c.Travel = StraightLine{}
	}
	if c.StopM <= 0 {
		c.StopM = 60
	}
	if c.Dwell <= 0 {
		c.Dwell = 45 * time.Second
	}
	if c.ArriveAhead <= 0 {
		c.ArriveAhead = 3
	}
	if c.StationM <= 0 {
		c.StationM = 150
	}
	if c.ApproachStops <= 0 {
		c.ApproachStops = 1
	}
	if c.ApproachETA <= 0 {
		c.ApproachETA = 10 * time.Minute
	}
	if c.WindowMin <= 0 {
		c.WindowMin = 4 * time.Minute
	}
	if c.WindowFrac <= 0 {
		c.WindowFrac = 0.25
	}
	if c.WindowMax <= 0 {
		c.WindowMax = time.Hour
	}
	return c
}

// Tracker keeps the live state of every vehicle. It is safe for concurrent
// use; updates of one vehicle are serialised.
type Tracker struct {
	cfg     Config
	learner *Learner // the service model, when it learns
	mu      sync.Mutex
	vs      map[string]*vehicle
}

// vehicle is one vehicle's state.
type vehicle struct {
	mu        sync.Mutex
	last      *lastmile.Position
	suspect   *lastmile.Position // a rejected jump, kept to recognise a real one
	routeID   string
	inside    string    // order id of the stop whose radius holds the vehicle
	since     time.Time // inside since
	arrived   string    // order id arrived at, until departed
	arrivedAt time.Time
	// the last departure, to learn the time of the next leg
	departedAt  time.Time
	departedIdx int
	// What service learning knows of the route: when the vehicle last came
	// within the arrival radius of a stop (entered), the stops it is near
	// now (until it is 1.5 radii away), when stops were finished, and the
	// stops already learned from.
	entered   map[string]time.Time
	near      map[string]lastmile.Point
	finished  map[string]time.Time
	windows   map[string]lastmile.Window // by order, as last seen (a failed stop leaves the route without it)
	windowsOf *Route                     // the route they were last read from
	learnedAt map[string]bool
	atStation *bool
	zones     map[string]bool
	approach  map[string]bool
	risk      map[string]string
}

// New returns a tracker.
func New(cfg Config) *Tracker {
	t := &Tracker{cfg: cfg.withDefaults(), vs: map[string]*vehicle{}}
	t.learner = t.cfg.Learner
	if l, ok := t.cfg.Service.(*Learner); ok && t.learner == nil {
		t.learner = l
	}
	if t.cfg.Service == nil && t.learner != nil {
		t.cfg.Service = t.learner
	}
	return t
}

func (t *Tracker) vehicle(id string) *vehicle {
	t.mu.Lock()
	defer t.mu.Unlock()
	v := t.vs[id]
	if v == nil {
		v = &vehicle{zones: map[string]bool{}, approach: map[string]bool{}, risk: map[string]string{}, departedIdx: -1,
			entered: map[string]time.Time{}, near: map[string]lastmile.Point{}, finished: map[string]time.Time{},
			windows: map[string]lastmile.Window{}, learnedAt: map[string]bool{}}
		t.vs[id] = v
	}
	return v
}

// Last returns the last accepted position of a vehicle.
func (t *Tracker) Last(vehicleID string) (lastmile.Position, bool) {
	v := t.vehicle(vehicleID)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last == nil {
		return lastmile.Position{}, false
	}
	return *v.last, true
}

// Result is what one position changed.
type Result struct {
	Verdict  Verdict   `json:"verdict"`
	Progress *Progress `json:"progress,omitempty"`
	Events   []Event   `json:"events,omitempty"`
}

// Update feeds one position of a vehicle. rt is the vehicle's current
// route (nil when it has none): with it the result holds the progress and
// ETAs. Rejected positions change nothing.
func (t *Tracker) Update(ctx context.Context, rt *Route, p lastmile.Position) (Result, error) {
	v := t.vehicle(p.VehicleID)
	v.mu.Lock()
	defer v.mu.Unlock()
	now := t.cfg.Now()
	verdict := t.cfg.Filter.Check(v.last, p, now)
	if verdict == Teleport {
		// Two fixes agreeing with each other after a jump mean the vehicle
		// really is there (a GPS gap, a ferry): accept the second.
		if v.suspect != nil && p.At.After(v.suspect.At) && plausible(t.cfg.Filter, *v.suspect, p) {
			verdict = Accepted
		} else {
			cp := p
			v.suspect = &cp
		}
	}
	res := Result{Verdict: verdict}
	if verdict != Accepted {
		return res, nil
	}
	cp := p
	v.last, v.suspect = &cp, nil
	if rt != nil && rt.ID != v.routeID {
		v.routeID, v.inside, v.arrived = rt.ID, "", ""
		clear(v.approach)
		clear(v.risk)
		clear(v.entered)
		clear(v.near)
		clear(v.finished)
		clear(v.learnedAt)
		for id, w := range v.windows { // kept across routes, seen at dispatch
			if p.At.Sub(w.End) > 24*time.Hour {
				delete(v.windows, id)
			}
		}
	}
	res.Events = t.fences(v, rt, p)
	if rt == nil {
		return res, nil
	}
	if t.learner != nil {
		t.learnService(v, rt, p, now)
	}
	pr, err := t.progress(ctx, v, rt, p, now)
	if err != nil {
		return res, err
	}
	res.Progress = pr
	res.Events = append(res.Events, t.alerts(v, rt, p, pr)...)
	return res, nil
}

// Progress recomputes a route's progress and ETAs from the vehicle's last
// position (for a stop changed by the driver, or a route just dispatched).
func (t *Tracker) Progress(ctx context.Context, rt *Route) (*Progress, error) {
	v := t.vehicle(rt.VehicleID)
	v.mu.Lock()
	defer v.mu.Unlock()
	now := t.cfg.Now()
	if t.learner != nil {
		rememberWindows(v, rt)
	}
	var p lastmile.Position
	if v.last != nil {
		p = *v.last
	} else {
		p = lastmile.Position{VehicleID: rt.VehicleID, At: now, Lat: rt.Station.Lat, Lon: rt.Station.Lon}
	}
	return t.progress(ctx, v, rt, p, now)
}

func event(typ string, p lastmile.Position, rt *Route) Event {
	e := Event{Type: typ, VehicleID: p.VehicleID, At: p.At, Position: p.Point()}
	if rt != nil {
		e.RouteID = rt.ID
	}
	return e
}

// fences works out arrivals, departures, station and zone crossings.
func (t *Tracker) fences(v *vehicle, rt *Route, p lastmile.Position) []Event {
	var out []Event
	pt := p.Point()
	if rt != nil {
		in := pt.DistanceM(rt.Station) <= t.cfg.StationM
		if v.atStation != nil && *v.atStation != in {
			typ := EventStationLeft
			if in {
				typ = EventStationReturned
			}
			out = append(out, event(typ, p, rt))
		}
		v.atStation = &in
	}
	zones := t.cfg.Zones
	if rt != nil && len(rt.Zones) > 0 {
		zones = append(append([]Zone(nil), zones...), rt.Zones...)
	}
	for _, z := range zones {
		in := z.Contains(pt)
		was, known := v.zones[z.ID]
		if known && was != in {
			e := event(EventZoneExited, p, rt)
			if in {
				e.Type = EventZoneEntered
			}
			e.Zone = z.ID
			out = append(out, e)
		}
		v.zones[z.ID] = in
	}
	if rt == nil {
		return out
	}
	// Departure from the stop arrived at: outside 1.5 radii (hysteresis).
	if v.arrived != "" {
		if s := rt.stop(v.arrived); s == nil || s.Location == nil || pt.DistanceM(*s.Location) > 1.5*t.cfg.StopM {
			e := event(EventDeparted, p, rt)
			e.OrderID = v.arrived
			if s != nil {
				e.Seq = s.Seq
				if dwell := int64(p.At.Sub(v.arrivedAt) / time.Second); dwell > 0 {
					e.DwellS = dwell
				}
			}
			out = append(out, e)
			v.departedAt, v.departedIdx = p.At, rt.index(v.arrived)
			v.arrived, v.inside = "", ""
		}
		return out
	}
	// Arrival: the nearest of the next few remaining stops within the
	// radius, for Dwell (a driver may swap neighbouring stops; a van stuck
	// in traffic beside a stop for later in the day is not there for it).
	best, bestD := (*Stop)(nil), math.Inf(1)
	ahead := 0
	for i := range rt.Stops {
		s := &rt.Stops[i]
		if s.Done || s.Location == nil || s.OrderID == "" {
			continue
		}
		if ahead++; ahead > t.cfg.ArriveAhead {
			break
		}
		if d := pt.DistanceM(*s.Location); d <= t.cfg.StopM && d < bestD {
			best, bestD = s, d
		}
	}
	if best == nil {
		v.inside = ""
		return out
	}
	if v.inside != best.OrderID {
		v.inside, v.since = best.OrderID, p.At
	}
	if p.At.Sub(v.since) >= t.cfg.Dwell {
		e := event(EventArrived, p, rt)
		e.OrderID, e.Seq = best.OrderID, best.Seq
		e.At = v.since.Add(0) // arrived when it entered the radius
		out = append(out, e)
		v.arrived, v.arrivedAt = best.OrderID, v.since
		// A leg driven straight from the previous stop teaches the
		// time-of-day factor. The plan's leg is door to door: it starts
		// when the previous stop was finished (the van left then), not
		// when it was 1.5 radii away, which would leave out the first
		// 90 m and make every leg look faster than it was.
		if j := rt.index(best.OrderID); t.learner != nil && v.departedIdx >= 0 && j == v.departedIdx+1 {
			from := v.departedAt
			if done := rt.Stops[v.departedIdx].DoneAt; !done.IsZero() && !done.After(from) && from.Sub(done) <= legStartSlack {
				from = done
			}
			planned := rt.plannedLeg(j)
			if planned >= time.Minute {
				t.learner.ObserveLeg(rt.StationID, from, planned, v.since.Sub(from))
			}
		}
		v.departedIdx = -1
	}
	return out
}

// learnService follows the vehicle near its next stops and, once the
// positions up to a stop's end have come in, teaches the learner how long
// the stop took against its planned service. The measure is the time from
// the later of these to the stop's end (DoneAt):
//
//   - when the vehicle last came within the arrival radius of the stop
//     (not the geofence's arrival, which holds one stop until the vehicle
//     is 1.5 radii away from it, so that stops closer together than that
//     would share one dwell);
//   - the start of the stop's time window (a van early for a window waits
//     at the door, which is not service), as last seen: a failed stop
//     rescheduled for another day leaves the route without its window;
//   - the end of any other stop finished meanwhile (stops at the same
//     place are served one after the other: each gets its own share).
//
// Stops without a DoneAt, or that the vehicle was never seen near, teach
// nothing. Positions are judged by their own time (a phone uploads a
// minute of them at once, after the driver may have finished the stop),
// so a stop counts as remaining until its DoneAt.
func (t *Tracker) learnService(v *vehicle, rt *Route, p lastmile.Position, now time.Time) {
	pt := p.Point()
	for id, loc := range v.near {
		if pt.DistanceM(loc) > 1.5*t.cfg.StopM {
			delete(v.near, id)
		}
	}
	ahead := 0
	for i := range rt.Stops {
		s := &rt.Stops[i]
		if s.OrderID == "" || s.Location == nil || (s.Done && (s.DoneAt.IsZero() || !s.DoneAt.After(p.At))) {
			continue
		}
		if ahead++; ahead > t.cfg.ArriveAhead {
			break
		}
		if _, in := v.near[s.OrderID]; !in && pt.DistanceM(*s.Location) <= t.cfg.StopM {
			v.near[s.OrderID], v.entered[s.OrderID] = *s.Location, p.At
		}
	}
	rememberWindows(v, rt)
	done := 0
	for i := range rt.Stops {
		if rt.Stops[i].Done && rt.Stops[i].OrderID != "" {
			done++
		}
	}
	if done == len(v.finished) && done == len(v.learnedAt) {
		return // no stop finished since the last position
	}
	for i := range rt.Stops {
		s := &rt.Stops[i]
		if s.OrderID == "" || !s.Done {
			continue
		}
		if _, ok := v.finished[s.OrderID]; !ok {
			at := s.DoneAt
			if at.IsZero() || at.After(now) {
				at = now // first seen finished
			}
			v.finished[s.OrderID] = at
		}
	}
	for i := range rt.Stops {
		s := &rt.Stops[i]
		if s.OrderID == "" || !s.Done || v.learnedAt[s.OrderID] || (!s.DoneAt.IsZero() && s.DoneAt.After(p.At)) {
			continue
		}
		v.learnedAt[s.OrderID] = true
		start, ok := v.entered[s.OrderID]
		if s.DoneAt.IsZero() || !ok {
			continue
		}
		if w, ok := v.windows[s.OrderID]; ok && w.Start.After(start) {
			start = w.Start
		}
		for id, at := range v.finished {
			if id != s.OrderID && at.After(start) && at.Before(s.DoneAt) {
				start = at
			}
		}
		if actual := s.DoneAt.Sub(start); actual > 0 {
			t.learner.ObserveService(rt.StationID, s.Type, time.Duration(s.ServiceS())*time.Second, actual)
		}
	}
}

// rememberWindows keeps the time windows of the route's stops, for the
// service learning of stops that leave the route without theirs. A route
// is read once: a changed route is a new *Route (the server builds one
// whenever a stop changes).
func rememberWindows(v *vehicle, rt *Route) {
	if rt == v.windowsOf {
		return
	}
	v.windowsOf = rt
	for i := range rt.Stops {
		if s := &rt.Stops[i]; s.OrderID != "" && s.Window != nil {
			v.windows[s.OrderID] = *s.Window
		}
	}
}

// legStartSlack is the longest a van may take from finishing a stop to
// leaving its radius for the leg to be timed from the stop's end.
const legStartSlack = 5 * time.Minute

func (r *Route) index(orderID string) int {
	for i := range r.Stops {
		if r.Stops[i].OrderID == orderID {
			return i
		}
	}
	return -1
}

func (r *Route) stop(orderID string) *Stop {
	for i := range r.Stops {
		if r.Stops[i].OrderID == orderID {
			return &r.Stops[i]
		}
	}
	return nil
}

// alerts emits approaching and at-risk events once per stop and level.
func (t *Tracker) alerts(v *vehicle, rt *Route, p lastmile.Position, pr *Progress) []Event {
	var out []Event
	for _, e := range pr.ETAs {
		if e.OrderID == "" {
			continue
		}
		if !v.approach[e.OrderID] && e.OrderID != v.arrived &&
			(e.StopsAway <= t.cfg.ApproachStops || e.ETA.Sub(p.At) <= t.cfg.ApproachETA) {
			v.approach[e.OrderID] = true
			ev := event(EventApproaching, p, rt)
			ev.OrderID, ev.Seq = e.OrderID, e.Seq
			eta := e.ETA
			ev.ETA = &eta
			out = append(out, ev)
		}
		if e.Risk != RiskNone && rank(e.Risk) > rank(v.risk[e.OrderID]) {
			v.risk[e.OrderID] = e.Risk
			ev := event(EventAtRisk, p, rt)
			ev.OrderID, ev.Seq, ev.Risk = e.OrderID, e.Seq, e.Risk
			eta := e.ETA
			ev.ETA = &eta
			out = append(out, ev)
		}
	}
	return out
}

func rank(risk string) int {
	switch risk {
	case RiskAtRisk:
		return 1
	case RiskLate:
		return 2
	}
	return 0
}

// progress walks the remaining stops from the position: travel to the
// next stop from the estimator, then between stops as the plan timed it
// (scaled by the traffic factor), waiting for time windows, and service
// times from the service model.
func (t *Tracker) progress(ctx context.Context, v *vehicle, rt *Route, p lastmile.Position, now time.Time) (*Progress, error) {
	pr := &Progress{RouteID: rt.ID, At: now, ETAs: []StopETA{}, AtStop: v.arrived}
	first := -1
	for i, s := range rt.Stops {
		if s.OrderID == "" {
			continue
		}
		if s.Done {
			pr.Done++
		} else {
			pr.Remaining++
			if first < 0 {
				first = i
			}
		}
	}
	pr.ETAs = make([]StopETA, 0, pr.Remaining)
	pt := p.Point()
	clock := p.At
	if now.After(clock) {
		clock = now // a fix from a while ago: the vehicle has not moved since
	}
	if first < 0 {
		pr.Returning = true
		d, err := t.travel(ctx, rt.StationID, pt, rt.Station, clock)
		if err != nil {
			return nil, err
		}
		pr.BackETA = clock.Add(time.Duration(d) * time.Second)
		return pr, nil
	}
	// Breaks before the first remaining stop whose planned time has not
	// passed are still to be taken on the way.
	startIdx := first
	for startIdx > 0 && rt.Stops[startIdx-1].OrderID == "" && !rt.Stops[startIdx-1].Done && rt.Stops[startIdx-1].PlannedDeparture.After(clock) {
		startIdx--
	}
	next := rt.Stops[first]
	pr.NextSeq, pr.NextOrder = next.Seq, next.OrderID
	if next.Location != nil {
		pr.NextDistM = math.Round(pt.DistanceM(*next.Location))
	}
	var prevDep time.Time
	for i, away := startIdx, 0; i < len(rt.Stops); i++ {
		s := rt.Stops[i]
		if s.Done && s.OrderID != "" {
			continue
		}
		var arrival time.Time
		switch {
		case i == first && v.arrived == s.OrderID:
			arrival = v.arrivedAt
		case i == startIdx:
			loc := s.Location
			if loc == nil { // a break first: take it here
				loc = &pt
			}
			d, err := t.travel(ctx, rt.StationID, pt, *loc, clock)
			if err != nil {
				return nil, err
			}
			arrival = clock.Add(time.Duration(d) * time.Second)
		default:
			leg := rt.plannedLeg(i)
			arrival = prevDep.Add(t.scale(rt.StationID, leg, prevDep))
		}
		start := arrival
		if s.Window != nil && start.Before(s.Window.Start) {
			start = s.Window.Start
		}
		service := s.ServiceS()
		if s.OrderID != "" && t.cfg.Service != nil {
			service = t.cfg.Service.ServiceS(rt.StationID, s.Type, service)
		}
		dep := start.Add(time.Duration(service) * time.Second)
		if i == first && v.arrived == s.OrderID && dep.Before(clock) {
			dep = clock // still at the door past the expected service
		}
		prevDep = dep
		if s.OrderID == "" {
			continue
		}
		e := StopETA{Seq: s.Seq, OrderID: s.OrderID, Type: s.Type, StopsAway: away, ETA: arrival.Truncate(time.Second),
			Departure: dep.Truncate(time.Second), DelayS: int64(arrival.Sub(s.PlannedArrival) / time.Second)}
		e.Earliest, e.Latest = t.window(clock, arrival)
		if s.Window != nil {
			switch {
			case arrival.After(s.Window.End):
				e.Risk = RiskLate
			case e.Latest.After(s.Window.End):
				e.Risk = RiskAtRisk
			}
		}
		if away == 0 {
			pr.DelayS = e.DelayS
		}
		pr.ETAs = append(pr.ETAs, e)
		away++
	}
	return pr, nil
}

// plannedLeg is the plan's travel time to stop i from the stop before it.
func (r *Route) plannedLeg(i int) time.Duration {
	if i == 0 {
		return 0
	}
	d := r.Stops[i].PlannedArrival.Sub(r.Stops[i-1].PlannedDeparture)
	if d < 0 {
		return 0
	}
	// A finished stop in between was skipped: the plan's leg from the one
	// before it still approximates the detour-free travel.
	return d
}

// window returns the ETA window: narrow when the arrival is near, wider
// the farther ahead it is; a quarter before the ETA, the rest after
// (delays are likelier than gains), rounded outwards to the minute.
func (t *Tracker) window(now, eta time.Time) (time.Time, time.Time) {
	ahead := eta.Sub(now)
	if ahead <= 0 {
		eta = eta.Truncate(time.Second)
		return eta, eta // already there
	}
	w := time.Duration(float64(ahead) * t.cfg.WindowFrac)
	w = min(max(w, t.cfg.WindowMin), t.cfg.WindowMax)
	lo := eta.Add(-w / 4).Truncate(time.Minute)
	hi := eta.Add(w * 3 / 4)
	if r := hi.Truncate(time.Minute); !r.Equal(hi) {
		hi = r.Add(time.Minute)
	}
	if lo.Before(now) {
		lo = now.Truncate(time.Second)
	}
	return lo, hi
}

func (t *Tracker) travel(ctx context.Context, stationID string, a, b lastmile.Point, at time.Time) (int64, error) {
	if a == b {
		return 0, nil
	}
	d, err := t.cfg.Travel.TravelSeconds(ctx, a, b)
	if err != nil {
		if ctx.Err() != nil {
			return 0, err
		}
		d, _ = StraightLine{}.TravelSeconds(ctx, a, b) // the engine failed: an estimate beats none
	}
	return int64(t.scale(stationID, time.Duration(d)*time.Second, at) / time.Second), nil
}

// scale applies the time-of-day factor to a travel time: Config.Traffic
// when set, else the one the Learner observed at the station at that hour.
func (t *Tracker) scale(stationID string, d time.Duration, at time.Time) time.Duration {
	f := 1.0
	switch {
	case t.cfg.Traffic != nil:
		f = t.cfg.Traffic(at)
	case t.learner != nil:
		f = t.learner.Factor(stationID, at)
	}
	if f <= 0 || math.IsNaN(f) {
		return d
	}
	return time.Duration(float64(d) * f)
}
