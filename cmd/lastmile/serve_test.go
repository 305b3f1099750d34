package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/lastmile-dev/lastmile"
)

// lockedBuffer is a writer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	listenRE = regexp.MustCompile(`listening on (http://\S+)`)
	keyRE    = regexp.MustCompile(`admin API key \(shown once, store it now\): (lmk_\S+)`)
)

// server is a `lastmile serve` running in the test.
type server struct {
	url, key string
	cancel   func()
	done     chan int
	out      *lockedBuffer // standard output
}

func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	s := &server{cancel: cancel, done: make(chan int, 1), out: &out}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--plan-time-limit", "300ms"}, args...), nil, &out, &errb)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(out.String()); m != nil {
			s.url = m[1]
			if k := keyRE.FindStringSubmatch(out.String()); k != nil {
				s.key = k[1]
			}
			t.Cleanup(func() { s.stop(t) })
			return s
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d: %s%s", code, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start: %s%s", out.String(), errb.String())
	return nil
}

func (s *server) stop(t *testing.T) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited with %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("serve did not stop")
	}
}

func call(t *testing.T, base, method, path, key string, body any, ctype ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	if len(ctype) > 0 {
		ct = ctype[0]
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(res.Body)
	json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{"raw": string(raw)}
	}
	return res.StatusCode, m
}

func want(t *testing.T, status, wantStatus int, body map[string]any) map[string]any {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %v", status, wantStatus, body)
	}
	return body
}

// walk runs the dispatcher's day on a server: station, fleet, import,
// plan, publish, load, dispatch, deliver, KPIs.
func walk(t *testing.T, s *server) {
	c := func(method, path string, body any, ct ...string) (int, map[string]any) {
		return call(t, s.url, method, path, s.key, body, ct...)
	}
	want(t, 0+func() int { st, _ := call(t, s.url, "GET", "/readyz", "", nil); return st }(), 200, nil)
	_, st := c("POST", "/v1/stations", map[string]any{"name": "Monaco", "location": map[string]any{"lat": 43.7325, "lon": 7.4189}, "time_zone": "Europe/Monaco"})
	sid, _ := st["id"].(string)
	want(t, func() int {
		code, b := c("POST", "/v1/vehicles", map[string]any{"station_id": sid, "name": "Van", "active": true})
		st = b
		return code
	}(), 201, st)
	code, d := c("POST", "/v1/drivers", map[string]any{"station_id": sid, "name": "Dana", "active": true, "shifts": []map[string]any{{"start": "00:00", "end": "24:00"}}})
	want(t, code, 201, d)
	date := time.Now().In(mustLoc(t, "Europe/Monaco")).Format(lastmile.DateLayout)
	csv := "external_id,recipient_name,address_line1,lat,lon,service_level,barcodes\n" +
		"E-1,Ann,1 quai Antoine,43.7350,7.4210,same_day,B-1\n" +
		"E-2,Bob,2 rue Grimaldi,43.7310,7.4170,same_day,B-2\n"
	code, rep := c("POST", "/v1/orders/import?station_id="+sid, csv, "text/csv")
	want(t, code, 201, rep)
	code, plan := c("POST", "/v1/plans", map[string]any{"station_id": sid, "date": date})
	want(t, code, 201, plan)
	pid := plan["id"].(string)
	code, pub := c("POST", "/v1/plans/"+pid+"/publish", nil)
	want(t, code, 200, pub)
	rid := plan["routes"].([]any)[0].(map[string]any)["id"].(string)
	for _, b := range []string{"B-1", "B-2"} {
		code, res := c("POST", "/v1/routes/"+rid+"/scans", map[string]any{"barcode": b})
		if code != 200 || res["result"] != "loaded" {
			t.Fatalf("scan %s: %d %v", b, code, res)
		}
	}
	code, disp := c("POST", "/v1/routes/"+rid+"/dispatch", nil)
	want(t, code, 200, disp)
	oid := rep["orders"].([]any)[0].(map[string]any)["id"].(string)
	code, arr := c("POST", "/v1/orders/"+oid+"/status", map[string]any{"status": "arrived"})
	want(t, code, 200, arr)
	var b bytes.Buffer
	fmt.Fprintf(&b, "--XYZ\r\nContent-Disposition: form-data; name=\"recipient_name\"\r\n\r\nAnn\r\n--XYZ--\r\n")
	code, del := c("POST", "/v1/orders/"+oid+"/pod", b.String(), "multipart/form-data; boundary=XYZ")
	want(t, code, 200, del)
	code, k := c("GET", "/v1/stations/"+sid+"/kpis?date="+date, nil)
	want(t, code, 200, k)
	if k["delivered"].(float64) != 1 || k["planned_stops"].(float64) != 2 {
		t.Fatalf("kpis %v", k)
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestServeSQLite(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, "--db", filepath.Join(dir, "ops.db"))
	if s.key == "" {
		t.Fatal("no bootstrap key printed")
	}
	walk(t, s)
	code, m := call(t, s.url, "GET", "/openapi.json", "", nil)
	if code != 200 || m["openapi"] == nil {
		t.Fatalf("openapi: %d", code)
	}
	s.stop(t)
	// A restart keeps the data and prints no new key.
	s2 := startServe(t, "--db", filepath.Join(dir, "ops.db"))
	if s2.key != "" {
		t.Fatalf("a second bootstrap key was printed")
	}
	s2.key = s.key
	code, list := call(t, s2.url, "GET", "/v1/orders", s2.key, nil)
	if code != 200 || len(list["items"].([]any)) != 2 {
		t.Fatalf("after restart: %d %v", code, list)
	}
}

func TestServeEnvAndFlags(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LASTMILE_DB", filepath.Join(dir, "env.db"))
	t.Setenv("LASTMILE_ADMIN_KEY", "lmk_0123456789abcdefghijklmnop")
	s := startServe(t)
	if s.key != "lmk_0123456789abcdefghijklmnop" {
		t.Fatalf("key %q", s.key)
	}
	if _, err := os.Stat(filepath.Join(dir, "env.db")); err != nil {
		t.Fatalf("LASTMILE_DB ignored: %v", err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"bad flag", []string{"serve", "--nope"}},
		{"bad log level", []string{"serve", "--log-level", "loud"}},
		{"tls half", []string{"serve", "--tls-cert", "x.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), tt.args, nil, &out, &errb); code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, errb.String())
			}
		})
	}
}

