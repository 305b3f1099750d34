package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/vroomjson"
)

// benchData returns ../shared/benchmarks/<set> beside the repository,
// failing under CI=true and skipping otherwise when it is missing.
func benchData(t *testing.T, set string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "benchmarks", set)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("benchmark data missing: %v", err)
		}
		t.Skipf("benchmark data missing: %v", err)
	}
	return path
}

// routePerTask is a fake solver with one route per job, on vehicles taken in
// order: feasible for CVRP, too many routes for a Solomon fleet.
func routePerTask(_ context.Context, p *vrp.Problem, _ vrp.Options) (*vrp.Solution, error) {
	sol := &vrp.Solution{}
	for i, j := range p.Jobs {
		v := p.Vehicles[i%len(p.Vehicles)]
		sol.Routes = append(sol.Routes, vrp.Route{Vehicle: v.ID, Steps: []vrp.Step{
			{Type: vrp.StepStart}, {Type: vrp.StepJob, ID: j.ID}, {Type: vrp.StepEnd}}})
	}
	return sol, nil
}

func withSolver(t *testing.T, solve func(context.Context, *vrp.Problem, vrp.Options) (*vrp.Solution, error)) {
	t.Helper()
	old := benchSolve
	benchSolve = solve
	t.Cleanup(func() { benchSolve = old })
}

func runBenchCmd(args ...string) (code int, stdout, stderr string) {
	var out, errw bytes.Buffer
	code = run(context.Background(), append([]string{"bench"}, args...), strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

func TestBenchSet(t *testing.T) {
	withSolver(t, routePerTask)
	t.Run("cvrp feasible", func(t *testing.T) {
		dir := benchData(t, "cvrp")
		code, out, errs := runBenchCmd("--set", "cvrp", "--dir", dir, "--instances", "X-n101-k25,X-n153-k22", "--time-limit", "1s")
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errs)
		}
		for _, want := range []string{"# set cvrp, objective classic, best known solutions: cvrp/bks.csv", "X-n101-k25", "X-n153-k22", "27591.00", "2/2"} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(errs, "X-n101-k25") || !strings.Contains(errs, "feasible") {
			t.Errorf("no progress on stderr:\n%s", errs)
		}
	})
	t.Run("csv", func(t *testing.T) {
		dir := benchData(t, "cvrp")
		code, out, errs := runBenchCmd("--set", "cvrp", "--dir", dir, "--instances", "X-n101-k25", "--csv")
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || lines[0] != "instance,vehicles,cost,bks_vehicles,bks_cost,gap_pct,seconds,feasible,error" ||
			!strings.HasPrefix(lines[1], "X-n101-k25,100,") || !strings.HasPrefix(lines[2], "class:X,") {
			t.Errorf("csv:\n%s", out)
		}
	})
	t.Run("infeasible is loud", func(t *testing.T) {
		dir := benchData(t, "solomon")
		code, out, errs := runBenchCmd("--set", "solomon", "--dir", dir, "--instances", "C101", "--objective", "distance")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{"best known solutions: solomon/bks_distance.csv", "NO", "INFEASIBLE OR FAILED: 1 of 1", "100 routes, fleet has 25 vehicles"} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(errs, "INFEASIBLE") || !strings.Contains(errs, "1 of 1 instances infeasible or failed") {
			t.Errorf("stderr:\n%s", errs)
		}
	})
}

func TestBenchGenerate(t *testing.T) {
	t.Run("stdout", func(t *testing.T) {
		code, out, errs := runBenchCmd("--generate", "30", "--seed", "5")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		p, err := vroomjson.Decode(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Jobs) != 30 || len(p.Vehicles) < 2 {
			t.Errorf("%d jobs, %d vehicles", len(p.Jobs), len(p.Vehicles))
		}
		_, again, _ := runBenchCmd("--generate", "30", "--seed", "5")
		if again != out {
			t.Error("same seed, different output")
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "day.json")
		if code, _, errs := runBenchCmd("--generate", "12", "-o", path); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := vroomjson.Decode(bytes.NewReader(b)); err != nil || len(p.Jobs) != 12 {
			t.Errorf("decode: %v", err)
		}
	})
}

func TestBenchStation(t *testing.T) {
	code, out, errs := runBenchCmd("--set", "station", "--generate", "15", "--seed", "2", "--time-limit", "300ms", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "unassigned") || !strings.HasSuffix(lines[1], "true") {
		t.Errorf("stdout:\n%s", out)
	}
	f := strings.Fields(lines[1])
	if f[0] != "15" || f[1] != "2" || f[5] != "0" {
		t.Errorf("stops, seed, unassigned = %s %s %s", f[0], f[1], f[5])
	}
}

func TestBenchUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"nothing", nil, 2, "--set or --generate is required"},
		{"unknown set", []string{"--set", "tsp"}, 2, `unknown set "tsp"`},
		{"unknown objective", []string{"--set", "solomon", "--objective", "time"}, 2, `unknown objective "time"`},
		{"lilim distance", []string{"--set", "lilim", "--objective", "distance"}, 2, "no best-known-solution table"},
		{"generate with a set", []string{"--set", "solomon", "--generate", "5"}, 2, "does not go with --set solomon"},
		{"station without generate", []string{"--set", "station"}, 2, "--set station needs --generate N"},
		{"bad time limit", []string{"--set", "solomon", "--time-limit", "0s"}, 2, "want a positive duration"},
		{"argument", []string{"--set", "solomon", "C101"}, 2, `unexpected argument "C101"`},
		{"missing dir", []string{"--set", "solomon", "--dir", "/nonexistent/bench"}, 1, "instances of solomon"},
		{"help", []string{"-h"}, 0, "usage: lastmile bench"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runBenchCmd(tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain %q", code, tt.code, errs, tt.want)
			}
		})
	}
}
