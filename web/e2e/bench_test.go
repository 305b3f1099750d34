package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkConsoleFirstPaint measures the dispatcher console's first paint
// of a published day plan with 2,000 stops on 20 routes: from the start of
// the navigation to the frame after the map's stops and the route table are
// drawn (performance.now() at the console's "lm-first-paint" mark), on a
// server on 127.0.0.1. Reported as ms/paint.
func BenchmarkConsoleFirstPaint(b *testing.B) {
	srv := startServer(b, serverOptions{Orders: 2000, Vehicles: 20})
	var p planBody
	srv.mustJSON("POST", "/v1/plans", srv.Dispatcher, map[string]any{"station_id": srv.Station, "date": srv.Date, "time_limit_s": 5}, &p)
	srv.mustJSON("POST", "/v1/plans/"+p.ID+"/publish", srv.Dispatcher, map[string]any{}, nil)
	stops := 0
	for _, r := range p.Routes {
		for _, s := range r.Stops {
			if s.OrderID != "" {
				stops++
			}
		}
	}
	if stops < 1900 {
		b.Fatalf("the plan has %d stops, want about 2,000", stops)
	}
	ctx := newBrowser(b, 1366, 900)
	// Sign in once; later visits read the key from localStorage like a returning dispatcher.
	run(b, ctx, chromedp.Navigate(srv.URL+"/console/#key="+srv.Dispatcher))
	waitJS(b, ctx, `window.lmFirstPaint !== undefined`, 30*time.Second)
	total := 0.0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run(b, ctx, chromedp.Navigate(srv.URL+"/console/"))
		waitJS(b, ctx, `window.lmFirstPaint !== undefined`, 30*time.Second)
		total += evalJS[float64](b, ctx, `window.lmFirstPaint`)
	}
	b.StopTimer()
	b.ReportMetric(total/float64(b.N), "ms/paint")
	drawn := evalJS[int](b, ctx, `document.querySelectorAll('#panel-routes section.route').length`)
	if drawn != len(p.Routes) {
		b.Fatalf("%d route cards for %d routes", drawn, len(p.Routes))
	}
	screenshot(b, ctx, "console-2000-stops")
}
