package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/vrp"
)

// engine plays one station's day against an API.
type engine struct {
	cfg   *Config
	c     *client
	pace  pacer
	sched scheduler
	ctx   context.Context

	admin, dispatcher string
	station           lastmile.Station
	loc               *time.Location
	base              time.Time // local midnight of the date
	date              string
	day               *day
	travel            vrp.TravelSource
	noisy             *rand.Rand

	vehicles []*vstate
	byVID    map[string]*vstate
	orders   map[string]*ostate // by order id
	byExt    map[string]*ostate
	fates    map[string]fate
	routes   []*rstate
	plans    []string
	total    int // stops to complete (for progress)
	done     int

	positions positionStats
	planMS    int64
	photo     []byte
	planLead  time.Duration // the day is planned this long before the shifts start
}

type positionStats struct {
	Sent     int            `json:"sent"`
	Accepted int            `json:"accepted"`
	Verdicts map[string]int `json:"verdicts"`
	Batches  int            `json:"batches"`
}

// vstate is a vehicle with its driver.
type vstate struct {
	gen       genVehicle
	id        string
	driverID  string
	driverKey string
	pos       lastmile.Point
	fixes     []lastmile.Position
	route     *rstate
	flushing  bool
}

// rstate is a route being driven.
type rstate struct {
	id, planID string
	v          *vstate
	plan       lastmile.Route
	next       int // index in plan.Stops
	dispatched bool
	cancelled  bool
	finished   bool
	otps       map[string]string
	startAt    time.Time
	endAt      time.Time
	km         float64
	driven     [][2]float64 // lon, lat
	samples    []etaSample
	atDispatch map[string]time.Time
	stops      int
}

type etaSample struct {
	at   time.Time
	etas map[string]time.Time
}

// ostate is an order and what became of it.
type ostate struct {
	o          lastmile.Order
	fate       fate
	arrival    time.Time // physical arrival at the door
	finish     time.Time
	outcome    string // delivered, or a failure reason
	onTime     bool
	attempted  bool
	km         float64
	unassigned string // why the last plan left it out
}

func (e *engine) now() time.Time { return e.sched.now }

// fail names the operation an API answer failed.
func (e *engine) fail(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }

// setup creates the station, its fleet and the keys.
func (e *engine) setup(name string) error {
	ctx := e.ctx
	// No opening hours: the station is always open; shifts bound the day.
	st := map[string]any{"name": name, "location": e.day.station, "time_zone": e.cfg.TimeZone,
		"failure_policy": map[string]any{"action": "reattempt", "max_attempts": 3},
		"pickup_points":  []map[string]any{{"id": "LOCKER-1", "kind": "locker", "name": "Station locker", "location": e.day.station, "capacity": 200}}}
	if err := e.c.do(ctx, "POST", "/v1/stations", e.admin, st, &e.station); err != nil {
		return e.fail("create station", err)
	}
	var key struct{ Secret string }
	if err := e.c.do(ctx, "POST", "/v1/api-keys", e.admin, map[string]any{"name": "dispatcher " + name, "role": "dispatcher", "stations": []string{e.station.ID}}, &key); err != nil {
		return e.fail("dispatcher key", err)
	}
	e.dispatcher = key.Secret
	e.byVID = map[string]*vstate{}
	for _, g := range e.day.fleet {
		e.pace.bump(time.Millisecond)
		var v lastmile.Vehicle
		body := map[string]any{"station_id": e.station.ID, "name": g.name, "type": g.typ, "capacity": g.capacity, "energy": g.energy,
			"range_km": g.rangeKM, "costs": g.costs, "skills": g.skills, "active": true}
		if err := e.c.do(ctx, "POST", "/v1/vehicles", e.dispatcher, body, &v); err != nil {
			return e.fail("create vehicle", err)
		}
		var d lastmile.Driver
		body = map[string]any{"station_id": e.station.ID, "name": g.driver, "skills": g.skills, "active": true,
			"shifts": []map[string]any{{"start": g.shiftStart, "end": g.shiftEnd, "breaks": []map[string]any{breakOf(g)}}}}
		if err := e.c.do(ctx, "POST", "/v1/drivers", e.dispatcher, body, &d); err != nil {
			return e.fail("create driver", err)
		}
		if err := e.c.do(ctx, "POST", "/v1/api-keys", e.admin, map[string]any{"name": g.driver, "role": "driver", "driver_id": d.ID}, &key); err != nil {
			return e.fail("driver key", err)
		}
		vs := &vstate{gen: g, id: v.ID, driverID: d.ID, driverKey: key.Secret, pos: e.day.station}
		e.vehicles = append(e.vehicles, vs)
		e.byVID[v.ID] = vs
	}
	return nil
}

