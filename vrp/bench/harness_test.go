package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		instances []string
		table     string
		feasible  int
	}{
		{"solomon classic", Config{Set: SetSolomon, Instances: []string{"c101", "R101", "RC208"}}, []string{"C101", "R101", "RC208"}, "solomon/bks.csv", 3},
		{"solomon distance", Config{Set: SetSolomon, Instances: []string{"R201"}, Objective: ObjectiveDistance}, []string{"R201"}, "solomon/bks_distance.csv", 1},
		{"homberger distance", Config{Set: SetHomberger, Instances: []string{"c1_2_1", "rc2_2_10"}, Objective: ObjectiveDistance}, []string{"c1_2_1", "rc2_2_10"}, "homberger200/bks_distance_dimacs.csv", 2},
		{"homberger classic", Config{Set: SetHomberger, Instances: []string{"r1_2_3"}}, []string{"r1_2_3"}, "homberger200/bks.csv", 1},
		{"lilim", Config{Set: SetLiLim, Instances: []string{"lc101", "lr201"}}, []string{"lc101", "lr201"}, "lilim100/bks.csv", 2},
		{"cvrp all", Config{Set: SetCVRP}, nil, "cvrp/bks.csv", 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := sharedDir(t, sets[tt.cfg.Set].folder)
			cfg := tt.cfg
			cfg.Dir = dir
			cfg.Solve = greedySolve
			var seen []string
			results, err := Run(context.Background(), cfg, func(r Result) { seen = append(seen, r.Instance) })
			if err != nil {
				t.Fatal(err)
			}
			bks, err := ReadBKSFile(filepath.Join(dir, filepath.Base(tt.table)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			feasible := 0
			for _, r := range results {
				names = append(names, r.Instance)
				if r.Table != tt.table || r.Set != cfg.Set {
					t.Errorf("%s: set %q table %q", r.Instance, r.Set, r.Table)
				}
				b := bks[r.Instance]
				if !r.HasBKS || r.BKSCost != b.Cost || r.BKSVehicles != b.Vehicles {
					t.Errorf("%s: bks %v %d %g, table %+v", r.Instance, r.HasBKS, r.BKSVehicles, r.BKSCost, b)
				}
				if want := 100 * (r.Cost - b.Cost) / b.Cost; math.Abs(r.GapPct-want) > 1e-9 {
					t.Errorf("%s: gap %g, want %g", r.Instance, r.GapPct, want)
				}
				if r.Feasible {
					feasible++
					if r.Err != "" || r.Vehicles < 1 || r.Cost <= 0 {
						t.Errorf("%s: %+v", r.Instance, r)
					}
				} else if r.Err == "" {
					t.Errorf("%s: infeasible without a reason", r.Instance)
				}
			}
			if tt.instances != nil && !slices.Equal(names, tt.instances) {
				t.Errorf("instances %v, want %v", names, tt.instances)
			}
			if !slices.Equal(names, seen) {
				t.Errorf("progress saw %v, results %v", seen, names)
			}
			if feasible != tt.feasible {
				t.Errorf("%d feasible, want %d", feasible, tt.feasible)
			}
		})
	}
}

