package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestHealthAndAuth(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/healthz", "", nil).must(t, 200)
	e.do("GET", "/readyz", "", nil).must(t, 200)
	m := e.do("GET", "/metrics", "", nil)
	if m.status != 200 || !strings.Contains(string(m.raw), "lastmile_http_request_duration_seconds") {
		t.Fatalf("metrics: %d %.200s", m.status, m.raw)
	}
	tests := []struct {
		name   string
		key    string
		status int
		code   string
	}{
		{"no key", "", 401, "unauthorized"},
		{"unknown key", "lmk_nope", 401, "unauthorized"},
		{"admin", e.admin, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", "/v1/stations", tt.key, nil)
			r.must(t, tt.status)
			if c, _ := r.err(); c != tt.code {
				t.Fatalf("code %q, want %q", c, tt.code)
			}
		})
	}
	t.Run("revoked", func(t *testing.T) {
		b := e.do("POST", "/v1/api-keys", e.admin, map[string]any{"name": "tmp", "role": "admin"}).must(t, 201)
		sec := str(b, "secret")
		e.do("GET", "/v1/stations", sec, nil).must(t, 200)
		e.do("POST", "/v1/api-keys/"+str(b, "id")+"/revoke", e.admin, nil).must(t, 200)
		e.do("GET", "/v1/stations", sec, nil).must(t, 401)
	})
	t.Run("keys never show hashes", func(t *testing.T) {
		r := e.do("GET", "/v1/api-keys", e.admin, nil).must(t, 200)
		if strings.Contains(fmt.Sprint(r), "hash") {
			t.Fatalf("list shows hashes: %v", r)
		}
	})
}

func TestBadInputIsNever500(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("A")
	tests := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"malformed json", "POST", "/v1/stations", `{"name": `, 422, ""},
		{"unknown field", "POST", "/v1/stations", `{"name":"x","colour":"red"}`, 422, "colour"},
		{"wrong type", "POST", "/v1/stations", `{"name": 12}`, 422, "name"},
		{"two values", "POST", "/v1/stations", `{} {}`, 422, ""},
		{"empty body", "POST", "/v1/stations", "", 422, ""},
		{"missing name", "POST", "/v1/stations", `{"location":{"lat":43.7,"lon":7.4}}`, 422, "name"},
		{"bad zone", "POST", "/v1/stations", `{"name":"x","location":{"lat":43.7,"lon":7.4},"time_zone":"Nowhere/Land"}`, 422, "time_zone"},
		{"bad hours", "POST", "/v1/stations", `{"name":"x","location":{"lat":43.7,"lon":7.4},"opening_hours":[{"day":"mon","open":"9","close":"10:00"}]}`, 422, "opening_hours[0].open"},
		{"vehicle unknown station", "POST", "/v1/vehicles", `{"station_id":"st_nope","name":"v"}`, 422, "station_id"},
		{"vehicle bad type", "POST", "/v1/vehicles", fmt.Sprintf(`{"station_id":%q,"name":"v","type":"rocket"}`, st), 422, "type"},
		{"order bad lat", "POST", "/v1/orders", fmt.Sprintf(`{"station_id":%q,"external_id":"x","recipient":{"name":"a"},"address":{"line1":"b","location":{"lat":99,"lon":7}},"parcels":[{"barcode":"b"}]}`, st), 422, "address.location.lat"},
		{"order bad time", "POST", "/v1/orders", fmt.Sprintf(`{"station_id":%q,"window":{"start":"noon"}}`, st), 422, ""},
		{"bad status filter", "GET", "/v1/orders?status=lost", nil, 422, "status"},
		{"bad limit", "GET", "/v1/orders?limit=0", nil, 422, "limit"},
		{"bad date", "GET", "/v1/orders?date=tomorrow", nil, 422, "date"},
		{"wrong content type", "POST", "/v1/stations", []byte("name=x"), 415, "Content-Type"},
		{"update without version", "PUT", "/v1/stations/" + st, `{"name":"x","location":{"lat":43.7,"lon":7.4}}`, 422, "version"},
		{"missing order", "GET", "/v1/orders/ord_nope", nil, 404, ""},
		{"optimize garbage", "POST", "/v1/optimize", `{"vehicles": "many"}`, 422, "vehicles"},
		{"optimize no vehicles", "POST", "/v1/optimize", `{"jobs":[{"id":1,"location":[7.4,43.7]}],"vehicles":[]}`, 422, "vehicles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resp
			if b, ok := tt.body.([]byte); ok {
				r = e.do(tt.method, tt.path, e.admin, string(b), "Content-Type", "application/x-www-form-urlencoded")
			} else {
				r = e.do(tt.method, tt.path, e.admin, tt.body)
			}
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if _, f := r.err(); tt.field != "" && f != tt.field {
				t.Fatalf("field %q, want %q: %s", f, tt.field, r.raw)
			}
		})
	}
}

