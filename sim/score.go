package sim

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// score turns the day's record into a Result.
func (e *engine) score() (*Result, error) {
	cfg := e.cfg
	res := &Result{Schema: SchemaVersion, Seed: cfg.Seed, Date: e.date, Strategy: cfg.Strategy, Travel: "great_circle", TrackerService: cfg.TrackerService,
		Outcomes: map[string]int{}, Failures: map[string]int{}, Unassigned: map[string]int{}, CO2Factors: cfg.CO2, station: e.day.station,
		Notifications: Notifications{ByTopic: map[string]int{}, ByChannel: map[string]int{}}, Positions: e.positions}
	if cfg.Graph != nil {
		res.Travel = "roads"
	}
	// Final statuses, as the API has them.
	cursor := ""
	for {
		var page struct {
			Items      []lastmile.Order `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		q := "/v1/orders?limit=1000&station_id=" + url.QueryEscape(e.station.ID)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := e.c.do(e.ctx, "GET", q, e.dispatcher, nil, &page); err != nil {
			return nil, e.fail("list orders", err)
		}
		for _, o := range page.Items {
			res.Outcomes[o.Status]++
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	// Notifications from the outbox.
	after := ""
	for {
		var page struct {
			Items      []lastmile.OutboxMessage `json:"items"`
			NextCursor string                   `json:"next_cursor"`
		}
		q := "/v1/webhooks/messages?limit=1000"
		if after != "" {
			q += "&after=" + after
		}
		if err := e.c.do(e.ctx, "GET", q, e.dispatcher, nil, &page); err != nil {
			return nil, e.fail("list notifications", err)
		}
		for _, m := range page.Items {
			if m.StationID != "" && m.StationID != e.station.ID {
				continue
			}
			res.Notifications.Total++
			res.Notifications.ByTopic[m.Topic]++
			res.Notifications.ByChannel[m.Channel]++
		}
		if page.NextCursor == "" {
			break
		}
		after = page.NextCursor
	}
	if err := e.c.do(e.ctx, "GET", "/v1/stations/"+e.station.ID+"/kpis?date="+e.date, e.dispatcher, nil, &res.APIKPIs); err != nil {
		return nil, e.fail("station KPIs", err)
	}
	delete(res.APIKPIs, "station_id") // an id: not reproducible
	// The day's demand and fleet.
	d := &res.Day
	d.Orders, d.Vehicles, d.Plans = len(e.orders), len(e.vehicles), len(e.plans)
	for _, o := range e.orders {
		switch {
		case o.o.ServiceLevel == lastmile.SameDay:
			d.SameDay++
		}
		if o.o.Window != nil {
			d.Windows++
		}
		if len(o.o.Skills) > 0 {
			d.WhiteGlove++
		}
		if o.o.Kind == lastmile.KindReturn {
			d.Returns++
		}
		if !o.attempted {
			d.Unassigned++
			reason := o.unassigned
			if reason == "" {
				reason = "not in any plan"
			}
			res.Unassigned[reason]++
		}
	}
	for _, v := range e.vehicles {
		if v.gen.energy == lastmile.EnergyElectric {
			d.Electric++
		}
	}
	// Orders in a stable order.
	ids := make([]string, 0, len(e.orders))
	for id, o := range e.orders {
		_ = o
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return e.orders[ids[i]].o.ExternalID < e.orders[ids[j]].o.ExternalID })
	k := &res.KPIs
	onTime := 0
	hours := map[int]*HourCount{}
	for _, id := range ids {
		o := e.orders[id]
		if !o.attempted {
			continue
		}
		k.Attempted++
		h := o.finish.In(e.loc).Hour()
		if hours[h] == nil {
			hours[h] = &HourCount{Hour: h}
		}
		if o.outcome == lastmile.StatusDelivered {
			k.Delivered++
			hours[h].Delivered++
			if o.onTime {
				onTime++
			}
		} else {
			k.Failed++
			hours[h].Failed++
			res.Failures[o.outcome]++
		}
		res.stopPoints = append(res.stopPoints, stopPoint{o.o.Address.Location, o.outcome})
	}
	for h := range 24 {
		if c := hours[h]; c != nil {
			res.Hourly = append(res.Hourly, *c)
		}
	}
	// Routes.
	var cost, plannedCost int64
	var routeH, shiftH, loadU float64
	used := map[string]bool{}
	for _, r := range e.routes {
		if !r.dispatched {
			continue
		}
		g := r.v.gen
		rr := RouteResult{Vehicle: g.name, Energy: g.energy, Stops: r.stops, PlannedKM: round3(float64(r.plan.DistanceM) / 1000),
			KM: round3(r.km), PlannedMinutes: round3(r.plan.End.Sub(r.plan.Start).Minutes()), Minutes: round3(r.endAt.Sub(r.startAt).Minutes()),
			Start: hhmm(r.startAt, e.loc), End: hhmm(r.endAt, e.loc), Capacity: g.capacity.Parcels, driven: r.driven}
		for i, p := range e.plans {
			if p == r.planID {
				rr.Plan = i + 1
			}
		}
		rr.planned = append(rr.planned, [2]float64{e.day.station.Lon, e.day.station.Lat})
		for _, s := range r.plan.Stops {
			rr.PeakLoad = max(rr.PeakLoad, s.Load.Parcels)
			if s.Location != nil {
				rr.planned = append(rr.planned, [2]float64{s.Location.Lon, s.Location.Lat})
			}
			o := e.orders[s.OrderID]
			if o == nil || !o.attempted {
				continue
			}
			if o.outcome == lastmile.StatusDelivered {
				rr.Delivered++
				if o.onTime {
					rr.OnTime++
				}
			} else {
				rr.Failed++
			}
		}
		rr.planned = append(rr.planned, [2]float64{e.day.station.Lon, e.day.station.Lat})
		hoursOn := r.endAt.Sub(r.startAt).Hours()
		rr.CostCents = g.costs.Fixed + int64(math.Round(float64(g.costs.PerHour)*hoursOn+float64(g.costs.PerKM)*r.km))
		rr.CO2Kg = round3(co2(cfg.CO2, g, r.km))
		res.Routes = append(res.Routes, rr)
		cost += rr.CostCents
		plannedCost += r.plan.Cost
		k.KM += r.km
		k.PlannedKM += float64(r.plan.DistanceM) / 1000
		k.CO2Kg += rr.CO2Kg
		routeH += hoursOn
		if !used[r.v.id] {
			used[r.v.id] = true
			s, _ := lastmile.ParseClock(g.shiftStart)
			en, _ := lastmile.ParseClock(g.shiftEnd)
			shiftH += float64(en-s) / 3600
		}
		if g.capacity.Parcels > 0 {
			loadU += float64(rr.PeakLoad) / float64(g.capacity.Parcels)
		}
		en, _ := lastmile.ParseClock(g.shiftEnd)
		if over := r.endAt.Sub(e.base.Add(time.Duration(en) * time.Second)).Minutes(); over > 0 {
			k.OvertimeMinutes += over
		}
	}
	sort.SliceStable(res.Routes, func(i, j int) bool {
		if res.Routes[i].Plan != res.Routes[j].Plan {
			return res.Routes[i].Plan < res.Routes[j].Plan
		}
		return res.Routes[i].Vehicle < res.Routes[j].Vehicle
	})
	k.VehiclesUsed = len(used)
	k.RouteHours = round3(routeH)
	k.KM, k.PlannedKM, k.CO2Kg = round3(k.KM), round3(k.PlannedKM), round3(k.CO2Kg)
	k.OvertimeMinutes = round3(k.OvertimeMinutes)
	k.OnTimeRate = ratio(float64(onTime), float64(k.Delivered))
	k.FirstAttemptRate = ratio(float64(k.Delivered), float64(k.Attempted))
	k.CostPerDelivery = ratio(float64(cost), float64(k.Delivered))
	k.PlannedCostPerDel = ratio(float64(plannedCost), float64(k.Delivered))
	k.KMPerStop = ratio(k.KM, float64(k.Attempted))
	k.MinutesPerStop = ratio(routeH*60, float64(k.Attempted))
	k.StopsPerRouteHour = ratio(float64(k.Attempted), routeH)
	k.Utilisation = ratio(routeH, shiftH)
	if n := len(res.Routes); n > 0 {
		k.LoadUtilisation = round3(loadU / float64(n))
	}
	k.CO2GPerDelivery = ratio(k.CO2Kg*1000, float64(k.Delivered))
	// ETA errors: the prediction at dispatch, and the one sampled closest
	// to 30 minutes before the arrival.
	for _, r := range e.routes {
		if !r.dispatched {
			continue
		}
		for _, s := range r.plan.Stops {
			o := e.orders[s.OrderID]
			if o == nil || !o.attempted {
				continue
			}
			if eta, ok := r.atDispatch[o.o.ID]; ok {
				res.etaDispatchErr = append(res.etaDispatchErr, eta.Sub(o.arrival).Minutes())
			}
			target := o.arrival.Add(-30 * time.Minute)
			best := -1
			for i, sm := range r.samples {
				if _, ok := sm.etas[o.o.ID]; !ok {
					continue
				}
				if dt := absDur(sm.at.Sub(target)); dt <= e.cfg.ProgressEvery/2 && (best < 0 || dt < absDur(r.samples[best].at.Sub(target))) {
					best = i
				}
			}
			if best >= 0 {
				res.eta30Err = append(res.eta30Err, r.samples[best].etas[o.o.ID].Sub(o.arrival).Minutes())
			}
		}
	}
	res.ETA.AtDispatch = etaStats(res.etaDispatchErr)
	res.ETA.Before30 = etaStats(res.eta30Err)
	for _, x := range append(append([]float64(nil), res.etaDispatchErr...), res.eta30Err...) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("simulate: an ETA error is not finite")
		}
	}
	res.Timing.PlanS = round3(float64(e.planMS) / 1000)
	all, per := e.c.latencies()
	res.Requests = append([]LatencyStats{all}, per...)
	return res, nil
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// co2 is the tank-to-wheel (fuel) or grid (electric) CO2 of km driven.
func co2(f CO2Factors, g genVehicle, km float64) float64 {
	switch {
	case g.energy == lastmile.EnergyElectric:
		return km * f.EVKWhPer100KM / 100 * f.GridGPerKWh / 1000
	case g.typ == "truck":
		return km * f.TruckLPer100KM / 100 * f.DieselKgPerL
	default:
		return km * f.DieselLPer100KM / 100 * f.DieselKgPerL
	}
}
