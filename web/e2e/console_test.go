package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestConsoleDay walks a dispatcher's day: sign in, import a CSV with one
// bad row, plan, see the routes on the map and in the table, move a stop,
// publish, dispatch a loaded route, read the KPIs; then the key is revoked
// and the console asks to sign in again.
func TestConsoleDay(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 18, Vehicles: 3})
	ctx := newBrowser(t, 1366, 900)
	run(t, ctx, chromedp.Navigate(srv.URL+"/console/#key="+srv.Dispatcher))
	waitJS(t, ctx, `document.getElementById('station').options.length === 1 && document.querySelector('#panel-routes p')`, 15*time.Second)
	if got := evalJS[string](t, ctx, `document.getElementById('date').value`); got != srv.Date {
		t.Fatalf("date picker shows %q, want the station's today %s", got, srv.Date)
	}

	// Import: two good rows and one with a latitude out of range.
	lat, lon := srv.Locations[0][1], srv.Locations[0][0]
	csv := "external_id,recipient_name,address_line1,lat,lon,barcodes,service_date\n" +
		fmt.Sprintf("CSV-1,Ana Mora,1 rue Grimaldi,%f,%f,CSV-BC-1,%s\n", lat, lon, srv.Date) +
		fmt.Sprintf("CSV-2,Ben Roux,2 rue Grimaldi,95.5,%f,CSV-BC-2,%s\n", lon, srv.Date) +
		fmt.Sprintf("CSV-3,Cleo Sala,3 rue Grimaldi,%f,%f,CSV-BC-3,%s\n", srv.Locations[1][1], srv.Locations[1][0], srv.Date)
	file := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx,
		chromedp.Click(chromedp.ID("tab-import")),
		chromedp.WaitVisible(chromedp.ID("import-file")),
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#import-form button[type=submit]`)),
	)
	waitJS(t, ctx, `document.querySelector('#import-report table')`, 10*time.Second)
	status := evalJS[string](t, ctx, `document.getElementById('import-status').textContent`)
	if !strings.Contains(status, "3 rows: 2 created, 1 with errors") {
		t.Fatalf("import status %q", status)
	}
	errRows := evalJS[[][]string](t, ctx, `[...document.querySelectorAll('#import-report tbody tr')].map(tr => [...tr.cells].map(td => td.textContent.trim()))`)
	if len(errRows) != 1 || errRows[0][0] != "2" || errRows[0][2] != "CSV-2" || !strings.Contains(errRows[0][3], "lat") {
		t.Fatalf("error report rows %v", errRows)
	}
	screenshot(t, ctx, "console-import-report")

	// Plan the day.
	run(t, ctx,
		chromedp.Click(chromedp.ID("tab-plan")),
		chromedp.WaitVisible(chromedp.ID("plan-time")),
		chromedp.SetValue(chromedp.ID("plan-time"), "1"),
		chromedp.Click(chromedp.CSS(`#panel-plan [data-act=plan]`)),
	)
	waitJS(t, ctx, `/Draft .*routes/.test(document.getElementById('plan-status').textContent)`, 30*time.Second)
	run(t, ctx, chromedp.Click(chromedp.ID("tab-routes")))
	waitJS(t, ctx, `document.querySelectorAll('#panel-routes section.route').length > 0`, 5*time.Second)
	routes := evalJS[int](t, ctx, `document.querySelectorAll('#panel-routes section.route').length`)
	legend := evalJS[int](t, ctx, `document.querySelectorAll('#map-legend .sw').length`)
	if routes < 2 || legend < 2 {
		t.Fatalf("%d route cards, %d routes in the map legend: want at least 2 (3 vehicles, 20 orders)", routes, legend)
	}
	if srv.Graph != nil {
		// The routes' lines follow the roads (the OSRM-compatible /route/v1 of the same server).
		waitJS(t, ctx, `performance.getEntriesByType('resource').filter(e => e.name.includes('/route/v1/driving/') && e.responseStatus === 200).length >= 2`, 10*time.Second)
	}
	screenshot(t, ctx, "console-draft")

	// Move a stop from the fullest route to the emptiest one: select its row, pick the route.
	var drafts struct {
		Items []planBody `json:"items"`
	}
	srv.mustJSON("GET", "/v1/plans?station_id="+srv.Station+"&date="+srv.Date+"&status=draft", srv.Dispatcher, nil, &drafts)
	if len(drafts.Items) != 1 {
		t.Fatalf("%d drafts", len(drafts.Items))
	}
	from, to := 0, 0
	stops := func(i int) int {
		n := 0
		for _, s := range drafts.Items[0].Routes[i].Stops {
			if s.OrderID != "" {
				n++
			}
		}
		return n
	}
	for i := range drafts.Items[0].Routes {
		if stops(i) > stops(from) {
			from = i
		}
		if stops(i) < stops(to) {
			to = i
		}
	}
	source, target := drafts.Items[0].Routes[from].ID, drafts.Items[0].Routes[to].ID
	run(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#panel-routes [data-act=toggle][data-route=%q]`, source))))
	row := fmt.Sprintf(`#panel-routes tr[data-route=%q]`, source)
	waitJS(t, ctx, fmt.Sprintf("document.querySelector(%q)", row), 5*time.Second)
	moved := evalJS[string](t, ctx, fmt.Sprintf("document.querySelector(%q).dataset.order", row))
	run(t, ctx, chromedp.Click(chromedp.CSS(row)))
	waitJS(t, ctx, `document.querySelector('form[data-form=move] button[type=submit]:not([disabled])')`, 5*time.Second)
	evalJS[string](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('form[data-form=move] select'); s.value = %q; return s.value; })()`, target))
	run(t, ctx, chromedp.Click(chromedp.CSS(`form[data-form=move] button[type=submit]`)))
	waitJS(t, ctx, `document.querySelector('#move-verdict .verdict')`, 15*time.Second)
	verdict := evalJS[string](t, ctx, `document.querySelector('#move-verdict').textContent`)
	if !strings.HasPrefix(strings.TrimSpace(verdict), "Feasible") {
		t.Fatalf("move verdict %q", verdict)
	}
	var plans struct {
		Items []planBody `json:"items"`
	}
	srv.mustJSON("GET", "/v1/plans?station_id="+srv.Station+"&date="+srv.Date+"&status=draft", srv.Dispatcher, nil, &plans)
	if len(plans.Items) != 1 {
		t.Fatalf("%d drafts", len(plans.Items))
	}
	draft := plans.Items[0]
	onTarget := false
	for _, r := range draft.Routes {
		if r.ID == target {
			for _, s := range r.Stops {
				onTarget = onTarget || s.OrderID == moved
			}
		}
	}
	if !onTarget {
		t.Fatalf("order %s is not on route %s after the move", moved, target)
	}
	screenshot(t, ctx, "console-moved")

	// Drag and drop: another stop of the source route dropped on the target route's card goes last.
	dragged := evalJS[string](t, ctx, fmt.Sprintf(`(() => {
		const row = document.querySelector(%q);
		const card = document.querySelector('section.route[data-route=%q] .route-head');
		const dt = new DataTransfer();
		row.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
		card.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
		card.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
		return row.dataset.order + ' ' + row.cells[1].firstChild.textContent.trim();
	})()`, row, target))
	dragged, ext, _ := strings.Cut(dragged, " ")
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#move-verdict').textContent.includes(%q)`, ext+" moved to"), 15*time.Second)
	srv.mustJSON("GET", "/v1/plans/"+drafts.Items[0].ID, srv.Dispatcher, nil, &drafts.Items[0])
	for _, r := range drafts.Items[0].Routes {
		if r.ID != target {
			continue
		}
		last := ""
		for _, s := range r.Stops {
			if s.OrderID != "" {
				last = s.OrderID
			}
		}
		if last != dragged {
			t.Fatalf("after the drop the target route ends with %s, want %s", last, dragged)
		}
	}
	// Dropped on the target's first row, a stop goes first.
	run(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#panel-routes [data-act=toggle][data-route=%q]`, target))))
	targetRow := fmt.Sprintf(`#panel-routes tr[data-route=%q]`, target)
	waitJS(t, ctx, fmt.Sprintf("document.querySelector(%q)", targetRow), 5*time.Second)
	dragged = evalJS[string](t, ctx, fmt.Sprintf(`(() => {
		const row = document.querySelector(%q);
		const onto = document.querySelector(%q);
		const dt = new DataTransfer();
		row.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
		onto.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
		onto.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
		return row.dataset.order + ' ' + row.cells[1].firstChild.textContent.trim();
	})()`, row, targetRow))
	dragged, ext, _ = strings.Cut(dragged, " ")
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#move-verdict').textContent.includes(%q)`, ext+" moved to"), 15*time.Second)
	srv.mustJSON("GET", "/v1/plans/"+drafts.Items[0].ID, srv.Dispatcher, nil, &drafts.Items[0])
	for _, r := range drafts.Items[0].Routes {
		if r.ID == target && r.Stops[0].OrderID != dragged {
			t.Fatalf("after the drop on the first row the target route starts with %s, want %s", r.Stops[0].OrderID, dragged)
		}
	}

	// Replan the draft, publish; plan again, compare with the published plan, publish that.
	run(t, ctx, chromedp.Click(chromedp.ID("tab-plan")))
	run(t, ctx, chromedp.Click(chromedp.CSS(`#panel-plan [data-act=replan]`)))
	waitJS(t, ctx, `/New draft/.test(document.getElementById('plan-status').textContent)`, 30*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#panel-plan [data-act=publish]`)))
	waitJS(t, ctx, `/published/.test(document.getElementById('plan-status').textContent)`, 10*time.Second)
	run(t, ctx, chromedp.SetValue(chromedp.ID("plan-time"), "1"), chromedp.Click(chromedp.CSS(`#panel-plan [data-act=plan]`)))
	waitJS(t, ctx, `/Draft .*routes/.test(document.getElementById('plan-status').textContent) && document.querySelector('#panel-plan [data-act=compare]')`, 30*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#panel-plan [data-act=compare]`)))
	waitJS(t, ctx, `document.querySelector('#plan-compare table')`, 10*time.Second)
	compare := evalJS[string](t, ctx, `document.getElementById('plan-compare').textContent`)
	if !strings.Contains(compare, "Draft vs published") || !strings.Contains(compare, "on a different vehicle") {
		t.Fatalf("comparison %q", compare)
	}
	screenshot(t, ctx, "console-compare")
	run(t, ctx, chromedp.Click(chromedp.CSS(`#panel-plan [data-act=publish]`)))
	waitJS(t, ctx, `/published/.test(document.getElementById('plan-status').textContent)`, 10*time.Second)

	// Load route 1's parcels at the dock (scans through the API), then dispatch it in the console.
	var published struct {
		Items []planBody `json:"items"`
	}
	srv.mustJSON("GET", "/v1/plans?station_id="+srv.Station+"&date="+srv.Date+"&status=published", srv.Dispatcher, nil, &published)
	if len(published.Items) != 1 {
		t.Fatalf("%d published plans, want 1 (the earlier one superseded)", len(published.Items))
	}
	pub := published.Items[0]
	first := pub.Routes[0]
	for _, s := range first.Stops {
		if s.OrderID == "" {
			continue
		}
		var o struct {
			Parcels []struct {
				Barcode string `json:"barcode"`
			} `json:"parcels"`
		}
		srv.mustJSON("GET", "/v1/orders/"+s.OrderID, srv.Dispatcher, nil, &o)
		for _, p := range o.Parcels {
			srv.mustJSON("POST", "/v1/routes/"+first.ID+"/scans", srv.Dispatcher, map[string]string{"barcode": p.Barcode}, nil)
		}
	}
	run(t, ctx, chromedp.Click(chromedp.ID("tab-routes")))
	sel := fmt.Sprintf(`#panel-routes [data-act=dispatch][data-route=%q]`, first.ID)
	waitJS(t, ctx, fmt.Sprintf("document.querySelector(%q)", sel), 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(sel)))
	waitJS(t, ctx, fmt.Sprintf(`/dispatched/.test(document.querySelector('section.route[data-route=%q] .route-head').textContent)`, first.ID), 10*time.Second)
	alerts := evalJS[string](t, ctx, `document.getElementById('alerts').textContent`)
	if !strings.Contains(alerts, "dispatched") {
		t.Fatalf("alerts %q", alerts)
	}
	// A position of the dispatched van shows up on the map through the live stream.
	pos := map[string]any{"vehicle_id": first.VehicleID, "at": time.Now().UTC().Format(time.RFC3339), "lat": 43.7340, "lon": 7.4200, "accuracy_m": 10}
	srv.mustJSON("POST", "/v1/positions", srv.Dispatcher, map[string]any{"positions": []any{pos}}, nil)
	waitJS(t, ctx, `document.querySelectorAll('.lm-vehicle').length === 1`, 10*time.Second)
	title := evalJS[string](t, ctx, `document.querySelector('.lm-vehicle').title`)
	if !strings.HasPrefix(title, "Van ") {
		t.Fatalf("vehicle marker title %q", title)
	}
	screenshot(t, ctx, "console-dispatched")

	// A failed attempt on the dispatched route: listed with the policy's outcome; the reattempt is cancelled.
	var failed string
	for _, s := range first.Stops {
		if s.OrderID != "" {
			failed = s.OrderID
			break
		}
	}
	srv.mustJSON("POST", "/v1/orders/"+failed+"/status", srv.Dispatcher, map[string]any{"status": "arrived"}, nil)
	srv.mustJSON("POST", "/v1/orders/"+failed+"/status", srv.Dispatcher, map[string]any{"status": "failed", "reason": "not_home"}, nil)
	run(t, ctx, chromedp.Click(chromedp.ID("tab-failed")))
	cancel := fmt.Sprintf(`#panel-failed [data-act=cancel][data-order=%q]`, failed)
	waitJS(t, ctx, fmt.Sprintf("document.querySelector(%q)", cancel), 10*time.Second)
	row = evalJS[string](t, ctx, `document.querySelector('#panel-failed tbody tr').textContent`)
	if !strings.Contains(row, "not home") || !strings.Contains(row, "reattempt scheduled") {
		t.Fatalf("failed stop row %q", row)
	}
	screenshot(t, ctx, "console-failed")
	run(t, ctx, chromedp.Click(chromedp.CSS(cancel)))
	waitJS(t, ctx, `/cancelled/.test(document.getElementById('failed-status').textContent)`, 10*time.Second)
	var o struct{ Status string }
	srv.mustJSON("GET", "/v1/orders/"+failed, srv.Dispatcher, nil, &o)
	if o.Status != "cancelled" {
		t.Fatalf("order %s is %s after cancelling its reattempt", failed, o.Status)
	}

	// With a redirect policy the next failure waits at the locker; the station takes it back.
	var station map[string]any
	srv.mustJSON("GET", "/v1/stations/"+srv.Station, srv.Dispatcher, nil, &station)
	station["failure_policy"] = map[string]any{"action": "redirect", "max_attempts": 3, "redirect_to": "L1"}
	srv.mustJSON("PUT", "/v1/stations/"+srv.Station, srv.Dispatcher, station, nil)
	var second string
	for _, s := range first.Stops {
		if s.OrderID != "" && s.OrderID != failed {
			second = s.OrderID
			break
		}
	}
	srv.mustJSON("POST", "/v1/orders/"+second+"/status", srv.Dispatcher, map[string]any{"status": "arrived"}, nil)
	srv.mustJSON("POST", "/v1/orders/"+second+"/status", srv.Dispatcher, map[string]any{"status": "failed", "reason": "not_home"}, nil)
	run(t, ctx, chromedp.Click(chromedp.ID("tab-routes")), chromedp.Click(chromedp.ID("tab-failed")))
	takeBack := fmt.Sprintf(`#panel-failed [data-act=take-back][data-order=%q]`, second)
	waitJS(t, ctx, fmt.Sprintf("document.querySelector(%q)", takeBack), 10*time.Second)
	if row := evalJS[string](t, ctx, fmt.Sprintf("document.querySelector(%q).closest('tr').textContent", takeBack)); !strings.Contains(row, "Locker Condamine") {
		t.Fatalf("redirected row %q", row)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(takeBack)))
	waitJS(t, ctx, `/taken back/.test(document.getElementById('failed-status').textContent)`, 10*time.Second)
	srv.mustJSON("GET", "/v1/orders/"+second, srv.Dispatcher, nil, &o)
	if o.Status != "returned" {
		t.Fatalf("order %s is %s after taking it back", second, o.Status)
	}

	// KPIs: the failures are counted.
	run(t, ctx, chromedp.Click(chromedp.ID("tab-kpis")))
	waitJS(t, ctx, `document.querySelectorAll('#panel-kpis .kpi').length >= 6`, 10*time.Second)
	rings := evalJS[int](t, ctx, `document.querySelectorAll('#panel-kpis svg[role=img]').length`)
	if rings < 3 {
		t.Fatalf("%d SVG charts in the KPI panel", rings)
	}
	kpiText := evalJS[string](t, ctx, `document.getElementById('panel-kpis').textContent`)
	if !strings.Contains(kpiText, "2 failed of 2 attempts") || !strings.Contains(kpiText, "not home") || !strings.Contains(kpiText, "kg") {
		t.Fatalf("KPI panel %q", kpiText)
	}
	screenshot(t, ctx, "console-kpis")

	// A driver's sign-in link: a new driver key in the address's fragment.
	run(t, ctx, chromedp.Click(chromedp.ID("tab-drivers")))
	waitJS(t, ctx, `document.querySelector('#panel-drivers [data-act=link]')`, 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#panel-drivers [data-act=link]`)))
	waitJS(t, ctx, `document.getElementById('driver-link')`, 10*time.Second)
	link := evalJS[string](t, ctx, `document.getElementById('driver-link').textContent`)
	prefix := srv.URL + "/driver/#key="
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("driver link %q", link)
	}
	if status, body := srv.do("GET", "/v1/stations", strings.TrimPrefix(link, prefix), nil); status != 403 {
		t.Fatalf("the link's key: GET /v1/stations answered %d %s, want 403 (a driver key)", status, body)
	}
	screenshot(t, ctx, "console-driver-link")

	// Revoked key: the next request shows the sign-in form with the reason.
	var keys struct {
		Items []struct {
			ID, Role string
		} `json:"items"`
	}
	srv.mustJSON("GET", "/v1/api-keys", srv.Admin, nil, &keys)
	for _, k := range keys.Items {
		if k.Role == "dispatcher" {
			srv.mustJSON("POST", "/v1/api-keys/"+k.ID+"/revoke", srv.Admin, map[string]any{}, nil)
		}
	}
	run(t, ctx, chromedp.Click(chromedp.ID("tab-failed")))
	waitJS(t, ctx, `!document.getElementById('signin').hidden`, 10*time.Second)
	reason := evalJS[string](t, ctx, `document.getElementById('signin-reason').textContent`)
	if !strings.Contains(reason, "expired") {
		t.Fatalf("sign-in reason %q", reason)
	}
}

