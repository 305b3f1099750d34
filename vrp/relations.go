package vrp

import (
	"fmt"
	"slices"
)

// relation is a compiled Relation.
type relation struct {
	kind    string
	tasks   []int // task indices, in the relation's order
	vehicle int   // the only vehicle allowed; -1: any
	max     int   // max_served
}

// binds reports whether the relation ties its jobs to one vehicle.
func (rel *relation) binds() bool {
	return rel.kind == RelationSameRoute || rel.kind == RelationSequence || rel.kind == RelationDirect
}

// compileRelations indexes the relations by task and refuses the ones that
// vehicle steps contradict (jobs locked on two vehicles, or on another
// vehicle than the relation's), except in plan mode, whose answer reports
// them as "relation" violations.
func (m *model) compileRelations() error {
	if len(m.p.Relations) == 0 {
		return nil
	}
	byID := make(map[uint64]int, m.nJobs)
	for i := 0; i < m.nJobs; i++ {
		byID[m.tasks[i].id] = i
	}
	vehicle := map[uint64]int{}
	for i := range m.p.Vehicles {
		vehicle[m.p.Vehicles[i].ID] = i
	}
	m.taskRels = make([][]int32, len(m.tasks))
	for i, rel := range m.p.Relations {
		f := idxField("lastmile.relations", i)
		cr := relation{kind: rel.Type, vehicle: -1}
		if rel.Vehicle != nil {
			cr.vehicle = vehicle[*rel.Vehicle]
		}
		locked, lockedBy := cr.vehicle, -1
		for k, id := range rel.Jobs {
			ti := byID[id]
			cr.tasks = append(cr.tasks, ti)
			m.taskRels[ti] = append(m.taskRels[ti], int32(i))
			if l := m.tasks[ti].locked; l >= 0 && !m.plan && cr.binds() { // plan mode reports violations instead
				if locked >= 0 && l != locked {
					other := "the relation's vehicle"
					if lockedBy >= 0 {
						other = fmt.Sprintf("job %d on vehicle %d", rel.Jobs[lockedBy], m.p.Vehicles[locked].ID)
					}
					return inputErrorf(idxField(f+".jobs", k), "job %d is in the steps of vehicle %d, against %s: a relation binds its jobs to one vehicle", id, m.p.Vehicles[l].ID, other)
				}
				locked, lockedBy = l, k
			}
		}
		if !m.plan && (rel.Type == RelationAlternative || rel.Type == RelationMaxServed) {
			locked, most := 0, 1
			if rel.Type == RelationMaxServed {
				most = rel.Max
			}
			for _, ti := range cr.tasks {
				if m.tasks[ti].locked >= 0 {
					locked++
				}
			}
			if locked > most {
				return inputErrorf(f+".jobs", "vehicle steps serve %d of its jobs, at most %d may be served", locked, most)
			}
		}
		switch rel.Type {
		case RelationDirect:
			m.hasDirect = true
		case RelationAlternative, RelationMaxServed:
			m.hasGroups = true
			cr.max = rel.Max
		}
		m.rels = append(m.rels, cr)
	}
	m.hasRel = true
	return nil
}

// relVehicleOK reports whether vehicle v may take task u given the
// relations of u and where the related tasks are in s.
func (m *model) relVehicleOK(s *solution, u, v int) bool {
	for _, ri := range m.taskRels[u] {
		rel := &m.rels[ri]
		if !rel.binds() {
			continue
		}
		if rel.vehicle >= 0 && rel.vehicle != v {
			return false
		}
		for _, w := range rel.tasks {
			if w != u && s.where[w] >= 0 && int(s.where[w]) != v {
				return false
			}
		}
	}
	return true
}

