package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/vroomjson"
)

// runSolveCmd runs `lastmile solve args...` and returns the exit code and
// outputs.
func runSolveCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"solve"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSolveRejects(t *testing.T) {
	malformed := writeTemp(t, "malformed.json", `{"jobs": [{"id": 1,`)
	badField := writeTemp(t, "bad.json", `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3,48.9],"time_windows":[[500,100]]}]}`)
	badType := writeTemp(t, "type.json", `{"vehicles":[{"id":1,"capacity":"big"}]}`)
	noMatrix := writeTemp(t, "index.json", `{"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":1,"location_index":1}]}`)
	tests := []struct {
		name   string
		args   []string
		stdin  string
		stderr string // substring of stderr
		json   bool   // a VROOM error object is written on stdout
	}{
		{"malformed input", []string{"-i", malformed}, "", "invalid JSON", true},
		{"bad field", []string{"-i", badField}, "", "jobs[0].time_windows[0]: start 500 is after end 100", true},
		{"bad type", []string{"--input", badType}, "", "vehicles[0].capacity: expected an array, got a string", true},
		{"index without matrix", []string{"-i", noMatrix}, "", `jobs[0].location: coordinates required: profile "car" has no matrix`, true},
		{"malformed stdin", nil, `{"jobs": [`, "unexpected end of input", true},
		{"missing file", []string{"-i", filepath.Join(t.TempDir(), "nope.json")}, "", "no such file", true},
		{"unknown flag", []string{"--frobnicate"}, "", "flag provided but not defined", false},
		{"extra argument", []string{"problem.json"}, "", `unexpected argument "problem.json"`, false},
		{"zero threads", []string{"-t", "0"}, "", "-t: 0 threads", false},
		{"bad limit", []string{"-l", "-1"}, "", "-l: -1 seconds", false},
		{"bad exploration", []string{"-x", "6"}, "", "-x: exploration level 6", false},
		{"bad objective", []string{"--objective", "speed"}, "", `--objective: "speed"`, false},
		{"bad speed", []string{"--speed", "0"}, "", "--speed: 0 km/h", false},
		{"bad detour", []string{"--detour", "-1"}, "", "--detour: -1", false},
		{"bad max iterations", []string{"--max-iterations", "-5"}, "", "--max-iterations: -5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runSolveCmd(t, tt.stdin, tt.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
			if !tt.json {
				if stdout != "" {
					t.Errorf("unexpected output %q", stdout)
				}
				return
			}
			var got struct {
				Code  int
				Error string
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Code != 2 || !strings.Contains(got.Error, tt.stderr) {
				t.Errorf("stdout = %q, want {\"code\":2,\"error\":...%s...}", stdout, tt.stderr)
			}
		})
	}
}

func TestSolveHelp(t *testing.T) {
	code, _, stderr := runSolveCmd(t, "", "-h")
	if code != 0 || !strings.Contains(stderr, "usage: lastmile solve") || !strings.Contains(stderr, "-max-iterations") {
		t.Errorf("solve -h: code %d, stderr %q", code, stderr)
	}
}

func TestSolveOptions(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantLimit string
		wantIter  int64
		wantObj   vrp.Objective
	}{
		{"defaults", nil, "5s", 0, vrp.MinimizeCost},
		{"limit", []string{"-l", "0.25"}, "250ms", 0, vrp.MinimizeCost},
		{"long limit", []string{"--limit", "2"}, "2s", 0, vrp.MinimizeCost},
		{"exploration", []string{"-x", "0"}, "1s", 0, vrp.MinimizeCost},
		{"exploration 5", []string{"-x", "5"}, "10s", 0, vrp.MinimizeCost},
		{"limit beats exploration", []string{"-x", "5", "-l", "3"}, "3s", 0, vrp.MinimizeCost},
		{"iterations only", []string{"--max-iterations", "100"}, "0s", 100, vrp.MinimizeCost},
		{"iterations and limit", []string{"--max-iterations", "100", "-l", "1"}, "1s", 100, vrp.MinimizeCost},
		{"vehicles", []string{"--objective", "vehicles"}, "5s", 0, vrp.MinimizeVehiclesThenCost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := solveFlags{threads: 2, limit: 5, exploration: -1, objective: "cost", speed: 30, detour: 1.3, seed: 7}
			given := map[string]bool{}
			for i := 0; i < len(tt.args); i += 2 {
				name := strings.TrimLeft(tt.args[i], "-")
				given[name] = true
				switch name {
				case "l", "limit":
					f.limit = mustFloat(t, tt.args[i+1])
				case "x":
					f.exploration = int(mustFloat(t, tt.args[i+1]))
				case "max-iterations":
					f.maxIterations = int64(mustFloat(t, tt.args[i+1]))
				case "objective":
					f.objective = tt.args[i+1]
				}
			}
			limit, opts, err := f.options(given)
			if err != nil {
				t.Fatal(err)
			}
			if limit.String() != tt.wantLimit || opts.MaxIterations != tt.wantIter || opts.Objective != tt.wantObj ||
				opts.Seed != 7 || opts.Threads != 2 {
				t.Errorf("options = %v, %+v; want limit %s, %d iterations, objective %d", limit, opts, tt.wantLimit, tt.wantIter, tt.wantObj)
			}
		})
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// The tests below run the solver.

