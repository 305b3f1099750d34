package sim

import (
	"context"
	"encoding/json"
	"math"
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
	api := res.APIKPIs
	if int(api["delivered"].(float64)) != k.Delivered || int(api["failed"].(float64)) != k.Failed {
		t.Errorf("API KPIs %v vs delivered %d failed %d", api, k.Delivered, k.Failed)
	}
	if got := api["on_time_rate"].(float64); math.Abs(got-k.OnTimeRate) > 0.002 {
		t.Errorf("on-time rate %g, API %g", k.OnTimeRate, got)
	}
	fails := 0
	for _, n := range res.Failures {
		fails += n
	}
	if fails != k.Failed {
		t.Errorf("failure reasons sum to %d, failed %d", fails, k.Failed)
	}
	if res.Positions.Accepted == 0 || res.Positions.Accepted > res.Positions.Sent {
		t.Errorf("positions %+v", res.Positions)
	}
	if res.ETA.AtDispatch.N == 0 || res.ETA.Before30.N == 0 {
		t.Errorf("ETA samples %+v", res.ETA)
	}
	if res.Notifications.Total == 0 || res.Notifications.ByTopic["order.delivered"] == 0 {
		t.Errorf("notifications %+v", res.Notifications)
	}
	if k.KM <= 0 || k.CO2Kg <= 0 || k.CostPerDelivery <= 0 {
		t.Errorf("KPIs %+v", k)
	}
	hourly := 0
	for _, h := range res.Hourly {
		hourly += h.Delivered + h.Failed
	}
	if hourly != k.Attempted {
		t.Errorf("stops per hour sum to %d, attempted %d", hourly, k.Attempted)
	}
}

func TestDayGreatCircle(t *testing.T) {
	cfg := smallDay()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkDay(t, cfg, res)
	b, _ := json.MarshalIndent(res, "", "  ")
	t.Logf("%s", b)
}
