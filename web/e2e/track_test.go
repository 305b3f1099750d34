package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pngBytes is a small signature-like PNG.
func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 60, 20))
	for x := range 60 {
		img.Set(x, 10+x%5, color.NRGBA{0, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deliver arrives at an order and records its proof with the driver's key:
// a name, a photo and a signature.
func (s *testServer) deliver(t *testing.T, orderID, photoPath string) {
	t.Helper()
	s.mustJSON("POST", "/v1/orders/"+orderID+"/status", s.Driver, map[string]any{"status": "arrived"}, nil)
	photo, err := os.ReadFile(photoPath)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("recipient_name", "Anna Rossi")
	for _, f := range []struct {
		field, name string
		data        []byte
	}{{"photo", "door.jpg", photo}, {"signature", "signature.png", pngBytes(t)}} {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/v1/orders/"+orderID+"/pod", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.Driver)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("proof of delivery: %d %s", res.StatusCode, raw)
	}
}

// TestTrackingPage: the recipient of the next stop sees the ETA window and
// the van on the map, then the delivery with its proof arrives live; a
// recipient whose parcel has not left changes instructions and sends it to
// a locker, sees a refused change with its reason, and sees a cancellation
// live.
func TestTrackingPage(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 3, Vehicles: 1})
	// An order for tomorrow, still open to changes.
	var later orderBody
	srv.mustJSON("POST", "/v1/orders", srv.Admin, map[string]any{
		"station_id": srv.Station, "external_id": "LATER-1", "service_level": "next_day",
		"recipient": map[string]any{"name": "Bruno Later"},
		"address":   map[string]any{"line1": "7 avenue de la Costa", "city": "Monaco", "location": map[string]any{"lat": 43.7395, "lon": 7.4265}},
		"parcels":   []map[string]any{{"barcode": "BC-LATER-1", "weight_g": 800}},
	}, &later)

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
	// The van leaves the station: the first stop is next.
	srv.mustJSON("POST", "/v1/positions", srv.Driver, map[string]any{"positions": []map[string]any{{
		"vehicle_id": rt.VehicleID, "at": time.Now().UTC().Format(time.RFC3339), "lat": 43.7347, "lon": 7.4206, "accuracy_m": 10}}}, nil)

	first := srv.order(stops[0])
	ctx := newBrowser(t, 390, 844)
	run(t, ctx, chromedp.Navigate(srv.URL+"/t/"+first.TrackingToken))
	waitJS(t, ctx, `document.getElementById('status-title').textContent === 'Out for delivery'`, 10*time.Second)
	waitJS(t, ctx, `document.getElementById('status-detail').textContent.startsWith('Arriving between')`, 5*time.Second)
	waitJS(t, ctx, `document.getElementById('eta-note').textContent.startsWith('You are the next stop')`, 5*time.Second)
	waitJS(t, ctx, `!document.getElementById('map-box').hidden && document.querySelector('#map .van') !== null`, 10*time.Second)
	if srv.Graph != nil {
		waitJS(t, ctx, `document.querySelectorAll('#map canvas.lm-road-tile').length > 0`, 10*time.Second)
	}
	waitJS(t, ctx, `document.getElementById('live').textContent.startsWith('Live')`, 5*time.Second)
	screenshot(t, ctx, "track-out-for-delivery")
	audit(t, ctx, "tracking page on the way")

	// Delivered while the page is open: the stream brings the proof.
	srv.deliver(t, stops[0], jpegFile(t, t.TempDir(), 640, 480))
	waitJS(t, ctx, `document.getElementById('status-title').textContent === 'Delivered'`, 10*time.Second)
	waitJS(t, ctx, `!document.getElementById('pod').hidden && document.querySelector('#pod-photos img') && document.querySelector('#pod-photos img').complete && document.querySelector('#pod-photos img').naturalWidth === 640`, 10*time.Second)
	info := evalJS[string](t, ctx, `document.getElementById('pod-info').textContent`)
	if !strings.Contains(info, "Signed at the door") || !strings.Contains(info, "Handed over") {
		t.Fatalf("proof shown: %q", info)
	}
	if hidden := evalJS[bool](t, ctx, `document.getElementById('map-box').hidden && document.getElementById('actions').hidden`); !hidden {
		t.Fatal("after delivery the van and the actions are still shown")
	}
	text := evalJS[string](t, ctx, `document.body.innerText`)
	for _, leak := range []string{"Anna", "Recipient ORD-", "boulevard", rt.VehicleID, rt.ID} {
		if strings.Contains(text, leak) {
			t.Fatalf("the tracking page shows %q", leak)
		}
	}
	screenshot(t, ctx, "track-delivered")

	// The order for tomorrow: instructions and a locker.
	run(t, ctx, chromedp.Navigate(srv.URL+"/t/"+later.TrackingToken))
	waitJS(t, ctx, `document.getElementById('status-title').textContent === 'Order received' && !document.getElementById('actions').hidden`, 10*time.Second)
	visible := evalJS[[]bool](t, ctx, `['instructions', 'safe_place', 'reschedule', 'redirect'].map((a) => !document.getElementById('form-' + a).hidden)`)
	if fmt.Sprint(visible) != "[true true true true]" {
		t.Fatalf("actions offered %v", visible)
	}
	run(t, ctx, chromedp.SendKeys(chromedp.ID("instructions"), "Ring twice, 3rd floor"),
		chromedp.Click(chromedp.CSS("#form-instructions button")))
	waitJS(t, ctx, `document.getElementById('action-result').className.includes('ok') && document.getElementById('action-result').textContent.includes('instructions')`, 10*time.Second)
	if o := srv.order(later.ID); o.Instructions != "Ring twice, 3rd floor" {
		t.Fatalf("instructions stored: %q", o.Instructions)
	}
	run(t, ctx, chromedp.SetValue(chromedp.ID("redirect_to"), "L1"), chromedp.Click(chromedp.CSS("#form-redirect button")))
	waitJS(t, ctx, `document.getElementById('action-result').textContent.includes('Locker Condamine')`, 10*time.Second)
	if o := srv.order(later.ID); o.RedirectTo != "L1" {
		t.Fatalf("redirect stored: %q", o.RedirectTo)
	}
	screenshot(t, ctx, "track-actions")
	audit(t, ctx, "tracking page actions")

	// Text the server refuses (over 1,000 bytes of UTF-8, under the
	// field's 1,000 characters): the page says why and keeps the text.
	long := strings.Repeat("é", 600)
	run(t, ctx, chromedp.SetValue(chromedp.ID("instructions"), long), chromedp.Click(chromedp.CSS("#form-instructions button")))
	waitJS(t, ctx, `document.getElementById('action-result').className.includes('bad') && document.getElementById('action-result').textContent.includes('longer than 1000 bytes')`, 10*time.Second)
	if inv := evalJS[string](t, ctx, `document.getElementById('instructions').getAttribute('aria-invalid') + '|' + document.getElementById('instructions').value.length`); inv != "true|600" {
		t.Fatalf("refused field: %s", inv)
	}
	if o := srv.order(later.ID); o.Instructions != "Ring twice, 3rd floor" {
		t.Fatalf("a refused change was stored: %q", o.Instructions)
	}
	screenshot(t, ctx, "track-refused")

	// Cancelled by the station: the page follows live and offers no change.
	srv.mustJSON("POST", "/v1/orders/"+later.ID+"/status", srv.Admin, map[string]any{"status": "cancelled"}, nil)
	waitJS(t, ctx, `document.getElementById('status-title').textContent === 'Cancelled' && document.getElementById('actions').hidden`, 10*time.Second)

	// An unknown token says the link does not work.
	run(t, ctx, chromedp.Navigate(srv.URL+"/t/"+strings.Repeat("x", 32)))
	waitJS(t, ctx, `!document.getElementById('missing').hidden`, 10*time.Second)
}