// postgresDSN creates a database for the test on 127.0.0.1:5432 and drops
// it afterwards. It fails under CI=true when the server is unreachable and
// skips otherwise.
func postgresDSN(t *testing.T) string {
	admin := os.Getenv("LASTMILE_TEST_POSTGRES")
	if admin == "" {
		for _, user := range []string{"postgres", "root"} {
			dsn := "postgres://" + user + "@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"
			db, _ := sql.Open("pgx", dsn)
			err := db.Ping()
			db.Close()
			if err == nil {
				admin = dsn
				break
			}
		}
	}
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PostgreSQL on 127.0.0.1:5432 unreachable")
		}
		t.Skip("PostgreSQL on 127.0.0.1:5432 unreachable (set LASTMILE_TEST_POSTGRES)")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	name := "lastmile_serve_" + lastmile.NewToken()[:12]
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		db.Close()
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

func TestServePostgres(t *testing.T) {
	dsn := postgresDSN(t)
	s := startServe(t, "--db", dsn, "--blobs", t.TempDir())
	walk(t, s)
	// A second server on the same database sees the same data.
	s2 := startServe(t, "--db", dsn, "--blobs", t.TempDir())
	code, list := call(t, s2.url, "GET", "/v1/orders", s.key, nil)
	if code != 200 || len(list["items"].([]any)) != 2 {
		t.Fatalf("second server: %d %v", code, list)
	}
}

// TestServeChild is the server process of TestKillNine; it runs only when
// that test starts it.
func TestServeChild(t *testing.T) {
	db := os.Getenv("LASTMILE_KILL_TEST_DB")
	if db == "" {
		return
	}
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--admin-key", os.Getenv("LASTMILE_KILL_TEST_KEY")}, nil, os.Stdout, os.Stderr)
	os.Exit(code)
}

