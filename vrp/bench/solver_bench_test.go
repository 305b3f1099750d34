package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
)

// BenchmarkSolomon solves a few Solomon instances with a fixed iteration
// budget (reproducible on any machine) and reports the quality next to the
// time: vehicles over the BKS and the distance gap in percent.
//
//	go test -run '^$' -bench Solomon -benchtime 1x ./vrp/bench
func BenchmarkSolomon(b *testing.B) {
	dir := sharedDir(b, "solomon")
	table, err := ReadBKSFile(filepath.Join(dir, "bks.csv"))
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"C101", "C201", "R101", "R201", "RC101", "RC201"} {
		b.Run(name, func(b *testing.B) {
			in, err := ReadSolomonFile(filepath.Join(dir, name+".txt"))
			if err != nil {
				b.Fatal(err)
			}
			var veh int
			var dist float64
			for b.Loop() {
				sol, err := vrp.Solve(context.Background(), in.Problem(), vrp.Options{Seed: 1, Threads: 2,
					Objective: vrp.MinimizeVehiclesThenCost, MaxIterations: 20000})
				if err != nil {
					b.Fatal(err)
				}
				if veh, dist, err = Evaluate(in, sol); err != nil {
					b.Fatal(err)
				}
			}
			bks := table[name]
			b.ReportMetric(float64(veh-bks.Vehicles), "veh_over_bks")
			b.ReportMetric(100*(dist-bks.Cost)/bks.Cost, "gap%")
		})
	}
}

// BenchmarkFirstSolution measures the time to the first solution (validation,
// compilation and construction) of a generated 2,000-stop station day.
//
//	go test -run '^$' -bench FirstSolution -benchtime 3x ./vrp/bench
func BenchmarkFirstSolution(b *testing.B) {
	p := GenerateStationDay(2000, 1)
	for b.Loop() {
		var first time.Duration
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		_, err := vrp.Solve(ctx, p, vrp.Options{Seed: 1, Threads: 2, Progress: func(e vrp.ProgressEvent) {
			if e.Iteration == 0 {
				first = time.Since(start)
				cancel()
			}
		}})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(first.Seconds(), "first_s")
	}
}

// BenchmarkReplan plans a 200-stop station day, then re-plans it mid-day
// from that plan: 30% of every route done (60 stops), 10 new stops,
// promised ETAs priced at 1,000 an hour of change. It reports the re-plan time with a 170 ms
// budget and the share of untouched stops whose ETA moved by more than
// 10 minutes.
//
//	go test -run '^$' -bench Replan -benchtime 5x ./vrp/bench
func BenchmarkReplan(b *testing.B) {
	p := GenerateStationDay(200, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	plan, err := vrp.Solve(ctx, p, vrp.Options{Seed: 1, Threads: 2})
	cancel()
	if err != nil {
		b.Fatal(err)
	}
	q, promised, err := Replan(p, plan, 0.3, 10, 1000, 1)
	if err != nil {
		b.Fatal(err)
	}
	var moved, total, unassigned int
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 170*time.Millisecond)
		sol, err := vrp.Solve(ctx, q, vrp.Options{Seed: 1, Threads: 2, Start: plan})
		cancel()
		elapsed = time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		moved, total = ETAMoves(sol, promised, 600)
		unassigned = len(sol.Unassigned)
	}
	b.ReportMetric(float64(elapsed.Milliseconds()), "replan_ms")
	b.ReportMetric(100*float64(moved)/float64(max(total, 1)), "moved>10min_%")
	b.ReportMetric(float64(total), "untouched_stops")
	b.ReportMetric(float64(unassigned), "unassigned")
}

// BenchmarkRushHour solves a generated 400-stop rush-hour day with
// time-dependent travel and on static averages, drives the static plan in
// the traffic, and reports both costs and the static plan's arrival error.
//
//	go test ./vrp/bench -run '^$' -bench RushHour -benchtime 1x
func BenchmarkRushHour(b *testing.B) {
	p := WithTraffic(GenerateStationDay(400, 7), RushHours)
	opt := vrp.Options{Seed: 1, Threads: 2, MaxIterations: 60000}
	for b.Loop() {
		res, err := CompareTraffic(context.Background(), p, shiftStart, shiftEnd, opt)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.AwareCost), "aware_cost")
		b.ReportMetric(float64(res.StaticDrivenCost), "static_driven_cost")
		b.ReportMetric(100*float64(res.StaticDrivenCost-res.AwareCost)/float64(res.StaticDrivenCost), "saving%")
		b.ReportMetric(float64(res.StaticLate), "static_late_stops")
		b.ReportMetric(res.StaticArrivalError, "static_eta_err_s")
	}
}
