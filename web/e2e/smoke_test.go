package e2e

import (
	"net/http"
	"strings"
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
}