// TestKillNine kills the server with SIGKILL while imports are acknowledged
// one after the other: every acknowledged order must be there after a
// restart, and no import is half-written.
func TestKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "kill.db")
	key := "lmk_" + strings.Repeat("k", 30)
	start := func() (*exec.Cmd, string) { return startChild(t, db, key) }
	cmd, base := start()
	code, st := call(t, base, "POST", "/v1/stations", key, map[string]any{"name": "K", "location": map[string]any{"lat": 43.73, "lon": 7.42}})
	want(t, code, 201, st)
	sid := st["id"].(string)
	acked := map[string]bool{}
	stop := make(chan struct{})
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var rows []map[string]any
				for i := range 50 {
					ext := fmt.Sprintf("W%d-%d-%d", w, n, i)
					rows = append(rows, map[string]any{"station_id": sid, "external_id": ext, "recipient": map[string]any{"name": "x"},
						"address": map[string]any{"line1": "y", "location": map[string]any{"lat": 43.73, "lon": 7.42}}, "parcels": []map[string]any{{"barcode": "B" + ext}}})
				}
				data, _ := json.Marshal(rows)
				req, _ := http.NewRequest("POST", base+"/v1/orders/import", bytes.NewReader(data))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == 201 {
					mu.Lock()
					for _, r := range rows {
						acked[r["external_id"].(string)] = true
					}
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no import was acknowledged before the kill")
	}
	cmd, base = start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	stored := map[string]bool{}
	cursor := ""
	for {
		code, page := call(t, base, "GET", "/v1/orders?limit=1000&cursor="+cursor, key, nil)
		want(t, code, 200, nil)
		for _, it := range page["items"].([]any) {
			stored[it.(map[string]any)["external_id"].(string)] = true
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	for ext := range acked {
		if !stored[ext] {
			t.Fatalf("acknowledged order %s lost after kill -9 (%d acknowledged, %d stored)", ext, len(acked), len(stored))
		}
	}
	if len(stored)%50 != 0 {
		t.Fatalf("%d orders stored: an import was half-written", len(stored))
	}
	t.Logf("%d orders acknowledged, %d stored after kill -9", len(acked), len(stored))
}

// TestServeRoads plans on the road graph of Monaco instead of great
// circles.
func TestServeRoads(t *testing.T) {
	pbf := osmFile(t, "monaco.osm.pbf")
	s := startServe(t, "--db", filepath.Join(t.TempDir(), "roads.db"), "--osm", pbf)
	walk(t, s)
	// OSRM clients are answered on the same port, without a key.
	status, body := call(t, s.url, "GET", "/table/v1/driving/7.4196352,43.7323860;7.4755771,43.7671706?annotations=duration,distance", "", nil)
	if status != 200 || body["code"] != "Ok" {
		t.Fatalf("OSRM table: status %d, body %v", status, body)
	}
	durations, _ := body["durations"].([]any)
	if len(durations) != 2 {
		t.Fatalf("OSRM table: want a 2×2 durations matrix, got %v", body["durations"])
	}
	status, body = call(t, s.url, "GET", "/route/v1/driving/7.4196352,43.7323860;7.4755771,43.7671706", "", nil)
	if status != 200 || body["code"] != "Ok" {
		t.Fatalf("OSRM route: status %d, body %v", status, body)
	}
}

// TestServeWebApps checks that serve mounts the web apps in front of the
// API, with the base map drawn from the loaded road graph.
func TestServeWebApps(t *testing.T) {
	pbf := osmFile(t, "monaco.osm.pbf")
	s := startServe(t, "--db", filepath.Join(t.TempDir(), "web.db"), "--osm", pbf)
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	for _, p := range []string{"/console/", "/driver/", "/t/some-token"} {
		if status, ctype, body := get(p); status != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "<html") {
			t.Errorf("GET %s: %d %s", p, status, ctype)
		}
	}
	status, _, body := get("/map/roads?bbox=7.41,43.73,7.43,43.74&zoom=16")
	if status != 200 || len(body) < 100 {
		t.Errorf("GET /map/roads: %d, %d bytes: want Monaco's roads", status, len(body))
	}
	// The API is still behind it.
	if status, _ := call(t, s.url, "GET", "/healthz", "", nil); status != 200 {
		t.Errorf("GET /healthz behind the web apps: %d", status)
	}
}

// TestServeTLS serves HTTPS with a self-signed certificate.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "tls.db"), "--tls-cert", certFile, "--tls-key", keyFile}, nil, &out, &errb)
	}()
	re := regexp.MustCompile(`listening on (https://\S+)`)
	var base string
	for i := 0; i < 500 && base == ""; i++ {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("no https listener: %s %s", out.String(), errb.String())
	}
	pool := x509.NewCertPool()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := client.Get(base + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("https healthz: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

// TestServeDemo runs the README's first command, fast: the demo day is set
// up on the embedded Andorra map, the URLs printed work, and the day plays.
func TestServeDemo(t *testing.T) {
	s := startServe(t, "--demo", "--demo-speed", "600", "--demo-stops", "12", "--demo-vehicles", "2")
	re := regexp.MustCompile(`dispatcher console\s+(\S+)/console/#key=(lmk_\S+)\n\s+driver app\s+\S+/driver/#key=(lmk_\S+)\n\s+tracking page\s+\S+/t/(\S+)`)
	var m []string
	for deadline := time.Now().Add(60 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		m = re.FindStringSubmatch(s.out.String())
	}
	if m == nil {
		t.Fatalf("no demo URLs printed: %s", s.out.String())
	}
	base, dispatcher, driver, token := m[1], m[2], m[3], m[4]
	if base != s.url {
		t.Errorf("demo URLs on %s, server on %s", base, s.url)
	}
	if status, body := call(t, base, "GET", "/v1/me/routes", driver, nil); status != 200 {
		t.Errorf("driver key: GET /v1/me/routes %d %v", status, body)
	}
	if status, body := call(t, base, "GET", "/v1/track/"+token, "", nil); status != 200 {
		t.Errorf("tracking token: %d %v", status, body)
	}
	// At 600× the vans leave a minute after the start and serve stops
	// within seconds.
	var statuses map[string]int
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		status, body := call(t, base, "GET", "/v1/orders?limit=100", dispatcher, nil)
		want(t, status, 200, body)
		statuses = map[string]int{}
		items, _ := body["items"].([]any)
		for _, it := range items {
			o, _ := it.(map[string]any)
			st, _ := o["status"].(string)
			statuses[st]++
		}
		if statuses["delivered"] > 0 {
			return
		}
	}
	t.Fatalf("no order delivered after a minute of the demo day: %v", statuses)
}