func breakOf(g genVehicle) map[string]any {
	s, _ := lastmile.ParseClock(g.shiftStart)
	en, _ := lastmile.ParseClock(g.shiftEnd)
	mid := (s + en) / 2
	return map[string]any{"earliest": clock(mid - 3600), "latest": clock(mid + 1800), "minutes": 30}
}

func clock(sec int64) string {
	sec = max(0, min(sec, 24*3600))
	return fmt.Sprintf("%02d:%02d", sec/3600, sec%3600/60)
}

// orderBody is the API form of a generated order.
func (e *engine) orderBody(g genOrder) map[string]any {
	b := map[string]any{"station_id": e.station.ID, "external_id": g.ext, "kind": g.kind,
		"recipient": map[string]any{"name": "Recipient " + g.ext, "email": g.ext + "@example.com", "phone": "+376 600 000"},
		"address":   map[string]any{"line1": g.ext + " street", "location": g.loc},
		"parcels":   g.parcels, "service_date": e.date, "service_seconds": g.service, "otp_required": g.otp}
	switch {
	case g.window[1] > 0:
		b["service_level"] = "scheduled"
		b["window"] = map[string]any{"start": e.base.Add(time.Duration(g.window[0]) * time.Second).UTC(),
			"end": e.base.Add(time.Duration(g.window[1]) * time.Second).UTC()}
	case g.known > 0:
		b["service_level"] = "same_day"
	default:
		b["service_level"] = "next_day"
	}
	if g.whiteGlove {
		b["skills"] = []string{skillTwoPerson}
		b["instructions"] = "Two people: carry in and install"
	}
	return b
}

// createOrder posts one order and tracks it.
func (e *engine) createOrder(g genOrder) error {
	e.pace.bump(time.Millisecond)
	var o lastmile.Order
	if err := e.c.do(e.ctx, "POST", "/v1/orders", e.dispatcher, e.orderBody(g), &o); err != nil {
		return e.fail("create order "+g.ext, err)
	}
	e.track(&o)
	return nil
}

func (e *engine) track(o *lastmile.Order) {
	s := &ostate{o: *o, fate: e.fates[o.ExternalID]}
	e.orders[o.ID] = s
	e.byExt[o.ExternalID] = s
}

// importFile replays an order file row by row through the import
// endpoint (one row per request keeps the orders' ids in file order).
func (e *engine) importFile(f *OrderFile) error {
	path := "/v1/orders/import?mode=all&station_id=" + url.QueryEscape(e.station.ID)
	var rep struct {
		Orders []struct{ ID string } `json:"orders"`
	}
	var ids []string
	if f.CSV != nil {
		recs, err := csv.NewReader(bytes.NewReader(f.CSV)).ReadAll()
		if err != nil {
			return fmt.Errorf("--orders: %w", err)
		}
		if len(recs) < 2 {
			return fmt.Errorf("--orders: no rows after the header")
		}
		for i, rec := range recs[1:] {
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			w.Write(recs[0])
			w.Write(rec)
			w.Flush()
			e.pace.bump(time.Millisecond)
			if err := e.c.raw(e.ctx, "POST", path, e.dispatcher, "text/csv", &b, &rep); err != nil {
				return fmt.Errorf("--orders: row %d: %w", i+1, err)
			}
			for _, o := range rep.Orders {
				ids = append(ids, o.ID)
			}
		}
	} else {
		for i, row := range f.JSON {
			e.pace.bump(time.Millisecond)
			body := bytes.NewReader(append(append([]byte("["), row...), ']'))
			if err := e.c.raw(e.ctx, "POST", path, e.dispatcher, "application/json", body, &rep); err != nil {
				return fmt.Errorf("--orders: order %d: %w", i, err)
			}
			for _, o := range rep.Orders {
				ids = append(ids, o.ID)
			}
		}
	}
	var exts []string
	var got []*lastmile.Order
	for _, id := range ids {
		var o lastmile.Order
		if err := e.c.do(e.ctx, "GET", "/v1/orders/"+id, e.dispatcher, nil, &o); err != nil {
			return e.fail("read imported order", err)
		}
		exts = append(exts, o.ExternalID)
		got = append(got, &o)
	}
	e.fates = fates(e.cfg, exts)
	for _, o := range got {
		e.track(o)
	}
	return nil
}

