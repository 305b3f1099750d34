package sim

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// SchemaVersion names the layout of Result's JSON.
const SchemaVersion = "lastmile.simulate/v1"

// Result is a simulated day and its figures. Everything but Timing and
// Requests is a function of the configuration (seed included).
type Result struct {
	Schema   string `json:"schema"`
	Seed     int64  `json:"seed"`
	Date     string `json:"date"`
	Strategy string `json:"strategy"`
	Travel   string `json:"travel"` // roads or great_circle
	// TrackerService is the server's service-time model behind the ETAs.
	TrackerService string `json:"tracker_service"`

	Day           DaySummary     `json:"day"`
	KPIs          KPIs           `json:"kpis"`
	ETA           ETAErrors      `json:"eta"`
	Outcomes      map[string]int `json:"outcomes"`           // final status of every order
	Failures      map[string]int `json:"failure_reasons"`    // failed attempts by reason
	Unassigned    map[string]int `json:"unassigned_reasons"` // orders no plan took, by the optimizer's reason
	Notifications Notifications  `json:"notifications"`
	Positions     positionStats  `json:"positions"`
	Hourly        []HourCount    `json:"stops_per_hour"`
	Routes        []RouteResult  `json:"routes"`
	APIKPIs       map[string]any `json:"api_kpis"` // GET /v1/stations/{id}/kpis of the date
	CO2Factors    CO2Factors     `json:"co2_factors"`

	Timing   Timing         `json:"timing"`
	Requests []LatencyStats `json:"requests"`

	// For the report's charts and map; not in the JSON.
	etaDispatchErr []float64
	eta30Err       []float64
	station        lastmile.Point
	stopPoints     []stopPoint
}

// DaySummary describes the day's demand and fleet.
type DaySummary struct {
	Orders     int `json:"orders"`
	SameDay    int `json:"same_day"`
	Windows    int `json:"with_window"`
	WhiteGlove int `json:"white_glove"`
	Returns    int `json:"returns"`
	Vehicles   int `json:"vehicles"`
	Electric   int `json:"electric"`
	Plans      int `json:"plans"`
	Unassigned int `json:"unassigned"` // orders no plan took
}

// KPIs are the day's figures from what happened.
type KPIs struct {
	Attempted         int     `json:"attempted"`
	Delivered         int     `json:"delivered"` // deliveries and collected returns
	Failed            int     `json:"failed"`
	OnTimeRate        float64 `json:"on_time_rate"`          // delivered in the window (or on the date) / delivered
	FirstAttemptRate  float64 `json:"first_attempt_success"` // delivered / attempted (every attempt of the day is a first)
	CostPerDelivery   float64 `json:"cost_per_delivery"`     // cents, driven routes at the vehicles' cost rates / delivered
	PlannedCostPerDel float64 `json:"planned_cost_per_delivery"`
	KM                float64 `json:"km"`
	PlannedKM         float64 `json:"planned_km"`
	KMPerStop         float64 `json:"km_per_stop"`
	MinutesPerStop    float64 `json:"minutes_per_stop"` // route time / attempted stops
	StopsPerRouteHour float64 `json:"stops_per_route_hour"`
	RouteHours        float64 `json:"route_hours"`
	VehiclesUsed      int     `json:"vehicles_used"`
	Utilisation       float64 `json:"vehicle_utilisation"` // route hours / shift hours of the vehicles used
	LoadUtilisation   float64 `json:"load_utilisation"`    // mean of peak parcels on board / capacity
	CO2Kg             float64 `json:"co2_kg"`
	CO2GPerDelivery   float64 `json:"co2_g_per_delivery"`
	OvertimeMinutes   float64 `json:"overtime_minutes"` // past the shift ends
}

// ETAStats summarise absolute ETA errors in minutes.
type ETAStats struct {
	N          int     `json:"n"`
	MeanAbsMin float64 `json:"mean_abs_min"`
	P50AbsMin  float64 `json:"p50_abs_min"`
	P90AbsMin  float64 `json:"p90_abs_min"`
	BiasMin    float64 `json:"bias_min"` // mean of predicted − actual: negative means late arrivals
}

