package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// jpegFile writes a w×h JPEG photo (a gradient) into dir and answers its path.
func jpegFile(t testing.TB, dir string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 140, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "door.jpg")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// setOffline cuts the tab (and its service worker) off the network, or
// brings it back; navigator.onLine and the online/offline events follow.
func setOffline(offline bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		conds := []*network.Conditions{}
		if offline {
			conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		yes := true
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes, MatchedNetworkConditions: conds}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// workerOffline cuts the driver app's service worker off the network too
// (the page's emulation does not reach it): it attaches to the worker's
// target and answers a func that brings it back online and detaches.
func workerOffline(t *testing.T, ctx context.Context, origin string) func() {
	t.Helper()
	var id target.ID
	deadline := time.Now().Add(10 * time.Second)
	for id == "" {
		ts, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range ts {
			if ti.Type == "service_worker" && ti.URL == origin+"/driver/sw.js" {
				id = ti.TargetID
			}
		}
		if id == "" {
			if time.Now().After(deadline) {
				t.Fatal("no service worker target for the driver app")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
	emulate := func(offline bool) error {
		conds := []*network.Conditions{}
		if offline {
			conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		return chromedp.Do(wctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds})
			return err
		}))
	}
	if err := emulate(true); err != nil {
		cancel()
		t.Fatalf("service worker offline: %v", err)
	}
	return func() {
		if err := emulate(false); err != nil {
			t.Errorf("service worker online: %v", err)
		}
		cancel()
	}
}

// geolocation grants the page's origin the location and places the phone
// at lat, lon.
func geolocation(origin string, lat, lon float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: "granted", Origin: origin}); err != nil {
			return err
		}
		acc := 8.0
		_, err := cdp.Call(ctx, t, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
		return err
	})
}

// drawSignature scrolls the signature pad into view and draws a stroke on
// it with mouse events (the page sees them as pointer events).
func drawSignature(t *testing.T, ctx context.Context) {
	t.Helper()
	rect := evalJS[[]float64](t, ctx, `(() => { const c = document.getElementById('sig'); c.scrollIntoView({block: 'center'});
		const r = c.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	x, y, w, h := rect[0], rect[1], rect[2], rect[3]
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x+w*0.1, y+h*0.6, chromedp.ButtonLeft)}
	for i := 1; i <= 20; i++ {
		f := float64(i) / 20
		yy := y + h*(0.6-0.3*f*(1-f)*4)
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x+w*(0.1+0.8*f), yy, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x+w*0.9, y+h*0.6, chromedp.ButtonLeft))
	run(t, ctx, steps...)
}

type orderBody struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	FailureReason string `json:"failure_reason"`
	TrackingToken string `json:"tracking_token"`
	Instructions  string `json:"instructions"`
	SafePlace     string `json:"safe_place"`
	ServiceDate   string `json:"service_date"`
	RedirectTo    string `json:"redirect_to"`
	Parcels       []struct {
		Barcode string `json:"barcode"`
	} `json:"parcels"`
	POD *struct {
		RecipientName string   `json:"recipient_name"`
		Photos        []string `json:"photos"`
		Signature     string   `json:"signature"`
	} `json:"pod"`
}

func (s *testServer) order(id string) orderBody {
	s.t.Helper()
	var o orderBody
	s.mustJSON("GET", "/v1/orders/"+id, s.Admin, nil, &o)
	return o
}

// eventTypes counts an order's events by type, and by the status they left
// the order in ("status:arrived").
func (s *testServer) eventTypes(id string) map[string]int {
	s.t.Helper()
	var evs struct {
		Items []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"items"`
	}
	s.mustJSON("GET", "/v1/orders/"+id+"/events", s.Admin, nil, &evs)
	n := map[string]int{}
	for _, e := range evs.Items {
		n[e.Type]++
		n["status:"+e.Status]++
	}
	return n
}

