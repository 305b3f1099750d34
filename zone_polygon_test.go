package lastmile

import (
	"math"
	"testing"
)

// square is a closed-or-open ring around Monaco's port, about 400 m a side.
var square = []LonLat{{7.420, 43.733}, {7.425, 43.733}, {7.425, 43.737}, {7.420, 43.737}}

func TestPolygonZonesValidate(t *testing.T) {
	base := func(zs ...Zone) *Station {
		s := &Station{Name: "A", Location: Point{Lat: 43.73, Lon: 7.42}, Zones: zs}
		s.Normalize()
		return s
	}
	many := make([]LonLat, 0, MaxZoneVertices+1)
	for i := range MaxZoneVertices + 1 {
		a := 2 * math.Pi * float64(i) / float64(MaxZoneVertices+1)
		many = append(many, LonLat{7.42 + 0.01*math.Cos(a), 43.73 + 0.01*math.Sin(a)})
	}
	tests := []struct {
		name  string
		zone  Zone
		field string
	}{
		{"open ring", Zone{ID: "p", Polygon: square}, ""},
		{"closed ring", Zone{ID: "p", Polygon: append(append([]LonLat(nil), square...), square[0])}, ""},
		{"concave", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 43.73}, {7.43, 43.74}, {7.425, 43.735}, {7.42, 43.74}}}, ""},
		{"two vertices", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 43.73}}}, "zones[0].polygon"},
		{"two vertices closed", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 43.73}, {7.42, 43.73}}}, "zones[0].polygon"},
		{"latitude out of range", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 95}, {7.43, 43.74}}}, "zones[0].polygon[1]"},
		{"lat and lon swapped", Zone{ID: "p", Polygon: []LonLat{{43.73, 7.42}, {43.73, 7.43}, {43.74, 200}}}, "zones[0].polygon[2]"},
		{"NaN", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {math.NaN(), 43.73}, {7.43, 43.74}}}, "zones[0].polygon[1]"},
		{"repeated vertex", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 43.73}, {7.43, 43.73}, {7.43, 43.74}}}, "zones[0].polygon[2]"},
		{"bow tie", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 43.74}, {7.43, 43.73}, {7.42, 43.74}}}, "zones[0].polygon"},
		{"collinear", Zone{ID: "p", Polygon: []LonLat{{7.42, 43.73}, {7.43, 43.73}, {7.44, 43.73}}}, "zones[0].polygon"},
		{"too many vertices", Zone{ID: "p", Polygon: many}, "zones[0].polygon"},
		{"too large", Zone{ID: "p", Polygon: []LonLat{{7.0, 43.0}, {8.5, 43.0}, {8.5, 44.0}}}, "zones[0].polygon"},
		{"across the antimeridian", Zone{ID: "p", Polygon: []LonLat{{179.99, -16.0}, {-179.99, -16.0}, {-179.99, -16.01}}}, "zones[0].polygon"},
		{"circle and polygon", Zone{ID: "p", Center: Point{Lat: 43.73, Lon: 7.42}, RadiusM: 100, Polygon: square}, "zones[0].polygon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := base(tt.zone).Validate()
			if got := ErrorField(err); got != tt.field || (tt.field == "" && err != nil) {
				t.Fatalf("field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
	s := base(Zone{ID: "p", Polygon: square})
	if r := s.Zones[0].Polygon; len(r) != 5 || r[4] != r[0] {
		t.Fatalf("ring not closed by Normalize: %v", r)
	}
}

func TestZoneContains(t *testing.T) {
	concave := Zone{ID: "u", Polygon: closeRing([]LonLat{{7.42, 43.73}, {7.43, 43.73}, {7.43, 43.74}, {7.425, 43.735}, {7.42, 43.74}})}
	tests := []struct {
		name string
		zone Zone
		p    Point
		in   bool
	}{
		{"square inside", Zone{Polygon: square}, Point{Lat: 43.735, Lon: 7.4225}, true},
		{"square outside", Zone{Polygon: square}, Point{Lat: 43.738, Lon: 7.4225}, false},
		{"closed square inside", Zone{Polygon: closeRing(square)}, Point{Lat: 43.734, Lon: 7.421}, true},
		{"concave inside a lobe", concave, Point{Lat: 43.738, Lon: 7.421}, true},
		{"concave in the notch", concave, Point{Lat: 43.739, Lon: 7.425}, false},
		{"circle inside", Zone{Center: Point{Lat: 43.73, Lon: 7.42}, RadiusM: 100}, Point{Lat: 43.7305, Lon: 7.42}, true},
		{"circle outside", Zone{Center: Point{Lat: 43.73, Lon: 7.42}, RadiusM: 100}, Point{Lat: 43.732, Lon: 7.42}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.zone.Contains(tt.p); got != tt.in {
				t.Fatalf("Contains = %v, want %v", got, tt.in)
			}
		})
	}
}