// relBounds returns the insertion positions [lo, hi] of task u in r that
// its ordered relations allow, given the related tasks already in r.
func (m *model) relBounds(r *route, u int) (lo, hi int) {
	n := len(r.seq)
	lo, hi = 1, n+1
	if len(m.taskRels[u]) == 0 {
		return
	}
	pos := func(w int) int {
		for i, ti := range r.seq {
			if ti == w {
				return i + 1
			}
		}
		return 0
	}
	for _, ri := range m.taskRels[u] {
		rel := &m.rels[ri]
		if rel.kind != RelationSequence && rel.kind != RelationDirect {
			continue
		}
		i := slices.Index(rel.tasks, u)
		for j, w := range rel.tasks {
			p := pos(w)
			if p == 0 || j == i {
				continue
			}
			if j < i {
				lo = max(lo, p+1) // after its predecessors
				if rel.kind == RelationDirect && j == i-1 {
					hi = min(hi, r.next[p+1]) // before the next task after it
				}
			} else {
				hi = min(hi, p) // before its successors
				if rel.kind == RelationDirect && j == i+1 {
					q := p - 1 // after the task before it
					for q > 0 && m.tasks[r.seq[q-1]].kind == kindBreak {
						q--
					}
					lo = max(lo, q+1)
				}
			}
		}
	}
	return lo, hi
}

// glue marks the insertion positions of r that fall inside a direct pair
// (both of its jobs in r, with only breaks between them): no task may go
// there.
func (m *model) glue(r *route) {
	n := len(r.seq)
	r.glued = grow(r.glued, n+2)
	clear(r.glued)
	for p := 1; p <= n; p++ {
		a := r.seq[p-1]
		for _, ri := range m.taskRels[a] {
			rel := &m.rels[ri]
			if rel.kind != RelationDirect {
				continue
			}
			i := slices.Index(rel.tasks, a)
			if i+1 >= len(rel.tasks) {
				continue
			}
			b := rel.tasks[i+1]
			q := r.next[p+1]
			if q <= n && r.seq[q-1] == b {
				for k := p + 1; k <= q; k++ {
					r.glued[k] = true
				}
			}
		}
	}
}

// relOrderOK reports whether the ordered relations hold inside r: related
// tasks in r in their order, direct pairs with only breaks between them.
func (m *model) relOrderOK(r *route) bool {
	for p, a := range r.seq {
		for _, ri := range m.taskRels[a] {
			rel := &m.rels[ri]
			if rel.kind != RelationSequence && rel.kind != RelationDirect {
				continue
			}
			i := slices.Index(rel.tasks, a)
			// the next related task of the relation in r must come later
			for j := i + 1; j < len(rel.tasks); j++ {
				q := slices.Index(r.seq, rel.tasks[j])
				if q < 0 {
					continue
				}
				if q < p {
					return false
				}
				if rel.kind == RelationDirect && j == i+1 {
					for x := p + 1; x < q; x++ {
						if m.tasks[r.seq[x]].kind != kindBreak {
							return false
						}
					}
				}
				break
			}
		}
	}
	return true
}

// alternatives returns u and the other jobs of its alternative groups.
func (m *model) alternatives(u int) []int {
	out := []int{u}
	for _, ri := range m.taskRels[u] {
		if rel := &m.rels[ri]; rel.kind == RelationAlternative {
			for _, w := range rel.tasks {
				if !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// groupBlocked reports whether u may not be served as things are in s:
// another job of one of its alternative groups is served, or one of its
// max_served groups is full.
func (m *model) groupBlocked(s *solution, u int) bool {
	if m.servedAlternative(s, u) {
		return true
	}
	for _, ri := range m.taskRels[u] {
		rel := &m.rels[ri]
		if rel.kind != RelationMaxServed {
			continue
		}
		n := 0
		for _, w := range rel.tasks {
			if w != u && s.where[w] >= 0 {
				n++
			}
		}
		if n >= rel.max {
			return true
		}
	}
	return false
}

// covered reports whether unassigned job u does not count as unassigned:
// its alternative group is served by another job, or another job of the
// group stands for it (the first in the relation's order).
func (m *model) covered(s *solution, u int) bool {
	if m.servedAlternative(s, u) {
		return true
	}
	for _, ri := range m.taskRels[u] {
		if rel := &m.rels[ri]; rel.kind == RelationAlternative && rel.tasks[0] != u {
			return true
		}
	}
	return false
}

// servedAlternative reports whether another job of one of u's alternative
// groups is served in s.
func (m *model) servedAlternative(s *solution, u int) bool {
	for _, ri := range m.taskRels[u] {
		if rel := &m.rels[ri]; rel.kind == RelationAlternative {
			for _, w := range rel.tasks {
				if w != u && s.where[w] >= 0 {
					return true
				}
			}
		}
	}
	return false
}
