package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func smallDay() Config {
	c := Defaults()
	c.Stops, c.Vehicles, c.Seed = 60, 3, 7
	c.RadiusM = 2500
	c.PlanIterations = 300
	return c
}

// checkDay asserts the invariants of a simulated day.
func checkDay(t *testing.T, cfg Config, res *Result) {
	t.Helper()
	total := 0
	for st, n := range res.Outcomes {
		total += n
		switch st {
		case "delivered", "reattempt_scheduled", "returned", "redirected":
		case "pending":
			// Left by the plans: counted as unassigned.
		default:
			t.Errorf("%d orders ended %s", n, st)
		}
	}
	if total != cfg.Stops || res.Day.Orders != cfg.Stops {
		t.Errorf("outcomes cover %d orders, day has %d, want %d", total, res.Day.Orders, cfg.Stops)
	}
	un := 0
	for _, n := range res.Unassigned {
		un += n
	}
	if un != res.Day.Unassigned {
		t.Errorf("unassigned reasons %v for %d unassigned", res.Unassigned, res.Day.Unassigned)
	}
	if res.Outcomes["pending"] != res.Day.Unassigned {
		t.Errorf("%d pending orders, %d unassigned", res.Outcomes["pending"], res.Day.Unassigned)
	}
	k := res.KPIs
	if k.Attempted != k.Delivered+k.Failed || k.Attempted+res.Day.Unassigned != cfg.Stops {
		t.Errorf("attempted %d = delivered %d + failed %d; unassigned %d", k.Attempted, k.Delivered, k.Failed, res.Day.Unassigned)
	}
	if k.Delivered != res.Outcomes["delivered"] {
		t.Errorf("delivered %d, API says %d", k.Delivered, res.Outcomes["delivered"])
	}
	// The server's KPIs, from its event log, agree with what was driven.
	api := res.APIKPIs
	if int(api["delivered"].(float64)) != k.Delivered || int(api["failed"].(float64)) != k.Failed {
		t.Errorf("API KPIs %v vs delivered %d failed %d", api, k.Delivered, k.Failed)
	}
	if got := api["on_time_rate"].(float64); math.Abs(got-k.OnTimeRate) > 0.002 {
		t.Errorf("on-time rate %g, API %g", k.OnTimeRate, got)
	}
	fails := 0
	for reason, n := range res.Failures {
		fails += n
		if int(api["failure_reasons"].(map[string]any)[reason].(float64)) != n {
			t.Errorf("failure reason %s: %d, API %v", reason, n, api["failure_reasons"])
		}
	}
	if fails != k.Failed {
		t.Errorf("failure reasons sum to %d, failed %d", fails, k.Failed)
	}
	if res.Positions.Accepted == 0 || res.Positions.Accepted > res.Positions.Sent {
		t.Errorf("positions %+v", res.Positions)
	}
	for _, s := range []ETAStats{res.ETA.AtDispatch, res.ETA.Before30} {
		if s.N == 0 || math.IsNaN(s.MeanAbsMin) || math.IsInf(s.P90AbsMin, 0) || s.P50AbsMin > s.P90AbsMin {
			t.Errorf("ETA errors %+v", s)
		}
	}
	if res.ETA.AtDispatch.N != k.Attempted {
		t.Errorf("%d ETAs at dispatch for %d stops", res.ETA.AtDispatch.N, k.Attempted)
	}
	n := res.Notifications
	if cfg.Orders == nil && (n.Total == 0 || n.ByTopic["order.delivered"] == 0 || n.ByChannel["email"]+n.ByChannel["sms"] != n.Total) {
		t.Errorf("notifications %+v", n)
	}
	if k.KM <= 0 || k.CO2Kg <= 0 || k.CostPerDelivery <= 0 || k.StopsPerRouteHour <= 0 {
		t.Errorf("KPIs %+v", k)
	}
	hourly := 0
	for _, h := range res.Hourly {
		hourly += h.Delivered + h.Failed
	}
	if hourly != k.Attempted {
		t.Errorf("stops per hour sum to %d, attempted %d", hourly, k.Attempted)
	}
	stops, km, co2 := 0, 0.0, 0.0
	for _, r := range res.Routes {
		stops += r.Delivered + r.Failed
		km += r.KM
		co2 += r.CO2Kg
		if r.KM < r.PlannedKM*0.9 || len(r.driven) < 2 {
			t.Errorf("route %s drove %g km of %g planned, %d points", r.Vehicle, r.KM, r.PlannedKM, len(r.driven))
		}
	}
	if stops != k.Attempted || math.Abs(km-k.KM) > 0.01 || math.Abs(co2-k.CO2Kg) > 0.01 {
		t.Errorf("routes sum to %d stops, %g km, %g kg; KPIs %+v", stops, km, co2, k)
	}
}

