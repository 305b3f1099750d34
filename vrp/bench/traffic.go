package bench

import (
	"context"
	"fmt"
	"slices"

	"github.com/lastmile-dev/lastmile/vrp"
)

// RushHours are the traffic bands of a generated rush-hour day (seconds
// since midnight): a morning rush, a busy lunch hour and an evening rush,
// free flow otherwise.
var RushHours = vrp.Traffic{
	{Start: 8 * 3600, End: 9*3600 + 1800, Factor: 1.8},
	{Start: 12 * 3600, End: 13 * 3600, Factor: 1.2},
	{Start: 16 * 3600, End: 18 * 3600, Factor: 1.7},
}

// WithTraffic returns a copy of p whose vehicles all drive under traffic.
func WithTraffic(p *vrp.Problem, traffic vrp.Traffic) *vrp.Problem {
	q := *p
	q.Vehicles = slices.Clone(p.Vehicles)
	for i := range q.Vehicles {
		q.Vehicles[i].Traffic = traffic
	}
	return &q
}

// AverageFactor is the time-weighted mean factor of traffic over [from, to):
// what a planner without time-dependent travel would scale its matrix by.
func AverageFactor(traffic vrp.Traffic, from, to int64) float64 {
	var sum float64
	covered := int64(0)
	for _, b := range traffic {
		s, e := max(b.Start, from), min(b.End, to)
		if e > s {
			sum += float64(e-s) * b.Factor
			covered += e - s
		}
	}
	return (sum + float64(to-from-covered)) / float64(to-from)
}

// Averaged returns a copy of p without traffic whose "car" durations are
// scaled by factor: the static plan's view of a day with traffic.
func Averaged(p *vrp.Problem, factor float64) *vrp.Problem {
	q := *p
	q.Vehicles = slices.Clone(p.Vehicles)
	for i := range q.Vehicles {
		q.Vehicles[i].Traffic = nil
	}
	q.Matrices = map[string]*vrp.Matrix{}
	for name, m := range p.Matrices {
		c := *m
		c.Durations = make([][]int64, len(m.Durations))
		for i, row := range m.Durations {
			c.Durations[i] = make([]int64, len(row))
			for j, d := range row {
				c.Durations[i][j] = int64(float64(d)*factor + 0.5)
			}
		}
		q.Matrices[name] = &c
	}
	return &q
}

// Retime evaluates solution s, made for any view of the day, as driven on
// problem p (its true travel): the routes in their order, timed by plan
// mode, with every broken window reported as a violation.
func Retime(ctx context.Context, p *vrp.Problem, s *vrp.Solution) (*vrp.Solution, error) {
	q := *p
	q.Vehicles = slices.Clone(p.Vehicles)
	byID := map[uint64]int{}
	for i := range q.Vehicles {
		byID[q.Vehicles[i].ID] = i
		q.Vehicles[i].Steps = nil
	}
	for _, r := range s.Routes {
		vi, ok := byID[r.Vehicle]
		if !ok {
			return nil, fmt.Errorf("retime: unknown vehicle %d", r.Vehicle)
		}
		steps := make([]vrp.VehicleStep, 0, len(r.Steps))
		for _, st := range r.Steps {
			if st.Rest {
				continue
			}
			steps = append(steps, vrp.VehicleStep{Type: st.Type, ID: st.ID})
		}
		q.Vehicles[vi].Steps = steps
	}
	return vrp.Plan(ctx, &q)
}

// TrafficResult compares, on one day with traffic, the plan made with
// time-dependent travel (Aware) and the plan made on static averages
// (Static), both as driven.
type TrafficResult struct {
	AverageFactor float64
	// The time-dependent plan: cost, unassigned stops.
	AwareCost       int64
	AwareUnassigned int
	// The static plan: its cost and unassigned stops as planned, then as
	// driven: cost, stops served after their window (and the total
	// lateness), and the mean absolute error of its planned arrivals.
	StaticCost, StaticDrivenCost int64
	StaticUnassigned             int
	StaticLate                   int
	StaticLateness               int64
	StaticArrivalError           float64 // seconds, mean |planned − driven| per stop
}

// CompareTraffic solves p (whose vehicles carry traffic) twice with opt:
// with its traffic, and on static durations scaled by the traffic's average
// factor over the shift [from, to); then drives the static plan under the
// traffic.
func CompareTraffic(ctx context.Context, p *vrp.Problem, from, to int64, opt vrp.Options) (*TrafficResult, error) {
	traffic := p.Vehicles[0].Traffic
	res := &TrafficResult{AverageFactor: AverageFactor(traffic, from, to)}
	aware, err := vrp.Solve(ctx, p, opt)
	if err != nil {
		return nil, fmt.Errorf("traffic-aware plan: %w", err)
	}
	res.AwareCost, res.AwareUnassigned = aware.Summary.Cost, len(aware.Unassigned)
	static, err := vrp.Solve(ctx, Averaged(p, res.AverageFactor), opt)
	if err != nil {
		return nil, fmt.Errorf("static plan: %w", err)
	}
	res.StaticCost, res.StaticUnassigned = static.Summary.Cost, len(static.Unassigned)
	driven, err := Retime(ctx, p, static)
	if err != nil {
		return nil, err
	}
	res.StaticDrivenCost = driven.Summary.Cost
	planned := map[uint64]int64{}
	for _, r := range static.Routes {
		for _, st := range r.Steps {
			if st.Type == vrp.StepJob {
				planned[st.ID] = st.Arrival
			}
		}
	}
	var errSum float64
	n := 0
	for _, r := range driven.Routes {
		for _, st := range r.Steps {
			if st.Type != vrp.StepJob {
				continue
			}
			d := st.Arrival - planned[st.ID]
			errSum += float64(max(d, -d))
			n++
			for _, v := range st.Violations {
				if v.Cause == "delay" {
					res.StaticLate++
					res.StaticLateness += v.Duration
				}
			}
		}
	}
	if n > 0 {
		res.StaticArrivalError = errSum / float64(n)
	}
	return res, nil
}
