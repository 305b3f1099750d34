package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONErrorPaths checks that a value refused inside a JSON body — a time
// that is not RFC 3339, a wrong JSON type deep in arrays — is reported with
// the JSON path of that value and a message saying what is expected.
func TestJSONErrorPaths(t *testing.T) {
	e := newEnv(t)
	st, veh, _ := e.seed("Paths")
	order := func(mod func(o map[string]any)) map[string]any {
		o := orderBody(st, "P-1", 1)
		mod(o)
		return o
	}
	goodPos := func(at any) map[string]any {
		return map[string]any{"vehicle_id": veh, "at": at, "lat": 43.73, "lon": 7.42}
	}
	tests := []struct {
		name, method, path string
		body               any
		field              string
		message            []string // substrings of the message
	}{
		{"order window start", "POST", "/v1/orders",
			order(func(o map[string]any) {
				o["window"] = map[string]any{"start": "yesterday", "end": "2026-03-02T12:00:00Z"}
			}),
			"window.start", []string{`"yesterday"`, "RFC 3339"}},
		{"order window end not a string", "POST", "/v1/orders",
			order(func(o map[string]any) {
				o["window"] = map[string]any{"start": "2026-03-02T10:00:00Z", "end": 1700000000}
			}),
			"window.end", []string{"1700000000", "RFC 3339"}},
		{"order window date without time", "POST", "/v1/orders",
			order(func(o map[string]any) {
				o["window"] = map[string]any{"start": "2026-03-02", "end": "2026-03-02T12:00:00Z"}
			}),
			"window.start", []string{`"2026-03-02"`, "RFC 3339"}},
		{"parcel weight in an array", "POST", "/v1/orders",
			order(func(o map[string]any) {
				o["parcels"] = []map[string]any{{"barcode": "A"}, {"barcode": "B", "weight_g": "heavy"}}
			}),
			"parcels[1].weight_g", []string{"integer", `"heavy"`}},
		{"position time", "POST", "/v1/positions",
			map[string]any{"positions": []any{goodPos("2026-03-02T06:00:00Z"), goodPos("2026-03-02T06:00:05Z"), goodPos("06:00:10")}},
			"positions[2].at", []string{`"06:00:10"`, "RFC 3339"}},
		{"position time as number", "POST", "/v1/positions",
			map[string]any{"positions": []any{goodPos(1772431200)}},
			"positions[0].at", []string{"RFC 3339"}},
		{"plan date", "POST", "/v1/plans",
			map[string]any{"station_id": st, "date": "tomorrow"},
			"date", []string{`"tomorrow"`, "YYYY-MM-DD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, e.admin, tt.body)
			r.must(t, 422)
			code, field := r.err()
			if code != "invalid" || field != tt.field {
				t.Fatalf("code %q field %q, want invalid %q: %s", code, field, tt.field, r.raw)
			}
			msg := str(r.body["error"].(map[string]any), "message")
			for _, m := range tt.message {
				if !strings.Contains(msg, m) {
					t.Errorf("message %q does not contain %q", msg, m)
				}
			}
		})
	}

	t.Run("import row", func(t *testing.T) {
		var rows []map[string]any
		for i := range 5 {
			rows = append(rows, orderBody(st, "IMP-"+string(rune('A'+i)), i))
		}
		rows[3]["window"] = map[string]any{"start": "yesterday", "end": "2026-03-02T12:00:00Z"}
		for _, wrap := range []bool{false, true} {
			var body any = rows
			if wrap {
				body = map[string]any{"orders": rows}
			}
			r := e.do("POST", "/v1/orders/import?mode=all", e.admin, body)
			rep := r.must(t, 422)
			errs, _ := rep["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors %v", rep["errors"])
			}
			er := errs[0].(map[string]any)
			if er["row"].(float64) != 4 || er["field"] != "window.start" || !strings.Contains(str(er, "message"), "RFC 3339") {
				t.Fatalf("row error %v", er)
			}
		}
	})

	t.Run("station zone radius deep in an array", func(t *testing.T) {
		b, _ := json.Marshal(map[string]any{"name": "Z", "location": map[string]any{"lat": 43.7, "lon": 7.4},
			"zones": []any{map[string]any{"id": "a", "center": map[string]any{"lat": 43.7, "lon": 7.4}, "radius_m": 100},
				map[string]any{"id": "b", "center": map[string]any{"lat": "north", "lon": 7.4}, "radius_m": 100}}})
		r := e.do("POST", "/v1/stations", e.admin, b)
		r.must(t, 422)
		if _, field := r.err(); field != "zones[1].center.lat" {
			t.Fatalf("field %q: %s", field, r.raw)
		}
	})
}