// reproducible is the JSON of a result without the machine's timings.
func reproducible(t *testing.T, r *Result) string {
	t.Helper()
	c := *r
	c.Timing, c.Requests = Timing{}, nil
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDayGreatCircle(t *testing.T) {
	cfg := smallDay()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkDay(t, cfg, res)
	if res.Day.SameDay == 0 || res.Day.Plans != 2 || res.Day.Windows == 0 || res.Day.Returns == 0 || res.Day.WhiteGlove == 0 {
		t.Errorf("day %+v: want same-day orders re-planned, windows, returns and white-glove stops", res.Day)
	}
	for _, r := range res.Routes {
		if r.Plan == 2 && !strings.HasPrefix(r.Start, "1") {
			t.Errorf("re-planned route %s starts %s", r.Vehicle, r.Start)
		}
	}
	again, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := reproducible(t, res), reproducible(t, again); a != b {
		t.Fatalf("the same seed gave different days:\n%s\n%s", a, b)
	}
	cfg.Seed++
	other, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if reproducible(t, res) == reproducible(t, other) {
		t.Fatal("another seed gave the same day")
	}
	var html bytes.Buffer
	if err := res.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, want := range []string{"<svg", "<polyline", "stroke-dasharray", "Stops per hour", "ETA error", "Crew 01"} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(h, "<script") {
		t.Error("the report has scripts")
	}
	var sum bytes.Buffer
	if err := res.WriteSummary(&sum); err != nil || !strings.Contains(sum.String(), "on-time rate") {
		t.Errorf("summary %q %v", sum.String(), err)
	}
}

func TestDayMonaco(t *testing.T) {
	cfg := smallDay()
	cfg.Graph = sharedGraph(t, "monaco")
	cfg.TimeZone = "Europe/Monaco"
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkDay(t, cfg, res)
	if res.Travel != "roads" {
		t.Errorf("travel %s", res.Travel)
	}
	// Driven on roads: the paths have many more points than stops.
	pts := 0
	for _, r := range res.Routes {
		pts += len(r.driven)
	}
	if pts < 4*res.KPIs.Attempted {
		t.Errorf("%d driven points for %d stops", pts, res.KPIs.Attempted)
	}
}

func TestCompareStrategy(t *testing.T) {
	cfg := smallDay()
	cfg.SameDayShare = 0
	c, err := Compare(context.Background(), cfg, "strategy")
	if err != nil {
		t.Fatal(err)
	}
	opt, nn := c.Variants[0].Result, c.Variants[1].Result
	if opt.Strategy != StrategyOptimizer || nn.Strategy != StrategyNearest {
		t.Fatalf("variants %s, %s", opt.Strategy, nn.Strategy)
	}
	checkDay(t, cfg, nn)
	if opt.KPIs.KM >= nn.KPIs.KM {
		t.Errorf("optimizer drove %g km, nearest neighbour %g km", opt.KPIs.KM, nn.KPIs.KM)
	}
	if opt.Day.Unassigned > nn.Day.Unassigned {
		t.Errorf("optimizer left %d unassigned, nearest neighbour %d", opt.Day.Unassigned, nn.Day.Unassigned)
	}
	var b bytes.Buffer
	if err := c.WriteTable(&b); err != nil || !strings.Contains(b.String(), "nearest − optimizer") {
		t.Errorf("table %q %v", b.String(), err)
	}
	b.Reset()
	if err := c.WriteHTML(&b); err != nil || strings.Count(b.String(), "<svg") != 4 {
		t.Errorf("comparison report: %v, %d charts", err, strings.Count(b.String(), "<svg"))
	}
}

func TestReplayOrders(t *testing.T) {
	cfg := smallDay()
	cfg.Stops = 12
	var rows []json.RawMessage
	for i := range 12 {
		row, _ := json.Marshal(map[string]any{"external_id": "R-" + string(rune('A'+i)), "recipient": map[string]any{"name": "R"},
			"address": map[string]any{"line1": "x", "location": map[string]any{"lat": 42.5078 + float64(i%4)*0.002, "lon": 1.5211 + float64(i/4)*0.002}},
			"parcels": []map[string]any{{"barcode": "RB-" + string(rune('A'+i)), "weight_g": 500}}, "service_level": "scheduled",
			"window": map[string]any{"start": "2026-03-03T09:00:00+01:00", "end": "2026-03-03T16:00:00+01:00"}})
		rows = append(rows, row)
	}
	cfg.Orders = &OrderFile{JSON: rows}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkDay(t, cfg, res)
	csvFile := "external_id,recipient_name,address_line1,lat,lon,barcodes,service_date\n"
	for i := range 12 {
		csvFile += "C-" + string(rune('A'+i)) + ",R,x,42.50" + string(rune('1'+i%8)) + ",1.52" + string(rune('1'+i%5)) + ",CB-" + string(rune('A'+i)) + ",2026-03-03\n"
	}
	cfg.Orders = &OrderFile{CSV: []byte(csvFile)}
	res, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkDay(t, cfg, res)
	cfg.Orders = &OrderFile{CSV: []byte("external_id,recipient_name,address_line1,lat,lon,barcodes\nX,R,x,95,1.5,B\n")}
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "lat") {
		t.Errorf("a bad row: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		flag string
		edit func(*Config)
	}{
		{"--stops", func(c *Config) { c.Stops = 0 }},
		{"--vehicles", func(c *Config) { c.Vehicles = -1 }},
		{"--not-home", func(c *Config) { c.NotHomeRate = 1.5 }},
		{"--wrong-address", func(c *Config) { c.WrongAddressRate = -0.1 }},
		{"--not-home", func(c *Config) { c.NotHomeRate, c.WrongAddressRate = 0.6, 0.6 }},
		{"--date", func(c *Config) { c.Date = "tomorrow" }},
		{"--tz", func(c *Config) { c.TimeZone = "Mars/Olympus" }},
		{"--strategy", func(c *Config) { c.Strategy = "random" }},
		{"--window-hours", func(c *Config) { c.WindowMinH, c.WindowMaxH = 3, 1 }},
		{"--traffic", func(c *Config) { c.Traffic = math.NaN() }},
		{"--center", func(c *Config) { c.Center.Lat = 123 }},
		{"--ev-share", func(c *Config) { c.EVShare = 2 }},
		{"--tracker-service", func(c *Config) { c.TrackerService = "" }},
		{"--plan-time-limit", func(c *Config) { c.PlanTimeLimit = 0 }},
		{"--gps-every", func(c *Config) { c.GPSEvery = 0 }},
		{"progress sampling", func(c *Config) { c.ProgressEvery = 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.flag, func(t *testing.T) {
			c := Defaults()
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tc.flag+":") {
				t.Fatalf("got %v, want an error naming %s", err, tc.flag)
			}
		})
	}
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}
