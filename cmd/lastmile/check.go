package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/check"
	"github.com/lastmile-dev/lastmile/vrp/vroomjson"
)

// errCheckInfeasible reports a solution with findings; the findings are printed
// on standard output, so the error itself stays short.
var errCheckInfeasible = errors.New("solution is infeasible")

// runCheck implements `lastmile check [--json] PROBLEM.json SOLUTION.json`.
func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the whole report as JSON")
	speed := fs.Float64("speed", travel.DefaultSpeedKMH, "average speed in `KMH` for great-circle travel when the problem has no matrix (as given to solve)")
	detour := fs.Float64("detour", travel.DefaultDetourFactor, "road over straight-line distance `FACTOR` for great-circle travel (as given to solve)")
	var rf roadFlags
	rf.register(fs) // --osm, --graph, --osrm: travel as solve did
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lastmile check [--json] [--speed KMH --detour F | --osm FILE | --graph FILE | --osrm URL] PROBLEM.json SOLUTION.json\n\n"+
			"Checks a solution against its problem, both in VROOM's JSON formats, and\n"+
			"prints \"feasible, cost N\" or the findings, one per line. Use - to read\n"+
			"one of the files from standard input.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usagef("want PROBLEM.json and SOLUTION.json, got %d arguments", fs.NArg())
	}
	problemPath, solutionPath := fs.Arg(0), fs.Arg(1)
	if problemPath == "-" && solutionPath == "-" {
		return usagef("only one of PROBLEM.json and SOLUTION.json can be read from standard input")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("check: %w", err)
	}

	var p *vrp.Problem
	if err := readCheckFile(problemPath, stdin, func(r io.Reader) (err error) {
		p, err = vroomjson.Decode(r)
		return err
	}); err != nil {
		return fmt.Errorf("check: read problem: %w", err)
	}
	// Problems given by coordinates are travelled as solve travels them.
	src, err := rf.source(ctx, stderr, travel.GreatCircle{SpeedKMH: *speed, DetourFactor: *detour})
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if err := vrp.ResolveTravel(ctx, p, src); err != nil {
		return fmt.Errorf("check: travel: %w", err)
	}
	var s *vrp.Solution
	if err := readCheckFile(solutionPath, stdin, func(r io.Reader) (err error) {
		s, err = vroomjson.DecodeSolution(r)
		return err
	}); err != nil {
		return fmt.Errorf("check: read solution: %w", err)
	}

	rep := check.Check(p, s)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("check: write report: %w", err)
		}
	} else if rep.Feasible {
		fmt.Fprintf(stdout, "feasible, cost %d\n", rep.Cost)
	} else {
		for _, f := range rep.Errors {
			fmt.Fprintln(stdout, f)
		}
	}
	if !rep.Feasible {
		return fmt.Errorf("check: %w: %d findings, recomputed cost %d", errCheckInfeasible, len(rep.Errors), rep.Cost)
	}
	return nil
}

// readCheckFile opens path ("-" for stdin) and hands it to decode. Failing to
// open a file is an input error, like a file that does not decode.
func readCheckFile(path string, stdin io.Reader, decode func(io.Reader) error) error {
	if path == "-" {
		return decode(stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return &vrp.InputError{Msg: err.Error()}
	}
	defer f.Close()
	if err := decode(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
