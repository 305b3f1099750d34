package vroomjson

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleSolution exercises every field of the solution format.
func sampleSolution() *vrp.Solution {
	depot := &vrp.Location{Lon: 2.35044, Lat: 48.71764, HasCoord: true}
	return &vrp.Solution{
		Summary: vrp.Summary{
			Cost: 7260, Routes: 1, Unassigned: 2, Setup: 60, Service: 600, Duration: 3600,
			WaitingTime: 120, Priority: 5, Distance: 41000,
			Delivery: vrp.Amount{3, 30}, Pickup: vrp.Amount{1, 0},
			Violations: []vrp.Violation{{Cause: "delay", Duration: 30}, {Cause: "load"}},
		},
		Unassigned: []vrp.Unassigned{
			{ID: 9, Type: vrp.StepJob, Location: &vrp.Location{Lon: 2.5, Lat: 48.9, HasCoord: true}, Reason: "skills",
				Blocked: []vrp.Blocked{{Cause: vrp.CauseSkills, Vehicles: []uint64{3, 4}}, {Cause: vrp.CauseNoRoom, Vehicles: []uint64{7}}}},
			{ID: 12, Type: vrp.StepPickup, Location: &vrp.Location{Index: 4, HasIndex: true}},
		},
		Routes: []vrp.Route{{
			Vehicle: 3, Description: "van \"north\"", Cost: 7260, Setup: 60, Service: 600, Duration: 3600,
			WaitingTime: 120, Priority: 5, Distance: 41000,
			Delivery: vrp.Amount{3, 30}, Pickup: vrp.Amount{1, 0},
			Violations: []vrp.Violation{{Cause: "delay", Duration: 30}},
			Steps: []vrp.Step{
				{Type: vrp.StepStart, Location: depot, Arrival: 28800, Load: vrp.Amount{3, 30}},
				{Type: vrp.StepJob, ID: 1, Description: "Rue de la Paix", Location: &vrp.Location{Lon: 2.33, Lat: 48.87, HasCoord: true, Index: 1, HasIndex: true},
					Setup: 60, Service: 300, WaitingTime: 120, Arrival: 30000, Duration: 1200, Distance: 15000, Load: vrp.Amount{2, 10}},
				{Type: vrp.StepBreak, ID: 2, Service: 0, Arrival: 30480, Duration: 1200, Distance: 15000, Load: vrp.Amount{2, 10}},
				{Type: vrp.StepPickup, ID: 5, Location: &vrp.Location{Lon: 2.4, Lat: 48.8, HasCoord: true}, Service: 150,
					Arrival: 31500, Duration: 2220, Distance: 25000, Load: vrp.Amount{3, 10}},
				{Type: vrp.StepDelivery, ID: 6, Location: &vrp.Location{Lon: 2.41, Lat: 48.79, HasCoord: true}, Service: 150,
					Arrival: 32000, Duration: 2570, Distance: 28000, Load: vrp.Amount{2, 10},
					Violations: []vrp.Violation{{Cause: "delay", Duration: 30}}},
				{Type: vrp.StepEnd, Location: depot, Arrival: 33180, Duration: 3600, Distance: 41000, Load: vrp.Amount{2, 10}},
			},
		}},
		LoadingMS: 12, SolvingMS: 5000, RoutingMS: 0,
	}
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("invalid JSON written: %v\n%s", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept):\n%s", path, got)
	}
}