// TestDriverDay: a driver signs in on a phone with the key in the link,
// sees the route, loads the van by typing barcodes, goes offline, arrives
// and delivers with a photo and a signature, comes back online and the
// queue is sent exactly once; then a failed stop with a reason.
func TestDriverDay(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 5, Vehicles: 1})
	p := srv.plan()
	srv.mustJSON("POST", "/v1/plans/"+p.ID+"/publish", srv.Dispatcher, nil, nil)
	var rt = p.Routes[0]
	var stops []string
	for _, s := range rt.Stops {
		if s.OrderID != "" {
			stops = append(stops, s.OrderID)
		}
	}
	if rt.DriverID != srv.Drivers[0] || len(stops) != 5 {
		t.Fatalf("plan: route of %s with %d stops", rt.DriverID, len(stops))
	}

	ctx := newBrowser(t, 390, 844)
	run(t, ctx, chromedp.Navigate(srv.URL+"/driver/#key="+srv.Driver))
	// One route today: the app opens it.
	waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll('#stops-list li').length === %d`, len(stops)), 15*time.Second)
	if href := evalJS[string](t, ctx, `location.href`); strings.Contains(href, "lmk_") {
		t.Fatalf("the key stayed in the address bar: %s", href)
	}
	if got := evalJS[string](t, ctx, `document.getElementById('title').textContent`); got != "Dana Rossi" {
		t.Fatalf("header shows %q", got)
	}
	if got := evalJS[string](t, ctx, `document.getElementById('load-progress').textContent`); !strings.Contains(got, "0 of 5 parcels loaded · 5 missing") {
		t.Fatalf("load progress %q", got)
	}
	// The stops come in the route's sequence.
	order := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#stops-list li')].map((li) => li.dataset.order)`)
	if strings.Join(order, ",") != strings.Join(stops, ",") {
		t.Fatalf("stops in the page %v, route %v", order, stops)
	}
	screenshot(t, ctx, "driver-manifest")
	audit(t, ctx, "driver route")

	// The camera scanner is offered only where BarcodeDetector and a camera exist.
	det := evalJS[[]bool](t, ctx, `(async () => {
		const m = await import('/driver/scan.js');
		const cam = { mediaDevices: { getUserMedia() {} } };
		const Det = class { static async getSupportedFormats() { return ['code_128', 'qr_code']; } };
		const NoFormats = class { static async getSupportedFormats() { return []; } };
		const here = await m.scannerSupport();
		return [
			(await m.scannerSupport({ navigator: cam })).supported,
			(await m.scannerSupport({ BarcodeDetector: Det, navigator: cam })).supported,
			(await m.scannerSupport({ BarcodeDetector: NoFormats, navigator: cam })).supported,
			(await m.scannerSupport({ BarcodeDetector: Det, navigator: {} })).supported,
			document.getElementById('camera-scan').hidden === !here.supported,
		];
	})()`)
	if fmt.Sprint(det) != "[false true false false true]" {
		t.Fatalf("scanner feature detection %v", det)
	}

	// Scan and load: every parcel, one twice, and a stranger.
	barcodes := map[string]string{}
	for _, id := range stops {
		barcodes[id] = srv.order(id).Parcels[0].Barcode
	}
	scan := func(code, want string) {
		t.Helper()
		run(t, ctx, chromedp.SendKeys(chromedp.ID("scan-input"), code), chromedp.Click(chromedp.CSS("#scan-form button")))
		waitJS(t, ctx, fmt.Sprintf(`document.getElementById('scan-result').textContent.startsWith(%q) && document.getElementById('scan-result').textContent.includes(%q)`, code+":", want), 10*time.Second)
	}
	scan(barcodes[stops[0]], "Loaded")
	scan(barcodes[stops[0]], "Already scanned")
	scan("NOT-A-PARCEL-42", "Unknown barcode")
	if got := evalJS[string](t, ctx, `document.getElementById('scan-result').className`); !strings.Contains(got, "bad") {
		t.Fatalf("unknown barcode shown as %q", got)
	}
	for _, id := range stops[1:] {
		scan(barcodes[id], "Loaded")
	}
	waitJS(t, ctx, `document.getElementById('load-progress').textContent.includes('5 of 5 parcels loaded · 0 missing')`, 5*time.Second)
	screenshot(t, ctx, "driver-loaded")
	for _, id := range stops {
		if o := srv.order(id); o.Status != "loaded" {
			t.Fatalf("order %s is %s after scanning", id, o.Status)
		}
	}

	// The dispatcher sends the route out; the phone shares its position.
	srv.mustJSON("POST", "/v1/routes/"+rt.ID+"/dispatch", srv.Dispatcher, nil, nil)
	first := stops[0]
	loc := srv.Locations[0]
	run(t, ctx, geolocation(srv.URL, loc[1], loc[0]),
		chromedp.Navigate(srv.URL+"/driver/#/route/"+rt.ID))
	waitJS(t, ctx, `!document.getElementById('view-route').hidden && document.getElementById('load').hidden`, 10*time.Second)
	waitJS(t, ctx, `document.getElementById('tracking-status').textContent.includes('Location shared')`, 10*time.Second)

	// Offline: the service worker opens the app and the saved manifest.
	waitJS(t, ctx, `navigator.serviceWorker.controller !== null`, 10*time.Second)
	// Installable: a valid web app manifest with icons, and the worker.
	inst, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]string, error) {
		m, err := cdp.Call(ctx, t, cdppage.GetAppManifest, cdppage.GetAppManifestParams{})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, e := range m.Errors {
			out = append(out, "manifest: "+e.Message)
		}
		ie, err := cdp.Call(ctx, t, cdppage.GetInstallabilityErrors, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		for _, e := range ie.InstallabilityErrors {
			out = append(out, "installability: "+e.ErrorID)
		}
		if m.Manifest == nil || m.Manifest.Name != "lastmile driver" {
			out = append(out, "manifest not read")
		}
		return out, nil
	})
	if err != nil || len(inst) > 0 {
		t.Fatalf("web app manifest: %v %q", err, inst)
	}
	workerOnline := workerOffline(t, ctx, srv.URL)
	run(t, ctx, setOffline(true))
	waitJS(t, ctx, `!navigator.onLine && !document.getElementById('offline').hidden`, 5*time.Second)
	run(t, ctx, chromedp.Reload())
	waitJS(t, ctx, `!document.getElementById('view-route').hidden && document.getElementById('route-status').textContent.startsWith('Saved copy from')`, 10*time.Second)
	waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll('#stops-list li').length === %d && !document.getElementById('offline').hidden`, len(stops)), 5*time.Second)
	screenshot(t, ctx, "driver-offline-reload")

	// Offline: arrive and deliver with a photo and a signature.
	run(t, ctx, chromedp.Click(chromedp.CSS(`#stops-list li[data-order="`+first+`"] a`)))
	waitJS(t, ctx, `!document.getElementById('view-stop').hidden && !document.getElementById('arrived').hidden`, 5*time.Second)
	nav := evalJS[[]string](t, ctx, `[document.getElementById('nav-geo').href, document.getElementById('nav-osm').href]`)
	if !strings.HasPrefix(nav[0], "geo:") || !strings.HasPrefix(nav[1], "https://www.openstreetmap.org/directions?") {
		t.Fatalf("navigation links %v", nav)
	}
	run(t, ctx, chromedp.Click(chromedp.ID("arrived")))
	waitJS(t, ctx, `!document.getElementById('pod-form').hidden && document.getElementById('queue-count').textContent === '1'`, 10*time.Second)
	photo := jpegFile(t, t.TempDir(), 2400, 1800)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pod-name"), "Anna Rossi"),
		chromedp.SetUploadFiles(chromedp.ID("pod-photo"), []string{photo}))
	waitJS(t, ctx, `document.querySelectorAll('#pod-photos img').length === 1`, 10*time.Second)
	// Downscaled on the phone: the longer side is at most 1600 px.
	if alt := evalJS[string](t, ctx, `document.querySelector('#pod-photos img').alt`); !strings.Contains(alt, "1600×1200") {
		t.Fatalf("photo after downscaling: %q", alt)
	}
	drawSignature(t, ctx)
	inked := evalJS[bool](t, ctx, `(() => { const c = document.getElementById('sig'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		for (let i = 0; i < d.length; i += 4) if (d[i] < 100) return true; return false; })()`)
	if !inked {
		t.Fatal("the signature pad stayed blank")
	}
	screenshot(t, ctx, "driver-pod-offline")
	audit(t, ctx, "driver proof of delivery")
	run(t, ctx, chromedp.Click(chromedp.CSS(`#pod-form button[type=submit]`)))
	waitJS(t, ctx, `!document.getElementById('view-route').hidden && document.getElementById('queue-count').textContent === '2'`, 10*time.Second)
	waitJS(t, ctx, `document.querySelector('#stops-list li[data-order="`+first+`"]').textContent.includes('waiting to sync')`, 5*time.Second)
	screenshot(t, ctx, "driver-offline-queue")
	if o := srv.order(first); o.Status != "out_for_delivery" || o.POD != nil {
		t.Fatalf("offline, the server already has %s: %+v", o.Status, o.POD)
	}

	// Back online: the queue goes out in order, once.
	workerOnline()
	run(t, ctx, setOffline(false))
	waitJS(t, ctx, `document.getElementById('queue-button').hidden && document.getElementById('offline').hidden`, 20*time.Second)
	o := srv.order(first)
	if o.Status != "delivered" || o.POD == nil || len(o.POD.Photos) != 1 || o.POD.Signature == "" || o.POD.RecipientName != "Anna Rossi" {
		t.Fatalf("after sync: %s %+v", o.Status, o.POD)
	}
	if n := srv.eventTypes(first); n["order.delivered"] != 1 || n["status:arrived"] != 1 || n["status:delivered"] != 1 {
		t.Fatalf("events after sync %v", n)
	}
	waitJS(t, ctx, `document.querySelector('#stops-list li[data-order="`+first+`"]').textContent.includes('Delivered')`, 10*time.Second)
	var pos struct {
		Position struct {
			Lat    float64 `json:"lat"`
			Source string  `json:"source"`
		} `json:"position"`
	}
	srv.mustJSON("GET", "/v1/vehicles/"+rt.VehicleID+"/position", srv.Dispatcher, nil, &pos)
	if pos.Position.Lat != loc[1] || pos.Position.Source != "app" {
		t.Fatalf("vehicle position %+v, want the phone's latitude %v", pos, loc[1])
	}
	screenshot(t, ctx, "driver-synced")

	// The next stop fails: nobody home.
	second := stops[1]
	run(t, ctx, chromedp.Click(chromedp.CSS(`#stops-list li[data-order="`+second+`"] a`)))
	waitJS(t, ctx, `!document.getElementById('arrived').hidden`, 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.ID("arrived")))
	waitJS(t, ctx, `!document.getElementById('fail-form').hidden`, 10*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#fail-form button[type=submit]`)))
	waitJS(t, ctx, `document.getElementById('fail-error').textContent === 'Choose a reason.'`, 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`input[name=reason][value=not_home]`)),
		chromedp.Click(chromedp.CSS(`#fail-form button[type=submit]`)))
	waitJS(t, ctx, `!document.getElementById('view-route').hidden && document.getElementById('notice').textContent.includes('Nobody home recorded')`, 10*time.Second)
	// The failed stop leaves the route on the server, and stays in the list.
	time.Sleep(time.Second)
	waitJS(t, ctx, `(document.querySelector('#stops-list li[data-order="`+second+`"]') || {textContent: ''}).textContent.includes('Failed')`, 5*time.Second)
	screenshot(t, ctx, "driver-failed-stop")
	f := srv.order(second)
	if f.FailureReason != "not_home" || (f.Status != "reattempt_scheduled" && f.Status != "redirected" && f.Status != "returned") {
		t.Fatalf("failed stop: %s %s", f.Status, f.FailureReason)
	}
	if n := srv.eventTypes(second); n["order.failed"] != 1 {
		t.Fatalf("events of the failed stop %v", n)
	}
}

