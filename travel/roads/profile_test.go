package roads

import (
	"math"
	"testing"

	"github.com/paulmach/osm"
)

func tags(kv ...string) osm.Tags {
	var t osm.Tags
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, osm.Tag{Key: kv[i], Value: kv[i+1]})
	}
	return t
}

func TestCarWay(t *testing.T) {
	cases := []struct {
		name       string
		tags       osm.Tags
		ok         bool
		fwd, bwd   bool
		fwdKMH     float64
		bwdKMH     float64
		rate       float64
		restricted bool
	}{
		{"residential", tags("highway", "residential"), true, true, true, 25, 25, 1, false},
		{"primary with maxspeed", tags("highway", "primary", "maxspeed", "50"), true, true, true, 40, 40, 1, false},
		{"mph", tags("highway", "primary", "maxspeed", "30 mph"), true, true, true, 30 * 1.609344 * 0.8, 30 * 1.609344 * 0.8, 1, false},
		{"zone", tags("highway", "secondary", "maxspeed", "DE:rural"), true, true, true, 80, 80, 1, false},
		{"directional maxspeed", tags("highway", "primary", "maxspeed:forward", "50", "maxspeed:backward", "70"), true, true, true, 40, 56, 1, false},
		{"oneway", tags("highway", "tertiary", "oneway", "yes"), true, true, false, 40, 40, 1, false},
		{"oneway -1", tags("highway", "tertiary", "oneway", "-1"), true, false, true, 40, 40, 1, false},
		{"roundabout", tags("highway", "primary", "junction", "roundabout"), true, true, false, 65, 65, 1, false},
		{"motorway implied oneway", tags("highway", "motorway"), true, true, false, 90, 90, 1, false},
		{"motorway oneway=no", tags("highway", "motorway", "oneway", "no"), true, true, true, 90, 90, 1, false},
		{"footway", tags("highway", "footway"), false, false, false, 0, 0, 0, false},
		{"track", tags("highway", "track"), false, false, false, 0, 0, 0, false},
		{"track open to cars", tags("highway", "track", "motor_vehicle", "yes"), true, true, true, 10, 10, 1, false},
		{"access no", tags("highway", "residential", "access", "no"), false, false, false, 0, 0, 0, false},
		{"motorcar overrides", tags("highway", "residential", "access", "no", "motorcar", "yes"), true, true, true, 25, 25, 1, false},
		{"private", tags("highway", "residential", "access", "private"), true, true, true, 25, 25, 1, true},
		{"destination", tags("highway", "residential", "motor_vehicle", "destination"), true, true, true, 25, 25, 1, true},
		{"parking aisle", tags("highway", "service", "service", "parking_aisle"), true, true, true, 15, 15, 0.5, false},
		{"emergency access", tags("highway", "service", "service", "emergency_access"), false, false, false, 0, 0, 0, false},
		{"area", tags("highway", "pedestrian", "area", "yes"), false, false, false, 0, 0, 0, false},
		{"cobblestones", tags("highway", "primary", "surface", "cobblestone"), true, true, true, 30, 30, 1, false},
		{"narrow", tags("highway", "residential", "width", "2.5"), true, true, true, 25, 25, 0.5, false},
		{"single lane", tags("highway", "unclassified", "lanes", "1"), true, true, true, 25, 25, 0.5, false},
		{"reversible", tags("highway", "primary", "oneway", "reversible"), false, false, false, 0, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok := carWay(c.tags)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			if a.fwd != c.fwd || a.bwd != c.bwd {
				t.Errorf("directions %v/%v, want %v/%v", a.fwd, a.bwd, c.fwd, c.bwd)
			}
			if math.Abs(a.fwdKMH-c.fwdKMH) > 1e-9 || math.Abs(a.bwdKMH-c.bwdKMH) > 1e-9 {
				t.Errorf("speeds %g/%g, want %g/%g", a.fwdKMH, a.bwdKMH, c.fwdKMH, c.bwdKMH)
			}
			if a.fwdRate != c.rate || a.restricted != c.restricted {
				t.Errorf("rate %g restricted %v, want %g %v", a.fwdRate, a.restricted, c.rate, c.restricted)
			}
		})
	}
}

func TestCarNode(t *testing.T) {
	cases := []struct {
		name string
		tags osm.Tags
		want nodeFlags
	}{
		{"plain", nil, 0},
		{"signals", tags("highway", "traffic_signals"), flagSignal},
		{"gate", tags("barrier", "gate"), 0},
		{"bollard", tags("barrier", "bollard"), flagBarrier},
		{"rising bollard", tags("barrier", "bollard", "bollard", "rising"), 0},
		{"lowered kerb", tags("barrier", "kerb", "kerb", "lowered"), 0},
		{"private gate", tags("barrier", "gate", "access", "private"), 0},
		{"no entry", tags("barrier", "gate", "access", "no"), flagBarrier},
		{"permit", tags("barrier", "bollard", "access", "permit"), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := carNode(c.tags); got != c.want {
				t.Errorf("carNode = %v, want %v", got, c.want)
			}
		})
	}
}

func TestTurnSeconds(t *testing.T) {
	cases := []struct {
		angle, want float64
	}{{90, 2.1}, {-90, 5.4}, {0, 0}, {180, 7.5}}
	for _, c := range cases {
		if got := turnSeconds(c.angle); math.Abs(got-c.want) > 0.06 {
			t.Errorf("turnSeconds(%g) = %.3f, want ≈ %g", c.angle, got, c.want)
		}
	}
}