func TestRunOptionsAndFailures(t *testing.T) {
	dir := sharedDir(t, "solomon")
	var got []vrp.Options
	var deadlines []time.Duration
	record := func(ctx context.Context, p *vrp.Problem, o vrp.Options) (*vrp.Solution, error) {
		got = append(got, o)
		d, _ := ctx.Deadline()
		deadlines = append(deadlines, time.Until(d))
		return greedySolve(ctx, p, o)
	}
	cfg := Config{Set: SetSolomon, Dir: dir, Instances: []string{"C101"}, TimeLimit: 3 * time.Second, Threads: 2, Seed: 7, Solve: record}
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	cfg.Objective = ObjectiveDistance
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	cvrp := Config{Set: SetCVRP, Dir: sharedDir(t, "cvrp"), Instances: []string{"X-n101-k25"}, Solve: record}
	if _, err := Run(context.Background(), cvrp, nil); err != nil {
		t.Fatal(err)
	}
	want := []vrp.Options{
		{Seed: 7, Threads: 2, Objective: vrp.MinimizeVehiclesThenCost},
		{Seed: 7, Threads: 2, Objective: vrp.MinimizeCost},
		{Objective: vrp.MinimizeCost},
	}
	if len(got) != len(want) {
		t.Fatalf("%d solver calls", len(got))
	}
	for i := range want {
		if got[i].Seed != want[i].Seed || got[i].Threads != want[i].Threads || got[i].Objective != want[i].Objective {
			t.Errorf("call %d: options %+v, want %+v", i, got[i], want[i])
		}
	}
	if deadlines[0] > 3*time.Second || deadlines[0] < 2*time.Second || deadlines[2] > TimeLimitDefault {
		t.Errorf("deadlines %v", deadlines)
	}

	t.Run("solver error", func(t *testing.T) {
		cfg := Config{Set: SetSolomon, Dir: dir, Instances: []string{"C101"},
			Solve: func(context.Context, *vrp.Problem, vrp.Options) (*vrp.Solution, error) {
				return nil, errors.New("boom")
			}}
		rs, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Feasible || rs[0].Err != "solve: boom" {
			t.Errorf("result %+v", rs[0])
		}
	})
	t.Run("infeasible solution", func(t *testing.T) {
		cfg := Config{Set: SetSolomon, Dir: dir, Instances: []string{"C101"},
			Solve: func(ctx context.Context, p *vrp.Problem, o vrp.Options) (*vrp.Solution, error) {
				s, err := greedySolve(ctx, p, o)
				s.Routes = s.Routes[1:]
				return s, err
			}}
		rs, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Feasible || !strings.Contains(rs[0].Err, "not served") {
			t.Errorf("result %+v", rs[0])
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cfg := Config{Set: SetSolomon, Dir: dir, Instances: []string{"C101", "C102"},
			Solve: func(ctx context.Context, p *vrp.Problem, o vrp.Options) (*vrp.Solution, error) {
				cancel()
				return nil, ctx.Err()
			}}
		rs, err := Run(ctx, cfg, nil)
		if !errors.Is(err, context.Canceled) || len(rs) != 0 {
			t.Errorf("results %d, error %v", len(rs), err)
		}
	})
	configErrors := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown set", Config{Set: "tsp"}, `unknown set "tsp"`},
		{"unknown objective", Config{Set: SetSolomon, Objective: "time"}, `unknown objective "time"`},
		{"no distance table", Config{Set: SetLiLim, Objective: ObjectiveDistance}, "set lilim has no best-known-solution table for objective distance"},
		{"unknown instance", Config{Set: SetSolomon, Dir: dir, Instances: []string{"C999"}}, `instance "C999" not found`},
		{"missing dir", Config{Set: SetSolomon, Dir: filepath.Join(t.TempDir(), "none")}, "instances of solomon"},
	}
	for _, tt := range configErrors {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.cfg, nil)
			checkErr(t, err, tt.want)
		})
	}
}

func TestClass(t *testing.T) {
	tests := []struct{ set, name, want string }{
		{SetSolomon, "C101", "C1"}, {SetSolomon, "RC208", "RC2"}, {SetSolomon, "R112", "R1"},
		{SetHomberger, "rc2_2_10", "rc2"}, {SetHomberger, "c1_2_1", "c1"},
		{SetLiLim, "lrc104", "lrc1"}, {SetLiLim, "lc201", "lc2"},
		{SetCVRP, "X-n101-k25", "X"},
	}
	for _, tt := range tests {
		if got := Class(tt.set, tt.name); got != tt.want {
			t.Errorf("Class(%s, %s) = %s, want %s", tt.set, tt.name, got, tt.want)
		}
	}
}

func TestNaturalOrder(t *testing.T) {
	names := []string{"c1_2_10", "c1_2_2", "X-n1001-k43", "X-n101-k25", "c1_2_1", "R101", "C201", "C101"}
	slices.SortFunc(names, naturalCompare)
	want := []string{"C101", "C201", "R101", "X-n101-k25", "X-n1001-k43", "c1_2_1", "c1_2_2", "c1_2_10"}
	if !slices.Equal(names, want) {
		t.Errorf("%v, want %v", names, want)
	}
}

