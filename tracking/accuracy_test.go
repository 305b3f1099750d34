package tracking_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// planSpeed is the speed the synthetic plans assume (m/s).
const planSpeed = 1200.0 / 180

type planEstimator struct{}

func (planEstimator) TravelSeconds(_ context.Context, a, b lastmile.Point) (int64, error) {
	return int64(math.Round(a.DistanceM(b) / planSpeed)), nil
}

// BenchmarkETAAccuracy drives synthetic days: 30 stops 1.2 km apart, legs
// planned at 3 min and services at 3 min, driven 30 % slower than planned
// with ±20 % noise per leg and ±30 % per service, a fix every 15 s. For
// every stop it takes the ETA given 30 minutes before the actual arrival
// and reports the median absolute error over 20 days, with the plan's
// times only and with the learner (carried over from day to day).
func BenchmarkETAAccuracy(b *testing.B) {
	for i := 0; i < b.N; i++ {
		plain, learned := etaErrors(20)
		b.ReportMetric(median(plain), "plan_median_abs_err_s")
		b.ReportMetric(median(learned), "learned_median_abs_err_s")
	}
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

func etaErrors(days int) (plain, learned []float64) {
	const stops, legPlan, servicePlan = 30, 180.0, 180.0
	rng := rand.New(rand.NewPCG(1, 2))
	l := &tracking.Learner{}
	noise := func(sd float64) float64 { return math.Exp(rng.NormFloat64()*sd - sd*sd/2) }
	for day := 0; day < days; day++ {
		start := time.Date(2026, 3, 2+day, 8, 0, 0, 0, time.UTC)
		rt := &tracking.Route{ID: fmt.Sprintf("rt_%d", day), VehicleID: "veh", StationID: "st", Station: lastmile.Point{Lat: 43.60, Lon: 7.40}}
		at := start
		prev := rt.Station
		for s := 0; s < stops; s++ {
			loc := lastmile.Point{Lat: 43.60 + float64(s+1)*1200/111195, Lon: 7.40}
			at = at.Add(time.Duration(prev.DistanceM(loc)/planSpeed) * time.Second)
			rt.Stops = append(rt.Stops, tracking.Stop{Seq: s + 1, Type: "delivery", OrderID: fmt.Sprintf("o%d", s), Location: &loc,
				PlannedArrival: at, PlannedStart: at, PlannedDeparture: at.Add(servicePlan * time.Second)})
			at = at.Add(servicePlan * time.Second)
			prev = loc
		}
		// The actual day: the trace of fixes and the arrival times.
		type fix struct {
			at time.Time
			p  lastmile.Point
		}
		var trace []fix
		arrivals := make([]time.Time, stops)
		ends := make([]time.Time, stops) // the driver confirms the stop
		t := start
		from := rt.Station
		for s := range rt.Stops {
			to := *rt.Stops[s].Location
			leg := time.Duration(from.DistanceM(to) / planSpeed * 1.3 * noise(0.2) * float64(time.Second))
			for d := time.Duration(0); d < leg; d += 15 * time.Second {
				f := float64(d) / float64(leg)
				trace = append(trace, fix{t.Add(d), lastmile.Point{Lat: from.Lat + (to.Lat-from.Lat)*f, Lon: from.Lon}})
			}
			t = t.Add(leg)
			arrivals[s] = t
			service := time.Duration(servicePlan * noise(0.3) * float64(time.Second))
			for d := time.Duration(0); d <= service; d += 15 * time.Second {
				trace = append(trace, fix{t.Add(d), to})
			}
			ends[s] = t.Add(service)
			t = t.Add(service + 15*time.Second)
			from = to
		}
		for k, model := range []tracking.ServiceModel{nil, l} {
			now := start
			tr := tracking.New(tracking.Config{Now: func() time.Time { return now }, Travel: planEstimator{}, Service: model})
			r := *rt
			r.Stops = append([]tracking.Stop(nil), rt.Stops...)
			taken := make([]bool, stops)
			for _, f := range trace {
				now = f.at
				res, err := tr.Update(context.Background(), &r, lastmile.Position{VehicleID: "veh", At: f.at, Lat: f.p.Lat, Lon: f.p.Lon})
				if err != nil || res.Verdict != tracking.Accepted {
					panic(fmt.Sprint(res.Verdict, err))
				}
				for _, e := range res.Events {
					if e.Type == tracking.EventDeparted {
						for i := range r.Stops {
							if r.Stops[i].OrderID == e.OrderID {
								r.Stops[i].Done, r.Stops[i].DoneAt = true, ends[i]
							}
						}
					}
				}
				if res.Progress == nil {
					continue
				}
				for _, e := range res.Progress.ETAs {
					s := e.Seq - 1
					if !taken[s] && arrivals[s].Sub(f.at) <= 30*time.Minute {
						taken[s] = true
						if arrivals[s].Sub(f.at) < 29*time.Minute {
							continue // the route started less than 30 min before
						}
						err := math.Abs(e.ETA.Sub(arrivals[s]).Seconds())
						if k == 0 {
							plain = append(plain, err)
						} else {
							learned = append(learned, err)
						}
					}
				}
			}
		}
	}
	return plain, learned
}
