package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/vroomjson"
)

// explorationLimits maps VROOM's exploration level (-x) to the time limit
// used when -l is not given.
var explorationLimits = [...]time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second,
	5 * time.Second, 7 * time.Second, 10 * time.Second}

const defaultSolveLimit = 5 * time.Second

// VROOM's status codes, written in the "code" field of the output.
const (
	codeInternal = 1
	codeInput    = 2
	codeRouting  = 3
)

type solveFlags struct {
	roads         roadFlags
	input, output string
	threads       int
	limit         float64
	exploration   int
	geometry      bool
	plan          bool
	seed          int64
	objective     string
	speed, detour float64
	maxIterations int64
	start         string
}

// runSolve implements `lastmile solve`: it reads a problem in VROOM's JSON,
// fills missing travel matrices with great-circle estimates, solves it and
// writes the solution in VROOM's JSON.
func runSolve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var f solveFlags
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.input, "i", "", "read the problem from `FILE` (default: standard input)")
	fs.StringVar(&f.input, "input", "", "same as -i")
	fs.StringVar(&f.output, "o", "", "write the solution to `FILE` (default: standard output)")
	fs.StringVar(&f.output, "output", "", "same as -o")
	fs.IntVar(&f.threads, "t", runtime.NumCPU(), "number of search `THREADS`")
	fs.IntVar(&f.threads, "threads", runtime.NumCPU(), "same as -t")
	fs.Float64Var(&f.limit, "l", defaultSolveLimit.Seconds(), "time limit in `SECONDS`")
	fs.Float64Var(&f.limit, "limit", defaultSolveLimit.Seconds(), "same as -l")
	fs.IntVar(&f.exploration, "x", -1, "exploration `LEVEL` 0..5, a time limit of 1, 2, 3, 5, 7 or 10 s when -l is absent")
	fs.BoolVar(&f.plan, "c", false, "plan mode: evaluate the vehicles' steps as given and report violations (VROOM's -c)")
	fs.BoolVar(&f.plan, "plan", false, "same as -c")
	fs.BoolVar(&f.geometry, "g", false, "accepted for compatibility with VROOM; route geometry is not written")
	fs.Int64Var(&f.seed, "seed", 1, "random `SEED` of the search")
	fs.StringVar(&f.objective, "objective", "cost", "`OBJECTIVE`: cost (VROOM's) or vehicles (fewest vehicles, then cost)")
	fs.Float64Var(&f.speed, "speed", travel.DefaultSpeedKMH, "average speed in `KMH` for great-circle travel estimates")
	fs.Float64Var(&f.detour, "detour", travel.DefaultDetourFactor, "road distance over straight-line distance `FACTOR` for great-circle estimates")
	fs.StringVar(&f.start, "start", "", "re-plan from a previous solution `FILE` (VROOM's solution JSON): its routes are rebuilt first wherever they still fit")
	fs.Int64Var(&f.maxIterations, "max-iterations", 0, "stop after `N` search iterations (0: no bound); without -l or -x, no time limit then applies")
	f.roads.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lastmile solve [-i FILE] [-o FILE] [-t THREADS] [-l SECONDS] [-x LEVEL] [flags]\n\n"+
			"Solves a routing problem given in VROOM's JSON and writes the solution in\n"+
			"VROOM's JSON. Travel matrices missing from the input are estimated from\n"+
			"the coordinates along great circles (see --speed and --detour).\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (use -i FILE to name the input)", fs.Arg(0))
	}
	given := make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	limit, opts, err := f.options(given)
	if err != nil {
		return err
	}

	t0 := time.Now()
	p, err := readProblem(f.input, stdin)
	if err != nil {
		return solveFailed(f.output, stdout, codeInternal, fmt.Errorf("read problem: %w", err))
	}
	if f.start != "" {
		fh, err := os.Open(f.start)
		if err != nil {
			return solveFailed(f.output, stdout, codeInput, &vrp.InputError{Field: "--start", Msg: err.Error()})
		}
		prev, err := vroomjson.DecodeSolution(fh)
		fh.Close()
		if err != nil {
			return solveFailed(f.output, stdout, codeInput, fmt.Errorf("--start: %w", err))
		}
		opts.Start = prev
	}
	userIndices := hasIndices(p)
	src, err := f.roads.source(ctx, stderr, travel.GreatCircle{SpeedKMH: f.speed, DetourFactor: f.detour})
	if err != nil {
		return solveFailed(f.output, stdout, codeInput, err)
	}
	if err := vrp.ResolveTravel(ctx, p, src); err != nil {
		return solveFailed(f.output, stdout, codeRouting, err)
	}
	loading := time.Since(t0)

	sctx := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	t1 := time.Now()
	var sol *vrp.Solution
	if f.plan {
		sol, err = vrp.Plan(sctx, p)
	} else {
		sol, err = vrp.Solve(sctx, p, opts)
	}
	if err != nil {
		return solveFailed(f.output, stdout, codeInternal, fmt.Errorf("optimize: %w", err))
	}
	sol.LoadingMS = loading.Milliseconds()
	sol.SolvingMS = time.Since(t1).Milliseconds()
	if !userIndices {
		hideIndices(sol)
	}
	return writeOutput(f.output, stdout, func(w io.Writer) error { return vroomjson.EncodeFor(w, p, sol) })
}

