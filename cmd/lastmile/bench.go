package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/bench"
	"github.com/lastmile-dev/lastmile/vrp/check"
	"github.com/lastmile-dev/lastmile/vrp/vroomjson"
)

// benchSolve is the solver used by `lastmile bench`; tests replace it.
var benchSolve = vrp.Solve

// setStation is the --set value that solves a generated station day.
const setStation = "station"

type benchFlags struct {
	set, dir, instances, objective, output string
	timeLimit                              time.Duration
	timePer100                             time.Duration
	maxIterations                          int64
	threads, generate                      int
	seed                                   int64
	csv                                    bool
}

// runBench implements `lastmile bench`: it runs the optimizer over a
// benchmark set and reports gaps to the best known solutions, or generates
// (and optionally solves) a station day.
func runBench(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var f benchFlags
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.set, "set", "", "benchmark `SET`: "+strings.Join(bench.Sets(), ", ")+", or station (solve a generated day)")
	fs.StringVar(&f.dir, "dir", "", "instance `DIR` (default ../shared/benchmarks/<folder of the set>)")
	fs.StringVar(&f.instances, "instances", "", "comma-separated instance `NAMES` (default: all of DIR)")
	fs.DurationVar(&f.timeLimit, "time-limit", bench.TimeLimitDefault, "solver time limit per instance, e.g. 2s")
	fs.Int64Var(&f.maxIterations, "max-iterations", 0, "also stop each search after `N` iterations (reproducible when the time limit is not reached first)")
	fs.DurationVar(&f.timePer100, "time-per-100", 0, "instead of --time-limit, give each instance this `DURATION` per 100 tasks (e.g. 10s: n/100 × 10 s)")
	fs.IntVar(&f.threads, "threads", 2, "search `THREADS`")
	fs.StringVar(&f.objective, "objective", bench.ObjectiveClassic, "classic (fewest vehicles, then distance) or distance")
	fs.Int64Var(&f.seed, "seed", 1, "random `SEED` of the solver and of --generate")
	fs.BoolVar(&f.csv, "csv", false, "print the results as CSV")
	fs.IntVar(&f.generate, "generate", 0, "generate a station day with `N` stops: written as VROOM JSON, or solved with --set station")
	fs.StringVar(&f.output, "o", "", "with --generate: write the problem to `FILE` (default: standard output)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lastmile bench --set solomon|homberger|cvrp|lilim [--dir DIR] [--instances A,B] [flags]\n"+
			"       lastmile bench --generate N [--seed S] [-o FILE]\n"+
			"       lastmile bench --set station --generate N [--seed S] [--time-limit 10s]\n\n"+
			"Solves benchmark instances one after the other, re-evaluates every solution\n"+
			"exactly, prints each result on standard error as it finishes and the table\n"+
			"on standard output. Exits with status 1 when a solution is infeasible.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if f.generate < 0 {
		return usagef("--generate %d: want a positive number of stops", f.generate)
	}
	if f.timeLimit <= 0 {
		return usagef("--time-limit %v: want a positive duration", f.timeLimit)
	}
	switch {
	case f.set == setStation:
		if f.generate == 0 {
			return usagef("--set station needs --generate N")
		}
		return benchStation(ctx, f, stdout, stderr)
	case f.generate > 0 && f.set != "":
		return usagef("--generate writes a problem or, with --set station, solves it; it does not go with --set %s", f.set)
	case f.generate > 0:
		return writeStationDay(f, stdout)
	case f.set == "":
		fs.Usage()
		return usagef("--set or --generate is required")
	}
	return benchSet(ctx, f, stdout, stderr)
}

