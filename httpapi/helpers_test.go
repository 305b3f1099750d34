package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// env is a server on a fresh SQLite file with a bootstrap admin key.
type env struct {
	t     testing.TB
	srv   *httptest.Server
	api   *httpapi.Server
	store lastmile.Store
	admin string
	now   time.Time
}

// testNow is a Monday morning in Monaco.
var testNow = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, now: testNow}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "lastmile.db"), func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	e.api = httpapi.New(httpapi.Config{Store: st, Blobs: blobs, Now: func() time.Time { return e.now },
		PlanTimeLimit: 500 * time.Millisecond, OptimizeTimeLimit: 500 * time.Millisecond, MaxUpload: 1 << 20})
	e.srv = httptest.NewServer(e.api.Handler())
	t.Cleanup(e.srv.Close)
	e.admin, err = httpapi.Bootstrap(context.Background(), st, "", testNow)
	if err != nil || e.admin == "" {
		t.Fatalf("bootstrap: %q %v", e.admin, err)
	}
	return e
}

// resp is a decoded response.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request; body is JSON-encoded unless it is a string or []byte.
func (e *env) do(method, path, key string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out.body)
	}
	return out
}

// must checks the status and returns the body.
func (r resp) must(t testing.TB, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r.body
}

// errField returns the error code and field of an error response.
func (r resp) err() (code, field string) {
	e, _ := r.body["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func items(m map[string]any) []any { it, _ := m["items"].([]any); return it }

// seed creates a station with a vehicle and a driver and returns the ids.
func (e *env) seed(name string) (station, vehicle, driver string) {
	e.t.Helper()
	st := e.do("POST", "/v1/stations", e.admin, map[string]any{
		"name": name, "location": map[string]any{"lat": 43.7325, "lon": 7.4189}, "time_zone": "Europe/Monaco",
		"opening_hours": []map[string]string{{"day": "mon", "open": "07:00", "close": "21:00"}, {"day": "tue", "open": "07:00", "close": "21:00"}},
		"pickup_points": []map[string]any{{"id": "L1", "kind": "locker", "name": "Locker Port", "location": map[string]any{"lat": 43.735, "lon": 7.421}, "capacity": 40}},
	}).must(e.t, 201)
	station = str(st, "id")
	v := e.do("POST", "/v1/vehicles", e.admin, map[string]any{
		"station_id": station, "name": "Van 1", "type": "van", "capacity": map[string]any{"parcels": 80, "weight_g": 600000},
		"costs": map[string]any{"fixed": 5000, "per_hour": 2500, "per_km": 30}, "active": true,
	}).must(e.t, 201)
	d := e.do("POST", "/v1/drivers", e.admin, map[string]any{
		"station_id": station, "name": "Dana", "active": true,
		"shifts": []map[string]any{{"start": "08:00", "end": "17:00", "breaks": []map[string]any{{"earliest": "12:00", "latest": "13:30", "minutes": 30}}}},
	}).must(e.t, 201)
	return station, str(v, "id"), str(d, "id")
}

// orderBody is a valid order at a station.
func orderBody(station, ext string, i int) map[string]any {
	return map[string]any{
		"station_id": station, "external_id": ext, "service_level": "same_day",
		"recipient": map[string]any{"name": "Recipient " + ext, "phone": "+377 93 15 00 00", "email": "r@example.com"},
		"address":   map[string]any{"line1": ext + " boulevard", "city": "Monaco", "location": map[string]any{"lat": 43.728 + float64(i%20)*0.0006, "lon": 7.412 + float64(i%13)*0.0008}},
		"parcels":   []map[string]any{{"barcode": "BC-" + ext, "weight_g": 1200, "volume_cm3": 3000}},
	}
}

// key creates an API key and returns its secret.
func (e *env) key(role string, stations []string, driver string) string {
	e.t.Helper()
	b := e.do("POST", "/v1/api-keys", e.admin, map[string]any{"name": role, "role": role, "stations": stations, "driver_id": driver}).must(e.t, 201)
	return str(b, "secret")
}