// options checks the flags and turns them into a time limit (0: none) and
// solver options.
func (f *solveFlags) options(given map[string]bool) (time.Duration, vrp.Options, error) {
	var opts vrp.Options
	if f.threads < 1 {
		return 0, opts, usagef("-t: %d threads, want at least 1", f.threads)
	}
	if given["x"] && (f.exploration < 0 || f.exploration >= len(explorationLimits)) {
		return 0, opts, usagef("-x: exploration level %d, want 0 to %d", f.exploration, len(explorationLimits)-1)
	}
	if f.maxIterations < 0 {
		return 0, opts, usagef("--max-iterations: %d, want 0 or more", f.maxIterations)
	}
	if !(f.speed > 0) || math.IsInf(f.speed, 0) {
		return 0, opts, usagef("--speed: %g km/h, want a positive number", f.speed)
	}
	if !(f.detour > 0) || math.IsInf(f.detour, 0) {
		return 0, opts, usagef("--detour: %g, want a positive number", f.detour)
	}
	switch f.objective {
	case "cost":
		opts.Objective = vrp.MinimizeCost
	case "vehicles":
		opts.Objective = vrp.MinimizeVehiclesThenCost
	default:
		return 0, opts, usagef("--objective: %q, want cost or vehicles", f.objective)
	}
	var limit time.Duration
	switch {
	case given["l"] || given["limit"]:
		if !(f.limit > 0) || f.limit > 1e6 {
			return 0, opts, usagef("-l: %g seconds, want a positive number up to 1000000", f.limit)
		}
		limit = time.Duration(f.limit * float64(time.Second))
	case given["x"]:
		limit = explorationLimits[f.exploration]
	case f.maxIterations > 0:
		limit = 0
	default:
		limit = defaultSolveLimit
	}
	opts.Seed = f.seed
	opts.Threads = f.threads
	opts.MaxIterations = f.maxIterations
	return limit, opts, nil
}

// readProblem decodes the problem from path, or from stdin when path is
// empty or "-". A file that cannot be opened is an input error.
func readProblem(path string, stdin io.Reader) (*vrp.Problem, error) {
	if path == "" || path == "-" {
		return vroomjson.Decode(stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &vrp.InputError{Msg: err.Error()}
	}
	defer f.Close()
	p, err := vroomjson.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// writeOutput runs write on path, or on stdout when path is empty or "-".
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		if err := write(stdout); err != nil {
			return fmt.Errorf("output: %w", err)
		}
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("output: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// solveFailed writes err as VROOM does, {"code": N, "error": "..."}, on
// the output, and returns it. Input errors have code 2 whatever code says.
func solveFailed(output string, stdout io.Writer, code int, err error) error {
	msg := err.Error()
	var ie *vrp.InputError
	if errors.As(err, &ie) {
		code, msg = codeInput, ie.Error()
	}
	sol := &vrp.Solution{Code: code, Error: msg}
	if werr := writeOutput(output, stdout, func(w io.Writer) error { return vroomjson.Encode(w, sol) }); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// hasIndices reports whether any location of p has a matrix index.
func hasIndices(p *vrp.Problem) bool {
	for i := range p.Jobs {
		if p.Jobs[i].Location.HasIndex {
			return true
		}
	}
	for i := range p.Shipments {
		if p.Shipments[i].Pickup.Location.HasIndex || p.Shipments[i].Delivery.Location.HasIndex {
			return true
		}
	}
	for i := range p.Vehicles {
		v := &p.Vehicles[i]
		if (v.Start != nil && v.Start.HasIndex) || (v.End != nil && v.End.HasIndex) {
			return true
		}
	}
	return false
}

// hideIndices drops the matrix indices that ResolveTravel gave to
// locations known by their coordinates, so that the output shows
// "location_index" only when the input did, as VROOM's does.
func hideIndices(s *vrp.Solution) {
	hide := func(l **vrp.Location) {
		if *l != nil && (*l).HasCoord && (*l).HasIndex {
			c := **l
			c.HasIndex, c.Index = false, 0
			*l = &c
		}
	}
	for i := range s.Unassigned {
		hide(&s.Unassigned[i].Location)
	}
	for i := range s.Routes {
		for k := range s.Routes[i].Steps {
			hide(&s.Routes[i].Steps[k].Location)
		}
	}
}
