package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// dispatchDay plans, publishes, loads and dispatches n orders (built by
// mk) of a seeded station; it returns the route and the orders in stop
// order with their tracking tokens.
func dispatchDay(t *testing.T, e *env, st, drv string, n int, mk func(i int) map[string]any) (routeID string, orders, tokens []string) {
	t.Helper()
	tok := map[string]string{}
	for i := range n {
		o := e.do("POST", "/v1/orders", e.admin, mk(i)).must(t, 201)
		tok[str(o, "id")] = str(o, "tracking_token")
	}
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.2}).must(t, 201)
	e.do("POST", "/v1/plans/"+str(plan, "id")+"/publish", e.admin, nil).must(t, 200)
	route := plan["routes"].([]any)[0].(map[string]any)
	routeID = str(route, "id")
	for _, s := range route["stops"].([]any) {
		if id := str(s.(map[string]any), "order_id"); id != "" {
			orders = append(orders, id)
			tokens = append(tokens, tok[id])
		}
	}
	for _, id := range orders {
		o := e.do("GET", "/v1/orders/"+id, e.admin, nil).must(t, 200)
		for _, p := range o["parcels"].([]any) {
			e.do("POST", "/v1/routes/"+routeID+"/scans", e.admin, map[string]any{"barcode": str(p.(map[string]any), "barcode")}).must(t, 200)
		}
	}
	e.do("POST", "/v1/routes/"+routeID+"/dispatch", e.admin, nil).must(t, 200)
	return routeID, orders, tokens
}

func TestPositionFlood(t *testing.T) {
	e := newEnv(t)
	_, veh, _ := e.seed("Monaco")
	batch := func(start int) map[string]any {
		var ps []any
		for i := range 1000 {
			ps = append(ps, map[string]any{"vehicle_id": veh, "at": e.now.Add(time.Duration(start+i-2000) * time.Second).Format(time.RFC3339), "lat": 43.73, "lon": 7.42})
		}
		return map[string]any{"positions": ps}
	}
	e.do("POST", "/v1/positions", e.admin, batch(0)).must(t, 200)
	r := e.do("POST", "/v1/positions", e.admin, batch(1000))
	if code, field := r.err(); r.status != 429 || code != "rate_limited" || field != "positions" {
		t.Fatalf("flood: %d %s", r.status, r.raw)
	}
	too := batch(0)
	too["positions"] = append(too["positions"].([]any), too["positions"].([]any)[0])
	if code, field := e.do("POST", "/v1/positions", e.admin, too).err(); code != "invalid" || field != "positions" {
		t.Fatalf("1,001 positions: %s %s", code, field)
	}
}

// TestRecipientNotifications queues emails and SMS at dispatch, holds them
// during quiet hours, and shows the proof once delivered.
func TestRecipientNotifications(t *testing.T) {
	dir := t.TempDir()
	e := &env{t: t, now: testNow}
	st0, err := sqlite.Open(context.Background(), filepath.Join(dir, "lm.db"), func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st0.Close() })
	blobs, _ := blobfs.New(filepath.Join(dir, "blobs"))
	e.store = st0
	e.api = httpapi.New(httpapi.Config{Store: st0, Blobs: blobs, Now: func() time.Time { return e.now }, PlanTimeLimit: 300 * time.Millisecond,
		Email: true, SMS: true, PublicURL: "https://track.example"})
	e.srv = newServer(t, e.api)
	if e.admin, err = httpapi.Bootstrap(context.Background(), st0, "", testNow); err != nil {
		t.Fatal(err)
	}
	st, _, drv := e.seed("Monaco")
	routeID, orders, tokens := dispatchDay(t, e, st, drv, 2, func(i int) map[string]any {
		b := orderBody(st, fmt.Sprintf("N-%d", i), i*5)
		if i == 0 { // asleep until 08:00 Monaco time (07:00 UTC); it is 07:00 there
			b["notify"] = map[string]any{"channels": []string{"email"}, "quiet_start": "21:00", "quiet_end": "08:00"}
		}
		return b
	})
	_ = routeID
	ms := items(e.do("GET", "/v1/webhooks/messages?station_id="+st, e.admin, nil).must(t, 200))
	byOrder := map[string][]map[string]any{}
	for _, m := range ms {
		m := m.(map[string]any)
		byOrder[str(m, "order_id")] = append(byOrder[str(m, "order_id")], m)
	}
	quiet, loud := byOrder[orderIDOf(e, "N-0", orders)], byOrder[orderIDOf(e, "N-1", orders)]
	if len(quiet) != 1 || str(quiet[0], "channel") != "email" || str(quiet[0], "next_attempt_at") != "2026-03-02T07:00:00Z" {
		t.Fatalf("quiet recipient's messages %v", quiet)
	}
	if len(loud) != 2 || str(loud[0], "channel") != "email" || str(loud[1], "channel") != "sms" || str(loud[1], "target") != "+377 93 15 00 00" {
		t.Fatalf("other recipient's messages %v", loud)
	}
	var text struct{ Subject, Body string }
	json.Unmarshal(mustRaw(loud[0]["payload"]), &text)
	if !strings.Contains(text.Body, "out for delivery") || !strings.Contains(text.Body, "https://track.example/t/") || strings.Contains(text.Body, "/v1/track/") || !strings.Contains(text.Body, "between") {
		t.Fatalf("dispatched email %+v", text)
	}
	// Delivered with proof: the token shows the proof, not the van.
	driverKey := e.key("driver", nil, drv)
	first := orders[0]
	e.do("POST", "/v1/orders/"+first+"/status", driverKey, map[string]any{"status": "arrived"}).must(t, 200)
	e.pod(first, driverKey, map[string]string{"recipient_name": "Anna"}, map[string][]byte{"photo": pngImage(t, 8, 8)}).must(t, 200)
	v := e.do("GET", "/v1/track/"+tokens[0], "", nil).must(t, 200)
	pod, _ := v["pod"].(map[string]any)
	if str(v, "status") != "delivered" || pod == nil || pod["photos"].(float64) != 1 || v["vehicle"] != nil || len(v["actions"].([]any)) != 0 {
		t.Fatalf("delivered view %v", v)
	}
	if strings.Contains(string(e.do("GET", "/v1/track/"+tokens[0], "", nil).raw), "Anna") {
		t.Fatal("the tracking view shows the name on the proof")
	}
	urls := pod["photo_urls"].([]any)
	photo := e.do("GET", urls[0].(string), "", nil)
	if photo.status != 200 || photo.header.Get("Content-Type") != "image/png" {
		t.Fatalf("photo: %d %s", photo.status, photo.header.Get("Content-Type"))
	}
	e.do("GET", strings.Replace(urls[0].(string), tokens[0], tokens[1], 1), "", nil).must(t, 404) // another token
	e.do("GET", "/v1/track/"+tokens[0]+"/pod/..%2f..%2fsecret", "", nil).must(t, 404)
}

