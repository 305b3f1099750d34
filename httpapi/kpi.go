package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// KPIs are a station's figures for one local day.
type KPIs struct {
	StationID         string         `json:"station_id"`
	Date              string         `json:"date"`
	Attempts          int            `json:"attempts"` // deliveries and failures recorded that day
	Delivered         int            `json:"delivered"`
	Failed            int            `json:"failed"`
	OnTimeRate        float64        `json:"on_time_rate"`         // delivered on time / delivered
	FirstAttemptRate  float64        `json:"first_attempt_rate"`   // delivered at the first attempt / first attempts
	CostPerDelivery   float64        `json:"cost_per_delivery"`    // cents, planned route cost / delivered
	StopsPerRouteHour float64        `json:"stops_per_route_hour"` // planned stops / planned route hours
	KMPerStop         float64        `json:"km_per_stop"`          // planned km / planned stops
	KM                float64        `json:"km"`                   // planned km of the day's published routes
	CO2Kg             float64        `json:"co2_kg"`               // tailpipe CO2 estimate of those km (co2PerKM)
	Routes            int            `json:"routes"`
	PlannedStops      int            `json:"planned_stops"`
	FailureReasons    map[string]int `json:"failure_reasons"`
}

// co2PerKM is the tailpipe CO2 in kg per km of fuel vehicles by type:
// typical figures for diesel delivery vehicles (a light van about 200 g/km,
// a rigid truck about 600 g/km). Electric vehicles, bikes and cargo bikes
// emit none at the tailpipe.
var co2PerKM = map[string]float64{"van": 0.20, "truck": 0.60, "car": 0.15, "scooter": 0.07}

// outcome is the part of delivered and failed events the KPIs read.
type outcome struct {
	Attempt int    `json:"attempt"`
	OnTime  *bool  `json:"on_time"`
	Reason  string `json:"reason"`
}

func (s *Server) kpis(w http.ResponseWriter, r *http.Request) error {
	st, err := s.station(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	date := r.URL.Query().Get("date")
	day, err := time.ParseInLocation(lastmile.DateLayout, date, st.Loc())
	if err != nil {
		return lastmile.Invalidf("date", "%q is not a date YYYY-MM-DD", date)
	}
	k := KPIs{StationID: st.ID, Date: date, FailureReasons: map[string]int{}}
	onTime, firstOK, firsts := 0, 0, 0
	err = s.eachEvent(r.Context(), lastmile.EventFilter{StationIDs: []string{st.ID}, EntityType: "order", Since: day, Until: day.AddDate(0, 0, 1)},
		func(e *lastmile.Event) {
			var o outcome
			switch e.Type {
			case "order.delivered":
				json.Unmarshal(e.Data, &o)
				k.Delivered++
				if o.OnTime == nil || *o.OnTime {
					onTime++
				}
				if o.Attempt == 1 {
					firstOK++
				}
			case "order.failed":
				json.Unmarshal(e.Data, &o)
				k.Failed++
				k.FailureReasons[o.Reason]++
			default:
				return
			}
			if o.Attempt == 1 {
				firsts++
			}
		})
	if err != nil {
		return err
	}
	k.Attempts = k.Delivered + k.Failed
	k.OnTimeRate = ratio(float64(onTime), float64(k.Delivered))
	k.FirstAttemptRate = ratio(float64(firstOK), float64(firsts))
	plans, _, err := s.store.ListPlans(r.Context(), lastmile.PlanFilter{StationIDs: []string{st.ID}, Date: date, Status: lastmile.PlanPublished})
	if err != nil {
		return err
	}
	var cost, dist, routeS int64
	var co2 float64
	vehicles := map[string]*lastmile.Vehicle{}
	for _, p := range plans {
		for _, rt := range p.Routes {
			stops := 0
			for _, stop := range rt.Stops {
				if stop.OrderID != "" {
					stops++
				}
			}
			if stops == 0 {
				continue
			}
			k.Routes++
			k.PlannedStops += stops
			cost += rt.Cost
			dist += rt.DistanceM
			v, ok := vehicles[rt.VehicleID]
			if !ok {
				if v, err = s.store.Vehicle(r.Context(), rt.VehicleID); err != nil && lastmile.ErrorCode(err) != lastmile.ENotFound {
					return err
				}
				vehicles[rt.VehicleID] = v
			}
			if v != nil && v.Energy != lastmile.EnergyElectric {
				co2 += float64(rt.DistanceM) / 1000 * co2PerKM[v.Type]
			}
			routeS += int64(rt.End.Sub(rt.Start).Seconds())
		}
	}
	k.CostPerDelivery = ratio(float64(cost), float64(k.Delivered))
	k.StopsPerRouteHour = ratio(float64(k.PlannedStops), float64(routeS)/3600)
	k.KMPerStop = ratio(float64(dist)/1000, float64(k.PlannedStops))
	k.KM = math.Round(float64(dist)/100) / 10
	k.CO2Kg = math.Round(co2*10) / 10
	return writeJSON(w, http.StatusOK, k)
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return math.Round(a/b*1000) / 1000
}

// eachEvent walks the events matching f, page by page.
func (s *Server) eachEvent(ctx context.Context, f lastmile.EventFilter, fn func(*lastmile.Event)) error {
	f.Limit = lastmile.MaxLimit
	for {
		evs, err := s.store.Events(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range evs {
			fn(e)
		}
		if len(evs) < f.Limit {
			return nil
		}
		f.After = evs[len(evs)-1].Seq
	}
}