// plan computes (with the strategy's algorithm) and publishes a plan of
// the day, and schedules the dispatch of its routes.
func (e *engine) plan() error {
	var p lastmile.Plan
	body := map[string]any{"station_id": e.station.ID, "date": e.date}
	if e.cfg.Strategy == StrategyNearest {
		body["algorithm"] = "nearest"
	}
	if err := e.c.do(e.ctx, "POST", "/v1/plans", e.dispatcher, body, &p); err != nil {
		return e.fail("plan", err)
	}
	e.planMS += p.SolveMS
	if err := e.c.do(e.ctx, "POST", "/v1/plans/"+p.ID+"/publish", e.dispatcher, nil, &p); err != nil {
		return e.fail("publish", err)
	}
	e.plans = append(e.plans, p.ID)
	for _, u := range p.Unassigned {
		if o := e.orders[u.OrderID]; o != nil {
			o.unassigned = u.Reason
		}
	}
	// Routes of earlier plans not yet on the road are replaced.
	for _, r := range e.routes {
		if !r.dispatched {
			r.cancelled = true
		}
	}
	for _, rt := range p.Routes {
		v := e.byVID[rt.VehicleID]
		if v == nil || len(rt.Stops) == 0 {
			continue
		}
		r := &rstate{id: rt.ID, planID: p.ID, v: v, plan: rt, atDispatch: map[string]time.Time{}}
		for _, s := range rt.Stops {
			if s.OrderID != "" {
				r.stops++
				if o := e.orders[s.OrderID]; o != nil {
					o.unassigned = ""
				}
			}
		}
		e.routes = append(e.routes, r)
		e.sched.at(rt.Start, func() error { return e.dispatch(r) })
	}
	return nil
}

// dispatch loads the route's parcels (scans), sends it out and starts
// driving.
func (e *engine) dispatch(r *rstate) error {
	if r.cancelled {
		return nil
	}
	v := r.v
	if v.route != nil && !v.route.finished {
		// Still on an earlier route: go when back.
		e.sched.at(e.now().Add(5*time.Minute), func() error { return e.dispatch(r) })
		return nil
	}
	var m lastmile.Manifest
	if err := e.c.do(e.ctx, "GET", "/v1/routes/"+r.id+"/manifest", v.driverKey, nil, &m); err != nil {
		return e.fail("manifest", err)
	}
	for _, s := range m.Stops {
		if s.Kind == lastmile.KindReturn {
			continue
		}
		for _, p := range s.Parcels {
			if p.LoadedAt != nil {
				continue
			}
			var res lastmile.ScanResult
			if err := e.c.do(e.ctx, "POST", "/v1/routes/"+r.id+"/scans", v.driverKey, map[string]any{"barcode": p.Barcode}, &res); err != nil {
				return e.fail("scan", err)
			}
		}
	}
	var d struct {
		OTPs map[string]string `json:"otps"`
	}
	if err := e.c.do(e.ctx, "POST", "/v1/routes/"+r.id+"/dispatch", e.dispatcher, map[string]any{}, &d); err != nil {
		return e.fail("dispatch", err)
	}
	r.dispatched, r.otps, r.startAt = true, d.OTPs, e.now()
	v.route, v.pos = r, e.day.station
	r.driven = append(r.driven, [2]float64{v.pos.Lon, v.pos.Lat})
	var pr tracking.Progress
	if err := e.c.do(e.ctx, "GET", "/v1/routes/"+r.id+"/progress", e.dispatcher, nil, &pr); err != nil {
		return e.fail("progress at dispatch", err)
	}
	for _, x := range pr.ETAs {
		if x.OrderID != "" {
			r.atDispatch[x.OrderID] = x.ETA
		}
	}
	v.fixes = append(v.fixes, e.fix(v, e.now(), v.pos, 0, 0))
	e.flushLoop(v)
	e.sampleLoop(r)
	return e.nextStop(r)
}

