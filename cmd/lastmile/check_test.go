package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp/check"
)

// vroomExample returns the path of a file of VROOM's documented examples in
// the shared data beside the repository, skipping the test when it is
// missing (failing on CI).
func vroomExample(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "vroom-examples", name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data missing: %v", err)
		}
		t.Skipf("shared data missing: %v", err)
	}
	return path
}

func TestCheckCommand(t *testing.T) {
	problem := vroomExample(t, "example_2.json")
	solution := vroomExample(t, "example_2_sol.json")
	sol, err := os.ReadFile(solution)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The second job's arrival moved by one second, and the route cost.
	tampered := strings.Replace(string(sol), `"arrival": 4359`, `"arrival": 4360`, 1)
	tampered = strings.Replace(tampered, `"cost": 5461`, `"cost": 5000`, 2)
	if tampered == string(sol) {
		t.Fatal("tampering did not change the solution")
	}
	tamperedPath := write("tampered.json", tampered)
	malformed := write("malformed.json", `{"routes": [`)

	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout []string // substrings of stdout
		stderr []string // substrings of stderr
	}{
		{name: "feasible", args: []string{problem, solution}, code: 0,
			stdout: []string{"feasible, cost 5461\n"}},
		{name: "solution on stdin", args: []string{problem, "-"}, stdin: string(sol), code: 0,
			stdout: []string{"feasible, cost 5461\n"}},
		{name: "tampered", args: []string{problem, tamperedPath}, code: 1,
			stdout: []string{
				"routes[0].steps[2].arrival: reported 4360, recomputed 4359\n",
				"summary.cost: reported 5000, recomputed 5461\n",
			},
			stderr: []string{"solution is infeasible"}},
		{name: "malformed solution", args: []string{problem, malformed}, code: 2,
			stderr: []string{"read solution", "malformed.json"}},
		{name: "malformed problem on stdin", args: []string{"-", solution}, stdin: `{"vehicles": 3}`, code: 2,
			stderr: []string{"read problem"}},
		{name: "missing file", args: []string{filepath.Join(dir, "none.json"), solution}, code: 2,
			stderr: []string{"none.json"}},
		{name: "one argument", args: []string{problem}, code: 2, stderr: []string{"want PROBLEM.json and SOLUTION.json"}},
		{name: "both on stdin", args: []string{"-", "-"}, code: 2, stderr: []string{"standard input"}},
		{name: "unknown flag", args: []string{"--nope", problem, solution}, code: 2},
		{name: "help", args: []string{"-h"}, code: 0, stderr: []string{"usage: lastmile check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"check"}, tt.args...)
			code := run(context.Background(), args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}

func TestCheckCommandJSON(t *testing.T) {
	problem := vroomExample(t, "example_2.json")
	solution := vroomExample(t, "example_2_sol.json")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"check", "--json", problem, solution}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	var rep check.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout.String())
	}
	if !rep.Feasible || rep.Cost != 5461 || len(rep.Routes) != 1 || len(rep.Routes[0].Steps) != 4 {
		t.Errorf("report %+v", rep)
	}
	if got := rep.Routes[0].Steps[2].Arrival; got != 4359 {
		t.Errorf("arrival of the second job %d, want 4359", got)
	}
}

func TestCheckCoordinatesProblem(t *testing.T) {
	// solve travels a coordinates-only problem by great-circle estimates;
	// check must travel it the same way to accept solve's own answer.
	dir := t.TempDir()
	sol := filepath.Join(dir, "sol.json")
	problem := filepath.Join(repoRootForCheck(t), "..", "shared", "vroom-examples", "example_1.json")
	if _, err := os.Stat(problem); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data missing: %v", err)
		}
		t.Skip("shared data missing")
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"solve", "-i", problem, "-o", sol, "--max-iterations", "200", "--speed", "40"}, nil, &out, &errb); code != 0 {
		t.Fatalf("solve: exit %d: %s", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"check", "--speed", "40", problem, sol}, nil, &out, &errb); code != 0 {
		t.Fatalf("check: exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.HasPrefix(out.String(), "feasible, cost ") {
		t.Errorf("check output %q", out.String())
	}
}

func repoRootForCheck(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}