func TestStationScopes(t *testing.T) {
	e := newEnv(t)
	a, va, _ := e.seed("A")
	b, vb, _ := e.seed("B")
	e.do("POST", "/v1/orders", e.admin, orderBody(a, "A-1", 1)).must(t, 201)
	ob := e.do("POST", "/v1/orders", e.admin, orderBody(b, "B-1", 2)).must(t, 201)
	dispA := e.key("dispatcher", []string{a}, "")
	integA := e.key("integration", []string{a}, "")

	e.do("GET", "/v1/stations/"+b, dispA, nil).must(t, 404)
	e.do("GET", "/v1/vehicles/"+vb, dispA, nil).must(t, 404)
	e.do("GET", "/v1/vehicles/"+va, dispA, nil).must(t, 200)
	e.do("GET", "/v1/orders/"+str(ob, "id"), dispA, nil).must(t, 404)
	e.do("GET", "/v1/orders/"+str(ob, "id"), integA, nil).must(t, 404)
	e.do("GET", "/v1/orders?station_id="+b, dispA, nil).must(t, 403)
	e.do("POST", "/v1/orders", dispA, orderBody(b, "B-2", 3)).must(t, 403)
	e.do("POST", "/v1/stations", dispA, map[string]any{"name": "C"}).must(t, 403)
	e.do("POST", "/v1/vehicles", integA, map[string]any{"station_id": a, "name": "x"}).must(t, 403)
	for _, path := range []string{"/v1/stations", "/v1/orders", "/v1/vehicles", "/v1/drivers", "/v1/events"} {
		t.Run(path, func(t *testing.T) {
			body := e.do("GET", path, dispA, nil).must(t, 200)
			for _, it := range items(body) {
				m := it.(map[string]any)
				sid := str(m, "station_id")
				if str(m, "entity_type") == "station" || path == "/v1/stations" {
					sid = str(m, "id")
					if path == "/v1/events" {
						sid = str(m, "station_id")
					}
				}
				if sid != a {
					t.Fatalf("dispatcher of A sees %v", m)
				}
			}
			if path != "/v1/events" && len(items(body)) == 0 {
				t.Fatalf("dispatcher of A sees nothing at %s", path)
			}
		})
	}
}

func TestOrdersAndVersions(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("A")
	o := e.do("POST", "/v1/orders", e.admin, orderBody(st, "X-1", 1)).must(t, 201)
	if str(o, "status") != "pending" || str(o, "tracking_token") == "" || str(o, "service_date") != "2026-03-02" {
		t.Fatalf("created %v", o)
	}
	if _, ok := o["otp_hash"]; ok {
		t.Fatalf("otp hash shown")
	}
	dup := e.do("POST", "/v1/orders", e.admin, orderBody(st, "X-1", 1))
	if c, f := dup.err(); dup.status != 409 || c != "conflict" || f != "external_id" {
		t.Fatalf("duplicate: %d %s", dup.status, dup.raw)
	}
	e.do("GET", "/v1/orders?external_id=X-1", e.admin, nil).must(t, 200)
	tr := e.do("GET", "/v1/track/"+str(o, "tracking_token"), "", nil).must(t, 200)
	if str(tr, "status") != "pending" || strings.Contains(string(fmt.Sprint(tr)), "Recipient") {
		t.Fatalf("tracking %v", tr)
	}
	e.do("GET", "/v1/track/not-a-real-token-at-all-xx", "", nil).must(t, 404)

	// Station updates are optimistic.
	g := e.do("GET", "/v1/stations/"+st, e.admin, nil)
	etag := g.header.Get("ETag")
	body := g.must(t, 200)
	body["name"] = "A renamed"
	e.do("PUT", "/v1/stations/"+st, e.admin, body, "If-Match", etag).must(t, 200)
	stale := e.do("PUT", "/v1/stations/"+st, e.admin, body, "If-Match", etag)
	if c, _ := stale.err(); stale.status != 409 || c != "conflict" {
		t.Fatalf("stale update: %d %s", stale.status, stale.raw)
	}
	evs := e.do("GET", "/v1/orders/"+str(o, "id")+"/events", e.admin, nil).must(t, 200)
	if len(items(evs)) != 1 {
		t.Fatalf("events %v", evs)
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("A")
	body := orderBody(st, "I-1", 1)
	first := e.do("POST", "/v1/orders", e.admin, body, "Idempotency-Key", "abc-1").must(t, 201)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			again := e.do("POST", "/v1/orders", e.admin, body, "Idempotency-Key", "abc-1")
			if again.status != 201 || str(again.body, "id") != str(first, "id") || again.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("replay: %d %s", again.status, again.raw)
			}
		}()
	}
	wg.Wait()
	other := e.do("POST", "/v1/orders", e.admin, orderBody(st, "I-2", 2), "Idempotency-Key", "abc-1")
	if c, f := other.err(); other.status != 409 || c != "conflict" || f != "Idempotency-Key" {
		t.Fatalf("reused key: %d %s", other.status, other.raw)
	}
	list := e.do("GET", "/v1/orders", e.admin, nil).must(t, 200)
	if len(items(list)) != 1 {
		t.Fatalf("%d orders after retries, want 1", len(items(list)))
	}
}

