package bench

import (
	"context"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/check"
)

func TestAverageFactor(t *testing.T) {
	// 1.5 h at 1.8, 1 h at 1.2, 2 h at 1.7 and 5.5 h free over 10 h.
	if got := AverageFactor(RushHours, shiftStart, shiftEnd); got < 1.2799 || got > 1.2801 {
		t.Errorf("average factor %g, want 1.28", got)
	}
}

func TestTrafficAwarePlanBeatsStatic(t *testing.T) {
	// On a rush-hour day the plan made with time-dependent travel is
	// driven as planned (the checker re-times it with the bands) and costs
	// less than the plan made on averaged durations, whose arrivals are
	// off when driven.
	p := WithTraffic(GenerateStationDay(150, 3), RushHours)
	opt := vrp.Options{Seed: 1, Threads: 1, MaxIterations: 1500}
	aware, err := vrp.Solve(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep := check.Check(p, aware); !rep.Feasible {
		t.Fatalf("the checker refuses the traffic-aware plan: %v", rep.Errors)
	}
	res, err := CompareTraffic(context.Background(), p, shiftStart, shiftEnd, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
	if res.AwareUnassigned > res.StaticUnassigned {
		t.Errorf("the traffic-aware plan leaves %d stops out, the static one %d", res.AwareUnassigned, res.StaticUnassigned)
	}
	if res.AwareCost >= res.StaticDrivenCost {
		t.Errorf("the traffic-aware plan costs %d, the static one as driven %d: want it cheaper", res.AwareCost, res.StaticDrivenCost)
	}
	if res.StaticArrivalError < 60 {
		t.Errorf("the static plan's arrivals are off by %.0f s on average when driven in traffic: want it visibly wrong", res.StaticArrivalError)
	}
}