// flushLoop uploads the vehicle's positions every BatchEvery while it is
// on a route.
func (e *engine) flushLoop(v *vstate) {
	if v.flushing {
		return
	}
	v.flushing = true
	var tick func() error
	tick = func() error {
		if err := e.flush(v); err != nil {
			return err
		}
		if v.route != nil && !v.route.finished {
			e.sched.at(e.now().Add(e.cfg.BatchEvery), tick)
		} else {
			v.flushing = false
		}
		return nil
	}
	e.sched.at(e.now().Add(e.cfg.BatchEvery), tick)
}

// sampleLoop asks for the route's progress every ProgressEvery: the ETAs
// it predicts are scored against the arrivals afterwards.
func (e *engine) sampleLoop(r *rstate) {
	var tick func() error
	tick = func() error {
		if r.finished {
			return nil
		}
		if err := e.flush(r.v); err != nil {
			return err
		}
		var pr tracking.Progress
		if err := e.c.do(e.ctx, "GET", "/v1/routes/"+r.id+"/progress", e.dispatcher, nil, &pr); err != nil {
			return e.fail("progress", err)
		}
		s := etaSample{at: e.now(), etas: map[string]time.Time{}}
		for _, x := range pr.ETAs {
			if x.OrderID != "" {
				s.etas[x.OrderID] = x.ETA
			}
		}
		r.samples = append(r.samples, s)
		e.sched.at(e.now().Add(e.cfg.ProgressEvery), tick)
		return nil
	}
	e.sched.at(e.now().Add(e.cfg.ProgressEvery), tick)
}

// flush uploads the positions taken up to now.
func (e *engine) flush(v *vstate) error {
	n := 0
	for n < len(v.fixes) && !v.fixes[n].At.After(e.now()) {
		n++
	}
	for n > 0 {
		batch := v.fixes[:min(n, 1000)]
		out := make([]lastmile.Position, len(batch))
		for i, f := range batch {
			f.At = e.pace.stamp(f.At)
			out[i] = f
		}
		var res struct {
			Accepted int                `json:"accepted"`
			Verdicts []tracking.Verdict `json:"verdicts"`
		}
		if err := e.c.do(e.ctx, "POST", "/v1/positions", v.driverKey, map[string]any{"positions": out}, &res); err != nil {
			if isCode(err, "rate_limited") {
				break // the phone keeps them and tries again
			}
			return e.fail("positions", err)
		}
		e.positions.Batches++
		e.positions.Sent += len(batch)
		e.positions.Accepted += res.Accepted
		for _, vd := range res.Verdicts {
			e.positions.Verdicts[string(vd)]++
		}
		v.fixes = v.fixes[len(batch):]
		n -= len(batch)
	}
	return nil
}

// fix is a GPS position near p with the phone's noise.
func (e *engine) fix(v *vstate, at time.Time, p lastmile.Point, speed, bearing float64) lastmile.Position {
	q := pointNear(e.noisy, p, 4)
	acc := 4 + math.Abs(e.noisy.NormFloat64())*4
	return lastmile.Position{VehicleID: v.id, At: at, Lat: round7(q.Lat), Lon: round7(q.Lon), SpeedMS: round3(speed),
		Bearing: math.Round(bearing), AccuracyM: round3(acc), Source: "app"}
}

// leg is a path from one point to another with its free-flow time.
type leg struct {
	pts     [][2]float64
	seconds float64
	metres  float64
}

// path finds the road path (or the straight line) between two points.
func (e *engine) path(a, b lastmile.Point) (leg, error) {
	if g := e.cfg.Graph; g != nil {
		pa, err := g.Snap(0, a.Lon, a.Lat, 1000)
		if err != nil {
			return leg{}, err
		}
		pb, err := g.Snap(1, b.Lon, b.Lat, 1000)
		if err != nil {
			return leg{}, err
		}
		r, err := g.Route(pa, pb)
		if err != nil {
			return leg{}, err
		}
		pts := append([][2]float64{{a.Lon, a.Lat}}, r.Points()...)
		pts = append(pts, [2]float64{b.Lon, b.Lat})
		return leg{pts: pts, seconds: math.Round(r.Seconds()), metres: r.Metres()}, nil
	}
	d := travel.Haversine(vrp.Coord{Lon: a.Lon, Lat: a.Lat}, vrp.Coord{Lon: b.Lon, Lat: b.Lat}) * travel.DefaultDetourFactor
	return leg{pts: [][2]float64{{a.Lon, a.Lat}, {b.Lon, b.Lat}}, seconds: math.Round(d / (travel.DefaultSpeedKMH / 3.6)), metres: d}, nil
}