func orderIDOf(e *env, ext string, ids []string) string {
	for _, id := range ids {
		if str(e.do("GET", "/v1/orders/"+id, e.admin, nil).must(e.t, 200), "external_id") == ext {
			return id
		}
	}
	return ""
}

func mustRaw(v any) []byte { b, _ := json.Marshal(v); return b }

func newServer(t *testing.T, api *httpapi.Server) *httptest.Server {
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// TestDevices: device ids are unique; a deactivated vehicle's tracker is
// refused at once.
func TestDevices(t *testing.T) {
	e := newEnv(t)
	st, veh, _ := e.seed("Monaco")
	v := e.do("GET", "/v1/vehicles/"+veh, e.admin, nil).must(t, 200)
	v["device_id"] = "box-1"
	v = e.do("PUT", "/v1/vehicles/"+veh, e.admin, v).must(t, 200)
	r := e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": st, "name": "Van 2", "device_id": "box-1", "active": true})
	if code, field := r.err(); code != "conflict" || field != "device_id" {
		t.Fatalf("second vehicle with the device: %d %s", r.status, r.raw)
	}
	if code, field := e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": st, "name": "Van 3", "device_id": "a/b", "active": true}).err(); code != "invalid" || field != "device_id" {
		t.Fatalf("device id with a slash: %s %s", code, field)
	}
	fix := fmt.Sprintf("/v1/osmand?id=box-1&lat=43.73&lon=7.42&timestamp=%d", e.now.Unix())
	e.do("GET", fix, "", nil).must(t, 200)
	// Traccar Client 9 posts JSON; older clients form parameters, with
	// heading and location=lat,lon as alternatives.
	js := fmt.Sprintf(`{"location":{"timestamp":%q,"coords":{"latitude":43.7302,"longitude":7.4201,"accuracy":5,"speed":10,"heading":90,"altitude":-1},
		"is_moving":true,"battery":{"level":0.42,"is_charging":false},"extras":{}},"device_id":"box-1"}`, e.now.Add(10*time.Second).Format(time.RFC3339))
	if r := e.do("POST", "/v1/osmand", "", js).must(t, 200); str(r, "verdict") != "accepted" {
		t.Fatalf("JSON fix %v", r)
	}
	last := e.do("GET", "/v1/vehicles/"+veh+"/position", e.admin, nil).must(t, 200)["position"].(map[string]any)
	if last["battery"].(float64) != 42 || last["bearing"].(float64) != 90 || last["speed_ms"].(float64) < 9.99 || last["speed_ms"].(float64) > 10.01 {
		t.Fatalf("JSON fix stored as %v", last)
	}
	form := fmt.Sprintf("id=box-1&location=43.7303,7.4202&heading=45&timestamp=%d", e.now.Add(20*time.Second).Unix())
	if r := e.do("POST", "/v1/osmand", "", form, "Content-Type", "application/x-www-form-urlencoded").must(t, 200); str(r, "verdict") != "accepted" {
		t.Fatalf("form fix %v", r)
	}
	if r := e.do("GET", fmt.Sprintf("/v1/osmand?id=box-1&lat=44.9&lon=7.42&valid=false&timestamp=%d", e.now.Add(30*time.Second).Unix()), "", nil).must(t, 200); str(r, "verdict") != "inaccurate" {
		t.Fatalf("a fix the device marks invalid: %v", r)
	}
	if code, field := e.do("POST", "/v1/osmand", "", `{"device_id":"box-1","location":{"coords":{"longitude":7.4}}}`).err(); code != "invalid" || field != "lat" {
		t.Fatalf("JSON fix without latitude: %s %s", code, field)
	}
	v["active"] = false
	e.do("PUT", "/v1/vehicles/"+veh, e.admin, v).must(t, 200)
	if code, field := e.do("GET", fix, "", nil).err(); code != "forbidden" || field != "id" {
		t.Fatalf("deactivated vehicle: %s %s", code, field)
	}
}

