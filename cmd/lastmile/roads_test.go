package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
)

// osmFile returns the path of a file of the shared OpenStreetMap data,
// skipping the test when it is missing (failing on CI).
func osmFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "osm", name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data missing: %v", err)
		}
		t.Skipf("shared data missing: %v", err)
	}
	return path
}

var (
	graphOnce sync.Once
	graphPath string
	graphDir  string
)

// monacoGraph imports Monaco once with `lastmile roads import`.
func monacoGraph(t *testing.T) string {
	pbf := osmFile(t, "monaco.osm.pbf")
	graphOnce.Do(func() {
		dir, err := os.MkdirTemp("", "roads-cli")
		if err != nil {
			t.Fatal(err)
		}
		graphDir = dir
		path := filepath.Join(dir, "monaco.graph")
		var stderr bytes.Buffer
		if code := run(context.Background(), []string{"roads", "import", pbf, "-o", path}, nil, io.Discard, &stderr); code != 0 {
			t.Fatalf("import: exit %d: %s", code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "OpenStreetMap contributors") {
			t.Errorf("import output lacks the attribution: %s", stderr.String())
		}
		graphPath = path
	})
	if graphPath == "" {
		t.Fatal("import failed")
	}
	return graphPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if graphDir != "" {
		os.RemoveAll(graphDir)
	}
	os.Exit(code)
}

func TestRoadsRouteAndMatrix(t *testing.T) {
	graph := monacoGraph(t)
	points := osmFile(t, "reference/monaco_points_500.csv")
	dir := t.TempDir()
	small := filepath.Join(dir, "points.csv")
	lines := strings.Split(mustRead(t, points), "\n")
	os.WriteFile(small, []byte(strings.Join(lines[:11], "\n")+"\n"), 0o644)

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"roads", "route", "--graph", graph, "--from", "7.4590341,43.7618316", "--to", "7.4196352,43.7323860"}, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("route: exit %d: %s", code, errb.String())
	}
	var rt struct {
		Code   string `json:"code"`
		Routes []struct {
			Duration, Distance float64
			Geometry           string
		} `json:"routes"`
	}
	if err := json.Unmarshal(out.Bytes(), &rt); err != nil || rt.Code != "Ok" || rt.Routes[0].Duration < 300 || rt.Routes[0].Duration > 500 {
		t.Fatalf("route output %s (%v)", out.String(), err)
	}

	out.Reset()
	code = run(context.Background(), []string{"roads", "matrix", "--graph", graph, "--points", small}, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("matrix: exit %d: %s", code, errb.String())
	}
	var tab struct {
		Durations [][]*float64 `json:"durations"`
		Distances [][]*float64 `json:"distances"`
	}
	if err := json.Unmarshal(out.Bytes(), &tab); err != nil || len(tab.Durations) != 10 || len(tab.Distances[3]) != 10 {
		t.Fatalf("matrix output %.200s (%v)", out.String(), err)
	}
	if tab.Durations[0][1] == nil || *tab.Durations[0][1] < 300 {
		t.Errorf("durations[0][1] = %v", tab.Durations[0][1])
	}
}

