// Package sim simulates delivery days end to end against the operations
// API: it generates a station's day (or replays an order file), plans it
// with the optimizer through POST /v1/plans, publishes, loads and
// dispatches the routes, then drives every vehicle along its roads in
// simulated time, sending GPS positions, arrivals, proofs of delivery and
// failures through the API as drivers' phones would. It scores the day:
// on-time rate, first-attempt success, cost, distance, CO2, the ETA
// error of live tracking, notifications.
//
// The simulation clock is virtual: the in-process server's clock is the
// simulation's (httpapi.Config.Now), and the day is a discrete-event
// loop, so a day takes as long as its requests, never as long as the day.
// Load mode and the demo run against a server on real time instead.
package sim

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/travel/roads"
)

// Strategies of routing.
const (
	StrategyOptimizer = "optimizer" // POST /v1/plans
	StrategyNearest   = "nearest"   // the nearest-neighbour baseline: POST /v1/plans with "algorithm": "nearest"
)

// Tracker service models.
const (
	TrackerServiceLearned = "learned"
	TrackerServicePlanned = "planned"
)

// Config describes one simulated day. Start from Defaults and change
// what differs; Validate refuses settings a day cannot run with.
type Config struct {
	Seed     int64
	Stops    int    // orders of the day, same-day ones included
	Vehicles int    // vehicles with their drivers
	Date     string // YYYY-MM-DD, local to the station
	TimeZone string

	// Graph, when set, is the road network: addresses are sampled on it,
	// the server plans and tracks on it and vehicles drive its routes.
	// Without it travel is great-circle at 30 km/h × 1.3.
	Graph   *roads.Graph
	Center  lastmile.Point // great-circle days: the station
	RadiusM float64        // how far from the station neighbourhoods lie

	// Orders, when set, replaces the generated orders: rows of the import
	// format (JSON objects or one CSV file with its header), replayed
	// through POST /v1/orders/import.
	Orders *OrderFile

	WindowShare     float64 // share of orders with a time window
	WindowMinH      float64 // window length, hours
	WindowMaxH      float64
	SameDayShare    float64 // orders coming in during the day
	CutOff          int64   // seconds after midnight: same-day orders come in before, then the day is re-planned
	DayStart        int64   // seconds after midnight the morning shifts start (the day is planned two hours before)
	WhiteGloveShare float64
	ReturnShare     float64
	EVShare         float64 // share of the vans (not the two-person crew) that are electric; negative: none

	NotHomeRate      float64 // recipients not at home
	WrongAddressRate float64 // addresses that are wrong
	Traffic          float64 // scale of the time-of-day traffic factor (0: none)

	Strategy string
	// TrackerService is the simulated server's model of time at the
	// door for ETAs: learned (the server's default) or planned.
	TrackerService string
	PlanIterations int64         // optimizer iterations per plan (reproducible)
	PlanTimeLimit  time.Duration // safety bound of a plan
	GPSEvery       time.Duration // between two positions of a vehicle
	BatchEvery     time.Duration // between two uploads of a phone
	ProgressEvery  time.Duration // between two ETA samples of a route

	CO2 CO2Factors

	// Progress, when set, is called as stops are completed.
	Progress func(done, total int)
}

// CO2Factors turn driven kilometres into CO2 (see docs/SIMULATE.md).
type CO2Factors struct {
	DieselLPer100KM float64 `json:"diesel_l_per_100km"`
	DieselKgPerL    float64 `json:"diesel_kg_co2_per_l"`
	EVKWhPer100KM   float64 `json:"ev_kwh_per_100km"`
	GridGPerKWh     float64 `json:"grid_g_co2_per_kwh"`
	TruckLPer100KM  float64 `json:"truck_l_per_100km"`
}

// DefaultCO2 are the documented assumptions.
var DefaultCO2 = CO2Factors{DieselLPer100KM: 9, DieselKgPerL: 2.68, EVKWhPer100KM: 25, GridGPerKWh: 250, TruckLPer100KM: 13}

// Defaults returns the default configuration: 200 stops, 4 vehicles.
func Defaults() Config {
	return Config{Seed: 1, Stops: 200, Vehicles: 4, Date: "2026-03-03", TimeZone: "Europe/Andorra",
		Center: DefaultCenter, RadiusM: 4000,
		WindowShare: 0.3, WindowMinH: 1, WindowMaxH: 2, SameDayShare: 0.1, CutOff: 11*3600 + 30*60, DayStart: 8 * 3600,
		WhiteGloveShare: 0.03, ReturnShare: 0.08, EVShare: 0.4,
		NotHomeRate: 0.08, WrongAddressRate: 0.01, Traffic: 1,
		Strategy: StrategyOptimizer, TrackerService: TrackerServiceLearned, PlanIterations: 2000, PlanTimeLimit: 2 * time.Minute,
		GPSEvery: 15 * time.Second, BatchEvery: time.Minute, ProgressEvery: 5 * time.Minute, CO2: DefaultCO2}
}

