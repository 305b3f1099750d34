package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/notify"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

const hookSecret = "whsec_tracking_test"

// receiver is a webhook endpoint that verifies every call and can be down.
type receiver struct {
	mu     sync.Mutex
	down   bool
	got    map[string]int // topic → calls accepted
	ids    map[string]int // delivery id → calls
	forged int
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{got: map[string]int{}, ids: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err := notify.Verify(hookSecret, r.Header.Get(notify.SignatureHeader), body, time.Now(), 0); err != nil {
			rc.forged++
			w.WriteHeader(401)
			return
		}
		if rc.down {
			w.WriteHeader(503)
			return
		}
		rc.got[r.Header.Get(notify.TopicHeader)]++
		rc.ids[r.Header.Get(notify.DeliveryHeader)]++
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// liveEnv is an env whose server sends webhooks to a receiver.
func newLiveEnv(t testing.TB, hookURL string) (*env, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lastmile.db")
	e := &env{t: t, now: testNow}
	st, err := sqlite.Open(context.Background(), path, func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	var hooks []httpapi.Webhook
	if hookURL != "" {
		hooks = []httpapi.Webhook{{URL: hookURL, Secret: hookSecret}}
	}
	e.api = httpapi.New(httpapi.Config{Store: st, Now: func() time.Time { return e.now }, PlanTimeLimit: 300 * time.Millisecond,
		Webhooks: hooks, SSEHeartbeat: 100 * time.Millisecond})
	e.srv = httptest.NewServer(e.api.Handler())
	t.Cleanup(e.srv.Close)
	if e.admin, err = httpapi.Bootstrap(context.Background(), st, "", testNow); err != nil {
		t.Fatal(err)
	}
	return e, path
}

func pos(vehicle string, at time.Time, p lastmile.Point) map[string]any {
	return map[string]any{"vehicle_id": vehicle, "at": at.Format(time.RFC3339Nano), "lat": p.Lat, "lon": p.Lon, "speed_ms": 6.5, "accuracy_m": 8}
}

func lerp(a, b lastmile.Point, f float64) lastmile.Point {
	return lastmile.Point{Lat: a.Lat + (b.Lat-a.Lat)*f, Lon: a.Lon + (b.Lon-a.Lon)*f}
}

// TestLiveTracking drives a dispatched route with positions: the first
// stop becomes arrived by itself, ETAs and windows follow, the recipient's
// token shows exactly their delivery, webhooks arrive signed and survive a
// receiver outage and a restart of the dispatcher.
func TestLiveTracking(t *testing.T) {
	rc := newReceiver(t)
	e, dbPath := newLiveEnv(t, rc.srv.URL)
	st, veh, drv := e.seed("Monaco")
	v := e.do("GET", "/v1/vehicles/"+veh, e.admin, nil).must(t, 200)
	v["device_id"] = "phone-42"
	e.do("PUT", "/v1/vehicles/"+veh, e.admin, v).must(t, 200)
	tokens := map[string]string{}
	for i := range 3 {
		o := e.do("POST", "/v1/orders", e.admin, orderBody(st, fmt.Sprintf("T-%d", i), i*7)).must(t, 201)
		tokens[str(o, "id")] = str(o, "tracking_token")
	}
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.2}).must(t, 201)
	e.do("POST", "/v1/plans/"+str(plan, "id")+"/publish", e.admin, nil).must(t, 200)
	route := plan["routes"].([]any)[0].(map[string]any)
	routeID := str(route, "id")
	var order []string
	var locs []lastmile.Point
	for _, s := range route["stops"].([]any) {
		s := s.(map[string]any)
		if id := str(s, "order_id"); id != "" {
			order = append(order, id)
			l := s["location"].(map[string]any)
			locs = append(locs, lastmile.Point{Lat: l["lat"].(float64), Lon: l["lon"].(float64)})
		}
	}
	driverKey := e.key("driver", nil, drv)
	for i := range 3 {
		e.do("POST", "/v1/routes/"+routeID+"/scans", driverKey, map[string]any{"barcode": fmt.Sprintf("BC-T-%d", i)}).must(t, 200)
	}
	// Before the van leaves, a recipient leaves a safe place.
	last := tokens[order[2]]
	act := e.do("POST", "/v1/track/"+last+"/actions", "", map[string]any{"safe_place": "behind the blue gate"}).must(t, 200)
	if str(act, "safe_place") != "behind the blue gate" {
		t.Fatalf("action %v", act)
	}
	// No position before dispatch moves anything; the driver has no route yet.
	station := lastmile.Point{Lat: 43.7325, Lon: 7.4189}
	r := e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": []any{pos(veh, e.now, station)}})
	if code, field := r.err(); r.status != 403 || code != "forbidden" || field != "positions[0].vehicle_id" {
		t.Fatalf("driver before dispatch: %d %s", r.status, r.raw)
	}
	e.do("POST", "/v1/routes/"+routeID+"/dispatch", e.admin, nil).must(t, 200)
	if code, _ := e.do("POST", "/v1/track/"+last+"/actions", "", map[string]any{"safe_place": "porch"}).err(); code != "illegal_transition" {
		t.Fatalf("action after departure: %s", code)
	}

	// A dispatcher watches the station's stream.
	dispKey := e.key("dispatcher", []string{st}, "")
	events := make(chan string, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/stations/"+st+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+dispKey)
	sres, err := http.DefaultClient.Do(req)
	if err != nil || sres.StatusCode != 200 || sres.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %v %v", sres, err)
	}
	go func() {
		defer sres.Body.Close()
		sc := bufio.NewScanner(sres.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- ev
			}
		}
	}()

	// Drive to the first stop and wait there a minute.
	var batch []any
	for i := range 8 {
		batch = append(batch, pos(veh, e.now, lerp(station, locs[0], float64(i)/7)))
		e.now = e.now.Add(20 * time.Second)
	}
	for range 4 {
		batch = append(batch, pos(veh, e.now, locs[0]))
		e.now = e.now.Add(20 * time.Second)
	}
	batch = append(batch, batch[3]) // a duplicate
	res := e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": batch}).must(t, 200)
	if res["accepted"].(float64) != 12 || res["rejected"].(float64) != 1 {
		t.Fatalf("ingest %v", res)
	}
	if o := e.do("GET", "/v1/orders/"+order[0], e.admin, nil).must(t, 200); str(o, "status") != "arrived" {
		t.Fatalf("first stop is %s, want arrived by geofence", str(o, "status"))
	}
	evs := items(e.do("GET", "/v1/orders/"+order[0]+"/events", e.admin, nil).must(t, 200))
	if ev := evs[len(evs)-1].(map[string]any); str(ev["actor"].(map[string]any), "name") != "tracking" || ev["position"] == nil {
		t.Fatalf("arrival event %v", ev)
	}

	// The second recipient sees an ETA window but not the van (another
	// stop comes first); after the first stop fails, the van is on its way
	// to them and they see it.
	second := e.do("GET", "/v1/track/"+tokens[order[1]], "", nil).must(t, 200)
	if second["eta_window"] == nil || second["vehicle"] != nil || second["stops_away"].(float64) != 1 {
		t.Fatalf("second stop before its turn: %v", second)
	}
	e.do("POST", "/v1/orders/"+order[0]+"/status", driverKey, map[string]any{"status": "failed", "reason": "not_home"}).must(t, 200)
	e.now = e.now.Add(20 * time.Second)
	e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": []any{pos(veh, e.now, lerp(locs[0], locs[1], 0.3))}}).must(t, 200)
	second = e.do("GET", "/v1/track/"+tokens[order[1]], "", nil).must(t, 200)
	if second["vehicle"] == nil || second["stops_away"].(float64) != 0 || str(second, "driver") != "Dana" {
		t.Fatalf("second stop on its way: %v", second)
	}
	w := second["eta_window"].(map[string]any)
	if !(str(w, "earliest") <= str(second, "eta") && str(second, "eta") <= str(w, "latest")) {
		t.Fatalf("ETA %s outside its window %v", str(second, "eta"), w)
	}
	third := e.do("GET", "/v1/track/"+tokens[order[2]], "", nil).must(t, 200)
	if third["vehicle"] != nil {
		t.Fatalf("third recipient sees the van: %v", third)
	}
	// Their streams: the next stop's recipient gets the van's position
	// with the ETA window, the one after gets the window only.
	etaOf := func(token string) chan string {
		out := make(chan string, 10)
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/track/"+token+"/stream", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("recipient stream: %v", err)
		}
		go func() {
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			ev := ""
			for sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
					ev = v
				}
				if v, ok := strings.CutPrefix(sc.Text(), "data: "); ok && ev == "eta" {
					out <- v
				}
			}
		}()
		return out
	}
	secondStream, thirdStream := etaOf(tokens[order[1]]), etaOf(tokens[order[2]])
	time.Sleep(50 * time.Millisecond) // subscribed
	e.now = e.now.Add(10 * time.Second)
	e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": []any{pos(veh, e.now, lerp(locs[0], locs[1], 0.35))}}).must(t, 200)
	for i, c := range []chan string{secondStream, thirdStream} {
		select {
		case d := <-c:
			if hasVan := strings.Contains(d, `"vehicle"`); hasVan != (i == 0) || !strings.Contains(d, `"earliest"`) || strings.Contains(d, veh) {
				t.Fatalf("recipient %d stream: %s", i+2, d)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("recipient %d stream got no ETA", i+2)
		}
	}
	for _, leak := range []string{order[0], order[2], "Recipient", "route_id", "vehicle_id", drv, veh} {
		if strings.Contains(string(e.do("GET", "/v1/track/"+tokens[order[1]], "", nil).raw), leak) {
			t.Errorf("the tracking view reveals %q", leak)
		}
	}
	first := e.do("GET", "/v1/track/"+tokens[order[0]], "", nil).must(t, 200)
	if first["vehicle"] != nil || first["timeline"] == nil {
		t.Fatalf("a closed stop shows the van: %v", first)
	}

	// The OsmAnd protocol: by device id, with clear errors.
	e.now = e.now.Add(20 * time.Second)
	p := lerp(locs[0], locs[1], 0.5)
	osm := fmt.Sprintf("/v1/osmand?id=phone-42&lat=%f&lon=%f&timestamp=%d&speed=12&bearing=90&batt=71", p.Lat, p.Lon, e.now.Unix())
	if r := e.do("GET", osm, "", nil).must(t, 200); str(r, "verdict") != "accepted" {
		t.Fatalf("osmand %v", r)
	}
	if r := e.do("GET", osm, "", nil).must(t, 200); str(r, "verdict") != "duplicate" {
		t.Fatalf("osmand again %v", r)
	}
	for _, tc := range []struct {
		query, code, field string
	}{
		{"id=nobody&lat=43.7&lon=7.4", "forbidden", "id"},
		{"lat=43.7&lon=7.4", "invalid", "id"},
		{"id=phone-42&lat=abc&lon=7.4", "invalid", "lat"},
		{"id=phone-42&lat=43.7&lon=7.4&timestamp=yesterday", "invalid", "timestamp"},
		{"id=phone-42&lat=43.7&lon=7.4&batt=140", "invalid", "battery"},
	} {
		if code, field := e.do("POST", "/v1/osmand?"+tc.query, "", nil).err(); code != tc.code || field != tc.field {
			t.Errorf("osmand %s: %s %s, want %s %s", tc.query, code, field, tc.code, tc.field)
		}
	}
	// Batches: fields named; another vehicle refused to the driver.
	bad := pos(veh, e.now, station)
	bad["lat"] = 95.0
	if code, field := e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": []any{pos(veh, e.now, station), bad}}).err(); code != "invalid" || field != "positions[1].lat" {
		t.Errorf("bad latitude: %s %s", code, field)
	}
	other := e.do("POST", "/v1/vehicles", e.admin, map[string]any{"station_id": st, "name": "Van 2", "active": true}).must(t, 201)
	if code, field := e.do("POST", "/v1/positions", driverKey, map[string]any{"positions": []any{pos(str(other, "id"), e.now, station)}}).err(); code != "forbidden" || field != "positions[0].vehicle_id" {
		t.Errorf("driver posting for another vehicle: %s %s", code, field)
	}

	// Live progress, the vehicle's position and the track beside the plan.
	pr := e.do("GET", "/v1/routes/"+routeID+"/progress", driverKey, nil).must(t, 200)
	if pr["done"].(float64) != 1 || pr["remaining"].(float64) != 2 || len(pr["etas"].([]any)) != 2 {
		t.Fatalf("progress %v", pr)
	}
	vp := e.do("GET", "/v1/vehicles/"+veh+"/position", dispKey, nil).must(t, 200)
	if vp["position"] == nil || str(vp, "route_id") != routeID {
		t.Fatalf("vehicle position %v", vp)
	}
	tr := e.do("GET", "/v1/routes/"+routeID+"/track", dispKey, nil).must(t, 200)
	if n := len(tr["actual"].([]any)); n < 5 || n > 15 {
		t.Fatalf("%d recorded positions (downsampled from 15)", n)
	}

	// The stream saw positions, the stop change and alerts.
	seen := map[string]bool{}
	timeout := time.After(5 * time.Second)
	for !(seen["position"] && seen["stop"] && seen["alert"]) {
		select {
		case ev := <-events:
			seen[ev] = true
		case <-timeout:
			t.Fatalf("stream events %v", seen)
		}
	}
	cancel()

	// Webhooks: the receiver is down, then back; a new dispatcher (a
	// restarted server) delivers what the first could not.
	rc.mu.Lock()
	rc.down = true
	rc.mu.Unlock()
	dnow := time.Now()
	d := &notify.Dispatcher{Store: e.store, Now: func() time.Time { return dnow },
		Senders: map[string]notify.Sender{lastmile.ChannelWebhook: notify.Webhook{Secret: e.api.WebhookSecret}}}
	if n, f, err := d.Tick(context.Background()); n != 0 || f == 0 || err != nil {
		t.Fatalf("during the outage: %d delivered, %d failed, %v", n, f, err)
	}
	rc.mu.Lock()
	rc.down = false
	rc.mu.Unlock()
	st2, err := sqlite.Open(context.Background(), dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	dnow = dnow.Add(time.Minute)
	d2 := &notify.Dispatcher{Store: st2, Now: func() time.Time { return dnow },
		Senders: map[string]notify.Sender{lastmile.ChannelWebhook: notify.Webhook{Secret: func(string) string { return hookSecret }}}}
	if _, _, err := d2.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if due, _ := st2.DueMessages(context.Background(), dnow.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("%d messages still due", len(due))
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, topic := range []string{notify.TopicDispatched, notify.TopicArrived, notify.TopicApproaching, notify.TopicFailed, notify.TopicStationLeft} {
		if rc.got[topic] == 0 {
			t.Errorf("no %s webhook (got %v)", topic, rc.got)
		}
	}
	if rc.got[notify.TopicDispatched] != 3 || rc.forged != 0 {
		t.Errorf("dispatched %d, want 3; %d unverifiable", rc.got[notify.TopicDispatched], rc.forged)
	}
	dead := e.do("GET", "/v1/webhooks/messages?status=delivered", dispKey, nil).must(t, 200)
	if len(items(dead)) == 0 {
		t.Errorf("no delivered message listed")
	}
}

// TestRecipientActions reschedules and redirects before the van leaves.
func TestRecipientActions(t *testing.T) {
	e := newEnv(t)
	st, _, _ := e.seed("Monaco")
	o := e.do("POST", "/v1/orders", e.admin, orderBody(st, "R-1", 1)).must(t, 201)
	tok := str(o, "tracking_token")
	tests := []struct {
		name        string
		body        any
		status      int
		code, field string
	}{
		{"empty", map[string]any{}, 422, "invalid", ""},
		{"unknown field", map[string]any{"colour": "red"}, 422, "invalid", "colour"},
		{"reschedule to the past", map[string]any{"reschedule_date": "2026-03-01"}, 422, "invalid", "reschedule_date"},
		{"reschedule to a closed day", map[string]any{"reschedule_date": "2026-03-04"}, 422, "invalid", "reschedule_date"},
		{"redirect nowhere", map[string]any{"redirect_to": "X9"}, 422, "invalid", "redirect_to"},
		{"bad quiet hours", map[string]any{"notify": map[string]any{"channels": []string{"sms"}, "quiet_start": "25:00", "quiet_end": "07:00"}}, 422, "invalid", "notify.quiet_start"},
		{"reschedule", map[string]any{"reschedule_date": "2026-03-03", "notify": map[string]any{"channels": []string{"sms"}, "quiet_start": "21:00", "quiet_end": "08:00"}}, 200, "", ""},
		{"redirect to the locker", map[string]any{"redirect_to": "L1"}, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/v1/track/"+tok+"/actions", "", tt.body)
			code, field := r.err()
			if r.status != tt.status || code != tt.code || field != tt.field {
				t.Fatalf("%d %s %s: %s", r.status, code, field, r.raw)
			}
		})
	}
	got := e.do("GET", "/v1/orders/"+str(o, "id"), e.admin, nil).must(t, 200)
	addr := got["address"].(map[string]any)
	if str(got, "service_date") != "2026-03-03" || str(got, "redirect_to") != "L1" || str(addr, "line1") != "Locker Port" {
		t.Fatalf("order after actions %v", got)
	}
	e.do("GET", "/v1/track/not-a-token-but-long-enough", "", nil).must(t, 404)
}
