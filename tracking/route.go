package tracking

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/vrp"
)

// Stop is one stop of a route as tracking sees it: the plan's timing, the
// order's time window and whether the stop is finished.
type Stop struct {
	Seq     int    `json:"seq"`
	Type    string `json:"type"` // delivery, pickup or break
	OrderID string `json:"order_id,omitempty"`
	// Location is the stop's place; nil for a break.
	Location *lastmile.Point `json:"location,omitempty"`
	// PlannedArrival, PlannedStart and PlannedDeparture come from the plan.
	PlannedArrival   time.Time        `json:"planned_arrival"`
	PlannedStart     time.Time        `json:"planned_start"`
	PlannedDeparture time.Time        `json:"planned_departure"`
	Window           *lastmile.Window `json:"window,omitempty"`
	// Done is true once the stop needs no further visit (delivered,
	// failed, or a break already taken).
	Done bool `json:"done"`
	// DoneAt is when the stop was finished (the proof of delivery, the
	// failure), zero when unknown. Service times are learned only from
	// stops that have it.
	DoneAt time.Time `json:"done_at,omitzero"`
}

// ServiceS is the planned time at the stop (setup and service).
func (s Stop) ServiceS() int64 {
	return max(0, int64(s.PlannedDeparture.Sub(s.PlannedStart)/time.Second))
}

// Route is a dispatched route to track.
type Route struct {
	ID        string         `json:"id"`
	VehicleID string         `json:"vehicle_id"`
	StationID string         `json:"station_id"`
	Station   lastmile.Point `json:"station"`
	Stops     []Stop         `json:"stops"`
	Zones     []Zone         `json:"zones,omitempty"` // the station's custom geofences
}

// closed reports whether an order in status s needs no further visit.
func closed(s string) bool {
	switch s {
	case lastmile.StatusDelivered, lastmile.StatusFailed, lastmile.StatusReattemptScheduled,
		lastmile.StatusRedirected, lastmile.StatusReturned, lastmile.StatusCancelled, lastmile.StatusPending:
		return true
	}
	return false
}

// RouteOf builds the tracked route of a plan's route, with the station's
// zones; orders maps order
// ids to the route's orders (their status and window); a stop whose order
// is not among them has left the route and counts as done.
func RouteOf(rt *lastmile.Route, stationID string, station lastmile.Point, zones []lastmile.Zone, orders map[string]*lastmile.Order) *Route {
	out := &Route{ID: rt.ID, VehicleID: rt.VehicleID, StationID: stationID, Station: station}
	for _, z := range zones {
		out.Zones = append(out.Zones, Zone{ID: z.ID, Center: z.Center, RadiusM: z.RadiusM, Polygon: z.Polygon})
	}
	for _, st := range rt.Stops {
		s := Stop{Seq: st.Seq, Type: st.Type, OrderID: st.OrderID, Location: st.Location,
			PlannedArrival: st.ETA, PlannedStart: st.Start, PlannedDeparture: st.Departure}
		if o := orders[st.OrderID]; o != nil {
			s.Window = o.Window
			s.Done = closed(o.Status)
			switch {
			case o.ClosedAt != nil:
				s.DoneAt = *o.ClosedAt
			case s.Done:
				s.DoneAt = o.UpdatedAt // failed: its last change
			}
		} else if st.OrderID != "" {
			s.Done = true // no longer on this route (failed and rescheduled, released)
		}
		out.Stops = append(out.Stops, s)
	}
	return out
}

// Estimator gives the travel time between two points.
type Estimator interface {
	TravelSeconds(ctx context.Context, from, to lastmile.Point) (int64, error)
}

// StraightLine estimates travel time as the great-circle distance times
// Detour at SpeedKMH (defaults 25 km/h and 1.3).
type StraightLine struct {
	SpeedKMH, Detour float64
}

// TravelSeconds implements Estimator.
func (e StraightLine) TravelSeconds(_ context.Context, from, to lastmile.Point) (int64, error) {
	speed, detour := e.SpeedKMH, e.Detour
	if speed <= 0 {
		speed = 25
	}
	if detour <= 0 {
		detour = 1.3
	}
	return int64(math.Round(from.DistanceM(to) * detour / (speed / 3.6))), nil
}

// FromSource adapts a vrp.TravelSource (road engine, OSRM, great circle)
// into an Estimator for the given profile.
func FromSource(src vrp.TravelSource, profile string) Estimator { return sourceEstimator{src, profile} }

type sourceEstimator struct {
	src     vrp.TravelSource
	profile string
}

