package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/internal/demodata"
	"github.com/lastmile-dev/lastmile/mqttingest"
	"github.com/lastmile-dev/lastmile/notify"
	"github.com/lastmile-dev/lastmile/sim"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/postgres"
	"github.com/lastmile-dev/lastmile/store/sqlite"
	"github.com/lastmile-dev/lastmile/tracking"
	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/travel/osrmhttp"
	"github.com/lastmile-dev/lastmile/travel/roads"
	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/web"
)

type serveFlags struct {
	addr, db, blobs, adminKey   string
	tlsCert, tlsKey             string
	logLevel, logFormat         string
	planLimit, optimizeLimit    time.Duration
	shutdown, retentionInterval time.Duration
	threads                     int
	speed, detour               float64
	roads                       roadFlags

	// Live tracking and notifications.
	publicURL, webhooks          string
	smtpAddr, smtpFrom           string
	smsURL, smsSecret            string
	mqttBroker                   string
	historyEvery, positionRetain time.Duration
	notifyInterval               time.Duration
	arriveRadius                 float64
	arriveDwell, approachETA     time.Duration
	approachStops                int
	tileURL, tileAttribution     string

	// The demo day.
	demo                    bool
	demoSpeed               float64
	demoStops, demoVehicles int
	demoSeed                int64
}