func TestEncodeGolden(t *testing.T) {
	tests := []struct {
		name   string
		encode func(*bytes.Buffer) error
	}{
		{"solution.golden.json", func(b *bytes.Buffer) error { return Encode(b, sampleSolution()) }},
		{"error.golden.json", func(b *bytes.Buffer) error {
			return Encode(b, &vrp.Solution{Code: 2, Error: "jobs[0].id: missing"})
		}},
		{"problem.golden.json", func(b *bytes.Buffer) error {
			f, err := os.Open(filepath.Join("testdata", "full.json"))
			if err != nil {
				return err
			}
			defer f.Close()
			p, err := Decode(f)
			if err != nil {
				return err
			}
			return EncodeProblem(b, p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.encode(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(b.Bytes(), []byte("}\n")) || bytes.Count(b.Bytes(), []byte("\n")) != 1 {
				t.Errorf("output is not one compact line: %q", b.String())
			}
			checkGolden(t, tt.name, indent(t, b.Bytes()))
		})
	}
}

func TestEncodeFor(t *testing.T) {
	p := &vrp.Problem{
		Jobs:     []vrp.Job{{ID: 9, Description: "back door"}},
		Vehicles: []vrp.Vehicle{{ID: 1, Profile: "bike"}},
		Matrices: map[string]*vrp.Matrix{"bike": {Durations: [][]int64{{0}}, Distances: [][]int64{{0}}}},
	}
	s := &vrp.Solution{
		Summary:    vrp.Summary{Unassigned: 1},
		Unassigned: []vrp.Unassigned{{ID: 9, Type: vrp.StepJob, Reason: "time_windows"}},
		Routes:     []vrp.Route{{Vehicle: 1, Steps: []vrp.Step{{Type: vrp.StepStart}, {Type: vrp.StepEnd}}}},
	}
	var b bytes.Buffer
	if err := EncodeFor(&b, p, s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`"distance":0`, `"description":"back door","reason":"time_windows"`} {
		if !strings.Contains(out, want) {
			t.Errorf("EncodeFor output lacks %s:\n%s", want, out)
		}
	}
	b.Reset()
	if err := Encode(&b, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"distance"`) {
		t.Errorf("Encode wrote distances although all are zero:\n%s", b.String())
	}
}

// normalize decodes JSON into generic values, dropping the keys VROOM
// writes and we do not (geometry) or that change between runs.
func normalize(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "geometry")
			delete(x, "computing_times")
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return v
}

func TestSolutionExamples(t *testing.T) {
	dir := sharedDir(t, "vroom-examples")
	for _, name := range []string{"example_1_sol.json", "example_2_sol.json", "example_3_sol.json"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			s, err := DecodeSolution(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Encode(&out, s); err != nil {
				t.Fatal(err)
			}
			if got, want := normalize(t, out.Bytes()), normalize(t, in); !reflect.DeepEqual(got, want) {
				t.Errorf("Encode(DecodeSolution(%s)) differs:\n got %s", name, out.String())
			}
		})
	}
}

func TestSolutionRoundTrip(t *testing.T) {
	s := sampleSolution()
	var b bytes.Buffer
	if err := Encode(&b, s); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSolution(&b)
	if err != nil {
		t.Fatal(err)
	}
	// Encode writes no empty violations apart from [], which reads back as
	// an empty slice.
	for i := range s.Routes {
		for k := range s.Routes[i].Steps {
			if s.Routes[i].Steps[k].Violations == nil {
				s.Routes[i].Steps[k].Violations = []vrp.Violation{}
			}
		}
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("DecodeSolution(Encode(s)) = %+v\nwant %+v", got, s)
	}
}

func TestDecodeSolutionErrors(t *testing.T) {
	tests := []struct{ name, in, field string }{
		{"bad step type", `{"routes":[{"steps":[{"type":"jump"}]}]}`, "routes[0].steps[0].type"},
		{"bad cost", `{"summary":{"cost":"x"}}`, "summary.cost"},
		{"bad violation", `{"routes":[{"violations":[{"duration":1.5}]}]}`, "routes[0].violations[0].duration"},
		{"step without type", `{"routes":[{"steps":[{"id":1}]}]}`, "routes[0].steps[0].type"},
		{"unassigned without type", `{"unassigned":[{"id":1}]}`, "unassigned[0].type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeSolution(strings.NewReader(tt.in))
			ie, ok := err.(*vrp.InputError)
			if !ok || ie.Field != tt.field {
				t.Errorf("DecodeSolution error = %v, want an InputError at %s", err, tt.field)
			}
		})
	}
}

func TestEncodeRejectsNaN(t *testing.T) {
	s := &vrp.Solution{Unassigned: []vrp.Unassigned{{ID: 1, Type: vrp.StepJob, Location: &vrp.Location{Lon: 0, Lat: 0, HasCoord: true}}}}
	s.Unassigned[0].Location.Lon = nan()
	if err := Encode(&bytes.Buffer{}, s); err == nil {
		t.Error("Encode wrote a NaN coordinate without error")
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestAppendString(t *testing.T) {
	tests := []string{"", "plain", "quote \" and \\ backslash", "tab\tnew\nline\r", "\x00\x1f", "é ü 🚚", "bad \xff utf8", "\u2028"}
	for _, s := range tests {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("appendString(%q) = %s: invalid JSON: %v", s, got, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("appendString(%q) reads back as %q", s, back)
		}
	}
}
