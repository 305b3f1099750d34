package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSmoke: the root redirects to the console, a key in the address signs
// in and leaves the address bar, and the map draws the server's roads.
func TestSmoke(t *testing.T) {
	srv := startServer(t, serverOptions{Orders: 6})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/console/" {
		t.Fatalf("GET /: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}

	ctx := newBrowser(t, 1280, 800)
	run(t, ctx, chromedp.Navigate(srv.URL+"/console/#key="+srv.Dispatcher))
	waitJS(t, ctx, `document.getElementById('station').options.length === 1`, 15*time.Second)
	station := evalJS[string](t, ctx, `document.querySelector('#station option').textContent`)
	href := evalJS[string](t, ctx, `location.href`)
	if station != "Monaco Port" {
		t.Fatalf("station picker shows %q", station)
	}
	if strings.Contains(href, "lmk_") {
		t.Fatalf("the key stayed in the address bar: %s", href)
	}
	if srv.Graph != nil {
		waitJS(t, ctx, `document.querySelectorAll('canvas.lm-road-tile').length > 0`, 10*time.Second)
	}
	screenshot(t, ctx, "smoke-console")

	// The console's late-risk rule, run in the page: ETA after the window's
	// end is late, within 15 minutes of it at risk, and the tracker's live
	// risk wins over the plan's ETA.
	risks := evalJS[[]string](t, ctx, `import('/console/day.js').then(({riskOf}) => {
		const o = {window: {start: '2026-03-02T09:00:00Z', end: '2026-03-02T11:00:00Z'}};
		return [
			riskOf('2026-03-02T10:00:00Z', o, null),
			riskOf('2026-03-02T10:50:00Z', o, null),
			riskOf('2026-03-02T11:05:00Z', o, null),
			riskOf('2026-03-02T10:00:00Z', o, {eta: '2026-03-02T11:30:00Z'}),
			riskOf('2026-03-02T10:00:00Z', o, {risk: 'at_risk'}),
			riskOf('2026-03-02T12:00:00Z', {}, null),
		];
	})`)
	want := []string{"", "risk", "late", "late", "risk", ""}
	if strings.Join(risks, ",") != strings.Join(want, ",") {
		t.Fatalf("riskOf: %q, want %q", risks, want)
	}
}

// TestMapTiles: with a tile URL the maps load its tiles (allowed by the
// Content-Security-Policy) instead of drawing the server's roads.
func TestMapTiles(t *testing.T) {
	// A 1×1 PNG tile server on 127.0.0.1 that records what it served.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
	var mu sync.Mutex
	served := 0
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served++
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	defer tiles.Close()
	srv := startServer(t, serverOptions{Orders: 4, TileURL: tiles.URL + "/{z}/{x}/{y}.png"})
	ctx := newBrowser(t, 1024, 700)
	run(t, ctx, chromedp.Navigate(srv.URL+"/console/#key="+srv.Dispatcher))
	waitJS(t, ctx, `[...document.querySelectorAll('img.leaflet-tile')].some(i => i.complete && i.naturalWidth > 0 && i.src.startsWith(`+"`"+tiles.URL+"`"+`))`, 15*time.Second)
	if n := evalJS[int](t, ctx, `document.querySelectorAll('canvas.lm-road-tile').length`); n != 0 {
		t.Fatalf("%d road canvases drawn next to the tiles", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if served == 0 {
		t.Fatal("no tile was requested")
	}
}
