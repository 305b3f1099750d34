package httpapi_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestLockerCapacity fills a locker through failed deliveries and recipient
// redirects: a full locker refuses a recipient's redirect with 409 on
// redirect_to, a failed delivery then gets a reattempt instead (saying
// why), collected and returned parcels free their places, and two
// recipients racing for the last place do not both get it.
func TestLockerCapacity(t *testing.T) {
	e := newEnv(t)
	st, _, drv := e.seed("Monaco")
	sta := e.do("GET", "/v1/stations/"+st, e.admin, nil).must(t, 200)
	sta["pickup_points"].([]any)[0].(map[string]any)["capacity"] = 2
	sta["failure_policy"] = map[string]any{"action": "redirect", "max_attempts": 3, "redirect_to": "L1"}
	e.do("PUT", "/v1/stations/"+st, e.admin, sta, "If-Match", fmt.Sprintf(`"%v"`, sta["version"])).must(t, 200)

	_, orders, _ := dispatchDay(t, e, st, drv, 3, func(i int) map[string]any { return orderBody(st, fmt.Sprintf("LK-%d", i), i) })
	fail := func(id string) map[string]any {
		t.Helper()
		e.do("POST", "/v1/orders/"+id+"/status", e.admin, map[string]any{"status": "arrived"}).must(t, 200)
		return e.do("POST", "/v1/orders/"+id+"/status", e.admin, map[string]any{"status": "failed", "reason": "not_home"}).must(t, 200)
	}
	for _, id := range orders[:2] {
		if r := fail(id); r["outcome"] != "redirected" || r["redirect_to"] != "L1" {
			t.Fatalf("failure with room in the locker: %v", r)
		}
	}
	r := fail(orders[2])
	if r["outcome"] != "reattempt_scheduled" || !strings.Contains(str(r, "outcome_note"), "L1 is full") {
		t.Fatalf("failure with the locker full: outcome %v, note %q", r["outcome"], str(r, "outcome_note"))
	}

	redirect := func(ext string) (resp, string) {
		o := e.do("POST", "/v1/orders", e.admin, orderBody(st, ext, 7)).must(t, 201)
		return e.do("POST", "/v1/track/"+str(o, "tracking_token")+"/actions", "", map[string]any{"redirect_to": "L1"}), str(o, "id")
	}
	full, fullID := redirect("LK-R1")
	full.must(t, 409)
	if code, field := full.err(); code != "conflict" || field != "redirect_to" ||
		!strings.Contains(str(full.body["error"].(map[string]any), "message"), "full") {
		t.Fatalf("redirect into a full locker: %s", full.raw)
	}
	if o := e.do("GET", "/v1/orders/"+fullID, e.admin, nil).must(t, 200); str(o, "redirect_to") != "" {
		t.Fatalf("refused redirect was stored: %v", o)
	}

	// The recipient collects one parcel (proof at the locker), the station
	// takes the other back: two places free.
	e.pod(orders[0], e.admin, map[string]string{"recipient_name": "Collector"}, nil).must(t, 200)
	e.do("POST", "/v1/orders/"+orders[1]+"/status", e.admin, map[string]any{"status": "returned"}).must(t, 200)
	ok, _ := redirect("LK-R2")
	ok.must(t, 200)

	// One place left, two recipients at once: one gets it.
	var tokens []string
	for i := range 2 {
		o := e.do("POST", "/v1/orders", e.admin, orderBody(st, fmt.Sprintf("LK-RACE-%d", i), i)).must(t, 201)
		tokens = append(tokens, str(o, "tracking_token"))
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/v1/track/"+tok+"/actions", "", map[string]any{"redirect_to": "L1"}).status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409) && !(statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("race for the last place: %v, want one 200 and one 409", statuses)
	}
}