func TestOptimize(t *testing.T) {
	e := newEnv(t)
	problem := `{"vehicles":[{"id":1,"start":[7.4189,43.7325],"end":[7.4189,43.7325],"capacity":[4]}],
		"jobs":[{"id":10,"location":[7.42,43.73],"delivery":[1]},{"id":11,"location":[7.425,43.735],"delivery":[1]},{"id":12,"location":[7.41,43.74],"delivery":[1]}]}`
	r := e.do("POST", "/v1/optimize?time_limit=0.2", e.admin, problem).must(t, 200)
	sum, _ := r["summary"].(map[string]any)
	if r["code"].(float64) != 0 || sum["unassigned"].(float64) != 0 || sum["routes"].(float64) != 1 {
		t.Fatalf("solution %s", fmt.Sprint(r))
	}
	driver := e.key("integration", nil, "")
	e.do("POST", "/v1/optimize", driver, problem).must(t, http.StatusForbidden)
}

func TestImportModes(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("A")
	bad := orderBody(st, "J-3", 3)
	bad["parcels"] = []map[string]any{{"barcode": "has space"}}
	rows := []any{orderBody(st, "J-1", 1), orderBody(st, "J-2", 2), bad, orderBody(st, "J-1", 4)}
	all := e.do("POST", "/v1/orders/import", e.admin, rows).must(t, 422)
	if all["created"].(float64) != 0 || all["failed"].(float64) != 2 {
		t.Fatalf("all-or-nothing report %v", all)
	}
	errs := all["errors"].([]any)
	if f := str(errs[0].(map[string]any), "field"); f != "parcels[0].barcode" {
		t.Fatalf("first error on %q", f)
	}
	if c := str(errs[1].(map[string]any), "code"); c != "conflict" {
		t.Fatalf("duplicate in file: %v", errs[1])
	}
	if n := len(items(e.do("GET", "/v1/orders", e.admin, nil).must(t, 200))); n != 0 {
		t.Fatalf("%d orders stored by a refused import", n)
	}
	row := e.do("POST", "/v1/orders/import?mode=row", e.admin, map[string]any{"orders": rows}).must(t, 200)
	if row["created"].(float64) != 2 || row["failed"].(float64) != 2 {
		t.Fatalf("per-row report %v", row)
	}
	again := e.do("POST", "/v1/orders/import?mode=row", e.admin, rows[:1]).must(t, 200)
	if again["failed"].(float64) != 1 || str(again["errors"].([]any)[0].(map[string]any), "field") != "external_id" {
		t.Fatalf("re-import %v", again)
	}
	tests := []struct {
		name, body, ctype string
		status            int
		field             string
	}{
		{"unknown column", "external_id,colour\nx,red\n", "text/csv", 422, "colour"},
		{"missing column", "external_id,recipient_name\nx,y\n", "text/csv", 422, "address_line1"},
		{"empty csv", "", "text/csv", 422, ""},
		{"no station", "external_id,recipient_name,address_line1,lat,lon,barcodes\nx,y,z,43.7,7.4,b\n", "text/csv", 422, "station_id"},
		{"xml", "<orders/>", "application/xml", 415, "Content-Type"},
		{"bad mode", "[]", "application/json", 422, "mode"},
		{"not an array", `{"orders": 3}`, "application/json", 422, "orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v1/orders/import"
			if tt.name == "bad mode" {
				path += "?mode=some"
			}
			r := e.do("POST", path, e.admin, tt.body, "Content-Type", tt.ctype)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if _, f := r.err(); tt.field != "" && f != tt.field {
				t.Fatalf("field %q, want %q: %s", f, tt.field, r.raw)
			}
		})
	}
}
