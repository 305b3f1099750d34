package vrp

import (
	"context"
	"slices"
	"time"
)

// NearestNeighbour plans the way a dispatcher without an optimizer would,
// as a baseline to measure the optimizer against: vehicle after vehicle, in
// input order, the route grows from its start by the nearest task (travel
// time from where the vehicle is) that still fits — windows, capacity,
// skills, breaks and every limit, checked by re-timing the whole route — and
// the next vehicle starts when nothing more fits. Tasks no vehicle took are
// unassigned with the optimizer's explanations. Vehicles with steps keep
// them as given. The result is deterministic.
func NearestNeighbour(ctx context.Context, p *Problem) (*Solution, error) {
	t0 := time.Now()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m, err := compile(p, 1)
	if err != nil {
		return nil, err
	}
	s := m.newSolution()
	se := m.newSearcher(1, MinimizeCost)
	se.blink = 0
	if err := m.placeSteps(s, se); err != nil {
		return nil, err
	}
	var cands []int
	for v := range m.vehicles {
		if len(m.vehicles[v].steps) > 0 {
			continue
		}
		for ctx.Err() == nil {
			r := s.routes[v]
			cur := m.vehicles[v].startLoc
			for _, ti := range r.seq {
				if m.tasks[ti].kind != kindBreak {
					cur = m.tasks[ti].loc
				}
			}
			cands = cands[:0]
			for u := 0; u < m.nTasks; u++ {
				if m.isUnit(u) && s.where[u] < 0 && m.canServe(v, &m.tasks[u]) && (!m.hasRel || m.relVehicleOK(s, u, v)) &&
					(!m.hasGroups || !m.groupBlocked(s, u)) {
					cands = append(cands, u)
				}
			}
			mat := m.vehicles[v].mat
			slices.SortStableFunc(cands, func(a, b int) int {
				return int(mat.duration(cur, m.tasks[a].loc) - mat.duration(cur, m.tasks[b].loc))
			})
			placed := false
			for _, u := range cands {
				if m.appendUnit(s, se, v, u) {
					placed = true
					break
				}
			}
			if !placed {
				break
			}
		}
	}
	for u := 0; u < m.nTasks; u++ {
		if m.isUnit(u) && s.where[u] < 0 {
			s.unas = append(s.unas, u)
		}
	}
	s.cutoff = ctx.Err() != nil
	return m.output(s, time.Since(t0)), nil
}

// appendUnit appends unit u (a job, or a pickup with its delivery) at the
// end of vehicle v's tasks and places the vehicle's breaks again; it keeps
// the route only if all of that is feasible.
func (m *model) appendUnit(s *solution, se *searcher, v, u int) bool {
	old := s.routes[v]
	c := &route{v: v}
	for _, ti := range old.seq {
		if m.tasks[ti].kind != kindBreak {
			c.seq = append(c.seq, ti)
		}
	}
	c.seq = append(c.seq, u)
	if m.tasks[u].kind == kindPickup {
		c.seq = append(c.seq, m.tasks[u].partner)
	}
	m.update(c)
	if !c.feasible {
		return false
	}
	breaks := m.vehicles[v].breaks
	s.routes[v], s.owned[v] = c, true
	for _, b := range breaks {
		s.where[b] = -1
	}
	for _, b := range breaks {
		if !se.insertBreak(s, v, b) {
			s.routes[v] = old
			for _, b := range breaks {
				if slices.Contains(old.seq, b) {
					s.where[b] = int32(v)
				}
			}
			return false
		}
	}
	if !s.routes[v].feasible {
		s.routes[v] = old
		return false
	}
	s.where[u] = int32(v)
	if m.tasks[u].kind == kindPickup {
		s.where[m.tasks[u].partner] = int32(v)
	}
	return true
}
