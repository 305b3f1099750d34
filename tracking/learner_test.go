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
		a.ObserveService("st", "delivery", 160*time.Second, 240*time.Second)
		a.ObserveLeg("st", t0, 10*time.Minute, 12*time.Minute)
	}
	vs, n := a.Export()
	if n != n0+10 || len(vs) != 2 {
		t.Fatalf("export %+v, %d observations", vs, n-n0)
	}
	if vs[0].Kind != lastmile.LearnedServiceRatio || vs[0].Key != "delivery" || vs[0].N != 5 || vs[0].Mean != 1.5 ||
		vs[1].Kind != lastmile.LearnedTraffic || vs[1].Key != "08" || vs[1].N != 5 {
		t.Fatalf("export %+v", vs)
	}
	b := &tracking.Learner{}
	bad := []lastmile.Learned{
		{StationID: "st", Kind: lastmile.LearnedTraffic, Key: "24", N: 9, Mean: 1.2},
		{StationID: "st", Kind: lastmile.LearnedTraffic, Key: "09", N: 9, Mean: 40},
		{StationID: "st", Kind: lastmile.LearnedServiceRatio, Key: "pickup", N: 0, Mean: 1.1},
		{StationID: "st", Kind: lastmile.LearnedServiceRatio, Key: "pickup", N: 9, Mean: 40},
		// Absolute seconds, as they were stored before ratios: not read.
		{StationID: "st", Kind: lastmile.LearnedService, Key: "pickup", N: 9, Mean: 240},
		{StationID: "st", Kind: "weather", Key: "rain", N: 9, Mean: 2},
	}
	if skipped := b.Import(append(vs, bad...)); skipped != len(bad) {
		t.Fatalf("skipped %d, want %d", skipped, len(bad))
	}
	// 5 samples of 1.5 blended half and half with the plan: 1.25.
	if got := b.ServiceS("st", "delivery", 180); got != 225 {
		t.Fatalf("service %d, want 225", got)
	}
	if got := b.ServiceS("st", "pickup", 180); got != 180 {
		t.Fatalf("pickup service %d, want the plan's 180", got)
	}
	if f := b.Factor("st", t0); f != vs[1].Mean || f <= 1 {
		t.Fatalf("factor %g, want %g", f, vs[1].Mean)
	}
	if f := b.Factor("st", t0.Add(time.Hour)); f != 1 {
		t.Fatalf("factor of an hour not learned %g", f)
	}
}