// drive moves v along l starting now, queuing its positions, and returns
// the arrival time.
func (e *engine) drive(v *vstate, l leg, from, to string) time.Time {
	start := e.now()
	factor := trafficFactor(localSec(e.base, start), e.cfg.Traffic) * legNoise(e.cfg.Seed, from, to)
	dur := time.Duration(l.seconds*factor) * time.Second
	if dur <= 0 {
		dur = time.Second
	}
	// Cumulative lengths.
	cum := make([]float64, len(l.pts))
	for i := 1; i < len(l.pts); i++ {
		cum[i] = cum[i-1] + pt(l.pts[i-1]).DistanceM(pt(l.pts[i]))
	}
	total := cum[len(cum)-1]
	speed := 0.0
	if dur > 0 {
		speed = total / dur.Seconds()
	}
	r := v.route
	for t := e.cfg.GPSEvery; t < dur; t += e.cfg.GPSEvery {
		want := total * float64(t) / float64(dur)
		k := sort.SearchFloat64s(cum, want)
		k = max(1, min(k, len(cum)-1))
		seg := cum[k] - cum[k-1]
		f := 0.0
		if seg > 0 {
			f = (want - cum[k-1]) / seg
		}
		a, b := l.pts[k-1], l.pts[k]
		p := lastmile.Point{Lon: a[0] + f*(b[0]-a[0]), Lat: a[1] + f*(b[1]-a[1])}
		v.fixes = append(v.fixes, e.fix(v, start.Add(t), p, speed, bearingOf(a, b)))
	}
	end := l.pts[len(l.pts)-1]
	v.pos = pt(end)
	if r != nil {
		r.km += l.metres / 1000
		for _, p := range l.pts {
			r.driven = append(r.driven, [2]float64{round5(p[0]), round5(p[1])})
		}
	}
	return start.Add(dur)
}

// wait keeps v still from now to until, queuing positions.
func (e *engine) wait(v *vstate, until time.Time) {
	for t := e.now().Add(e.cfg.GPSEvery); t.Before(until); t = t.Add(e.cfg.GPSEvery) {
		v.fixes = append(v.fixes, e.fix(v, t, v.pos, 0, 0))
	}
}

func pt(p [2]float64) lastmile.Point { return lastmile.Point{Lon: p[0], Lat: p[1]} }

func bearingOf(a, b [2]float64) float64 {
	dy := b[1] - a[1]
	dx := (b[0] - a[0]) * math.Cos(a[1]*math.Pi/180)
	d := math.Atan2(dx, dy) * 180 / math.Pi
	if d < 0 {
		d += 360
	}
	return d
}

// nextStop goes on to the route's next stop, or back to the station.
func (e *engine) nextStop(r *rstate) error {
	v := r.v
	for r.next < len(r.plan.Stops) {
		s := r.plan.Stops[r.next]
		r.next++
		if s.Type == "break" {
			until := e.now().Add(s.Departure.Sub(s.Start))
			e.wait(v, until)
			e.sched.at(until, func() error { return e.nextStop(r) })
			return nil
		}
		o := e.orders[s.OrderID]
		if o == nil {
			continue
		}
		l, err := e.path(v.pos, o.o.Address.Location)
		if err != nil {
			return e.fail("route to "+o.o.ExternalID, err)
		}
		prev := "station"
		if r.next >= 2 {
			if po := e.orders[r.plan.Stops[r.next-2].OrderID]; po != nil {
				prev = po.o.ExternalID
			}
		}
		km0 := r.km
		arrive := e.drive(v, l, prev, o.o.ExternalID)
		o.km = r.km - km0
		e.sched.at(arrive, func() error { return e.arrive(r, o) })
		return nil
	}
	// Back to the station.
	l, err := e.path(v.pos, e.day.station)
	if err != nil {
		return e.fail("route back to the station", err)
	}
	back := e.drive(v, l, "last", "station")
	e.sched.at(back, func() error {
		if err := e.flush(v); err != nil {
			return err
		}
		r.finished, r.endAt = true, e.now()
		return nil
	})
	return nil
}

