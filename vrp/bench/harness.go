package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Benchmark sets.
const (
	SetSolomon   = "solomon"
	SetHomberger = "homberger"
	SetLiLim     = "lilim"
	SetCVRP      = "cvrp"
)

// Objectives of a run.
const (
	// ObjectiveClassic is the hierarchical objective: fewest vehicles, then
	// distance (vrp.MinimizeVehiclesThenCost). CVRP always minimises cost.
	ObjectiveClassic = "classic"
	// ObjectiveDistance minimises distance alone, the fleet being free
	// (vrp.MinimizeCost).
	ObjectiveDistance = "distance"
)

// setInfo describes a benchmark set: its folder under shared/benchmarks, the
// extension of its instance files and its BKS tables.
type setInfo struct {
	folder, ext string
	tables      map[string]string // objective -> file
	read        func(path string) (Instance, error)
}

var sets = map[string]setInfo{
	SetSolomon: {"solomon", ".txt", map[string]string{ObjectiveClassic: "bks.csv", ObjectiveDistance: "bks_distance.csv"},
		func(p string) (Instance, error) { return ReadSolomonFile(p) }},
	SetHomberger: {"homberger200", ".txt", map[string]string{ObjectiveClassic: "bks.csv", ObjectiveDistance: "bks_distance_dimacs.csv"},
		func(p string) (Instance, error) { return ReadSolomonFile(p) }},
	SetLiLim: {"lilim100", ".txt", map[string]string{ObjectiveClassic: "bks.csv"},
		func(p string) (Instance, error) { return ReadLiLimFile(p) }},
	SetCVRP: {"cvrp", ".vrp", map[string]string{ObjectiveClassic: "bks.csv", ObjectiveDistance: "bks.csv"},
		func(p string) (Instance, error) { return ReadCVRPFile(p) }},
}

// Sets lists the benchmark set names accepted by Config.Set.
func Sets() []string {
	return []string{SetSolomon, SetHomberger, SetLiLim, SetCVRP}
}

// DefaultDir is the instance folder of set relative to the repository root
// (../shared/benchmarks/<folder>), or "" for an unknown set.
func DefaultDir(set string) string {
	s, ok := sets[set]
	if !ok {
		return ""
	}
	return filepath.Join("..", "shared", "benchmarks", s.folder)
}

// Config is one benchmark run.
type Config struct {
	Set       string   // solomon, homberger, lilim or cvrp
	Dir       string   // instance folder; DefaultDir(Set) when empty
	Instances []string // instance names (case-insensitive); all of Dir when empty
	TimeLimit time.Duration
	// TimePer100, when set, gives each instance TimePer100 × tasks/100
	// instead of TimeLimit (the CVRP convention n/100 × 10 s, say).
	TimePer100 time.Duration
	// MaxIterations, when set, bounds the search by iterations (and makes
	// the result reproducible when the time limit is not reached first).
	MaxIterations int64
	Threads       int
	Objective     string // classic (default) or distance
	Seed          int64
	// Solve is the solver; vrp.Solve when nil.
	Solve func(ctx context.Context, p *vrp.Problem, opts vrp.Options) (*vrp.Solution, error)
}

// Result is the outcome of one instance.
type Result struct {
	Set, Objective string
	Table          string // BKS table the gap refers to, e.g. "solomon/bks.csv"
	Instance       string
	Class          string
	Vehicles       int     // non-empty routes
	Cost           float64 // exact distance (CVRP: sum of rounded edges)
	HasBKS         bool
	BKSVehicles    int // 0 when the table has no vehicle count
	BKSCost        float64
	GapPct         float64 // 100·(Cost−BKSCost)/BKSCost
	Seconds        float64 // wall time of the solver call
	Feasible       bool
	Err            string // why the result is infeasible or missing
}

// TimeLimitDefault is used when Config.TimeLimit is zero.
const TimeLimitDefault = 2 * time.Second

// Table returns the BKS file used for a set and objective, relative to the
// set's folder.
func Table(set, objective string) (string, error) {
	s, ok := sets[set]
	if !ok {
		return "", fmt.Errorf("bench: unknown set %q (want one of %s)", set, strings.Join(Sets(), ", "))
	}
	if objective == "" {
		objective = ObjectiveClassic
	}
	if objective != ObjectiveClassic && objective != ObjectiveDistance {
		return "", fmt.Errorf("bench: unknown objective %q (want classic or distance)", objective)
	}
	t, ok := s.tables[objective]
	if !ok {
		return "", fmt.Errorf("bench: set %s has no best-known-solution table for objective %s", set, objective)
	}
	return t, nil
}

