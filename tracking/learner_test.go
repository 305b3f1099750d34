package tracking_test

import (
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// TestLearnerExportImport carries what one learner learned to another, and
// skips values that cannot be right.
func TestLearnerExportImport(t *testing.T) {
	a := &tracking.Learner{}
	_, n0 := a.Export()
	for range 5 {
		a.Observe("st", "delivery", 240)
		a.ObserveLeg("st", t0, 10*time.Minute, 12*time.Minute)
	}
	vs, n := a.Export()
	if n != n0+10 || len(vs) != 2 {
		t.Fatalf("export %+v, %d observations", vs, n-n0)
	}
	if vs[0].Kind != lastmile.LearnedService || vs[0].Key != "delivery" || vs[0].N != 5 || vs[0].Mean != 240 ||
		vs[1].Kind != lastmile.LearnedTraffic || vs[1].Key != "08" || vs[1].N != 5 {
		t.Fatalf("export %+v", vs)
	}
	b := &tracking.Learner{}
	bad := []lastmile.Learned{
		{StationID: "st", Kind: lastmile.LearnedTraffic, Key: "24", N: 9, Mean: 1.2},
		{StationID: "st", Kind: lastmile.LearnedTraffic, Key: "09", N: 9, Mean: 40},
		{StationID: "st", Kind: lastmile.LearnedService, Key: "pickup", N: 0, Mean: 100},
		{StationID: "st", Kind: "weather", Key: "rain", N: 9, Mean: 2},
	}
	if skipped := b.Import(append(vs, bad...)); skipped != len(bad) {
		t.Fatalf("skipped %d, want %d", skipped, len(bad))
	}
	if got := b.ServiceS("st", "delivery", 180); got != 240 {
		t.Fatalf("service %d, want 240", got)
	}
	if f := b.Factor("st", t0); f != vs[1].Mean || f <= 1 {
		t.Fatalf("factor %g, want %g", f, vs[1].Mean)
	}
	if f := b.Factor("st", t0.Add(time.Hour)); f != 1 {
		t.Fatalf("factor of an hour not learned %g", f)
	}
}