// TestTrackStream: the recipient's stream starts with their tracking view
// and nothing else.
func TestTrackStream(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("Monaco")
	o := e.do("POST", "/v1/orders", e.admin, orderBody(st, "S-1", 1)).must(t, 201)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/track/"+str(o, "tracking_token")+"/stream", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream %v %v", res, err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	var event, data string
	for sc.Scan() && data == "" {
		if v, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			event = v
		}
		if v, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			data = v
		}
	}
	if event != "track" || !strings.Contains(data, `"external_id":"S-1"`) || strings.Contains(data, "Recipient") {
		t.Fatalf("first event %s: %s", event, data)
	}
	// At most 20 streams per tracking link.
	for i := 1; i < 20; i++ {
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/track/"+str(o, "tracking_token")+"/stream", nil)
		r, err := http.DefaultClient.Do(req)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("stream %d: %v %v", i, r, err)
		}
		defer r.Body.Close()
	}
	if r := e.do("GET", "/v1/track/"+str(o, "tracking_token")+"/stream", "", nil); r.status != 429 {
		t.Fatalf("21st stream: %d", r.status)
	}
	req2, _ := http.NewRequest("GET", e.srv.URL+"/v1/track/"+strings.Repeat("x", 32)+"/stream", nil)
	if r2, err := http.DefaultClient.Do(req2); err != nil || r2.StatusCode != 404 {
		t.Fatalf("unknown token stream: %v %v", r2.StatusCode, err)
	}
}

// TestWebhookRegistration registers a receiver through the API: its
// secret is shown once and signs what it receives.
func TestWebhookRegistration(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t)
	st, _, _ := e.seed("Monaco")
	for _, tc := range []struct {
		body        map[string]any
		code, field string
	}{
		{map[string]any{"url": "ftp://x"}, "invalid", "url"},
		{map[string]any{"url": rc.srv.URL, "topics": []string{"stop.exploded"}}, "invalid", "topics[0]"},
		{map[string]any{"url": rc.srv.URL, "station_ids": []string{"st_nope"}}, "invalid", "station_ids[0]"},
	} {
		if code, field := e.do("POST", "/v1/webhooks", e.admin, tc.body).err(); code != tc.code || field != tc.field {
			t.Errorf("%v: %s %s", tc.body, code, field)
		}
	}
	dispKey := e.key("dispatcher", []string{st}, "")
	e.do("POST", "/v1/webhooks", dispKey, map[string]any{"url": rc.srv.URL}).must(t, 403)
	hook := e.do("POST", "/v1/webhooks", e.admin, map[string]any{"url": rc.srv.URL, "topics": []string{"order.failed"}, "station_ids": []string{st}}).must(t, 201)
	secret := str(hook, "secret")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("created %v", hook)
	}
	if code, field := e.do("POST", "/v1/webhooks", e.admin, map[string]any{"url": rc.srv.URL}).err(); code != "conflict" || field != "url" {
		t.Fatalf("same URL twice: %s %s", code, field)
	}
	list := e.do("GET", "/v1/webhooks", e.admin, nil).must(t, 200)
	if len(items(list)) != 1 || strings.Contains(string(e.do("GET", "/v1/webhooks", e.admin, nil).raw), secret) {
		t.Fatalf("list %v", list)
	}
	if e.api.WebhookSecret(rc.srv.URL) != secret {
		t.Fatal("the server signs with another secret")
	}
	e.do("DELETE", "/v1/webhooks/"+str(hook, "id"), e.admin, nil).must(t, 204)
	e.do("DELETE", "/v1/webhooks/"+str(hook, "id"), e.admin, nil).must(t, 404)
	if e.api.WebhookSecret(rc.srv.URL) != "" {
		t.Fatal("a deleted receiver still has a secret")
	}
}
