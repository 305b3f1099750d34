package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Replan builds a mid-day re-planning problem from a problem and its
// solution: on every route the first done fraction of the stops has been
// served, so the vehicle now starts where it served its last one, at that
// time; the served stops and breaks are gone, the remaining stops carry the
// ETAs promised by the plan (ETACostPerHour per hour for moving them), and
// newJobs new stops near random remaining ones arrive, with seed picking
// them. It also returns the promised ETA of each remaining job by id.
func Replan(p *vrp.Problem, s *vrp.Solution, done float64, newJobs int, etaCostPerHour int64, seed int64) (*vrp.Problem, map[uint64]int64, error) {
	jobByID := map[uint64]int{}
	for i, j := range p.Jobs {
		jobByID[j.ID] = i
	}
	vehByID := map[uint64]int{}
	for i, v := range p.Vehicles {
		vehByID[v.ID] = i
	}
	q := &vrp.Problem{Matrices: p.Matrices, Vehicles: make([]vrp.Vehicle, len(p.Vehicles))}
	copy(q.Vehicles, p.Vehicles)
	served := map[uint64]bool{}
	promised := map[uint64]int64{}
	for _, r := range s.Routes {
		vi, ok := vehByID[r.Vehicle]
		if !ok {
			return nil, nil, fmt.Errorf("replan: unknown vehicle %d", r.Vehicle)
		}
		var stops []int // step indices of jobs
		for k, st := range r.Steps {
			if st.Type == vrp.StepJob {
				stops = append(stops, k)
			} else if st.Type == vrp.StepPickup || st.Type == vrp.StepDelivery {
				return nil, nil, fmt.Errorf("replan: shipments are not supported")
			}
		}
		cut := int(done * float64(len(stops)))
		v := &q.Vehicles[vi]
		if cut > 0 {
			last := r.Steps[stops[cut-1]]
			j := p.Jobs[jobByID[last.ID]]
			loc := j.Location
			v.Start = &loc
			now := last.Arrival + last.WaitingTime + last.Setup + last.Service
			tw := vrp.TimeWindow{Start: now, End: now}
			if v.TimeWindow != nil {
				tw.End = v.TimeWindow.End
			}
			v.TimeWindow = &tw
			// breaks taken before now are done
			var keep []vrp.Break
			for k, st := range r.Steps {
				if st.Type == vrp.StepBreak {
					if k < stops[cut-1] {
						continue
					}
					for _, b := range v.Breaks {
						if b.ID == st.ID {
							keep = append(keep, b)
						}
					}
				}
			}
			v.Breaks = keep
		}
		for n, k := range stops {
			st := r.Steps[k]
			if n < cut {
				served[st.ID] = true
				continue
			}
			promised[st.ID] = st.Arrival + st.WaitingTime
		}
	}
	for _, j := range p.Jobs {
		if served[j.ID] {
			continue
		}
		if eta, ok := promised[j.ID]; ok {
			sw := vrp.SoftWindows{MaxLateness: -1, ETA: eta, ETACostPerHour: etaCostPerHour}
			if j.Soft != nil {
				sw.LateCostPerHour, sw.MaxLateness = j.Soft.LateCostPerHour, j.Soft.MaxLateness
			}
			j.Soft = &sw
		}
		q.Jobs = append(q.Jobs, j)
	}
	// New stops: copies of random remaining ones (same place, new ids).
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	var maxID uint64
	for _, j := range p.Jobs {
		maxID = max(maxID, j.ID)
	}
	remaining := len(q.Jobs)
	for n := 0; n < newJobs && remaining > 0; n++ {
		base := q.Jobs[rng.IntN(remaining)]
		maxID++
		q.Jobs = append(q.Jobs, vrp.Job{ID: maxID, Location: base.Location, Service: base.Service,
			Delivery: base.Delivery, Pickup: make(vrp.Amount, len(base.Delivery)), Description: "new"})
	}
	return q, promised, nil
}

// ETAMoves counts the jobs of s with a promised ETA whose service start
// moved by more than tolerance seconds, and how many had a promise.
func ETAMoves(s *vrp.Solution, promised map[uint64]int64, tolerance int64) (moved, total int) {
	for _, r := range s.Routes {
		for _, st := range r.Steps {
			eta, ok := promised[st.ID]
			if st.Type != vrp.StepJob || !ok {
				continue
			}
			total++
			if d := st.Arrival + st.WaitingTime - eta; d > tolerance || d < -tolerance {
				moved++
			}
		}
	}
	for _, u := range s.Unassigned {
		if _, ok := promised[u.ID]; ok && u.Type == vrp.StepJob {
			total++
			moved++
		}
	}
	return moved, total
}
