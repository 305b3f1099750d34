package sim

import (
	"context"
	"testing"
)

// TestLearnedServiceNoWorseThanPlanned plays the same small day twice, the
// server's ETAs on its learned service times and on the plan's, and checks
// that learning does not make the ETAs 30 minutes before arrival worse
// than the plan's by more than a small margin. (Before service was learned
// per stop against its plan, this day's learned ETAs were off by 35 min on
// average against 3 min for the plan's.)
func TestLearnedServiceNoWorseThanPlanned(t *testing.T) {
	const meanMargin, p90Margin = 1.0, 2.0 // minutes
	cfg := smallDay()
	cfg.TrackerService = TrackerServiceLearned
	learned, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.TrackerService = TrackerServicePlanned
	planned, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, p := learned.ETA.Before30, planned.ETA.Before30
	t.Logf("30 min before, learned: %+v; planned: %+v", l, p)
	if p.N < 20 || l.N != p.N {
		t.Fatalf("ETAs scored: %d learned, %d planned; want the same, at least 20", l.N, p.N)
	}
	if l.MeanAbsMin > p.MeanAbsMin+meanMargin || l.P90AbsMin > p.P90AbsMin+p90Margin {
		t.Fatalf("learned service ETAs: mean %.1f, p90 %.1f min; the plan's: mean %.1f, p90 %.1f min",
			l.MeanAbsMin, l.P90AbsMin, p.MeanAbsMin, p.P90AbsMin)
	}
}
