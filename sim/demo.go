package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/travel/roads"
)

// DemoConfig sets up a demo day on a running server.
type DemoConfig struct {
	BaseURL  string // the server, e.g. http://127.0.0.1:8080
	AdminKey string
	// Graph, when set, must be the server's road graph: addresses are
	// sampled on it and vans drive its roads. Without it: great-circle
	// travel around Center.
	Graph  *roads.Graph
	Center lastmile.Point // default Andorra la Vella (great-circle only)
	// Clock, when set, is the server's clock (httpapi.Config.Now and the
	// store's): the demo day plays at its speed. Without it the day plays
	// in real time.
	Clock    *Clock
	TimeZone string // the station's zone (default Europe/Andorra)
	Stops    int    // default 80
	Vehicles int    // default 4
	Seed     int64  // default 1
	Client   *http.Client
	Logger   *slog.Logger // default: discard
}

// DemoInfo is what to open to watch the demo.
type DemoInfo struct {
	StationID     string
	DispatcherKey string // for /console/#key=…
	DriverKey     string // the driver of RouteID, for /driver/#key=…
	DriverID      string
	RouteID       string
	TrackingToken string // an order of RouteID, for /t/{token}
	Date          string // the demo day, local to the station
}

// Demo creates a demo station with its fleet, keys and today's orders on
// the server, plans and publishes the day, and then plays it — vehicles
// leave at their shift start, drive, deliver, fail, get re-planned —
// in a goroutine until ctx ends or the day is over. The day is today in
// the station's zone (on Clock's time when given), its shifts starting a
// minute from now; late in the evening the day is short (shifts end at
// midnight).
func Demo(ctx context.Context, cfg DemoConfig) (*DemoInfo, error) {
	if cfg.BaseURL == "" || cfg.AdminKey == "" {
		return nil, fmt.Errorf("demo: the server's URL and an admin key are required")
	}
	day := Defaults()
	day.Seed, day.Graph = cfg.Seed, cfg.Graph
	if day.Seed == 0 {
		day.Seed = 1
	}
	day.Stops, day.Vehicles = 80, 4
	if cfg.Stops > 0 {
		day.Stops = cfg.Stops
	}
	if cfg.Vehicles > 0 {
		day.Vehicles = cfg.Vehicles
	}
	if cfg.TimeZone != "" {
		day.TimeZone = cfg.TimeZone
	}
	if cfg.Center != (lastmile.Point{}) {
		day.Center = cfg.Center
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	loc, err := time.LoadLocation(day.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: time zone %q: %w", day.TimeZone, err)
	}
	now := time.Now()
	if cfg.Clock != nil {
		now = cfg.Clock.Now()
	}
	local := now.In(loc)
	start := int64(local.Hour()*3600+local.Minute()*60) + 60
	day.DayStart = min(start, 23*3600)
	day.CutOff = min(day.DayStart+3*3600+1800, 23*3600)
	day.SameDayShare = 0.05
	if err := day.Validate(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	c := newClient(cfg.BaseURL, cfg.Client)
	e, err := realEngine(ctx, &day, c, cfg.AdminKey, 1, cfg.Clock)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if cfg.Clock == nil {
		// Real time: simulated time is the wall clock.
		e.pace = &realPacer{simStart: now, wallStart: now, speed: 1}
		e.sched.now = now
	}
	d, err := generate(&day)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	e.day = d
	e.noisy = rng(day.Seed, 5)
	e.orders, e.byExt = map[string]*ostate{}, map[string]*ostate{}
	e.positions.Verdicts = map[string]int{}
	e.photo = smallPNG()
	if err := e.setup("Demo station"); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var exts []string
	for _, g := range d.orders {
		exts = append(exts, g.ext)
	}
	e.fates = fates(&day, exts)
	var later []genOrder
	for _, g := range d.orders {
		if g.known > 0 {
			later = append(later, g)
			continue
		}
		if err := e.createOrder(g); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	e.total = len(d.orders)
	if err := e.plan(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	info := &DemoInfo{StationID: e.station.ID, DispatcherKey: e.dispatcher, Date: e.date}
	// Show the route that leaves first: its van moves soonest.
	first := slices.Clone(e.routes)
	slices.SortStableFunc(first, func(a, b *rstate) int { return a.plan.Start.Compare(b.plan.Start) })
	for _, r := range first {
		info.RouteID, info.DriverKey, info.DriverID = r.id, r.v.driverKey, r.v.driverID
		for _, s := range r.plan.Stops {
			if s.OrderID == "" {
				continue
			}
			var o lastmile.Order
			if err := c.do(ctx, "GET", "/v1/orders/"+s.OrderID, e.dispatcher, nil, &o); err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			info.TrackingToken = o.TrackingToken
			break
		}
		break
	}
	if info.RouteID == "" {
		return nil, fmt.Errorf("demo: the plan has no route")
	}
	for _, g := range later {
		e.sched.at(e.base.Add(time.Duration(g.known)*time.Second), func() error { return e.createOrder(g) })
	}
	if len(later) > 0 {
		e.sched.at(e.base.Add(time.Duration(day.CutOff)*time.Second), func() error {
			return e.plan()
		})
	}
	go func() {
		if err := e.sched.run(ctx, e.pace); err != nil && ctx.Err() == nil {
			log.Error("demo day stopped", "err", err)
			return
		}
		log.Info("demo day over", "stops", e.done)
	}()
	return info, nil
}