// TestConsolePhone: on a phone-sized screen the console fits the width and
// its controls are reachable.
func TestConsolePhone(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 8})
	ctx := newBrowser(t, 390, 844)
	run(t, ctx, chromedp.Navigate(srv.URL+"/console/"))
	waitJS(t, ctx, `!document.getElementById('signin').hidden`, 10*time.Second)
	// Sign in with the form, as a person would.
	run(t, ctx,
		chromedp.SendKeys(chromedp.ID("signin-key"), srv.Dispatcher),
		chromedp.Click(chromedp.CSS(`#signin-form button`)),
	)
	waitJS(t, ctx, `document.getElementById('station').options.length === 1 && document.querySelector('#panel-routes p')`, 15*time.Second)
	overflow := evalJS[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`)
	if overflow > 0 {
		t.Fatalf("the page is %d px wider than the screen", overflow)
	}
	screenshot(t, ctx, "console-phone")

	// Offline: the banner shows, and a request tells that the server cannot be reached.
	offline := func(off bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(c, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := cdp.Call(c, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
			}); err != nil {
				return err
			}
			_, err := cdp.Call(c, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		})
	}
	run(t, ctx, offline(true))
	waitJS(t, ctx, `!document.getElementById('offline').hidden && document.getElementById('live').textContent === 'live: offline'`, 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.ID("tab-kpis")))
	waitJS(t, ctx, `/cannot be reached/.test(document.getElementById('panel-kpis').textContent)`, 10*time.Second)
	screenshot(t, ctx, "console-phone-offline")
	run(t, ctx, offline(false))
	waitJS(t, ctx, `document.getElementById('offline').hidden && document.getElementById('live').textContent === 'live: connected'`, 10*time.Second)

	// A wrong key is refused with the API's reason.
	run(t, ctx, chromedp.Click(chromedp.ID("signout")))
	waitJS(t, ctx, `!document.getElementById('signin').hidden`, 5*time.Second)
	run(t, ctx,
		chromedp.SetValue(chromedp.ID("signin-key"), "lmk_not_a_key"),
		chromedp.Click(chromedp.CSS(`#signin-form button`)),
	)
	waitJS(t, ctx, `/unknown or revoked/.test(document.getElementById('signin-reason').textContent)`, 5*time.Second)
}
