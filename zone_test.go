package lastmile

import "testing"

func TestStationZones(t *testing.T) {
	base := func(zs ...Zone) *Station {
		s := &Station{Name: "A", Location: Point{Lat: 43.73, Lon: 7.42}, Zones: zs}
		s.Normalize()
		return s
	}
	c := Point{Lat: 43.74, Lon: 7.42}
	tests := []struct {
		name  string
		zones []Zone
		field string
	}{
		{"none", nil, ""},
		{"valid", []Zone{{ID: "centre", Center: c, RadiusM: 300}}, ""},
		{"twice", []Zone{{ID: "z", Center: c, RadiusM: 300}, {ID: "z", Center: c, RadiusM: 300}}, "zones[1].id"},
		{"no id", []Zone{{Center: c, RadiusM: 300}}, "zones[0].id"},
		{"tiny", []Zone{{ID: "z", Center: c, RadiusM: 2}}, "zones[0].radius_m"},
		{"bad centre", []Zone{{ID: "z", Center: Point{Lat: 91, Lon: 7}, RadiusM: 300}}, "zones[0].center.lat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := base(tt.zones...).Validate()
			if got := ErrorField(err); got != tt.field || (tt.field == "" && err != nil) {
				t.Fatalf("field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}