func benchSet(ctx context.Context, f benchFlags, stdout, stderr io.Writer) error {
	if _, err := bench.Table(f.set, f.objective); err != nil {
		return usagef("%v", err)
	}
	cfg := bench.Config{
		Set:           f.set,
		Dir:           f.dir,
		TimeLimit:     f.timeLimit,
		TimePer100:    f.timePer100,
		MaxIterations: f.maxIterations,
		Threads:       f.threads,
		Objective:     f.objective,
		Seed:          f.seed,
		Solve:         benchSolve,
	}
	if cfg.Dir == "" {
		cfg.Dir = bench.DefaultDir(f.set)
	}
	for _, name := range strings.Split(f.instances, ",") {
		if name = strings.TrimSpace(name); name != "" {
			cfg.Instances = append(cfg.Instances, name)
		}
	}
	table, _ := bench.Table(f.set, f.objective)
	fmt.Fprintf(stderr, "bench %s from %s, objective %s, best known: %s, time limit %v, %d threads, seed %d\n",
		f.set, cfg.Dir, f.objective, filepath.Join(cfg.Dir, table), f.timeLimit, f.threads, f.seed)
	results, err := bench.Run(ctx, cfg, func(r bench.Result) { progressLine(stderr, r) })
	if len(results) > 0 {
		if rerr := bench.Report(stdout, results, f.csv); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return err
	}
	bad := 0
	for _, r := range results {
		if !r.Feasible {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("bench: %d of %d instances infeasible or failed", bad, len(results))
	}
	return nil
}

// progressLine prints one finished instance.
func progressLine(w io.Writer, r bench.Result) {
	status := "feasible"
	if !r.Feasible {
		status = "INFEASIBLE: " + r.Err
	}
	gap := r.GapPct
	if math.Abs(gap) < 0.005 {
		gap = 0 // no "-0.00%"
	}
	bks := "no bks"
	switch {
	case r.HasBKS && r.BKSVehicles > 0:
		bks = fmt.Sprintf("bks %d / %.2f, gap %+.2f%%", r.BKSVehicles, r.BKSCost, gap)
	case r.HasBKS:
		bks = fmt.Sprintf("bks %.2f, gap %+.2f%%", r.BKSCost, gap)
	}
	fmt.Fprintf(w, "%-12s vehicles %3d  cost %10.2f  %s  %.2fs  %s\n", r.Instance, r.Vehicles, r.Cost, bks, r.Seconds, status)
}

func writeStationDay(f benchFlags, stdout io.Writer) (err error) {
	p := bench.GenerateStationDay(f.generate, f.seed)
	w := stdout
	if f.output != "" && f.output != "-" {
		file, err := os.Create(f.output)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer func() {
			if cerr := file.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("bench: %w", cerr)
			}
		}()
		w = file
	}
	if err := vroomjson.EncodeProblem(w, p); err != nil {
		return fmt.Errorf("bench: write station day: %w", err)
	}
	return nil
}

// benchStation generates a station day, solves it and reports the
// solution, checked by the independent checker.
func benchStation(ctx context.Context, f benchFlags, stdout, stderr io.Writer) error {
	p := bench.GenerateStationDay(f.generate, f.seed)
	fmt.Fprintf(stderr, "bench station: %d stops, %d vehicles, seed %d, time limit %v, %d threads\n",
		len(p.Jobs), len(p.Vehicles), f.seed, f.timeLimit, f.threads)
	sctx, cancel := context.WithTimeout(ctx, f.timeLimit)
	start := time.Now()
	var first float64
	progress := func(e vrp.ProgressEvent) {
		if e.Iteration == 0 && first == 0 {
			first = time.Since(start).Seconds()
		}
	}
	sol, err := benchSolve(sctx, p, vrp.Options{Seed: f.seed, Threads: f.threads, Progress: progress})
	seconds := time.Since(start).Seconds()
	cancel()
	if err != nil {
		return fmt.Errorf("bench: solve station day: %w", err)
	}
	rep := check.Check(p, sol)
	row := []string{
		strconv.Itoa(f.generate),
		strconv.FormatInt(f.seed, 10),
		strconv.FormatInt(rep.Cost, 10),
		strconv.Itoa(len(sol.Routes)),
		strconv.Itoa(len(p.Vehicles)),
		strconv.Itoa(len(sol.Unassigned)),
		strconv.FormatFloat(float64(sol.Summary.Distance)/1000, 'f', 1, 64),
		strconv.FormatFloat(first, 'f', 2, 64),
		strconv.FormatFloat(seconds, 'f', 2, 64),
		strconv.FormatBool(rep.Feasible),
	}
	header := []string{"stops", "seed", "cost", "routes", "vehicles", "unassigned", "distance_km", "first_s", "seconds", "feasible"}
	if f.csv {
		cw := csv.NewWriter(stdout)
		cw.Write(header)
		cw.Write(row)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	if !rep.Feasible {
		for i, e := range rep.Errors {
			if i == 10 {
				fmt.Fprintf(stderr, "  ... %d more\n", len(rep.Errors)-i)
				break
			}
			fmt.Fprintf(stderr, "  %s\n", e)
		}
		return fmt.Errorf("bench: station day solution is infeasible (%d findings)", len(rep.Errors))
	}
	return nil
}
