package sim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// liveServer starts an API server on 127.0.0.1 whose clock is now (or
// clk) and returns its URL and admin key.
func liveServer(t *testing.T, now func() time.Time) (string, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Store: st, Blobs: blobs, Now: now, RateClock: now, PlanTimeLimit: 2 * time.Second, PlanIterations: 200, Email: true})
	admin, err := httpapi.Bootstrap(context.Background(), st, "", now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), admin
}

func TestLoad(t *testing.T) {
	url, admin := liveServer(t, time.Now)
	day := Defaults()
	day.Stops, day.Vehicles, day.RadiusM, day.PlanIterations, day.WindowShare = 20, 2, 2000, 100, 0
	res, err := Load(context.Background(), LoadConfig{BaseURL: url, AdminKey: admin, Stations: 2, Duration: 5 * time.Second, Speed: 3600, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.StationErrs) > 0 {
		t.Fatalf("station errors: %v", res.StationErrs)
	}
	if res.Requests < 50 || res.Errors != 0 || res.RatePerS <= 0 || res.Latency.P50MS <= 0 || res.Latency.P99MS < res.Latency.P50MS {
		t.Fatalf("load %+v", res)
	}
	if res.DurationS > 10 {
		t.Errorf("ran %g s, bounded by 3 s", res.DurationS)
	}
	if res.Positions.Sent == 0 || res.StopsDone == 0 {
		t.Errorf("no driving: %+v", res)
	}
	bad := []LoadConfig{
		{BaseURL: "ftp://x", AdminKey: "k", Stations: 1, Duration: time.Second, Speed: 60, Day: day},
		{BaseURL: url, Stations: 1, Duration: time.Second, Speed: 60, Day: day},
		{BaseURL: url, AdminKey: admin, Stations: 0, Duration: time.Second, Speed: 60, Day: day},
		{BaseURL: url, AdminKey: admin, Stations: 1, Duration: 0, Speed: 60, Day: day},
		{BaseURL: url, AdminKey: admin, Stations: 1, Duration: time.Second, Speed: 0, Day: day},
	}
	for i, c := range bad {
		if _, err := Load(context.Background(), c); err == nil {
			t.Errorf("bad config %d accepted", i)
		}
	}
}

func TestDemo(t *testing.T) {
	clk := NewClock(time.Now(), 1800)
	url, admin := liveServer(t, clk.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A zone where it is about nine in the morning, so that the demo day
	// is long whenever the test runs.
	off := (9 - time.Now().UTC().Hour() + 24) % 24
	if off > 14 {
		off -= 24
	}
	zone := fmt.Sprintf("Etc/GMT%+d", -off)
	info, err := Demo(ctx, DemoConfig{BaseURL: url, AdminKey: admin, Clock: clk, Stops: 24, Vehicles: 2, TimeZone: zone})
	if err != nil {
		t.Fatal(err)
	}
	if info.DispatcherKey == "" || info.DriverKey == "" || info.RouteID == "" || info.TrackingToken == "" || info.StationID == "" {
		t.Fatalf("demo info %+v", info)
	}
	c := newClient(url, nil)
	var m lastmile.Manifest
	if err := c.do(ctx, "GET", "/v1/routes/"+info.RouteID+"/manifest", info.DriverKey, nil, &m); err != nil || m.DriverID != info.DriverID {
		t.Fatalf("the driver key does not see its route: %v %+v", err, m.DriverID)
	}
	if err := c.do(ctx, "GET", "/v1/track/"+info.TrackingToken, "", nil, nil); err != nil {
		t.Fatalf("tracking page: %v", err)
	}
	// At 1800× the first stops are done within seconds.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var k map[string]any
		if err := c.do(ctx, "GET", "/v1/stations/"+info.StationID+"/kpis?date="+info.Date, info.DispatcherKey, nil, &k); err != nil {
			t.Fatal(err)
		}
		if n, _ := k["attempts"].(float64); n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stops done after 30 s at 1800×: %v", k)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := Demo(ctx, DemoConfig{AdminKey: admin}); err == nil {
		t.Error("a demo without a server URL was accepted")
	}
}