func (e sourceEstimator) TravelSeconds(ctx context.Context, from, to lastmile.Point) (int64, error) {
	d, _, err := e.src.Matrix(ctx, e.profile, []vrp.Coord{{Lon: from.Lon, Lat: from.Lat}, {Lon: to.Lon, Lat: to.Lat}})
	if err != nil {
		return 0, fmt.Errorf("travel estimate: %w", err)
	}
	if len(d) < 1 || len(d[0]) < 2 {
		return 0, fmt.Errorf("travel estimate: matrix of %d rows", len(d))
	}
	return d[0][1], nil
}

// ServiceModel gives the expected time at a stop: the plan's, or learned.
type ServiceModel interface {
	ServiceS(stationID, stopType string, planned int64) int64
}

// Bounds of service learning.
const (
	// MinPlannedService is the shortest planned service a ratio is learned
	// from: below it, a few seconds of GPS timing make the ratio noise.
	MinPlannedService = 20 * time.Second
	// MinServiceRatio and MaxServiceRatio clamp each observed ratio of
	// actual to planned service (a driver who forgot to confirm, a stop
	// confirmed from the van), so that one outlier moves the mean little.
	MinServiceRatio = 0.25
	MaxServiceRatio = 4.0
)

// Learner learns, per station, how long stops take against the plan — the
// ratio of the actual to the planned service per stop type, the mean of
// clamped ratios, exponentially weighted (ServiceAlpha) once there are
// many — and how long legs take at each hour of the day (weighted by
// Alpha). It answers the plan's figures until it has
// MinSamples observations, then blends the learned ratio with the plan's
// (weight n/(n+MinSamples)), so that a few samples move the ETAs little.
// It is safe for concurrent use.
type Learner struct {
	Alpha float64 // weight of a new leg observation (default 0.2)
	// ServiceAlpha is the weight of a new service observation (default
	// 0.05): how long stops take at a station changes slowly, and a
	// single stop's ratio is noisy (a recipient slow to answer the door).
	// Until 1/ServiceAlpha stops were seen, the ratio is their plain mean.
	ServiceAlpha float64
	MinSamples   int // default 5
	mu           sync.Mutex
	m            map[[2]string]*learned // service ratios by station and stop type
	legs         map[legKey]*learned
	changes      uint64 // observations so far, to know what is saved
}

type legKey struct {
	station string
	hour    int // UTC
}

type learned struct {
	n    int
	mean float64
}

func (l *Learner) alpha() float64 {
	if l.Alpha <= 0 || l.Alpha > 1 {
		return 0.2
	}
	return l.Alpha
}

func (l *Learner) minSamples() int {
	if l.MinSamples <= 0 {
		return 5
	}
	return l.MinSamples
}

// ObserveService records a stop of that type served in actual against a
// planned service: the time from the later of the arrival at the door and
// the start of its time window to its end. Planned services under
// MinPlannedService and non-positive durations are ignored; the ratio is
// clamped to [MinServiceRatio, MaxServiceRatio].
func (l *Learner) ObserveService(stationID, stopType string, planned, actual time.Duration) {
	if planned < MinPlannedService || actual <= 0 {
		return
	}
	r := min(max(float64(actual)/float64(planned), MinServiceRatio), MaxServiceRatio)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[[2]string]*learned{}
	}
	k := [2]string{stationID, stopType}
	x := l.m[k]
	l.changes++
	if x == nil {
		l.m[k] = &learned{n: 1, mean: r}
		return
	}
	x.n++
	a := l.ServiceAlpha
	if a <= 0 || a > 1 {
		a = 0.05
	}
	x.mean += max(a, 1/float64(x.n)) * (r - x.mean)
}

// ServiceRatio returns the ratio of actual to planned service the
// learner applies at the station for that stop type: 1 until MinSamples
// observations, then the learned ratio blended with 1.
func (l *Learner) ServiceRatio(stationID, stopType string) float64 {
	minN := l.minSamples()
	l.mu.Lock()
	defer l.mu.Unlock()
	x := l.m[[2]string{stationID, stopType}]
	if x == nil || x.n < minN {
		return 1
	}
	w := float64(x.n) / float64(x.n+minN)
	return 1 + (x.mean-1)*w
}

// ObserveLeg records a leg driven from one stop to the next, starting at
// at: the ratio of the actual to the planned travel time teaches the
// station's time-of-day factor (per hour of the day).
func (l *Learner) ObserveLeg(stationID string, at time.Time, planned, actual time.Duration) {
	if planned <= 0 || actual <= 0 {
		return
	}
	r := min(max(float64(actual)/float64(planned), 0.5), 3)
	a := l.alpha()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.legs == nil {
		l.legs = map[legKey]*learned{}
	}
	k := legKey{stationID, at.UTC().Hour()}
	x := l.legs[k]
	l.changes++
	if x == nil {
		l.legs[k] = &learned{n: 1, mean: r}
		return
	}
	x.n++
	x.mean += a * (r - x.mean)
}