// TestDriverRevokedKey: a revoked key shows an honest signed-out state.
func TestDriverRevokedKey(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 2, Vehicles: 1})
	var keys struct {
		Items []struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"items"`
	}
	srv.mustJSON("GET", "/v1/api-keys", srv.Admin, nil, &keys)
	ctx := newBrowser(t, 360, 640)
	run(t, ctx, chromedp.Navigate(srv.URL+"/driver/#key="+srv.Driver))
	waitJS(t, ctx, `!document.getElementById('view-routes').hidden && document.getElementById('routes-status').textContent.includes('No route')`, 10*time.Second)
	for _, k := range keys.Items {
		if k.Role == "driver" {
			srv.mustJSON("POST", "/v1/api-keys/"+k.ID+"/revoke", srv.Admin, nil, nil)
		}
	}
	run(t, ctx, chromedp.Reload())
	waitJS(t, ctx, `!document.getElementById('view-signin').hidden && document.getElementById('signin-reason').textContent.includes('expired or was revoked')`, 10*time.Second)
	if stored := evalJS[string](t, ctx, `localStorage.getItem('lastmile.driver.key') || ''`); stored != "" {
		t.Fatalf("the revoked key is still stored")
	}
	// Signing in with a wrong key says so.
	run(t, ctx, chromedp.SendKeys(chromedp.ID("signin-key"), "lmk_thisisnotarealkey000000"), chromedp.Click(chromedp.CSS("#signin-form button")))
	waitJS(t, ctx, `document.getElementById('signin-error').textContent.includes('unknown, expired or revoked')`, 10*time.Second)
	screenshot(t, ctx, "driver-revoked")
	audit(t, ctx, "driver sign-in")
}

// TestDriverSyncRefused: actions taken offline that the server refuses
// when they arrive (the station closed the stop meanwhile) show the
// server's reason; the driver retries, then discards them, and nothing is
// recorded twice or out of order.
func TestDriverSyncRefused(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 2, Vehicles: 1})
	p := srv.plan()
	srv.mustJSON("POST", "/v1/plans/"+p.ID+"/publish", srv.Dispatcher, nil, nil)
	rt := p.Routes[0]
	var stops []string
	for _, s := range rt.Stops {
		if s.OrderID != "" {
			stops = append(stops, s.OrderID)
			srv.mustJSON("POST", "/v1/routes/"+rt.ID+"/scans", srv.Driver, map[string]any{"barcode": srv.order(s.OrderID).Parcels[0].Barcode}, nil)
		}
	}
	srv.mustJSON("POST", "/v1/routes/"+rt.ID+"/dispatch", srv.Dispatcher, nil, nil)
	first := stops[0]

	ctx := newBrowser(t, 360, 640)
	run(t, ctx, chromedp.Navigate(srv.URL+"/driver/#key="+srv.Driver))
	waitJS(t, ctx, `document.querySelectorAll('#stops-list li').length === 2`, 15*time.Second)
	run(t, ctx, setOffline(true),
		chromedp.Click(chromedp.CSS(`#stops-list li[data-order="`+first+`"] a`)))
	waitJS(t, ctx, `!document.getElementById('arrived').hidden`, 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.ID("arrived")))
	waitJS(t, ctx, `!document.getElementById('pod-form').hidden`, 10*time.Second)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pod-name"), "Anna Rossi"), chromedp.Click(chromedp.CSS(`#pod-form button[type=submit]`)))
	waitJS(t, ctx, `document.getElementById('queue-count').textContent === '2'`, 10*time.Second)

	// Meanwhile the station records the stop as refused.
	srv.mustJSON("POST", "/v1/orders/"+first+"/status", srv.Dispatcher, map[string]any{"status": "arrived"}, nil)
	srv.mustJSON("POST", "/v1/orders/"+first+"/status", srv.Dispatcher, map[string]any{"status": "failed", "reason": "refused"}, nil)

	run(t, ctx, setOffline(false))
	waitJS(t, ctx, `document.getElementById('queue-label').textContent === 'to sync · 1 failed' && document.getElementById('queue-count').textContent === '2'`, 20*time.Second)
	run(t, ctx, chromedp.Click(chromedp.ID("queue-button")))
	waitJS(t, ctx, `!document.getElementById('queue').hidden`, 5*time.Second)
	items := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#queue-list li')].map((li) => li.className + ': ' + li.textContent)`)
	if len(items) != 2 || !strings.HasPrefix(items[0], "failed: Arrival at stop") || !strings.Contains(items[0], "order "+first+" is returned, a final status") ||
		!strings.HasPrefix(items[1], "pending: Proof of delivery, stop") || !strings.Contains(items[1], "waiting for the refused action above") {
		t.Fatalf("queue %q", items)
	}
	screenshot(t, ctx, "driver-sync-refused")
	audit(t, ctx, "driver outbox")

	// Retry: refused again, for the same reason.
	before := evalJS[string](t, ctx, `document.querySelector('#queue-list li.failed').textContent`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#queue-list li.failed button`)))
	waitJS(t, ctx, fmt.Sprintf(`(document.querySelector('#queue-list li.failed') || {}).textContent !== %q
		&& (document.querySelector('#queue-list li.failed') || {textContent: ''}).textContent.includes('is returned, a final status')`, before), 10*time.Second)
	// Discard it (a second tap confirms): the delivery behind it goes out
	// and is refused in turn, with its own reason; discard that too.
	discard := func(label string) {
		t.Helper()
		sel := chromedp.CSS(`#queue-list li:first-child button[data-discard]`)
		if got := evalJS[string](t, ctx, `document.querySelector('#queue-list li:first-child').textContent`); !strings.HasPrefix(got, label) {
			t.Fatalf("first in the queue: %q", got)
		}
		run(t, ctx, chromedp.Click(sel))
		waitJS(t, ctx, `document.querySelector('#queue-list li:first-child button[data-discard]').textContent === 'Tap again to discard'`, 5*time.Second)
		run(t, ctx, chromedp.Click(sel))
		waitJS(t, ctx, fmt.Sprintf(`![...document.querySelectorAll('#queue-list li')].some((li) => li.textContent.startsWith(%q))`, label), 5*time.Second)
	}
	discard("Arrival at stop")
	waitJS(t, ctx, `document.querySelectorAll('#queue-list li').length === 1 && (document.querySelector('#queue-list li.failed') || {textContent: ''}).textContent.includes('a proof of delivery is taken on arrival')`, 10*time.Second)
	discard("Proof of delivery, stop")
	waitJS(t, ctx, `document.getElementById('queue-button').hidden && document.getElementById('queue').hidden`, 10*time.Second)
	o := srv.order(first)
	if o.Status != "returned" || o.POD != nil {
		t.Fatalf("after discarding: %s %+v", o.Status, o.POD)
	}
	if n := srv.eventTypes(first); n["order.delivered"] != 0 || n["status:arrived"] != 1 {
		t.Fatalf("events %v", n)
	}

	// The next stop is marked arrived by the station (a tracker's geofence
	// does the same) while the phone is offline: the phone's own "arrived"
	// is moot, and its proof of delivery goes through.
	second := stops[1]
	run(t, ctx, setOffline(true), chromedp.Click(chromedp.CSS(`#stops-list li[data-order="`+second+`"] a`)))
	waitJS(t, ctx, `!document.getElementById('arrived').hidden`, 5*time.Second)
	run(t, ctx, chromedp.Click(chromedp.ID("arrived")))
	waitJS(t, ctx, `!document.getElementById('pod-form').hidden`, 10*time.Second)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pod-name"), "Bruno"), chromedp.Click(chromedp.CSS(`#pod-form button[type=submit]`)))
	waitJS(t, ctx, `document.getElementById('queue-count').textContent === '2'`, 10*time.Second)
	srv.mustJSON("POST", "/v1/orders/"+second+"/status", srv.Dispatcher, map[string]any{"status": "arrived"}, nil)
	run(t, ctx, setOffline(false))
	waitJS(t, ctx, `document.getElementById('queue-button').hidden`, 20*time.Second)
	if o := srv.order(second); o.Status != "delivered" || o.POD == nil || o.POD.RecipientName != "Bruno" {
		t.Fatalf("second stop after sync: %s %+v", o.Status, o.POD)
	}
	if n := srv.eventTypes(second); n["order.delivered"] != 1 || n["status:arrived"] != 1 {
		t.Fatalf("events of the second stop %v", n)
	}
}