// ETAErrors score live tracking's ETAs against the arrivals.
type ETAErrors struct {
	AtDispatch ETAStats `json:"at_dispatch"`
	Before30   ETAStats `json:"before_30_min"`
}

// Notifications counts the outbox of the day.
type Notifications struct {
	Total     int            `json:"total"`
	ByTopic   map[string]int `json:"by_topic"`
	ByChannel map[string]int `json:"by_channel"`
}

// HourCount is the stops completed in one local hour.
type HourCount struct {
	Hour      int `json:"hour"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
}

// RouteResult is one driven route.
type RouteResult struct {
	Vehicle        string  `json:"vehicle"`
	Energy         string  `json:"energy"`
	Plan           int     `json:"plan"` // 1: the morning plan, 2: the re-plan
	Stops          int     `json:"stops"`
	Delivered      int     `json:"delivered"`
	Failed         int     `json:"failed"`
	OnTime         int     `json:"on_time"`
	PlannedKM      float64 `json:"planned_km"`
	KM             float64 `json:"km"`
	PlannedMinutes float64 `json:"planned_minutes"`
	Minutes        float64 `json:"minutes"`
	Start          string  `json:"start"` // local HH:MM
	End            string  `json:"end"`
	CostCents      int64   `json:"cost_cents"`
	CO2Kg          float64 `json:"co2_kg"`
	PeakLoad       int64   `json:"peak_parcels"`
	Capacity       int64   `json:"capacity_parcels"`

	planned [][2]float64
	driven  [][2]float64
}

// Timing is how long the simulation took on this machine.
type Timing struct {
	TotalS float64 `json:"total_s"`
	DayS   float64 `json:"day_s"`  // planning, driving and scoring
	PlanS  float64 `json:"plan_s"` // the optimizer, as the plans report
}

type stopPoint struct {
	p       lastmile.Point
	outcome string
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

func etaStats(errs []float64) ETAStats {
	s := ETAStats{N: len(errs)}
	if len(errs) == 0 {
		return s
	}
	abs := make([]float64, len(errs))
	sum, bias := 0.0, 0.0
	for i, x := range errs {
		abs[i] = math.Abs(x)
		sum += abs[i]
		bias += x
	}
	sort.Float64s(abs)
	s.MeanAbsMin = round3(sum / float64(len(errs)))
	s.P50AbsMin = round3(quantile(abs, 0.5))
	s.P90AbsMin = round3(quantile(abs, 0.9))
	s.BiasMin = round3(bias / float64(len(errs)))
	return s
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round3(a / b)
}

// centroid is the mean location of an order file's rows.
func centroid(f *OrderFile) (lastmile.Point, bool) {
	var pts []lastmile.Point
	if f.CSV != nil {
		recs, err := csv.NewReader(bytes.NewReader(f.CSV)).ReadAll()
		if err != nil || len(recs) < 2 {
			return lastmile.Point{}, false
		}
		la, lo := -1, -1
		for i, h := range recs[0] {
			switch h {
			case "lat":
				la = i
			case "lon":
				lo = i
			}
		}
		if la < 0 || lo < 0 {
			return lastmile.Point{}, false
		}
		for _, r := range recs[1:] {
			if la < len(r) && lo < len(r) {
				lat, e1 := strconv.ParseFloat(r[la], 64)
				lon, e2 := strconv.ParseFloat(r[lo], 64)
				if e1 == nil && e2 == nil {
					pts = append(pts, lastmile.Point{Lat: lat, Lon: lon})
				}
			}
		}
	} else {
		for _, raw := range f.JSON {
			var o struct {
				Address struct{ Location lastmile.Point } `json:"address"`
			}
			if json.Unmarshal(raw, &o) == nil && o.Address.Location.Validate() == nil {
				pts = append(pts, o.Address.Location)
			}
		}
	}
	if len(pts) == 0 {
		return lastmile.Point{}, false
	}
	var c lastmile.Point
	for _, p := range pts {
		c.Lat += p.Lat
		c.Lon += p.Lon
	}
	c.Lat /= float64(len(pts))
	c.Lon /= float64(len(pts))
	return c, true
}

func hhmm(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("15:04")
}