// Export returns everything learned, sorted by station, kind and key,
// and a count of observations that grows with every one, so that a caller
// saving the values knows when they changed. UpdatedAt is left zero.
func (l *Learner) Export() ([]lastmile.Learned, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]lastmile.Learned, 0, len(l.m)+len(l.legs))
	for k, x := range l.m {
		out = append(out, lastmile.Learned{StationID: k[0], Kind: lastmile.LearnedServiceRatio, Key: k[1], N: x.n, Mean: x.mean})
	}
	for k, x := range l.legs {
		out = append(out, lastmile.Learned{StationID: k.station, Kind: lastmile.LearnedTraffic, Key: fmt.Sprintf("%02d", k.hour), N: x.n, Mean: x.mean})
	}
	slices.SortFunc(out, func(a, b lastmile.Learned) int {
		return cmp.Or(cmp.Compare(a.StationID, b.StationID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key))
	})
	return out, l.changes
}

// Import sets learned values (saved by an earlier process), replacing
// those of the same station, kind and key. Values of an unknown kind
// (among them the absolute service times of kind LearnedService, which
// are no longer used), an hour that is not "00" to "23", no observation or
// a mean out of range are skipped and counted in the result.
func (l *Learner) Import(vs []lastmile.Learned) (skipped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[[2]string]*learned{}
	}
	if l.legs == nil {
		l.legs = map[legKey]*learned{}
	}
	for _, v := range vs {
		if v.N <= 0 || math.IsNaN(v.Mean) || math.IsInf(v.Mean, 0) || v.Mean <= 0 {
			skipped++
			continue
		}
		switch v.Kind {
		case lastmile.LearnedServiceRatio:
			if v.Mean < MinServiceRatio || v.Mean > MaxServiceRatio {
				skipped++
				continue
			}
			l.m[[2]string{v.StationID, v.Key}] = &learned{n: v.N, mean: v.Mean}
		case lastmile.LearnedTraffic:
			h, err := strconv.Atoi(v.Key)
			if err != nil || len(v.Key) != 2 || h < 0 || h > 23 || v.Mean < 0.5 || v.Mean > 3 {
				skipped++
				continue
			}
			l.legs[legKey{v.StationID, h}] = &learned{n: v.N, mean: v.Mean}
		default:
			skipped++
		}
	}
	return skipped
}

// Factor returns the learned travel-time factor of the station at that
// hour: 1 until MinSamples legs were observed.
func (l *Learner) Factor(stationID string, at time.Time) float64 {
	minN := l.minSamples()
	l.mu.Lock()
	defer l.mu.Unlock()
	if x := l.legs[legKey{stationID, at.UTC().Hour()}]; x != nil && x.n >= minN {
		return x.mean
	}
	return 1
}

// ServiceS implements ServiceModel: the planned service times the
// learned ratio of the station and stop type.
func (l *Learner) ServiceS(stationID, stopType string, planned int64) int64 {
	if planned <= 0 {
		return planned
	}
	return int64(math.Round(float64(planned) * l.ServiceRatio(stationID, stopType)))
}

// Risk levels of a stop.
const (
	RiskNone   = ""
	RiskAtRisk = "at_risk" // the ETA window reaches past the stop's time window
	RiskLate   = "late"    // the ETA itself is past the time window
)

// StopETA is the live estimate for one remaining stop.
type StopETA struct {
	Seq       int    `json:"seq"`
	OrderID   string `json:"order_id,omitempty"`
	Type      string `json:"type"`
	StopsAway int    `json:"stops_away"` // 0: the next stop
	// ETA is the expected arrival; Earliest and Latest the ETA window
	// shown to recipients, narrowing as the stop approaches.
	ETA       time.Time `json:"eta"`
	Earliest  time.Time `json:"earliest"`
	Latest    time.Time `json:"latest"`
	Departure time.Time `json:"departure"`
	DelayS    int64     `json:"delay_s"` // ETA minus planned arrival
	Risk      string    `json:"risk,omitempty"`
}

// Progress is where a vehicle is on its route.
type Progress struct {
	RouteID    string    `json:"route_id"`
	At         time.Time `json:"at"`
	Done       int       `json:"done"`      // order stops finished
	Remaining  int       `json:"remaining"` // order stops left
	NextSeq    int       `json:"next_seq,omitempty"`
	NextOrder  string    `json:"next_order_id,omitempty"`
	NextDistM  float64   `json:"next_distance_m"` // straight line to the next stop
	AtStop     string    `json:"at_stop,omitempty"`
	DelayS     int64     `json:"delay_s"` // of the next stop
	ETAs       []StopETA `json:"etas"`
	Returning  bool      `json:"returning"` // every stop done
	BackETA    time.Time `json:"back_eta,omitempty"`
	NotStarted bool      `json:"not_started,omitempty"`
}
