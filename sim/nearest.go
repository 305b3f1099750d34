package sim

import (
	"fmt"
	"slices"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/vrp"
)

// nearest lays a draft plan out again as greedy nearest-neighbour tours,
// through the plan-editing API: every stop is taken off its route, then
// each route is built by appending the nearest order it can still serve
// (capacity, skills, window, shift, range), on the same travel matrix the
// server plans with. The server re-times each route and refuses a stop
// the route cannot serve; such orders stay unassigned. It uses the
// vehicles the draft uses.
func (e *engine) nearest(p *lastmile.Plan) (*lastmile.Plan, error) {
	var ids []string
	for _, rt := range p.Routes {
		for _, s := range rt.Stops {
			if s.OrderID != "" {
				ids = append(ids, s.OrderID)
			}
		}
	}
	for _, u := range p.Unassigned {
		ids = append(ids, u.OrderID)
	}
	slices.Sort(ids)
	cur := p
	for _, rt := range p.Routes {
		for _, s := range rt.Stops {
			if s.OrderID == "" {
				continue
			}
			var np lastmile.Plan
			if err := e.c.do(e.ctx, "POST", "/v1/plans/"+p.ID+"/moves", e.dispatcher, map[string]any{"order_id": s.OrderID}, &np); err != nil {
				return nil, e.fail("take a stop off", err)
			}
			cur = &np
		}
	}
	// Travel matrix: the station, then the orders.
	coords := []vrp.Coord{{Lon: e.day.station.Lon, Lat: e.day.station.Lat}}
	var orders []*ostate
	for _, id := range ids {
		o := e.orders[id]
		if o == nil {
			return nil, fmt.Errorf("nearest: order %s of the plan is unknown", id)
		}
		orders = append(orders, o)
		coords = append(coords, vrp.Coord{Lon: o.o.Address.Location.Lon, Lat: o.o.Address.Location.Lat})
	}
	dur, dist, err := e.travel.Matrix(e.ctx, "car", coords)
	if err != nil {
		return nil, fmt.Errorf("nearest: travel: %w", err)
	}
	done := make([]bool, len(orders))
	for _, rt := range p.Routes {
		v := e.byVID[rt.VehicleID]
		if v == nil {
			continue
		}
		seq := nnTour(e, v.gen, orders, done, dur, dist)
		for _, k := range seq {
			var np lastmile.Plan
			err := e.c.do(e.ctx, "POST", "/v1/plans/"+p.ID+"/moves", e.dispatcher,
				map[string]any{"order_id": orders[k].o.ID, "route_id": rt.ID}, &np)
			switch {
			case err == nil:
				done[k] = true
				cur = &np
			case isCode(err, "invalid"):
				// The server's schedule (breaks, rounding) refuses it: left
				// for a later route.
			default:
				return nil, e.fail("move a stop", err)
			}
		}
	}
	return cur, nil
}

// nnTour builds one vehicle's greedy tour over the orders not done.
func nnTour(e *engine, g genVehicle, orders []*ostate, done []bool, dur, dist [][]int64) []int {
	start, _ := lastmile.ParseClock(g.shiftStart)
	end, _ := lastmile.ParseClock(g.shiftEnd)
	brk := breakOf(g)
	brkAt, _ := lastmile.ParseClock(brk["earliest"].(string))
	brkLen := int64(brk["minutes"].(int)) * 60
	taken := false
	t := start
	cur := 0 // matrix index
	var parcels, grams, cm3 int64
	var km int64
	capa := g.capacity
	fits := func(a, limit int64) bool { return limit == 0 || a <= limit }
	var seq []int
	picked := make([]bool, len(orders))
	for {
		if !taken && t >= brkAt {
			t += brkLen
			taken = true
		}
		best, bestT := -1, int64(0)
		for k, o := range orders {
			if done[k] || picked[k] {
				continue
			}
			j := k + 1
			if !skillsOK(o.o.Skills, g.skills) {
				continue
			}
			np := parcels + int64(len(o.o.Parcels))
			w, c := o.o.Weight()
			if !fits(np, capa.Parcels) || !fits(grams+w, capa.WeightG) || !fits(cm3+c, capa.VolumeCM3) {
				continue
			}
			if g.rangeKM > 0 && (km+dist[cur][j]+dist[j][0]) > g.rangeKM*1000 {
				continue
			}
			arr := t + dur[cur][j]
			begin := arr
			if w := o.o.Window; w != nil {
				ws := localSec(e.base, w.Start)
				we := localSec(e.base, w.End)
				begin = max(arr, ws)
				if begin > we {
					continue
				}
			}
			finish := begin + o.o.ServiceSeconds
			reserve := int64(0)
			if !taken {
				reserve = brkLen
			}
			if finish+dur[j][0]+reserve > end-600 {
				continue
			}
			if best < 0 || dur[cur][j] < bestT {
				best, bestT = k, dur[cur][j]
			}
		}
		if best < 0 {
			return seq
		}
		o := orders[best]
		j := best + 1
		arr := t + dur[cur][j]
		if w := o.o.Window; w != nil {
			arr = max(arr, localSec(e.base, w.Start))
		}
		t = arr + o.o.ServiceSeconds
		km += dist[cur][j]
		parcels += int64(len(o.o.Parcels))
		w, c := o.o.Weight()
		grams, cm3 = grams+w, cm3+c
		cur = j
		seq = append(seq, best)
		picked[best] = true
	}
}

func skillsOK(need, have []string) bool {
	for _, s := range need {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}
