package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
	"github.com/lastmile-dev/lastmile/tracking"
	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/travel/roads"
	"github.com/lastmile-dev/lastmile/vrp"
)

// Run simulates one day: an in-process API server on 127.0.0.1 with a
// temporary SQLite store, whose clock is the simulation's, is planned,
// dispatched and driven through its HTTP API.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	loc, _ := time.LoadLocation(cfg.TimeZone)
	base, _ := time.ParseInLocation(lastmile.DateLayout, cfg.Date, loc)
	clk := &vclock{t: base.Add(5 * time.Hour).UTC()}
	dir, err := os.MkdirTemp("", "lastmile-sim-")
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "sim.db"), clk.Now)
	if err != nil {
		return nil, fmt.Errorf("simulate: store: %w", err)
	}
	defer st.Close()
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("simulate: blobs: %w", err)
	}
	var src vrp.TravelSource = travel.GreatCircle{}
	if cfg.Graph != nil {
		src = &roads.Source{Graph: cfg.Graph}
	}
	api := httpapi.New(httpapi.Config{Store: st, Blobs: blobs, Travel: src, Now: clk.Now, RateClock: clk.Now,
		Logger: slog.New(slog.DiscardHandler), PlanTimeLimit: cfg.PlanTimeLimit, PlanIterations: cfg.PlanIterations,
		Threads: 1, Email: true, SMS: true, PublicURL: "http://127.0.0.1", Tracking: trackerConfig(&cfg)})
	admin, err := httpapi.Bootstrap(ctx, st, "", clk.Now())
	if err != nil {
		return nil, fmt.Errorf("simulate: bootstrap: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("simulate: listen: %w", err)
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	e := &engine{cfg: &cfg, c: newClient("http://"+ln.Addr().String(), hc), pace: virtualPacer{clk}, ctx: ctx,
		admin: admin, loc: loc, base: base, date: cfg.Date, travel: src, planLead: 2 * time.Hour}
	e.sched.now = clk.Now()
	res, err := e.playDay("Simulated station")
	if err != nil {
		return nil, err
	}
	res.Timing.TotalS = round3(time.Since(t0).Seconds())
	return res, nil
}

// playDay runs the whole day on the engine and scores it.
func (e *engine) playDay(name string) (*Result, error) {
	cfg := e.cfg
	d, err := generate(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Orders != nil && cfg.Graph == nil {
		// Replayed orders: the station is where they are.
		if c, ok := centroid(cfg.Orders); ok {
			d.station = c
		}
	}
	e.day = d
	e.noisy = rng(cfg.Seed, 5)
	e.orders, e.byExt = map[string]*ostate{}, map[string]*ostate{}
	e.positions.Verdicts = map[string]int{}
	e.photo = smallPNG()
	if err := e.setup(name); err != nil {
		return nil, err
	}
	var later []genOrder
	if cfg.Orders != nil {
		if err := e.importFile(cfg.Orders); err != nil {
			return nil, err
		}
	} else {
		var exts []string
		for _, g := range d.orders {
			exts = append(exts, g.ext)
		}
		e.fates = fates(cfg, exts)
		for _, g := range d.orders {
			if g.known > 0 {
				later = append(later, g)
				continue
			}
			if err := e.createOrder(g); err != nil {
				return nil, err
			}
		}
	}
	e.total = len(e.orders) + len(later)
	w0 := time.Now()
	planAt := e.base.Add(time.Duration(cfg.DayStart)*time.Second - e.planLead)
	e.sched.at(planAt, func() error { return e.plan() })
	for _, g := range later {
		e.sched.at(e.base.Add(time.Duration(g.known)*time.Second), func() error { return e.createOrder(g) })
	}
	if len(later) > 0 {
		e.sched.at(e.base.Add(time.Duration(cfg.CutOff)*time.Second), func() error {
			return e.plan()
		})
	}
	if err := e.sched.run(e.ctx, e.pace); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, fmt.Errorf("simulate: %w", err)
	}
	res, err := e.score()
	if err != nil {
		return nil, err
	}
	res.Timing.DayS = round3(time.Since(w0).Seconds())
	return res, nil
}

// plannedService is the tracker's service model that keeps the plan's
// service times.
type plannedService struct{}

func (plannedService) ServiceS(_, _ string, planned int64) int64 { return planned }

// trackerConfig is the simulated server's tracking configuration: the
// server's defaults, or the plan's service times instead of learned ones.
func trackerConfig(cfg *Config) tracking.Config {
	var c tracking.Config
	if cfg.TrackerService == TrackerServicePlanned {
		c.Service = plannedService{}
	}
	return c
}
