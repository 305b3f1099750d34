// Command lastmile is the lastmile delivery platform in one binary.
//
// Usage:
//
//	lastmile solve [-i FILE] [-o FILE] [-t THREADS] [-l SECONDS] [--seed N]
//	lastmile check PROBLEM.json SOLUTION.json
//	lastmile bench --set solomon|homberger|cvrp|lilim [flags]
//	lastmile roads import|route|matrix|serve [flags]
//	lastmile serve [--demo] [--addr HOST:PORT] [--db PATH|postgres://…] [flags]
//	lastmile simulate [--osm FILE] [--stops N] [--vehicles N] [--compare WHAT] [flags]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/lastmile-dev/lastmile/vrp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of lastmile.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"solve", "solve a routing problem given in VROOM's JSON", runSolve},
		{"check", "check a solution against its problem (feasibility and cost)", runCheck},
		{"bench", "run the optimizer on benchmark instances or generated station days", runBench},
		{"roads", "import OpenStreetMap roads and answer routes and matrices", runRoads},
		{"serve", "run the delivery operations server", runServe},
		{"simulate", "simulate a delivery day end to end through the API and score it", runSimulate},
	}
}

// usageError is a mistake in the command line; it exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run executes one command and returns the process exit code: 0 on success,
// 2 for bad usage or bad input, 1 for anything else.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdin, stdout, stderr)
		if err == nil {
			return 0
		}
		fmt.Fprintf(stderr, "lastmile %s: %v\n", c.name, err)
		var ue *usageError
		var ie *vrp.InputError
		if errors.As(err, &ue) || errors.As(err, &ie) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "lastmile: unknown command %q\n", args[0])
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: lastmile COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'lastmile COMMAND -h' for a command's flags.")
}