// Run solves the instances of cfg one after the other, each with its own
// TimeLimit, re-evaluates every solution exactly and compares it with the
// best known solution. progress, when not nil, is called after each
// instance. A solver error or an infeasible solution is recorded in its
// Result (Feasible false), not returned; Run returns an error for a bad
// configuration, unreadable data, or when ctx is done (with the results so
// far).
func Run(ctx context.Context, cfg Config, progress func(Result)) ([]Result, error) {
	jobs, bks, table, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	solve := cfg.Solve
	if solve == nil {
		solve = vrp.Solve
	}
	limit := cfg.TimeLimit
	if limit <= 0 {
		limit = TimeLimitDefault
	}
	objective := cmp.Or(cfg.Objective, ObjectiveClassic)
	opts := vrp.Options{Seed: cfg.Seed, Threads: cfg.Threads, Objective: vrp.MinimizeCost, MaxIterations: cfg.MaxIterations}
	if objective == ObjectiveClassic && cfg.Set != SetCVRP {
		opts.Objective = vrp.MinimizeVehiclesThenCost
	}
	var results []Result
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return results, fmt.Errorf("bench: %w", err)
		}
		inst, err := sets[cfg.Set].read(j.path)
		if err != nil {
			return results, fmt.Errorf("bench: %w", err)
		}
		res := Result{Set: cfg.Set, Objective: objective, Table: table, Instance: j.name, Class: Class(cfg.Set, j.name)}
		if b, ok := bks[j.name]; ok {
			res.HasBKS, res.BKSVehicles, res.BKSCost = true, b.Vehicles, b.Cost
		}
		p := inst.Problem()
		instLimit := limit
		if cfg.TimePer100 > 0 {
			tasks := len(p.Jobs) + 2*len(p.Shipments)
			instLimit = time.Duration(float64(cfg.TimePer100) * float64(tasks) / 100)
		}
		sctx, cancel := context.WithTimeout(ctx, instLimit)
		start := time.Now()
		sol, err := solve(sctx, p, opts)
		res.Seconds = time.Since(start).Seconds()
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return results, fmt.Errorf("bench: %s: %w", j.name, ctx.Err())
			}
			res.Err = fmt.Sprintf("solve: %v", err)
		} else {
			res.Vehicles, res.Cost, err = Evaluate(inst, sol)
			res.Feasible = err == nil
			if err != nil {
				res.Err = err.Error()
			}
			if res.HasBKS {
				res.GapPct = 100 * (res.Cost - res.BKSCost) / res.BKSCost
			}
		}
		results = append(results, res)
		if progress != nil {
			progress(res)
		}
	}
	return results, nil
}

type instanceFile struct{ name, path string }

// prepare resolves the instance files and reads the BKS table.
func prepare(cfg Config) ([]instanceFile, map[string]BKS, string, error) {
	table, err := Table(cfg.Set, cfg.Objective)
	if err != nil {
		return nil, nil, "", err
	}
	s := sets[cfg.Set]
	dir := cmp.Or(cfg.Dir, DefaultDir(cfg.Set))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, "", fmt.Errorf("bench: instances of %s: %w", cfg.Set, err)
	}
	byName := map[string]instanceFile{}
	var all []instanceFile
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != s.ext || strings.HasPrefix(e.Name(), "bks") {
			continue
		}
		f := instanceFile{instanceName(e.Name()), filepath.Join(dir, e.Name())}
		all = append(all, f)
		byName[strings.ToLower(f.name)] = f
	}
	if len(all) == 0 {
		return nil, nil, "", fmt.Errorf("bench: no %s instance (*%s) in %s", cfg.Set, s.ext, dir)
	}
	slices.SortFunc(all, func(a, b instanceFile) int { return naturalCompare(a.name, b.name) })
	jobs := all
	if len(cfg.Instances) > 0 {
		jobs = nil
		seen := map[string]bool{}
		for _, name := range cfg.Instances {
			key := strings.ToLower(strings.TrimSpace(name))
			f, ok := byName[key]
			if !ok {
				return nil, nil, "", fmt.Errorf("bench: instance %q not found in %s", name, dir)
			}
			if !seen[key] {
				jobs = append(jobs, f)
				seen[key] = true
			}
		}
	}
	bks, err := ReadBKSFile(filepath.Join(dir, table))
	if err != nil {
		return nil, nil, "", fmt.Errorf("bench: %w", err)
	}
	return jobs, bks, filepath.Join(s.folder, table), nil
}

// Class is the instance class used to aggregate results: Solomon C1, C2, R1,
// R2, RC1, RC2; Gehring-Homberger by prefix (c1, ..., rc2); Li & Lim lc1,
// lc2, lr1, lr2, lrc1, lrc2; CVRP a single class X.
func Class(set, name string) string {
	switch set {
	case SetSolomon, SetLiLim:
		if len(name) > 2 {
			return name[:len(name)-2]
		}
	case SetHomberger:
		if i := strings.IndexByte(name, '_'); i > 0 {
			return name[:i]
		}
	case SetCVRP:
		return "X"
	}
	return name
}

// naturalCompare orders names with embedded numbers numerically
// (c1_2_2 before c1_2_10).
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:da], 10, 64)
			nb, _ := strconv.ParseUint(b[:db], 10, 64)
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && i < 18 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// errNoResults is returned by Report for an empty run.
var errNoResults = errors.New("bench: no results")