// sampleResults covers the report's cases: several classes, an infeasible
// result, a solver failure and an instance without BKS.
func sampleResults() []Result {
	base := Result{Set: SetSolomon, Objective: ObjectiveClassic, Table: "solomon/bks.csv", HasBKS: true, Feasible: true}
	mk := func(name string, v int, cost float64, bv int, bc, secs float64) Result {
		r := base
		r.Instance, r.Class, r.Vehicles, r.Cost, r.BKSVehicles, r.BKSCost, r.Seconds = name, Class(SetSolomon, name), v, cost, bv, bc, secs
		r.GapPct = 100 * (cost - bc) / bc
		return r
	}
	rs := []Result{
		mk("C101", 10, 828.94, 10, 828.94, 2.01),
		mk("C102", 10, 850.00, 10, 828.94, 2),
		mk("R101", 20, 1650, 19, 1650.80, 2),
		mk("R102", 18, 1500, 17, 1486.12, 2.5),
		mk("RC201", 4, 1300, 4, 1261.8, 1),
	}
	rs[3].Feasible, rs[3].Err = false, "evaluate: infeasible: 1 violation(s): route 3 (vehicle 4): node 17 reached at 201.5, after its due date 200"
	failed := base
	failed.Instance, failed.Class, failed.Seconds, failed.BKSVehicles, failed.BKSCost = "R103", "R1", 2, 13, 1292.68
	failed.Feasible, failed.Err = false, "solve: no solution"
	nobks := mk("RC202", 3, 1400, 0, 0, 1)
	nobks.HasBKS, nobks.GapPct = false, 0
	return append(rs, failed, nobks)
}

func TestReport(t *testing.T) {
	for _, csv := range []bool{false, true} {
		name := "report.txt"
		if csv {
			name = "report.csv"
		}
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Report(&b, sampleResults(), csv); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Errorf("report differs from %s (run with -update):\n%s", golden, b.String())
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		if err := Report(&bytes.Buffer{}, nil, false); err == nil {
			t.Error("no error for no results")
		}
	})
}

func TestSummarize(t *testing.T) {
	sums := Summarize(sampleResults())
	var classes []string
	for _, s := range sums {
		classes = append(classes, s.Class)
	}
	if want := []string{"C1", "R1", "RC2", "all"}; !slices.Equal(classes, want) {
		t.Fatalf("classes %v, want %v", classes, want)
	}
	c1, r1, all := sums[0], sums[1], sums[3]
	wantGap := (0 + 100*(850-828.94)/828.94) / 2
	if c1.Instances != 2 || c1.Feasible != 2 || c1.Vehicles != 20 || c1.BKSVehicles != 20 || math.Abs(c1.MeanGapPct-wantGap) > 1e-12 {
		t.Errorf("C1 %+v", c1)
	}
	if r1.Instances != 3 || r1.Feasible != 1 || r1.Vehicles != 20 || r1.BKSVehicles != 19 || r1.Compared != 1 {
		t.Errorf("R1 %+v", r1)
	}
	if all.Instances != 7 || all.Feasible != 5 || all.Compared != 4 || all.Vehicles != 10+10+20+4 || all.BKSVehicles != 10+10+19+4 {
		t.Errorf("all %+v", all)
	}
}

func TestRunTimePer100(t *testing.T) {
	dir := sharedDir(t, "cvrp")
	var got time.Duration
	record := func(ctx context.Context, p *vrp.Problem, opts vrp.Options) (*vrp.Solution, error) {
		d, _ := ctx.Deadline()
		got = time.Until(d)
		return greedySolve(ctx, p, opts)
	}
	cfg := Config{Set: SetCVRP, Dir: dir, Instances: []string{"X-n101-k25"}, TimeLimit: time.Hour, TimePer100: 2 * time.Second, Solve: record}
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	// 100 customers: 2 s, not the hour of TimeLimit
	if got > 2*time.Second || got < 1500*time.Millisecond {
		t.Errorf("deadline %v after start, want about 2s", got)
	}
}
