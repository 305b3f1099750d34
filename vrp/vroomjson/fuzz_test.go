package vroomjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

// FuzzDecode checks that Decode never panics, that every error it returns
// is an input error, and that what it accepts survives EncodeProblem.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"vehicles":[{"id":1,"start":[2.35,48.71]}],"jobs":[{"id":1,"location":[2.3,48.8]}]}`))
	f.Add([]byte(`{"vehicles":[{"id":0,"start_index":0,"end_index":3}],"jobs":[{"id":1414,"location_index":1},{"id":1515,"location_index":2}],"matrices":{"car":{"durations":[[0,2104,197,1299],[2103,0,2255,3152],[197,2256,0,1102],[1299,3153,1102,0]]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data))
		if err != nil {
			var ie *vrp.InputError
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			if !errors.As(err, &ie) && !errors.As(err, &se) && !errors.As(err, &te) {
				t.Fatalf("Decode error %v (%T) is not an input error", err, err)
			}
			return
		}
		var b bytes.Buffer
		if err := EncodeProblem(&b, p); err != nil {
			t.Fatalf("EncodeProblem of a decoded problem: %v", err)
		}
		q, err := Decode(&b)
		if err != nil {
			t.Fatalf("Decode(EncodeProblem(p)): %v\n%s", err, b.String())
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip differs for %q", data)
		}
	})
}

// FuzzDecodeSolution checks that DecodeSolution never panics, returns only
// input errors, and that what it accepts survives Encode.
func FuzzDecodeSolution(f *testing.F) {
	var b bytes.Buffer
	if err := Encode(&b, sampleSolution()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"code":2,"error":"bad"}`))
	f.Add([]byte(`{"routes":[{"vehicle":1,"steps":[{"type":"job","job":3,"location_index":2}]}],"computing_times":{"loading":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSolution(bytes.NewReader(data))
		if err != nil {
			var ie *vrp.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("DecodeSolution error %v (%T) is not an input error", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := Encode(&out, s); err != nil {
			t.Fatalf("Encode of a decoded solution: %v", err)
		}
		if _, err := DecodeSolution(&out); err != nil {
			t.Fatalf("DecodeSolution(Encode(s)): %v\n%s", err, out.String())
		}
	})
}
