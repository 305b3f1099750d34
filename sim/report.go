package sim

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"}

const reportCSS = `body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}
td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}
.kpi{display:inline-block;margin:6px 14px 6px 0;padding:8px 12px;background:#f4f6f8;border-radius:6px}
.kpi b{display:block;font-size:18px}svg{background:#fff;border:1px solid #ddd}.note{color:#666;font-size:12px}`

// WriteHTML writes a self-contained HTML report: KPIs, stops per hour,
// ETA errors, the routes and a map of the routes planned and driven.
func (r *Result) WriteHTML(w io.Writer) error {
	b := &strings.Builder{}
	title := fmt.Sprintf("Simulated day %s — seed %d, %s", r.Date, r.Seed, r.Strategy)
	fmt.Fprintf(b, "<!doctype html><html><head><meta charset=utf-8><title>%s</title><style>%s</style></head><body>\n", html.EscapeString(title), reportCSS)
	fmt.Fprintf(b, "<h1>%s</h1>\n", html.EscapeString(title))
	d, k := r.Day, r.KPIs
	fmt.Fprintf(b, "<p>%d orders (%d with a window, %d same-day, %d white-glove, %d returns), %d vehicles (%d electric), %d plans, %d unassigned; %s travel.</p>\n",
		d.Orders, d.Windows, d.SameDay, d.WhiteGlove, d.Returns, d.Vehicles, d.Electric, d.Plans, d.Unassigned, html.EscapeString(r.Travel))
	kpi := func(name, value string) {
		fmt.Fprintf(b, "<div class=kpi>%s<b>%s</b></div>", html.EscapeString(name), html.EscapeString(value))
	}
	kpi("on-time", fmt.Sprintf("%.1f %%", 100*k.OnTimeRate))
	kpi("first-attempt success", fmt.Sprintf("%.1f %%", 100*k.FirstAttemptRate))
	kpi("cost per delivery", fmt.Sprintf("%.2f", k.CostPerDelivery/100))
	kpi("km per stop", fmt.Sprintf("%.2f", k.KMPerStop))
	kpi("minutes per stop", fmt.Sprintf("%.1f", k.MinutesPerStop))
	kpi("stops per route-hour", fmt.Sprintf("%.1f", k.StopsPerRouteHour))
	kpi("utilisation", fmt.Sprintf("%.0f %%", 100*k.Utilisation))
	kpi("CO2", fmt.Sprintf("%.1f kg", k.CO2Kg))
	kpi("ETA p90 at dispatch", fmt.Sprintf("%.1f min", r.ETA.AtDispatch.P90AbsMin))
	kpi("ETA p90 30 min before", fmt.Sprintf("%.1f min", r.ETA.Before30.P90AbsMin))
	kpi("notifications", fmt.Sprint(r.Notifications.Total))
	b.WriteString("\n<h2>Stops per hour</h2>\n")
	hourChart(b, r.Hourly)
	b.WriteString("\n<h2>ETA error (predicted − actual arrival, minutes)</h2>\n")
	histogram(b, []series{{"at dispatch", "#1f77b4", r.etaDispatchErr}, {"30 min before", "#d62728", r.eta30Err}})
	fmt.Fprintf(b, "<p class=note>At dispatch: mean |error| %.1f, p50 %.1f, p90 %.1f min (n %d). 30 min before: mean %.1f, p50 %.1f, p90 %.1f min (n %d). Errors beyond ±60 min are in the end bins.</p>\n",
		r.ETA.AtDispatch.MeanAbsMin, r.ETA.AtDispatch.P50AbsMin, r.ETA.AtDispatch.P90AbsMin, r.ETA.AtDispatch.N,
		r.ETA.Before30.MeanAbsMin, r.ETA.Before30.P50AbsMin, r.ETA.Before30.P90AbsMin, r.ETA.Before30.N)
	b.WriteString("\n<h2>Routes</h2>\n")
	routeTable(b, r.Routes)
	b.WriteString("\n<h2>Map: planned (dashed, stop to stop) and driven (solid)</h2>\n")
	routeMap(b, r)
	b.WriteString("<p class=note>Map data © OpenStreetMap contributors when driven on an OpenStreetMap graph.</p>\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteHTML writes the comparison table and each variant's charts.
func (c *Comparison) WriteHTML(w io.Writer) error {
	b := &strings.Builder{}
	title := fmt.Sprintf("Comparison: %s", c.Kind)
	fmt.Fprintf(b, "<!doctype html><html><head><meta charset=utf-8><title>%s</title><style>%s</style></head><body>\n<h1>%s</h1>\n<table><tr><th></th>",
		html.EscapeString(title), reportCSS, html.EscapeString(title))
	for _, v := range c.Variants {
		fmt.Fprintf(b, "<th>%s</th>", html.EscapeString(v.Name))
	}
	b.WriteString("</tr>\n")
	for _, m := range metrics {
		fmt.Fprintf(b, "<tr><td>%s</td>", html.EscapeString(m.name))
		for _, v := range c.Variants {
			fmt.Fprintf(b, "<td>"+m.format+"</td>", m.get(v.Result))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	for _, v := range c.Variants {
		fmt.Fprintf(b, "<h2>%s: stops per hour</h2>\n", html.EscapeString(v.Name))
		hourChart(b, v.Result.Hourly)
		fmt.Fprintf(b, "<h2>%s: map</h2>\n", html.EscapeString(v.Name))
		routeMap(b, v.Result)
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func hourChart(b *strings.Builder, hours []HourCount) {
	const W, H, pad = 720, 220, 30
	if len(hours) == 0 {
		b.WriteString("<p>No stops.</p>")
		return
	}
	lo, hi, top := hours[0].Hour, hours[len(hours)-1].Hour, 1
	for _, h := range hours {
		top = max(top, h.Delivered+h.Failed)
	}
	n := hi - lo + 1
	bw := float64(W-2*pad) / float64(n)
	fmt.Fprintf(b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, W, H, W, H)
	scale := float64(H-2*pad) / float64(top)
	for _, h := range hours {
		x := pad + float64(h.Hour-lo)*bw
		hd, hf := float64(h.Delivered)*scale, float64(h.Failed)*scale
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2ca02c"><title>%02d:00 delivered %d</title></rect>`, x+2, float64(H-pad)-hd, bw-4, hd, h.Hour, h.Delivered)
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#d62728"><title>%02d:00 failed %d</title></rect>`, x+2, float64(H-pad)-hd-hf, bw-4, hf, h.Hour, h.Failed)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%02d</text>`, x+bw/2, H-pad+14, h.Hour)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%d</text>`, x+bw/2, float64(H-pad)-hd-hf-3, h.Delivered+h.Failed)
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, pad, H-pad, W-pad, H-pad)
	fmt.Fprintf(b, `<text x="%d" y="14" font-size="11">green delivered, red failed</text></svg>`, pad)
}

type series struct {
	name, color string
	values      []float64
}

func histogram(b *strings.Builder, ss []series) {
	const W, H, pad = 720, 240, 30
	const lo, hi, step = -60.0, 60.0, 5.0
	nb := int((hi - lo) / step)
	counts := make([][]int, len(ss))
	top := 1
	for i, s := range ss {
		counts[i] = make([]int, nb)
		for _, v := range s.values {
			k := int(math.Floor((v - lo) / step))
			k = max(0, min(k, nb-1))
			counts[i][k]++
			top = max(top, counts[i][k])
		}
	}
	bw := float64(W-2*pad) / float64(nb)
	fmt.Fprintf(b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, W, H, W, H)
	scale := float64(H-2*pad) / float64(top)
	for i, s := range ss {
		sub := (bw - 4) / float64(len(ss))
		for k, c := range counts[i] {
			x := pad + float64(k)*bw + 2 + float64(i)*sub
			h := float64(c) * scale
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d in [%g, %g)</title></rect>`,
				x, float64(H-pad)-h, sub, h, s.color, html.EscapeString(s.name), c, lo+float64(k)*step, lo+float64(k+1)*step)
		}
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" fill="%s">%s (n %d)</text>`, pad+i*160, 14, s.color, html.EscapeString(s.name), len(s.values))
	}
	for k := 0; k <= nb; k += 2 {
		x := pad + float64(k)*bw
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%g</text>`, x, H-pad+14, lo+float64(k)*step)
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/></svg>`, pad, H-pad, W-pad, H-pad)
}

func routeTable(b *strings.Builder, routes []RouteResult) {
	b.WriteString("<table><tr><th>vehicle</th><th>plan</th><th>stops</th><th>delivered</th><th>failed</th><th>on time</th><th>km</th><th>planned km</th><th>minutes</th><th>planned minutes</th><th>start</th><th>end</th><th>cost</th><th>CO2 kg</th><th>peak load</th></tr>\n")
	for i, r := range routes {
		fmt.Fprintf(b, `<tr><td><span style="color:%s">■</span> %s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td><td>%.0f</td><td>%.0f</td><td>%s</td><td>%s</td><td>%.2f</td><td>%.1f</td><td>%d/%d</td></tr>`+"\n",
			palette[i%len(palette)], html.EscapeString(r.Vehicle), r.Plan, r.Stops, r.Delivered, r.Failed, r.OnTime, r.KM, r.PlannedKM, r.Minutes, r.PlannedMinutes,
			r.Start, r.End, float64(r.CostCents)/100, r.CO2Kg, r.PeakLoad, r.Capacity)
	}
	b.WriteString("</table>\n")
}

func routeMap(b *strings.Builder, r *Result) {
	const W, H, pad = 900, 700, 20
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	cos := math.Cos(r.station.Lat * math.Pi / 180)
	grow := func(p [2]float64) {
		x, y := p[0]*cos, p[1]
		minX, maxX, minY, maxY = math.Min(minX, x), math.Max(maxX, x), math.Min(minY, y), math.Max(maxY, y)
	}
	grow([2]float64{r.station.Lon, r.station.Lat})
	for _, rt := range r.Routes {
		for _, p := range rt.planned {
			grow(p)
		}
		for _, p := range rt.driven {
			grow(p)
		}
	}
	for _, s := range r.stopPoints {
		grow([2]float64{s.p.Lon, s.p.Lat})
	}
	span := math.Max(maxX-minX, maxY-minY)
	if span == 0 {
		span = 1e-3
	}
	s := math.Min(float64(W-2*pad)/math.Max(maxX-minX, span*1e-3), float64(H-2*pad)/math.Max(maxY-minY, span*1e-3))
	xy := func(p [2]float64) (float64, float64) {
		return pad + (p[0]*cos-minX)*s, float64(H-pad) - (p[1]-minY)*s
	}
	line := func(pts [][2]float64) string {
		var sb strings.Builder
		for _, p := range pts {
			x, y := xy(p)
			fmt.Fprintf(&sb, "%.1f,%.1f ", x, y)
		}
		return sb.String()
	}
	fmt.Fprintf(b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, W, H, W, H)
	for i, rt := range r.Routes {
		c := palette[i%len(palette)]
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1" stroke-dasharray="4 3" opacity="0.6"/>`, line(rt.planned), c)
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" opacity="0.8"><title>%s</title></polyline>`, line(rt.driven), c, html.EscapeString(rt.Vehicle))
	}
	for _, sp := range r.stopPoints {
		x, y := xy([2]float64{sp.p.Lon, sp.p.Lat})
		fill := "#2ca02c"
		if sp.outcome != "delivered" {
			fill = "#d62728"
		}
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s</title></circle>`, x, y, fill, html.EscapeString(sp.outcome))
	}
	x, y := xy([2]float64{r.station.Lon, r.station.Lat})
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="#000"><title>station</title></rect></svg>`, x-5, y-5)
}
