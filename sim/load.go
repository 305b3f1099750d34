package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/travel/roads"
	"github.com/lastmile-dev/lastmile/vrp"
)

// LoadConfig drives several station days at once against a running
// server.
type LoadConfig struct {
	BaseURL  string // e.g. http://127.0.0.1:8080
	AdminKey string
	Stations int
	Duration time.Duration // the run stops after this long
	Speed    float64       // simulated seconds per real second
	Day      Config        // each station's day (its seed is varied per station)
	Client   *http.Client
}

// LoadResult is what the server went through.
type LoadResult struct {
	Schema      string         `json:"schema"`
	Stations    int            `json:"stations"`
	Speed       float64        `json:"speed"`
	DurationS   float64        `json:"duration_s"`
	Requests    int            `json:"requests"`
	RatePerS    float64        `json:"requests_per_s"`
	Errors      int            `json:"errors"` // transport failures and 5xx answers
	Latency     LatencyStats   `json:"latency"`
	Routes      []LatencyStats `json:"by_route"`
	StopsDone   int            `json:"stops_done"`
	Positions   positionStats  `json:"positions"`
	StationErrs []string       `json:"station_errors,omitempty"` // a station day that stopped on an error
}

// Load runs cfg.Stations station days concurrently against the server,
// each compressed Speed times onto real time (the server's clock), until
// they end or Duration passes.
func Load(ctx context.Context, cfg LoadConfig) (*LoadResult, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, fmt.Errorf("--server: %q is not an http(s) URL", cfg.BaseURL)
	case cfg.AdminKey == "":
		return nil, fmt.Errorf("--admin-key: required with --load")
	case cfg.Stations < 1 || cfg.Stations > 1000:
		return nil, fmt.Errorf("--stations: %d is not in [1, 1000]", cfg.Stations)
	case cfg.Duration <= 0 || cfg.Duration > 24*time.Hour:
		return nil, fmt.Errorf("--duration: %v is not in (0, 24h]", cfg.Duration)
	case !(cfg.Speed >= 1 && cfg.Speed <= 3600):
		return nil, fmt.Errorf("--speed: %g is not in [1, 3600]", cfg.Speed)
	}
	if err := cfg.Day.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	c := newClient(cfg.BaseURL, cfg.Client)
	var mu sync.Mutex
	res := &LoadResult{Schema: "lastmile.simulate.load/v1", Stations: cfg.Stations, Speed: cfg.Speed,
		Positions: positionStats{Verdicts: map[string]int{}}}
	t0 := time.Now()
	var wg sync.WaitGroup
	for i := range cfg.Stations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			day := cfg.Day
			day.Seed = cfg.Day.Seed + int64(i)
			day.Progress = nil
			e, err := realEngine(ctx, &day, c, cfg.AdminKey, cfg.Speed, nil)
			if err == nil {
				_, err = e.playDay(fmt.Sprintf("Load station %d", i+1))
			}
			mu.Lock()
			defer mu.Unlock()
			if e != nil {
				res.StopsDone += e.done
				res.Positions.Sent += e.positions.Sent
				res.Positions.Accepted += e.positions.Accepted
				res.Positions.Batches += e.positions.Batches
				for k, v := range e.positions.Verdicts {
					res.Positions.Verdicts[k] += v
				}
			}
			if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				res.StationErrs = append(res.StationErrs, fmt.Sprintf("station %d: %v", i+1, err))
			}
		}()
	}
	wg.Wait()
	res.DurationS = round3(time.Since(t0).Seconds())
	all, per := c.latencies()
	res.Latency, res.Routes = all, per
	res.Requests, res.Errors = all.Requests, all.Errors
	res.RatePerS = ratio(float64(all.Requests), res.DurationS)
	return res, nil
}

// realEngine prepares an engine for a server on real time (load mode),
// or on the shared accelerated clk (the demo). The day is today in the
// station's zone.
func realEngine(ctx context.Context, cfg *Config, c *client, admin string, speed float64, clk *Clock) (*engine, error) {
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("--tz: %w", err)
	}
	now := time.Now()
	if clk != nil {
		now = clk.Now()
	}
	local := now.In(loc)
	base := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	cfg.Date = base.Format(lastmile.DateLayout)
	var src vrp.TravelSource = travel.GreatCircle{}
	if cfg.Graph != nil {
		src = &roads.Source{Graph: cfg.Graph}
	}
	e := &engine{cfg: cfg, c: c, ctx: ctx, admin: admin, loc: loc, base: base, date: cfg.Date, travel: src}
	if clk != nil {
		e.pace = clockPacer{clk}
		e.sched.now = now
	} else {
		// The simulated day starts with the plan, a few minutes before
		// the shifts, compressed speed times from now on.
		e.planLead = 5 * time.Minute
		start := base.Add(time.Duration(cfg.DayStart)*time.Second - e.planLead)
		e.pace = &realPacer{simStart: start, wallStart: time.Now(), speed: speed}
		e.sched.now = start
	}
	return e, nil
}