func mustRead(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRoadsBadInput(t *testing.T) {
	graph := monacoGraph(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	notPBF := write("x.osm.pbf", "<osm></osm>")
	pbf := mustRead(t, osmFile(t, "monaco.osm.pbf"))
	truncated := write("t.osm.pbf", pbf[:len(pbf)/3])
	noLonLat := write("p.csv", "x,y\n1,2\n")
	sea := write("sea.csv", "lon,lat\n7.4590341,43.7618316\n7.45,43.70\n")
	badGraph := write("bad.graph", "LMROADS\x00garbage")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"roads"}, "subcommand"},
		{"unknown subcommand", []string{"roads", "fly"}, "unknown"},
		{"import without output", []string{"roads", "import", notPBF}, "usage"},
		{"not a PBF", []string{"roads", "import", notPBF, "-o", filepath.Join(dir, "a.graph")}, "not a valid"},
		{"truncated PBF", []string{"roads", "import", truncated, "-o", filepath.Join(dir, "b.graph")}, "truncated"},
		{"missing PBF", []string{"roads", "import", filepath.Join(dir, "none.pbf"), "-o", filepath.Join(dir, "c.graph")}, "no such file"},
		{"bad graph", []string{"roads", "route", "--graph", badGraph, "--from", "7.45,43.76", "--to", "7.42,43.73"}, "not a valid road graph"},
		{"bad coordinate", []string{"roads", "route", "--graph", graph, "--from", "7.45", "--to", "7.42,43.73"}, "--from"},
		{"route in the sea", []string{"roads", "route", "--graph", graph, "--from", "7.4590341,43.7618316", "--to", "7.45,43.70"}, "coordinate 1"},
		{"points without lon/lat", []string{"roads", "matrix", "--graph", graph, "--points", noLonLat}, "lon and lat"},
		{"point in the sea", []string{"roads", "matrix", "--graph", graph, "--points", sea}, "point 1"},
		{"missing graph flag", []string{"roads", "matrix", "--points", sea}, "--graph"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, nil, &out, &errb)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, errb.String())
			}
			if !strings.Contains(errb.String(), c.want) {
				t.Errorf("stderr %q does not mention %q", errb.String(), c.want)
			}
		})
	}
}

func TestRoadsServe(t *testing.T) {
	graph := monacoGraph(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"roads", "serve", "--graph", graph, "--addr", "127.0.0.1:0"}, nil, io.Discard, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	j := strings.Index(line[i:], " ")
	base := line[i : i+j]
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/table/v1/driving/7.4590341,43.7618316;7.4196352,43.7323860?annotations=duration,distance")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != 200 || m["code"] != "Ok" {
		t.Errorf("table: %d %v", resp.StatusCode, m)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestRoadFlags checks the travel sources solve gets from --osm, --graph
// and --osrm, and that a road source fills a problem's matrices.
func TestRoadFlags(t *testing.T) {
	graph := monacoGraph(t)
	pbf := osmFile(t, "monaco.osm.pbf")
	cases := []struct {
		name    string
		args    []string
		none    bool
		wantErr string
	}{
		{"none", nil, true, ""},
		{"osm", []string{"--osm", pbf}, false, ""},
		{"graph", []string{"--graph", graph}, false, ""},
		{"osrm", []string{"--osrm", "http://127.0.0.1:5000"}, false, ""},
		{"two", []string{"--osm", pbf, "--graph", graph}, false, "exclude"},
		{"bad url", []string{"--osrm", "localhost:5000"}, false, "not an http"},
		{"bad graph", []string{"--graph", pbf}, false, "not a valid road graph"},
		{"bad osm", []string{"--osm", graph}, false, "not a valid OpenStreetMap PBF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f roadFlags
			fs := flag.NewFlagSet("solve", flag.ContinueOnError)
			f.register(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			src, err := f.source(context.Background(), io.Discard, nil)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil || (src == nil) != c.none {
				t.Fatalf("source %v, error %v", src, err)
			}
			if c.name != "osm" && c.name != "graph" {
				return
			}
			p := &vrp.Problem{
				Jobs:     []vrp.Job{{ID: 1, Location: vrp.Location{Lon: 7.4196352, Lat: 43.7323860, HasCoord: true}}},
				Vehicles: []vrp.Vehicle{{ID: 1, Start: &vrp.Location{Lon: 7.4590341, Lat: 43.7618316, HasCoord: true}}},
			}
			if err := vrp.ResolveTravel(context.Background(), p, src); err != nil {
				t.Fatal(err)
			}
			for _, m := range p.Matrices {
				if d := m.Durations[1][0]; d < 300 || d > 500 {
					t.Errorf("duration from the start to the job: %d s", d)
				}
			}
		})
	}
}

func TestRoadsMatrixTooManyPoints(t *testing.T) {
	graph := monacoGraph(t)
	var b strings.Builder
	b.WriteString("lon,lat\n")
	for i := 0; i <= maxMatrixPoints; i++ {
		b.WriteString("7.4590341,43.7618316\n")
	}
	path := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"roads", "matrix", "--graph", graph, "--points", path}, nil, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "more than 5000 points") {
		t.Errorf("stderr: %s", errb.String())
	}
}
