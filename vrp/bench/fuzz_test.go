package bench

import (
	"bytes"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

// The fuzz targets assert that the readers never panic and that whatever they
// accept converts and evaluates without panicking. Seed corpora are in
// testdata/fuzz/<target>.

// exercise converts a small accepted instance and evaluates an empty
// solution and a solution with one route per task.
func exercise(t *testing.T, inst Instance, nodes int) {
	if nodes > 300 {
		return
	}
	p := inst.Problem()
	sol := &vrp.Solution{}
	if _, _, err := Evaluate(inst, sol); err == nil && (len(p.Jobs) > 0 || len(p.Shipments) > 0) {
		t.Errorf("empty solution accepted for %d jobs and %d shipments", len(p.Jobs), len(p.Shipments))
	}
	for i, j := range p.Jobs {
		sol.Routes = append(sol.Routes, vrp.Route{Vehicle: uint64(i + 1), Steps: []vrp.Step{{Type: vrp.StepJob, ID: j.ID}}})
	}
	for i, s := range p.Shipments {
		sol.Routes = append(sol.Routes, vrp.Route{Vehicle: uint64(i + 1), Steps: []vrp.Step{
			{Type: vrp.StepPickup, ID: s.Pickup.ID}, {Type: vrp.StepDelivery, ID: s.Delivery.ID}}})
	}
	vehicles, dist, _ := Evaluate(inst, sol)
	if vehicles != len(sol.Routes) || dist < 0 {
		t.Errorf("evaluate: %d vehicles for %d routes, distance %g", vehicles, len(sol.Routes), dist)
	}
}

func FuzzSolomon(f *testing.F) {
	f.Add([]byte("C1\nVEHICLE\nNUMBER CAPACITY\n2 10\nCUSTOMER\nCUST NO.\n0 0 0 0 0 100 0\n1 3 4 5 0 50 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadSolomon(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			return
		}
		exercise(t, in, len(in.Nodes))
	})
}

func FuzzLiLim(f *testing.F) {
	f.Add([]byte("2\t10\t1\n0\t0\t0\t0\t0\t100\t0\t0\t0\n1\t3\t4\t5\t0\t50\t1\t0\t2\n2\t6\t8\t-5\t0\t80\t1\t1\t0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadLiLim(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			return
		}
		exercise(t, in, len(in.Nodes))
	})
}

func FuzzCVRP(f *testing.F) {
	f.Add([]byte("NAME : t\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 5\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadCVRP(bytes.NewReader(data), "fuzz.vrp")
		if err != nil {
			return
		}
		exercise(t, in, len(in.X))
	})
}