// arrive is the van at the door: wait for the window, check in, serve.
func (e *engine) arrive(r *rstate, o *ostate) error {
	v := r.v
	o.arrival = e.now()
	start := e.now()
	if w := o.o.Window; w != nil && w.Start.After(start) && !o.fate.wrongAddress {
		start = w.Start
		e.wait(v, start)
		e.sched.at(start, func() error { return e.checkIn(r, o) })
		return nil
	}
	return e.checkIn(r, o)
}

func (e *engine) checkIn(r *rstate, o *ostate) error {
	v := r.v
	if err := e.flush(v); err != nil {
		return err
	}
	pos := v.pos
	err := e.c.do(e.ctx, "POST", "/v1/orders/"+o.o.ID+"/status", v.driverKey,
		map[string]any{"status": "arrived", "position": pos}, nil)
	if err != nil && !(isCode(err, "illegal_transition") && e.status(o) == lastmile.StatusArrived) {
		return e.fail("arrived at "+o.o.ExternalID, err)
	}
	o.attempted = true
	planned := float64(o.o.ServiceSeconds)
	var service float64
	switch {
	case o.fate.wrongAddress:
		service = 240 + planned*0.5
	case o.fate.notHome:
		service = 60 + planned*0.3
	default:
		service = planned * o.fate.serviceFactor
	}
	until := e.now().Add(time.Duration(math.Round(service)) * time.Second)
	e.wait(v, until)
	e.sched.at(until, func() error { return e.complete(r, o) })
	return nil
}

func (e *engine) status(o *ostate) string {
	var cur lastmile.Order
	if err := e.c.do(e.ctx, "GET", "/v1/orders/"+o.o.ID, e.dispatcher, nil, &cur); err != nil {
		return ""
	}
	return cur.Status
}

// complete ends the visit: proof of delivery, or a failure with its
// reason (the station's policy decides what follows).
func (e *engine) complete(r *rstate, o *ostate) error {
	// The positions at the door go up with the phone's next upload; the
	// proof carries its own position.
	v := r.v
	o.finish = e.now()
	switch {
	case o.fate.wrongAddress, o.fate.notHome:
		reason := lastmile.ReasonNotHome
		if o.fate.wrongAddress {
			reason = lastmile.ReasonWrongAddress
		}
		var res struct {
			Status  string `json:"status"`
			Outcome string `json:"outcome"`
		}
		if err := e.c.do(e.ctx, "POST", "/v1/orders/"+o.o.ID+"/status", v.driverKey,
			map[string]any{"status": "failed", "reason": reason, "position": v.pos}, &res); err != nil {
			return e.fail("failed at "+o.o.ExternalID, err)
		}
		if res.Outcome == "" || res.Status != res.Outcome {
			return fmt.Errorf("failed at %s: the API answered status %q, outcome %q: no policy applied", o.o.ExternalID, res.Status, res.Outcome)
		}
		o.outcome = reason
	default:
		fields := map[string]string{"recipient_name": o.o.Recipient.Name,
			"lat": strconv.FormatFloat(v.pos.Lat, 'f', 7, 64), "lon": strconv.FormatFloat(v.pos.Lon, 'f', 7, 64)}
		if otp, ok := r.otps[o.o.ID]; ok {
			fields["otp"] = otp
		}
		var files map[string][]byte
		if o.fate.photo {
			files = map[string][]byte{"photo": e.photo}
		}
		var res lastmile.Order
		if err := e.c.multipart(e.ctx, "/v1/orders/"+o.o.ID+"/pod", v.driverKey, fields, files, &res); err != nil {
			return e.fail("proof of delivery at "+o.o.ExternalID, err)
		}
		if res.Status != lastmile.StatusDelivered {
			return fmt.Errorf("proof of delivery at %s: the order is %s, not delivered", o.o.ExternalID, res.Status)
		}
		o.outcome = lastmile.StatusDelivered
		if w := o.o.Window; w != nil {
			o.onTime = !o.finish.Before(w.Start) && !o.finish.After(w.End)
		} else {
			o.onTime = o.finish.In(e.loc).Format(lastmile.DateLayout) == o.o.ServiceDate
		}
	}
	e.done++
	if e.cfg.Progress != nil {
		e.cfg.Progress(e.done, e.total)
	}
	return e.nextStop(r)
}

// smallPNG is the photo of a proof of delivery.
func smallPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := range 16 {
		img.Set(x, x%12, color.RGBA{R: 40, G: 120, B: 200, A: 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }
func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }
