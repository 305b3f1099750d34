// Package e2e holds the browser tests of lastmile's web apps: a real HTTP
// server on 127.0.0.1 (the API and the web apps composed as `lastmile
// serve` does, on a temporary SQLite store and the Monaco road graph) and
// headless Chromium driven through the DevTools protocol.
//
// Helpers for every test of the package:
//
//	srv := startServer(t)                 // seeded station, fleet, orders and keys
//	ctx := newBrowser(t, 1280, 800)       // a new tab in the shared browser
//	run(t, ctx, chromedp.Navigate(srv.URL+"/console/#key="+srv.Dispatcher))
//	screenshot(t, ctx, "console-signed-in")
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
	"github.com/lastmile-dev/lastmile/travel/osrmhttp"
	"github.com/lastmile-dev/lastmile/travel/roads"
	"github.com/lastmile-dev/lastmile/web"
)

// chromiumPath is where the browser is installed (scripts/ensure-chromium.sh).
const chromiumPath = "/usr/bin/chromium"

// TestMain closes the shared browser after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	browser.close()
	os.Exit(code)
}

// repoRoot walks up from the working directory to go.mod.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

var monaco struct {
	once sync.Once
	g    *roads.Graph
	err  error
}

// monacoGraph imports ../shared/osm/monaco.osm.pbf once per test binary;
// nil when the file is absent (then plans use great-circle estimates and
// maps have no roads). With CI=true a missing file fails the test.
func monacoGraph(tb testing.TB) *roads.Graph {
	tb.Helper()
	path := filepath.Join(repoRoot(tb), "..", "shared", "osm", "monaco.osm.pbf")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("Monaco extract missing: %v", err)
		}
		tb.Logf("Monaco extract missing (%v): maps without roads", err)
		return nil
	}
	monaco.once.Do(func() {
		monaco.g, monaco.err = roads.ImportFile(context.Background(), path, roads.ImportOptions{})
	})
	if monaco.err != nil {
		tb.Fatalf("import Monaco: %v", monaco.err)
	}
	return monaco.g
}

// testServer is a running server with a seeded station.
type testServer struct {
	t     testing.TB
	URL   string
	Store lastmile.Store
	API   *httpapi.Server
	Graph *roads.Graph // nil without the Monaco extract

	// Keys: admin, a dispatcher of the station, a driver bound to Drivers[0].
	Admin, Dispatcher, Driver string
	Station                   string
	Vehicles, Drivers         []string
	Orders                    []string // ids, in creation order
	Date                      string   // the station's local date today (YYYY-MM-DD)
	Locations                 [][2]float64
}

// serverOptions changes what startServer seeds.
type serverOptions struct {
	Orders   int    // orders for today (default 24)
	Vehicles int    // vehicles and drivers (default 3)
	TileURL  string // web.Config.TileURL
}

// startServer starts the API and the web apps on 127.0.0.1:0 over a fresh
// SQLite store, with a station in Monaco, vehicles, drivers on shift all
// day, orders for today and keys. Everything is closed when the test ends.
func startServer(t testing.TB, opts ...serverOptions) *testServer {
	t.Helper()
	o := serverOptions{Orders: 24, Vehicles: 3}
	if len(opts) > 0 {
		if opts[0].Orders > 0 {
			o.Orders = opts[0].Orders
		}
		if opts[0].Vehicles > 0 {
			o.Vehicles = opts[0].Vehicles
		}
		o.TileURL = opts[0].TileURL
	}
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "lastmile.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	g := monacoGraph(t)
	cfg := httpapi.Config{Store: st, Blobs: blobs, PlanTimeLimit: time.Second, OptimizeTimeLimit: time.Second,
		SSEHeartbeat: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)}
	var lines web.RoadLines
	if g != nil {
		cfg.Travel = &roads.Source{Graph: g}
		lines = g
	}
	api := httpapi.New(cfg)
	// Composed as `lastmile serve` does: the web apps, and behind them the
	// API and, with a road graph, the OSRM-compatible routes.
	next := api.Handler()
	if g != nil {
		osrm := osrmhttp.NewHandler(g, osrmhttp.Options{})
		mux := http.NewServeMux()
		mux.Handle("/route/v1/", osrm)
		mux.Handle("/table/v1/", osrm)
		mux.Handle("/", next)
		next = mux
	}
	handler := web.New(web.Config{Roads: lines, TileURL: o.TileURL, Next: next})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(c)
		hs.Close()
	})
	s := &testServer{t: t, URL: "http://" + ln.Addr().String(), Store: st, API: api, Graph: g}
	s.Admin, err = httpapi.Bootstrap(ctx, st, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.seed(o)
	return s
}

// seed creates the station, fleet, orders and keys.
func (s *testServer) seed(o serverOptions) {
	t := s.t
	t.Helper()
	week := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	var hours []map[string]string
	for _, d := range week {
		hours = append(hours, map[string]string{"day": d, "open": "00:00", "close": "23:59"})
	}
	var stn map[string]any
	s.mustJSON("POST", "/v1/stations", s.Admin, map[string]any{
		"name": "Monaco Port", "location": map[string]any{"lat": 43.7347, "lon": 7.4206}, "time_zone": "Europe/Monaco",
		"opening_hours": hours,
		"pickup_points": []map[string]any{
			{"id": "L1", "kind": "locker", "name": "Locker Condamine", "location": map[string]any{"lat": 43.7352, "lon": 7.4213}, "capacity": 40},
			{"id": "P1", "kind": "pickup_point", "name": "Kiosk Fontvieille", "location": map[string]any{"lat": 43.7290, "lon": 7.4170}, "capacity": 60},
		},
	}, &stn)
	s.Station = stn["id"].(string)
	loc, err := time.LoadLocation("Europe/Monaco")
	if err != nil {
		t.Fatal(err)
	}
	s.Date = time.Now().In(loc).Format("2006-01-02")
	// Small vans, so that a plan needs all of them.
	capacity := max(4, (o.Orders+o.Vehicles-1)/o.Vehicles+3)
	for i := 0; i < o.Vehicles; i++ {
		var v, d map[string]any
		s.mustJSON("POST", "/v1/vehicles", s.Admin, map[string]any{
			"station_id": s.Station, "name": fmt.Sprintf("Van %d", i+1), "type": "van",
			"capacity": map[string]any{"parcels": capacity}, "costs": map[string]any{"fixed": 5000, "per_hour": 2500, "per_km": 30}, "active": true,
		}, &v)
		shifts := []map[string]any{{"days": week, "start": "00:00", "end": "23:59"}}
		s.mustJSON("POST", "/v1/drivers", s.Admin, map[string]any{
			"station_id": s.Station, "name": []string{"Dana Rossi", "Luca Bianchi", "Mia Costa", "Noah Ferri", "Eva Galli"}[i%5],
			"active": true, "shifts": shifts,
		}, &d)
		s.Vehicles = append(s.Vehicles, v["id"].(string))
		s.Drivers = append(s.Drivers, d["id"].(string))
	}
	s.Locations = orderLocations(s.Graph, o.Orders)
	var orders []map[string]any
	for i, p := range s.Locations {
		ext := fmt.Sprintf("ORD-%04d", i+1)
		orders = append(orders, map[string]any{
			"station_id": s.Station, "external_id": ext, "service_level": "same_day", "service_date": s.Date,
			"recipient": map[string]any{"name": "Recipient " + ext, "phone": "+377 93 15 00 00"},
			"address":   map[string]any{"line1": fmt.Sprintf("%d boulevard Albert 1er", i+1), "city": "Monaco", "location": map[string]any{"lat": p[1], "lon": p[0]}},
			"parcels":   []map[string]any{{"barcode": "BC-" + ext, "weight_g": 1200}},
		})
	}
	if len(orders) > 0 {
		var rep struct {
			Created int `json:"created"`
			Orders  []struct {
				ID string `json:"id"`
			} `json:"orders"`
		}
		s.mustJSON("POST", "/v1/orders/import?station_id="+s.Station, s.Admin, orders, &rep)
		for _, o := range rep.Orders {
			s.Orders = append(s.Orders, o.ID)
		}
	}
	s.Dispatcher = s.key(map[string]any{"name": "dispatcher", "role": "dispatcher", "stations": []string{s.Station}})
	s.Driver = s.key(map[string]any{"name": "driver", "role": "driver", "stations": []string{s.Station}, "driver_id": s.Drivers[0]})
}

// orderLocations spreads n points (lon, lat) over Monaco's roads, or over
// a grid when there is no graph.
func orderLocations(g *roads.Graph, n int) [][2]float64 {
	var pts [][2]float64
	if g != nil {
		a, b, c, d := g.Bounds()
		var cands [][2]float64
		for _, l := range g.Lines(a, b, c, d, 18, 0).Lines {
			if l.Class >= roads.ClassSecondary && len(l.Points) >= 4 {
				cands = append(cands, [2]float64{float64(l.Points[0]) / 1e7, float64(l.Points[1]) / 1e7})
			}
		}
		// Spread the choice over the list (the lines come in road order).
		for i := 0; i < n && len(cands) > 0; i++ {
			k := (i*7919 + 13) % len(cands)
			pts = append(pts, cands[k])
		}
		if len(pts) == n {
			return pts
		}
		pts = pts[:0]
	}
	for i := 0; i < n; i++ {
		pts = append(pts, [2]float64{7.412 + float64(i%13)*0.0015, 43.728 + float64(i%17)*0.0011})
	}
	return pts
}

func (s *testServer) key(body map[string]any) string {
	var k map[string]any
	s.mustJSON("POST", "/v1/api-keys", s.Admin, body, &k)
	return k["secret"].(string)
}

// do sends a JSON request to the server and answers the status and body.
func (s *testServer) do(method, path, key string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// mustJSON sends a request that must succeed (2xx) and decodes its answer into out (may be nil).
func (s *testServer) mustJSON(method, path, key string, body, out any) {
	s.t.Helper()
	status, raw := s.do(method, path, key, body)
	if status/100 != 2 {
		s.t.Fatalf("%s %s: status %d: %s", method, path, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// plan creates and publishes a plan for today and answers it.
func (s *testServer) plan() planBody {
	s.t.Helper()
	var p planBody
	s.mustJSON("POST", "/v1/plans", s.Dispatcher, map[string]any{"station_id": s.Station, "date": s.Date, "time_limit_s": 1}, &p)
	return p
}

// planBody is the part of a plan the tests read.
type planBody struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Routes []struct {
		ID        string `json:"id"`
		VehicleID string `json:"vehicle_id"`
		DriverID  string `json:"driver_id"`
		Stops     []struct {
			OrderID string `json:"order_id"`
			Type    string `json:"type"`
		} `json:"stops"`
	} `json:"routes"`
}

// sharedBrowser is one Chromium process per test binary; each test gets a tab.
type sharedBrowser struct {
	mu      sync.Mutex
	ctx     context.Context // the browser context
	cancel  func()
	dataDir string
	err     error
}

var browser sharedBrowser

func (b *sharedBrowser) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
	if b.dataDir != "" {
		os.RemoveAll(b.dataDir)
	}
}

// requireChromium skips the test when the browser is missing, or fails it
// with CI=true.
func requireChromium(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := fmt.Sprintf("%s is missing (install it with scripts/ensure-chromium.sh): %v", chromiumPath, err)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
}

func (b *sharedBrowser) start(tb testing.TB) context.Context {
	tb.Helper()
	requireChromium(tb)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx != nil || b.err != nil {
		if b.err != nil {
			tb.Fatalf("browser: %v", b.err)
		}
		return b.ctx
	}
	dir, err := os.MkdirTemp("", "lastmile-e2e-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	b.dataDir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("mute-audio", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		b.err = err
		tb.Fatalf("starting %s: %v", chromiumPath, err)
	}
	b.ctx = ctx
	b.cancel = func() { cancelCtx(); cancelAlloc() }
	return ctx
}

// page is a browser tab with the JavaScript errors it reported.
type page struct {
	mu     sync.Mutex
	errors []string
}

// newBrowser opens a tab of the shared browser with a viewport of width ×
// height CSS pixels; the tab closes when the test ends, and JavaScript
// exceptions it reports fail the test then.
func newBrowser(t testing.TB, width, height int) context.Context {
	t.Helper()
	root := browser.start(t)
	p := &page{}
	ctx, cancel := chromedp.NewContext(root, chromedp.WithListener(func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			p.mu.Lock()
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			p.errors = append(p.errors, fmt.Sprintf("%s (%s:%d:%d)", msg, d.URL, d.LineNumber+1, d.ColumnNumber+1))
			p.mu.Unlock()
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				p.mu.Lock()
				p.errors = append(p.errors, "console.error: "+strings.Join(parts, " "))
				p.mu.Unlock()
			}
		}
	}))
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		cancelTimeout()
		cancel()
		t.Fatalf("new tab: %v", err)
	}
	t.Cleanup(func() {
		p.mu.Lock()
		errs := append([]string(nil), p.errors...)
		p.mu.Unlock()
		if len(errs) > 0 {
			t.Errorf("JavaScript errors in the page:\n%s", strings.Join(errs, "\n"))
		}
		cancelTimeout()
		cancel()
	})
	return ctx
}

// run runs browser actions and fails the test with a screenshot on error.
func run(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		screenshot(t, ctx, strings.ReplaceAll(t.Name(), "/", "_")+"-failure")
		t.Fatalf("browser: %v", err)
	}
}

// artifactsDir is $LASTMILE_ARTIFACTS or web/e2e/artifacts.
func artifactsDir(tb testing.TB) string {
	dir := os.Getenv("LASTMILE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(tb), "web", "e2e", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// screenshot saves the tab's viewport as artifacts/<name>.png.
func screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(artifactsDir(t), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	t.Logf("screenshot: %s", path)
	return path
}

// waitJS polls a JavaScript expression until it is truthy (or the
// timeout, at least 30 s), and fails the test with the last value otherwise.
func waitJS(t testing.TB, ctx context.Context, expr string, timeout time.Duration) {
	t.Helper()
	// Waits end as soon as the condition holds, so a generous floor costs
	// nothing on a pass and keeps a busy CI machine from failing them.
	deadline := time.Now().Add(max(timeout, 30*time.Second))
	var last any
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		} else {
			last = false
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, strings.ReplaceAll(t.Name(), "/", "_")+"-timeout")
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('error')||{}).textContent||''`))
			t.Fatalf("waiting for %s: %v (page error banner: %q)", expr, last, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// evalJS evaluates a JavaScript expression (awaiting a promise) and
// decodes its JSON value.
func evalJS[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		screenshot(t, ctx, strings.ReplaceAll(t.Name(), "/", "_")+"-failure")
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
