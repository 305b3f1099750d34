package httpapi_test

import (
	"strings"
	"testing"
)

// TestPolygonZonesAPI stores polygon zones beside circles, closes their
// rings, and refuses bad polygons naming the field.
func TestPolygonZonesAPI(t *testing.T) {
	e := newEnv(t)
	station := func(zones ...any) map[string]any {
		return map[string]any{"name": "Z", "location": map[string]any{"lat": 43.7325, "lon": 7.4189}, "zones": zones}
	}
	square := [][2]float64{{7.420, 43.733}, {7.425, 43.733}, {7.425, 43.737}, {7.420, 43.737}}
	circle := map[string]any{"id": "c", "center": map[string]any{"lat": 43.74, "lon": 7.42}, "radius_m": 200}
	st := e.do("POST", "/v1/stations", e.admin, station(circle, map[string]any{"id": "port", "name": "Port", "polygon": square})).must(t, 201)
	zs := st["zones"].([]any)
	poly := zs[1].(map[string]any)
	ring, _ := poly["polygon"].([]any)
	if len(ring) != 5 || poly["center"] != nil || poly["radius_m"] != nil {
		t.Fatalf("polygon zone stored as %v", poly)
	}
	if first, last := ring[0].([]any), ring[4].([]any); first[0] != last[0] || first[1] != last[1] {
		t.Fatalf("ring not closed: %v", ring)
	}
	if c := zs[0].(map[string]any); c["radius_m"].(float64) != 200 || c["polygon"] != nil {
		t.Fatalf("circle zone stored as %v", c)
	}
	tests := []struct {
		name    string
		zone    map[string]any
		field   string
		message string
	}{
		{"bow tie", map[string]any{"id": "b", "polygon": [][2]float64{{7.42, 43.73}, {7.43, 43.74}, {7.43, 43.73}, {7.42, 43.74}}}, "zones[0].polygon", "intersects itself"},
		{"two points", map[string]any{"id": "b", "polygon": [][2]float64{{7.42, 43.73}, {7.43, 43.74}}}, "zones[0].polygon", "at least 3"},
		{"latitude", map[string]any{"id": "b", "polygon": [][2]float64{{7.42, 43.73}, {7.43, 91}, {7.43, 43.73}}}, "zones[0].polygon[1]", "latitude 91"},
		{"three numbers", map[string]any{"id": "b", "polygon": [][]float64{{7.42, 43.73, 5}, {7.43, 43.74}, {7.43, 43.73}}}, "zones[0].polygon[0]", ""},
		{"both shapes", map[string]any{"id": "b", "center": map[string]any{"lat": 43.74, "lon": 7.42}, "radius_m": 200, "polygon": square}, "zones[0].polygon", "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/v1/stations", e.admin, station(tt.zone))
			r.must(t, 422)
			if _, f := r.err(); f != tt.field || !strings.Contains(string(r.raw), tt.message) {
				t.Fatalf("field %q, want %q (%q): %s", f, tt.field, tt.message, r.raw)
			}
		})
	}
}