// TestDriverOTP: an order that needs the recipient's one-time code asks
// for it; a wrong code is refused at once with the reason, and the right
// one delivers.
func TestDriverOTP(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 1, Vehicles: 1})
	var otpOrder orderBody
	srv.mustJSON("POST", "/v1/orders", srv.Admin, map[string]any{
		"station_id": srv.Station, "external_id": "OTP-1", "service_level": "same_day", "service_date": srv.Date, "otp_required": true,
		"recipient": map[string]any{"name": "Carla Otp"},
		"address":   map[string]any{"line1": "2 rue Grimaldi", "city": "Monaco", "location": map[string]any{"lat": srv.Locations[0][1], "lon": srv.Locations[0][0]}},
		"parcels":   []map[string]any{{"barcode": "BC-OTP-1", "weight_g": 500}},
	}, &otpOrder)
	p := srv.plan()
	srv.mustJSON("POST", "/v1/plans/"+p.ID+"/publish", srv.Dispatcher, nil, nil)
	rt := p.Routes[0]
	for _, s := range rt.Stops {
		if s.OrderID != "" {
			srv.mustJSON("POST", "/v1/routes/"+rt.ID+"/scans", srv.Driver, map[string]any{"barcode": srv.order(s.OrderID).Parcels[0].Barcode}, nil)
		}
	}
	var disp struct {
		OTPs map[string]string `json:"otps"`
	}
	srv.mustJSON("POST", "/v1/routes/"+rt.ID+"/dispatch", srv.Dispatcher, nil, &disp)
	code := disp.OTPs[otpOrder.ID]
	if len(code) != 6 {
		t.Fatalf("dispatch OTPs %v", disp.OTPs)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}

	ctx := newBrowser(t, 390, 844)
	run(t, ctx, chromedp.Navigate(srv.URL+"/driver/#key="+srv.Driver))
	waitJS(t, ctx, `document.querySelectorAll('#stops-list li').length === 2`, 15*time.Second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#stops-list li[data-order="`+otpOrder.ID+`"] a`)))
	waitJS(t, ctx, `!document.getElementById('arrived').hidden`, 15*time.Second)
	if info := evalJS[string](t, ctx, `document.getElementById('stop-info').textContent`); !strings.Contains(info, "one-time code") {
		t.Fatalf("stop info %q", info)
	}
	run(t, ctx, chromedp.Click(chromedp.ID("arrived")))
	waitJS(t, ctx, `!document.getElementById('pod-form').hidden && !document.getElementById('pod-otp-box').hidden`, 10*time.Second)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pod-name"), "Carla"), chromedp.Click(chromedp.CSS(`#pod-form button[type=submit]`)))
	waitJS(t, ctx, `document.getElementById('pod-error').textContent.includes('six-digit code')`, 5*time.Second)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pod-otp"), wrong), chromedp.Click(chromedp.CSS(`#pod-form button[type=submit]`)))
	waitJS(t, ctx, `document.getElementById('pod-error').textContent.includes('wrong one-time password')`, 10*time.Second)
	screenshot(t, ctx, "driver-otp-wrong")
	if n := evalJS[string](t, ctx, `document.getElementById('queue-button').hidden + '|' + document.getElementById('pod-form').hidden + '|' + document.getElementById('stop-result').textContent + '|' + document.getElementById('notice').textContent`); n != "true|false||" {
		t.Fatalf("after a refused code (queue hidden | form hidden | stop result | notice): %s", n)
	}
	run(t, ctx, chromedp.SetValue(chromedp.ID("pod-otp"), code), chromedp.Click(chromedp.CSS(`#pod-form button[type=submit]`)))
	waitJS(t, ctx, `!document.getElementById('view-route').hidden && document.getElementById('notice').textContent.includes('delivered')`, 10*time.Second)
	var o struct {
		Status string `json:"status"`
		POD    struct {
			OTPVerified bool `json:"otp_verified"`
		} `json:"pod"`
	}
	srv.mustJSON("GET", "/v1/orders/"+otpOrder.ID, srv.Admin, nil, &o)
	if o.Status != "delivered" || !o.POD.OTPVerified {
		t.Fatalf("OTP order %+v", o)
	}
}