func decodeSolution(t *testing.T, out string) *vrp.Solution {
	t.Helper()
	s, err := vroomjson.DecodeSolution(strings.NewReader(out))
	if err != nil {
		t.Fatalf("output is not a VROOM solution: %v\n%s", err, out)
	}
	return s
}

func TestSolveExample2(t *testing.T) {
	problem := vroomExample(t, "example_2.json")
	want, err := os.ReadFile(vroomExample(t, "example_2_sol.json"))
	if err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(t.TempDir(), "sol.json")
	code, stdout, stderr := runSolveCmd(t, "", "-i", problem, "-o", outPath, "-t", "1", "--max-iterations", "500", "-l", "10")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not empty with -o: %q", stdout)
	}
	got, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	g, w := decodeSolution(t, string(got)), decodeSolution(t, string(want))
	g.LoadingMS, g.SolvingMS, g.RoutingMS = 0, 0, 0
	if !reflect.DeepEqual(g, w) {
		t.Errorf("solution differs from VROOM's:\n got %s\nwant %s", got, want)
	}
}

func TestSolveCoordinates(t *testing.T) {
	problem, err := os.ReadFile(vroomExample(t, "example_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Fast enough for every task to fit into the shifts.
	code, stdout, stderr := runSolveCmd(t, string(problem), "--speed", "90", "--detour", "1", "-t", "1", "--max-iterations", "300")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "location_index") {
		t.Errorf("output has matrix indices the input did not:\n%s", stdout)
	}
	s := decodeSolution(t, stdout)
	if s.Code != 0 || s.Summary.Unassigned != 0 || len(s.Routes) == 0 {
		t.Errorf("summary = %+v, unassigned %+v", s.Summary, s.Unassigned)
	}
	if s.Summary.Distance <= 0 || !strings.Contains(stdout, `"distance"`) {
		t.Errorf("great-circle distances missing: summary distance %d", s.Summary.Distance)
	}
	for _, r := range s.Routes {
		if r.Steps[0].Type != vrp.StepStart || r.Steps[len(r.Steps)-1].Type != vrp.StepEnd {
			t.Errorf("route of vehicle %d does not go from start to end", r.Vehicle)
		}
	}
}

func TestSolveDeterministic(t *testing.T) {
	problem, err := os.ReadFile(vroomExample(t, "example_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	solve := func() *vrp.Solution {
		code, stdout, stderr := runSolveCmd(t, string(problem), "--seed", "42", "-t", "2", "--max-iterations", "400")
		if code != 0 {
			t.Fatalf("exit code %d: %s", code, stderr)
		}
		s := decodeSolution(t, stdout)
		s.LoadingMS, s.SolvingMS = 0, 0
		return s
	}
	if a, b := solve(), solve(); !reflect.DeepEqual(a, b) {
		t.Errorf("same seed and iteration bound gave different solutions:\n%+v\n%+v", a, b)
	}
}

func TestSolvePlanMode(t *testing.T) {
	// VROOM's example 3 fixes both vehicles' steps; -c evaluates them as
	// given: vehicle 1 starts over capacity, vehicle 2 is told to leave 800 s
	// before its shift.
	code, stdout, stderr := runSolveCmd(t, "", "-c", "-i", vroomExample(t, "example_3.json"))
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	s := decodeSolution(t, stdout)
	if len(s.Routes) != 2 || s.Summary.Unassigned != 0 {
		t.Fatalf("want 2 routes and nothing unassigned, got %d routes, %d unassigned", len(s.Routes), s.Summary.Unassigned)
	}
	want := map[uint64][]uint64{1: {1, 2, 5}, 2: {6, 4, 3}}
	for _, r := range s.Routes {
		var ids []uint64
		for _, st := range r.Steps[1 : len(r.Steps)-1] {
			ids = append(ids, st.ID)
		}
		if !reflect.DeepEqual(ids, want[r.Vehicle]) {
			t.Errorf("vehicle %d: steps %v, want the given %v", r.Vehicle, ids, want[r.Vehicle])
		}
		start := r.Steps[0]
		switch r.Vehicle {
		case 1:
			if len(start.Violations) == 0 || start.Violations[0].Cause != "load" {
				t.Errorf("vehicle 1 start: violations %+v, want load", start.Violations)
			}
		case 2:
			if len(start.Violations) == 0 || start.Violations[0] != (vrp.Violation{Cause: "lead_time", Duration: 800}) {
				t.Errorf("vehicle 2 start: violations %+v, want lead_time 800", start.Violations)
			}
		}
	}
}

func TestSolveOnRoads(t *testing.T) {
	// Plan on the Monaco road graph imported on the fly, and compare the
	// route's duration with OSRM's table for the same points and order.
	shared := filepath.Join("..", "..", "..", "shared", "osm")
	pbf := filepath.Join(shared, "monaco.osm.pbf")
	if _, err := os.Stat(pbf); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared OSM data missing: %v", err)
		}
		t.Skip("shared OSM data missing")
	}
	var ref struct {
		Durations [][]float64 `json:"durations"`
		Sources   []struct {
			Location [2]float64 `json:"location"`
		} `json:"sources"`
	}
	raw, err := os.ReadFile(filepath.Join(shared, "reference", "monaco_table_100x100.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	loc := func(i int) string {
		return fmt.Sprintf("[%f,%f]", ref.Sources[i].Location[0], ref.Sources[i].Location[1])
	}
	var jobs []string
	for i := 1; i <= 5; i++ {
		jobs = append(jobs, fmt.Sprintf(`{"id":%d,"location":%s}`, i, loc(i)))
	}
	problem := fmt.Sprintf(`{"vehicles":[{"id":1,"start":%s,"end":%s}],"jobs":[%s]}`, loc(0), loc(0), strings.Join(jobs, ","))
	code, stdout, stderr := runSolveCmd(t, problem, "--osm", pbf, "-t", "1", "--max-iterations", "300")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	s := decodeSolution(t, stdout)
	if len(s.Routes) != 1 || s.Summary.Unassigned != 0 {
		t.Fatalf("want one route serving all 5 jobs, got %d routes, %d unassigned", len(s.Routes), s.Summary.Unassigned)
	}
	var osrm float64
	prev := 0
	for _, st := range s.Routes[0].Steps[1:] {
		next := int(st.ID) // job i sits at reference point i; the end at point 0
		if st.Type == vrp.StepEnd {
			next = 0
		}
		osrm += ref.Durations[prev][next]
		prev = next
	}
	got := float64(s.Summary.Duration)
	if got < 0.9*osrm || got > 1.1*osrm {
		t.Errorf("route duration %v s on our roads, OSRM's table gives %.0f s for the same order", got, osrm)
	}
}

func TestSolveStartFromPrevious(t *testing.T) {
	// --start rebuilds a previous solution's routes first.
	problem := vroomExample(t, "example_2.json")
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	if code, _, stderr := runSolveCmd(t, "", "-i", problem, "-o", first, "--max-iterations", "100"); code != 0 {
		t.Fatalf("first solve: %s", stderr)
	}
	code, stdout, stderr := runSolveCmd(t, "", "-i", problem, "--start", first, "--max-iterations", "1")
	if code != 0 {
		t.Fatalf("re-plan: exit %d: %s", code, stderr)
	}
	if s := decodeSolution(t, stdout); s.Summary.Cost != 5461 {
		t.Errorf("re-plan from the optimum: cost %d, want 5461", s.Summary.Cost)
	}
	if code, _, stderr := runSolveCmd(t, "", "-i", problem, "--start", filepath.Join(dir, "missing.json")); code != 2 || !strings.Contains(stderr, "--start") {
		t.Errorf("missing --start file: exit %d, %q; want 2 naming --start", code, stderr)
	}
}