// Validate checks a configuration; errors name the setting as its
// command-line flag.
func (c *Config) Validate() error {
	rate := func(name string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("--%s: %g is not a rate in [0, 1]", name, v)
		}
		return nil
	}
	switch {
	case c.Stops < 1 || c.Stops > 20000:
		return fmt.Errorf("--stops: %d is not in [1, 20000]", c.Stops)
	case c.Vehicles < 1 || c.Vehicles > 200:
		return fmt.Errorf("--vehicles: %d is not in [1, 200]", c.Vehicles)
	case c.DayStart < 0 || c.DayStart > 23*3600:
		return fmt.Errorf("--day-start: %d s is not a time of day before 23:00", c.DayStart)
	case c.PlanIterations < 0:
		return fmt.Errorf("--iterations: %d is negative", c.PlanIterations)
	case !(c.RadiusM > 0):
		return fmt.Errorf("--radius: %g is not a positive distance", c.RadiusM)
	case c.Strategy != StrategyOptimizer && c.Strategy != StrategyNearest:
		return fmt.Errorf("--strategy: %q is not optimizer or nearest", c.Strategy)
	case c.TrackerService != TrackerServiceLearned && c.TrackerService != TrackerServicePlanned:
		return fmt.Errorf("--tracker-service: %q is not learned or planned", c.TrackerService)
	case !(c.WindowMinH > 0) || c.WindowMaxH < c.WindowMinH || c.WindowMaxH > 8:
		return fmt.Errorf("--window-hours: %g–%g is not a range of hours in (0, 8]", c.WindowMinH, c.WindowMaxH)
	case !(c.Traffic >= 0 && c.Traffic <= 5):
		return fmt.Errorf("--traffic: %g is not in [0, 5]", c.Traffic)
	case c.ProgressEvery < 30*time.Second:
		return fmt.Errorf("progress sampling: every %v, want 30 s or more", c.ProgressEvery)
	case c.PlanTimeLimit <= 0:
		return fmt.Errorf("--plan-time-limit: %v is not a positive duration", c.PlanTimeLimit)
	case c.GPSEvery < time.Second || c.BatchEvery < c.GPSEvery:
		return fmt.Errorf("--gps-every: %v is under a second or longer than the upload interval %v", c.GPSEvery, c.BatchEvery)
	}
	for _, r := range []struct {
		n string
		v float64
	}{{"not-home", c.NotHomeRate}, {"wrong-address", c.WrongAddressRate}, {"windows", c.WindowShare},
		{"same-day", c.SameDayShare}, {"white-glove", c.WhiteGloveShare}, {"returns", c.ReturnShare}, {"ev-share", c.EVShare}} {
		if err := rate(r.n, r.v); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"diesel-l-per-100km", c.CO2.DieselLPer100KM}, {"truck-l-per-100km", c.CO2.TruckLPer100KM},
		{"ev-kwh-per-100km", c.CO2.EVKWhPer100KM}, {"grid-g-per-kwh", c.CO2.GridGPerKWh}, {"diesel-kg-per-l", c.CO2.DieselKgPerL}} {
		if !(f.v >= 0 && f.v <= 5000) {
			return fmt.Errorf("--%s: %g is not in [0, 5000]", f.n, f.v)
		}
	}
	if c.NotHomeRate+c.WrongAddressRate > 1 {
		return fmt.Errorf("--not-home: %g plus --wrong-address %g is over 1", c.NotHomeRate, c.WrongAddressRate)
	}
	if c.ReturnShare+c.WhiteGloveShare > 1 {
		return fmt.Errorf("--returns: %g plus --white-glove %g is over 1", c.ReturnShare, c.WhiteGloveShare)
	}
	if _, err := time.Parse(lastmile.DateLayout, c.Date); err != nil {
		return fmt.Errorf("--date: %q is not a date YYYY-MM-DD", c.Date)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("--tz: unknown time zone %q", c.TimeZone)
	}
	if c.Graph == nil {
		if err := c.Center.Validate(); err != nil {
			return fmt.Errorf("--center: %v", lastmile.ErrorMessage(err))
		}
	}
	return nil
}

// OrderFile is an order file in the import format of POST
// /v1/orders/import.
type OrderFile struct {
	CSV  []byte            // a CSV file with its header line, or
	JSON []json.RawMessage // JSON orders
}
