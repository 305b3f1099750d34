package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

func simulate(args ...string) (code int, stdout, stderr string) {
	var out, errOut strings.Builder
	code = run(context.Background(), append([]string{"simulate"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSimulateFlags(t *testing.T) {
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"--stops", "0"}, "--stops"},
		{[]string{"--stops", "many"}, "-stops"},
		{[]string{"--vehicles", "0"}, "--vehicles"},
		{[]string{"--not-home", "1.2"}, "--not-home"},
		{[]string{"--wrong-address", "-1"}, "--wrong-address"},
		{[]string{"--date", "2026-13-01"}, "--date"},
		{[]string{"--tz", "Nowhere/Town"}, "--tz"},
		{[]string{"--strategy", "random"}, "--strategy"},
		{[]string{"--window-hours", "2"}, "--window-hours"},
		{[]string{"--window-hours", "3-1"}, "--window-hours"},
		{[]string{"--center", "200,1"}, "--center"},
		{[]string{"--compare", "colour"}, "--compare"},
		{[]string{"--osm", "a.pbf", "--graph", "b.graph"}, "--osm"},
		{[]string{"--graph", "/nonexistent.graph"}, "--graph"},
		{[]string{"--orders", "/nonexistent.csv"}, "--orders"},
		{[]string{"--server", "http://127.0.0.1:1"}, "--load"},
		{[]string{"--load"}, "--server"},
		{[]string{"--load", "--server", "http://127.0.0.1:1"}, "--admin-key"},
		{[]string{"--load", "--server", "http://127.0.0.1:1", "--admin-key", "k", "--stations", "0"}, "--stations"},
		{[]string{"--load", "--server", "http://127.0.0.1:1", "--admin-key", "k", "--speed", "0"}, "--speed"},
		{[]string{"--load", "--server", "http://127.0.0.1:1", "--admin-key", "k", "--duration", "0s"}, "--duration"},
		{[]string{"--grid-g-per-kwh", "-5"}, "--grid-g-per-kwh"},
		{[]string{"--tracker-service", "guess"}, "--tracker-service"},
		{[]string{"extra"}, "extra"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := simulate(tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.flag) {
				t.Fatalf("exit %d, stderr %q: want 2 naming %s", code, stderr, tc.flag)
			}
		})
	}
}

func TestSimulateRun(t *testing.T) {
	dir := t.TempDir()
	jsonPath, htmlPath := filepath.Join(dir, "day.json"), filepath.Join(dir, "day.html")
	args := []string{"--stops", "30", "--vehicles", "2", "--seed", "3", "--iterations", "200", "--json", jsonPath, "--report", htmlPath}
	code, stdout, stderr := simulate(args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "on-time rate") || !strings.Contains(stdout, "ETA error at dispatch") {
		t.Errorf("summary:\n%s", stdout)
	}
	if strings.Contains(stderr, "stops") {
		t.Errorf("a progress bar on a non-terminal without --progress: %q", stderr)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Schema string `json:"schema"`
		KPIs   struct {
			Attempted int `json:"attempted"`
		} `json:"kpis"`
	}
	if err := json.Unmarshal(data, &res); err != nil || res.Schema != "lastmile.simulate/v1" || res.KPIs.Attempted == 0 {
		t.Fatalf("JSON %v: %s", err, data)
	}
	if h, err := os.ReadFile(htmlPath); err != nil || !strings.Contains(string(h), "<svg") {
		t.Fatalf("report: %v", err)
	}
	// JSON on standard output alone, and a progress bar when asked for.
	code, stdout, stderr = simulate("--stops", "30", "--vehicles", "2", "--seed", "3", "--iterations", "200", "--json", "-", "--progress")
	if code != 0 || !strings.HasPrefix(stdout, "{") || !strings.Contains(stderr, "stops") {
		t.Fatalf("exit %d, stdout %.60q, stderr %q", code, stdout, stderr)
	}
}

func TestSimulateOrderFile(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "orders.csv")
	rows := "external_id,recipient_name,address_line1,lat,lon,barcodes,service_date\n"
	for i, p := range []string{"42.5071,1.5201", "42.5090,1.5230", "42.5102,1.5260", "42.5060,1.5180", "42.5085,1.5290"} {
		rows += "F-" + string(rune('A'+i)) + ",R,x," + p + ",FB-" + string(rune('A'+i)) + ",2026-03-03\n"
	}
	if err := os.WriteFile(csvPath, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "orders.json")
	if err := os.WriteFile(jsonPath, []byte(`{"orders":[{"external_id":"J-1","recipient":{"name":"R"},"address":{"line1":"x","location":{"lat":42.5071,"lon":1.5201}},"parcels":[{"barcode":"JB-1"}],"service_date":"2026-03-03"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path  string
		stops string
	}{{csvPath, "5 / "}, {jsonPath, "1 / "}} {
		code, stdout, stderr := simulate("--orders", tc.path, "--vehicles", "2", "--iterations", "100")
		if code != 0 || !strings.Contains(stdout, "attempted / delivered / failed  "+tc.stops) {
			t.Fatalf("%s: exit %d\n%s\n%s", tc.path, code, stdout, stderr)
		}
	}
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, []byte("[]"), 0o644)
	if code, _, stderr := simulate("--orders", empty); code != 2 || !strings.Contains(stderr, "--orders") {
		t.Fatalf("empty file: exit %d %s", code, stderr)
	}
}

func TestSimulateLoad(t *testing.T) {
	srv := newSimServer(t)
	jsonPath := filepath.Join(t.TempDir(), "load.json")
	code, stdout, stderr := simulate("--load", "--server", srv.url, "--admin-key", srv.admin, "--stations", "2",
		"--stops", "10", "--vehicles", "2", "--iterations", "100", "--windows", "0", "--duration", "2s", "--speed", "3600", "--json", jsonPath)
	if code != 0 || !strings.Contains(stdout, "requests") || !strings.Contains(stdout, "latency p50") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil || !strings.Contains(string(data), `"schema": "lastmile.simulate.load/v1"`) {
		t.Fatalf("load JSON %v %s", err, data)
	}
}

type simServer struct{ url, admin string }

// newSimServer runs an API server on 127.0.0.1 for load mode.
func newSimServer(t *testing.T) simServer {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "load.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := httpapi.Bootstrap(context.Background(), st, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: httpapi.New(httpapi.Config{Store: st, Blobs: blobs, PlanIterations: 100}).Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return simServer{url: "http://" + ln.Addr().String(), admin: admin}
}