// runServe implements `lastmile serve`: the delivery operations API on
// SQLite (a file, the default) or PostgreSQL (--db postgres://…). Every
// flag can also be set by an environment variable LASTMILE_<FLAG> (e.g.
// LASTMILE_DB, LASTMILE_ADDR); flags win.
func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	fs.StringVar(&f.db, "db", "./lastmile.db", "SQLite file `PATH`, or a postgres:// URL")
	fs.StringVar(&f.blobs, "blobs", "", "`DIR` of proof-of-delivery files (default: lastmile-blobs beside a SQLite file, ./lastmile-blobs with PostgreSQL)")
	fs.StringVar(&f.adminKey, "admin-key", "", "bootstrap admin API `KEY` (lmk_…) to create when the database has no key; random and printed when empty")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `FILE` (with --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key `FILE` for --tls-cert")
	fs.StringVar(&f.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn, error")
	fs.StringVar(&f.logFormat, "log-format", "text", "log `FORMAT`: text or json")
	fs.DurationVar(&f.planLimit, "plan-time-limit", 5*time.Second, "optimizer time `LIMIT` of a plan")
	fs.DurationVar(&f.optimizeLimit, "optimize-time-limit", 5*time.Second, "default and maximal time `LIMIT` of POST /v1/optimize")
	fs.DurationVar(&f.shutdown, "shutdown-timeout", 30*time.Second, "how long to let in-flight requests finish on shutdown")
	fs.DurationVar(&f.retentionInterval, "retention-interval", time.Hour, "how often to erase personal data past the stations' retention (0: never)")
	fs.IntVar(&f.threads, "threads", 1, "optimizer `THREADS` per plan")
	fs.Float64Var(&f.speed, "speed", travel.DefaultSpeedKMH, "average speed in `KMH` of great-circle travel estimates")
	fs.Float64Var(&f.detour, "detour", travel.DefaultDetourFactor, "road over straight-line distance `FACTOR` of great-circle estimates")
	f.roads.register(fs) // --osm, --graph, --osrm: plans on roads instead of great circles
	fs.StringVar(&f.publicURL, "public-url", "", "public base `URL` of tracking links in notifications (default http://ADDR)")
	fs.StringVar(&f.webhooks, "webhooks", "", "webhook receivers, comma-separated `URL|SECRET` pairs; every call is signed with its secret")
	fs.StringVar(&f.smtpAddr, "smtp", "", "SMTP server `HOST:PORT` for recipients' emails (none: no email)")
	fs.StringVar(&f.smtpFrom, "smtp-from", "noreply@lastmile.invalid", "sender `ADDRESS` of emails")
	fs.StringVar(&f.smsURL, "sms-url", "", "SMS provider webhook `URL` for recipients' text messages (none: no SMS)")
	fs.StringVar(&f.smsSecret, "sms-secret", "", "signing `SECRET` of SMS provider calls")
	fs.StringVar(&f.mqttBroker, "mqtt", "", "subscribe to vehicle positions on this MQTT broker `URL` (tcp://127.0.0.1:1883)")
	fs.DurationVar(&f.historyEvery, "history-every", 15*time.Second, "keep at most one position per vehicle per `DURATION` in the history")
	fs.DurationVar(&f.positionRetain, "position-retention", 30*24*time.Hour, "erase positions older than `DURATION` (0: keep)")
	fs.DurationVar(&f.notifyInterval, "notify-interval", time.Second, "how often the outbox is delivered")
	fs.Float64Var(&f.arriveRadius, "arrive-radius", 60, "a vehicle within `METRES` of a stop …")
	fs.DurationVar(&f.arriveDwell, "arrive-dwell", 45*time.Second, "… for `DURATION` has arrived there")
	fs.IntVar(&f.approachStops, "approach-stops", 1, "notify \"approaching\" when a stop is at most `N` stops after the next …")
	fs.DurationVar(&f.approachETA, "approach-eta", 10*time.Minute, "… or its ETA is under `DURATION`")
	fs.StringVar(&f.tileURL, "tile-url", "", "XYZ tile `URL` template of the web maps (https://host/{z}/{x}/{y}.png); default: roads drawn from the loaded OSM graph")
	fs.StringVar(&f.tileAttribution, "tile-attribution", "", "attribution `TEXT` shown with --tile-url tiles (default: © OpenStreetMap contributors)")
	fs.BoolVar(&f.demo, "demo", false, "play a demo delivery day: a fresh database (unless --db is given), a demo station in Andorra on its roads (embedded OpenStreetMap data), vans driving at --demo-speed; prints the console, driver app and tracking page URLs")
	fs.Float64Var(&f.demoSpeed, "demo-speed", 20, "with --demo: how many `TIMES` faster than real time the day plays (the server's clock runs as fast)")
	fs.IntVar(&f.demoStops, "demo-stops", 80, "with --demo: `N` stops of the demo day")
	fs.IntVar(&f.demoVehicles, "demo-vehicles", 4, "with --demo: `N` vans")
	fs.Int64Var(&f.demoSeed, "demo-seed", 1, "with --demo: random `SEED` of the demo day")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lastmile serve [--addr HOST:PORT] [--db PATH|postgres://…] [flags]\n\n"+
			"Runs the delivery operations API. Each flag may be given as an environment\n"+
			"variable LASTMILE_<FLAG> (upper case, dashes as underscores). Travel times\n"+
			"come from great-circle estimates unless --graph, --osm or --osrm is given.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := envFlags(fs); err != nil {
		return err
	}
	dbGiven := false
	fs.Visit(func(fl *flag.Flag) { dbGiven = dbGiven || fl.Name == "db" })
	_, dbEnv := os.LookupEnv("LASTMILE_DB")
	if f.demo {
		if !(f.demoSpeed >= 1 && f.demoSpeed <= 3600) {
			return usagef("--demo-speed: %g, want 1 to 3600", f.demoSpeed)
		}
		if f.demoStops < 1 || f.demoStops > 5000 || f.demoVehicles < 1 || f.demoVehicles > 200 {
			return usagef("--demo-stops (1–5000) and --demo-vehicles (1–200) out of range")
		}
		if !dbGiven && !dbEnv {
			// A fresh database each time, gone when the demo stops.
			dir, err := os.MkdirTemp("", "lastmile-demo-")
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			defer os.RemoveAll(dir)
			f.db = filepath.Join(dir, "demo.db")
		}
	}
	ctx, stopSignals := signal.NotifyContext(ctx, syscall.SIGTERM) // Ctrl-C is handled by main
	defer stopSignals()
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if f.demo && f.tlsCert != "" {
		return usagef("--demo serves plain HTTP: leave out --tls-cert")
	}
	log, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	if f.threads < 1 || f.planLimit <= 0 || f.optimizeLimit <= 0 {
		return usagef("--threads, --plan-time-limit and --optimize-time-limit must be positive")
	}

	src, err := f.roads.source(ctx, stderr, travel.GreatCircle{SpeedKMH: f.speed, DetourFactor: f.detour})
	if err != nil {
		return err
	}
	var clock func() time.Time // the server's clock: real time, or the demo's
	var demoClock *sim.Clock
	if f.demo {
		if f.roads.osm == "" && f.roads.graph == "" && f.roads.osrm == "" {
			t0 := time.Now()
			g, err := demodata.Andorra(ctx)
			if err != nil {
				return fmt.Errorf("demo map: %w", err)
			}
			fmt.Fprintf(stderr, "demo map: Andorra imported in %.1fs (map data %s)\n", time.Since(t0).Seconds(), demodata.Attribution)
			src = &roads.Source{Graph: g, MaxSnapDistance: f.roads.maxSnap}
		}
		demoClock = sim.NewClock(time.Now(), f.demoSpeed)
		clock = demoClock.Now
	}

	st, blobDir, err := openStore(ctx, f.db, f.blobs, clock)
	if err != nil {
		return err
	}
	defer st.Close()
	blobs, err := blobfs.New(blobDir)
	if err != nil {
		return err
	}
	if f.demo && f.adminKey == "" && (dbGiven || dbEnv) {
		return usagef("--demo on an existing database (--db) needs --admin-key")
	}
	secret, err := httpapi.Bootstrap(ctx, st, f.adminKey, time.Now())
	if err != nil {
		return fmt.Errorf("bootstrap admin key: %w", err)
	}
	if secret != "" {
		fmt.Fprintf(stdout, "admin API key (shown once, store it now): %s\n", secret)
	}
	hooks, err := parseWebhooks(f.webhooks)
	if err != nil {
		return err
	}
	if f.publicURL == "" {
		f.publicURL = "http://" + f.addr
	}
	api := httpapi.New(httpapi.Config{Store: st, Blobs: blobs, Logger: log, Now: clock, RateClock: clock,
		Travel:        src,
		PlanTimeLimit: f.planLimit, OptimizeTimeLimit: f.optimizeLimit, Threads: f.threads,
		Tracking:     tracking.Config{StopM: f.arriveRadius, Dwell: f.arriveDwell, ApproachStops: f.approachStops, ApproachETA: f.approachETA},
		HistoryEvery: f.historyEvery, PositionRetention: f.positionRetain, Webhooks: hooks,
		Email: f.smtpAddr != "", SMS: f.smsURL != "", PublicURL: f.publicURL})
	if err := api.LoadLearned(ctx); err != nil {
		log.Warn("learned service times and traffic factors not loaded", "err", err)
	}
	senders := map[string]notify.Sender{lastmile.ChannelWebhook: notify.Webhook{Secret: api.WebhookSecret}}
	if f.smtpAddr != "" {
		senders[lastmile.ChannelEmail] = notify.SMTP{Addr: f.smtpAddr, From: f.smtpFrom}
	}
	if f.smsURL != "" {
		senders[lastmile.ChannelSMS] = notify.SMSWebhook{URL: f.smsURL, Secret: f.smsSecret}
	}
	if f.mqttBroker != "" {
		sub, err := mqttingest.Subscribe(ctx, mqttingest.Config{Broker: f.mqttBroker, OnResult: func(dev string, v tracking.Verdict, err error) {
			if err != nil {
				log.Debug("mqtt position refused", "device", dev, "err", err)
			}
		}}, api)
		if err != nil {
			return err
		}
		defer sub.Close()
		log.Info("subscribed to positions", "broker", redact(f.mqttBroker), "topic", mqttingest.TopicFilter)
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	handler := api.Handler()
	webCfg := web.Config{TileURL: f.tileURL, TileAttribution: f.tileAttribution, Logger: log}
	if rs, ok := src.(*roads.Source); ok {
		// With a road graph, OSRM clients are answered too, like OSRM does:
		// /route/v1 and /table/v1, without API keys; and the web apps' maps
		// draw its roads.
		osrm := osrmhttp.NewHandler(rs.Graph, osrmhttp.Options{})
		mux := http.NewServeMux()
		mux.Handle("/route/v1/", osrm)
		mux.Handle("/table/v1/", osrm)
		mux.Handle("/", handler)
		handler = mux
		webCfg.Roads = rs.Graph
	}
	// The web apps (console, driver app, tracking page) in front of the API.
	webCfg.Next = handler
	handler = web.New(webCfg)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "db", redact(f.db), "blobs", blobDir)

	errc := make(chan error, 1)
	if f.demo {
		key := f.adminKey
		if secret != "" {
			key = secret
		}
		go playDemo(ctx, &f, "http://"+ln.Addr().String(), key, src, demoClock, stdout, log)
	}
	go func() {
		if f.tlsCert != "" {
			errc <- srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	sweepDone := make(chan struct{})
	sweepCtx, stopSweep := context.WithCancel(ctx)
	go func() {
		defer close(sweepDone)
		sweep(sweepCtx, api, log, f.retentionInterval)
	}()
	defer func() { stopSweep(); <-sweepDone }()
	notifyDone := make(chan struct{})
	go func() {
		defer close(notifyDone)
		d := &notify.Dispatcher{Store: st, Senders: senders}
		d.Run(sweepCtx, f.notifyInterval, func(err error) { log.Warn("notifications", "err", err) })
	}()
	defer func() { stopSweep(); <-notifyDone }()
	learnDone := make(chan struct{})
	go func() { // saves what the tracker learns, every minute and on shutdown
		defer close(learnDone)
		api.KeepLearned(sweepCtx, time.Minute, nil)
	}()
	defer func() { stopSweep(); <-learnDone }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", f.shutdown)
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// playDemo sets up the demo day on the running server and prints where to
// watch it; the day then plays until ctx ends.
func playDemo(ctx context.Context, f *serveFlags, base, adminKey string, src vrp.TravelSource, clock *sim.Clock, stdout io.Writer, log *slog.Logger) {
	var g *roads.Graph
	if rs, ok := src.(*roads.Source); ok {
		g = rs.Graph
	}
	info, err := sim.Demo(ctx, sim.DemoConfig{BaseURL: base, AdminKey: adminKey, Graph: g, Clock: clock,
		Stops: f.demoStops, Vehicles: f.demoVehicles, Seed: f.demoSeed, Logger: log})
	if err != nil {
		if ctx.Err() == nil {
			log.Error("demo day", "err", err)
			fmt.Fprintf(stdout, "demo day failed: %v\n", err)
		}
		return
	}
	fmt.Fprintf(stdout, "demo day %s is playing at %g× real time; open:\n"+
		"  dispatcher console  %s/console/#key=%s\n"+
		"  driver app          %s/driver/#key=%s\n"+
		"  tracking page       %s/t/%s\n",
		info.Date, clock.Speed(), base, info.DispatcherKey, base, info.DriverKey, base, info.TrackingToken)
}

// envFlags sets every flag not given on the command line from
// LASTMILE_<NAME> when that variable is set.
func envFlags(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var err error
	fs.VisitAll(func(fl *flag.Flag) {
		if given[fl.Name] || err != nil {
			return
		}
		name := "LASTMILE_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := fs.Set(fl.Name, v); e != nil {
				err = usagef("%s: %v", name, e)
			}
		}
	})
	return err
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level: %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format: %q is not text or json", format)
}

// openStore opens the store named by db and picks the blob directory.
// now is the server's clock (nil: time.Now).
func openStore(ctx context.Context, db, blobs string, now func() time.Time) (lastmile.Store, string, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		st, err := postgres.Open(ctx, db, now)
		if err != nil {
			return nil, "", err
		}
		if blobs == "" {
			blobs = "lastmile-blobs"
		}
		return st, blobs, nil
	}
	if db == "" {
		return nil, "", usagef("--db: empty")
	}
	st, err := sqlite.Open(ctx, db, now)
	if err != nil {
		return nil, "", err
	}
	if blobs == "" {
		blobs = filepath.Join(filepath.Dir(db), "lastmile-blobs")
	}
	return st, blobs, nil
}

// redact hides a password in a database URL.
func redact(db string) string {
	if i := strings.Index(db, "://"); i >= 0 {
		if at := strings.LastIndex(db, "@"); at > i {
			if c := strings.Index(db[i+3:at], ":"); c >= 0 {
				return db[:i+3+c] + ":***" + db[at:]
			}
		}
	}
	return db
}

// sweep erases personal data past retention every interval.
func sweep(ctx context.Context, api *httpapi.Server, log *slog.Logger, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := api.SweepRetention(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("retention sweep", "err", err)
		} else if n > 0 {
			log.Info("retention sweep: personal data erased", "orders", n)
		}
		if n, err := api.SweepPositions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("position retention sweep", "err", err)
		} else if n > 0 {
			log.Info("retention sweep: positions erased", "positions", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// parseWebhooks reads --webhooks: comma-separated URL|SECRET pairs.
func parseWebhooks(v string) ([]httpapi.Webhook, error) {
	var out []httpapi.Webhook
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		u, secret, _ := strings.Cut(part, "|")
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, usagef("--webhooks: %q is not an http(s) URL", u)
		}
		if len(secret) < 16 {
			return nil, usagef("--webhooks: the secret of %s must have at least 16 characters", u)
		}
		out = append(out, httpapi.Webhook{URL: u, Secret: secret})
	}
	return out, nil
}
