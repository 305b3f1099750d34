package vrp

import (
	"math"
	"sort"
	"strconv"
)

// Validate checks p for input mistakes: duplicate ids, negative durations or
// amounts, malformed time windows, amounts whose dimensions differ, locations
// that cannot be resolved to a matrix row, malformed matrices, out-of-range
// parameters and vehicle steps that refer to unknown tasks. It returns the
// first mistake found as an *InputError whose Field is a path in VROOM's JSON
// names, such as "jobs[3].time_windows[0]".
//
// A problem whose travel is not resolved yet is valid when every location of
// a profile without a matrix has coordinates, so that ResolveTravel can fill
// that matrix. Validate runs in time linear in the size of p.
func (p *Problem) Validate() error {
	v := validator{p: p, dims: -1}
	if len(p.Vehicles) == 0 {
		return inputErrorf("vehicles", "at least one vehicle is required")
	}
	if c := p.Vehicles[0].Capacity; c != nil {
		v.dims = len(c)
		v.dimsFrom = "vehicles[0].capacity"
	}
	if err := v.matrices(); err != nil {
		return err
	}
	if err := v.profiles(); err != nil {
		return err
	}
	if err := v.jobs(); err != nil {
		return err
	}
	if err := v.shipments(); err != nil {
		return err
	}
	if err := v.vehicles(); err != nil {
		return err
	}
	return v.relations()
}

// relations checks the relations: known types, known and distinct jobs,
// a known vehicle, and orders that do not contradict one another.
func (v *validator) relations() error {
	vehicles := map[uint64]bool{}
	for _, vh := range v.p.Vehicles {
		vehicles[vh.ID] = true
	}
	// before[a][b]: job a must come before job b (sequence and direct).
	before := map[uint64]map[uint64]int{}
	for i, rel := range v.p.Relations {
		f := idxField("lastmile.relations", i)
		switch rel.Type {
		case RelationSameRoute, RelationSequence, RelationDirect, RelationAlternative, RelationMaxServed:
		default:
			return inputErrorf(f+".type", "%q is not same_route, sequence, direct, alternative or max_served", rel.Type)
		}
		if min := 2 - btoi(rel.Type == RelationMaxServed); len(rel.Jobs) < min {
			return inputErrorf(f+".jobs", "a %s relation needs at least %d jobs, got %d", rel.Type, min, len(rel.Jobs))
		}
		if rel.Type == RelationMaxServed && rel.Max < 0 {
			return inputErrorf(f+".max", "negative value %d", rel.Max)
		}
		if rel.Vehicle != nil && (rel.Type == RelationAlternative || rel.Type == RelationMaxServed) {
			return inputErrorf(f+".vehicle", "a %s relation names no vehicle", rel.Type)
		}
		seen := map[uint64]bool{}
		for k, id := range rel.Jobs {
			if _, ok := v.jobIDs[id]; !ok {
				return inputErrorf(idxField(f+".jobs", k), "no job with id %d", id)
			}
			if seen[id] {
				return inputErrorf(idxField(f+".jobs", k), "job %d twice in one relation", id)
			}
			seen[id] = true
		}
		if rel.Vehicle != nil && !vehicles[*rel.Vehicle] {
			return inputErrorf(f+".vehicle", "no vehicle with id %d", *rel.Vehicle)
		}
		if rel.Type != RelationSequence && rel.Type != RelationDirect {
			continue
		}
		for k := 1; k < len(rel.Jobs); k++ {
			a, b := rel.Jobs[k-1], rel.Jobs[k]
			if before[a] == nil {
				before[a] = map[uint64]int{}
			}
			before[a][b] = i
		}
	}
	// A cycle in the orders can never be met.
	state := map[uint64]int{} // 1 visiting, 2 done
	var visit func(a uint64) (uint64, bool)
	visit = func(a uint64) (uint64, bool) {
		state[a] = 1
		for b := range before[a] {
			switch state[b] {
			case 1:
				return b, false
			case 0:
				if c, ok := visit(b); !ok {
					return c, false
				}
			}
		}
		state[a] = 2
		return 0, true
	}
	for i, rel := range v.p.Relations {
		for _, id := range rel.Jobs {
			if state[id] == 0 {
				if c, ok := visit(id); !ok {
					return inputErrorf(idxField("lastmile.relations", i), "the relations order job %d before itself", c)
				}
			}
		}
	}
	return nil
}

type validator struct {
	p *Problem

	// dims is the number of dimensions of every amount, -1 until known.
	dims     int
	dimsFrom string

	// Location rules derived from the vehicles' profiles.
	rows        int    // smallest matrix size among used profiles with a matrix; -1 when none
	rowsProfile string // the profile with that matrix
	missing     string // a used profile without a matrix; "" when none
	indexed     int    // -1 unknown, 0: locations have no index, 1: they have one (when missing != "")
	indexedAt   string // field of the first location that set indexed

	jobIDs, pickupIDs, deliveryIDs map[uint64]int
}

func idxField(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

func (v *validator) matrices() error {
	names := make([]string, 0, len(v.p.Matrices))
	for name := range v.p.Matrices {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := v.p.Matrices[name]
		if m == nil {
			continue
		}
		base := "matrices." + name
		n := -1
		for _, part := range []struct {
			key  string
			rows [][]int64
		}{{"durations", m.Durations}, {"distances", m.Distances}, {"costs", m.Costs}} {
			if part.rows == nil {
				continue
			}
			f := base + "." + part.key
			if n >= 0 && len(part.rows) != n {
				return inputErrorf(f, "%d rows, expected %d as in the other matrices of profile %q", len(part.rows), n, name)
			}
			n = len(part.rows)
			if err := checkSquare(f, part.rows); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSquare(field string, rows [][]int64) error {
	n := len(rows)
	for i, row := range rows {
		if len(row) != n {
			return inputErrorf(idxField(field, i), "%d entries, expected %d (the matrix must be square)", len(row), n)
		}
		for j, x := range row {
			if x < 0 {
				return inputErrorf(idxField(idxField(field, i), j), "negative value %d", x)
			}
		}
	}
	return nil
}

func profileOf(vh *Vehicle) string {
	if vh.Profile == "" {
		return "car"
	}
	return vh.Profile
}

func (v *validator) profiles() error {
	v.rows = -1
	v.indexed = -1
	seen := make(map[string]bool)
	for i := range v.p.Vehicles {
		name := profileOf(&v.p.Vehicles[i])
		if seen[name] {
			continue
		}
		seen[name] = true
		m := v.p.Matrices[name]
		if m == nil || m.Durations == nil {
			if v.missing == "" {
				v.missing = name
			}
			continue
		}
		if v.rows < 0 || len(m.Durations) < v.rows {
			v.rows = len(m.Durations)
			v.rowsProfile = name
		}
	}
	return nil
}

// location checks one location against the matrices of the used profiles.
func (v *validator) location(field string, l *Location) error {
	if !l.HasIndex && !l.HasCoord {
		return inputErrorf(field, "neither coordinates nor a matrix index given")
	}
	if l.HasCoord {
		if math.IsNaN(l.Lon) || math.IsNaN(l.Lat) || math.IsInf(l.Lon, 0) || math.IsInf(l.Lat, 0) ||
			l.Lon < -180 || l.Lon > 180 || l.Lat < -90 || l.Lat > 90 {
			return inputErrorf(field, "coordinates [%g, %g] out of range (longitude must be in [-180, 180], latitude in [-90, 90])", l.Lon, l.Lat)
		}
	}
	if l.HasIndex {
		if l.Index < 0 {
			return inputErrorf(field+"_index", "negative index %d", l.Index)
		}
		if v.rows >= 0 && l.Index >= v.rows {
			return inputErrorf(field+"_index", "index %d out of range: the matrix of profile %q has %d rows", l.Index, v.rowsProfile, v.rows)
		}
	} else if v.rows >= 0 {
		return inputErrorf(field+"_index", "missing: profile %q has a matrix, so every location needs a matrix index", v.rowsProfile)
	}
	if v.missing != "" {
		if !l.HasCoord {
			return inputErrorf(field, "coordinates required: profile %q has no matrix to look index %d up in", v.missing, l.Index)
		}
		idx := 0
		if l.HasIndex {
			idx = 1
		}
		switch v.indexed {
		case -1:
			v.indexed, v.indexedAt = idx, field
		case idx:
		default:
			return inputErrorf(field+"_index", "profile %q has no matrix, so either every location or none must have a matrix index (compare %s)", v.missing, v.indexedAt)
		}
	}
	return nil
}

func (v *validator) amount(field string, a Amount) error {
	if a == nil {
		return nil
	}
	if v.dims < 0 {
		v.dims, v.dimsFrom = len(a), field
	} else if len(a) != v.dims {
		return inputErrorf(field, "%d dimensions, expected %d as in %s", len(a), v.dims, v.dimsFrom)
	}
	for i, x := range a {
		if x < 0 {
			return inputErrorf(field, "negative amount %d in dimension %d", x, i)
		}
	}
	return nil
}

func timeWindows(field string, tws []TimeWindow) error {
	for i, tw := range tws {
		f := idxField(field, i)
		if tw.Start > tw.End {
			return inputErrorf(f, "start %d is after end %d", tw.Start, tw.End)
		}
		if i > 0 && tw.Start <= tws[i-1].End {
			prev := tws[i-1]
			return inputErrorf(f, "window [%d, %d] does not start after the previous window [%d, %d] ends: windows must be sorted and must not overlap", tw.Start, tw.End, prev.Start, prev.End)
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxRate bounds cost rates per hour of the extensions, so that internal
// costs stay far from overflow; maxBalanceRate bounds the balance term's
// rate, which multiplies a squared duration.
const (
	maxRate        = 1_000_000_000
	maxBalanceRate = 100_000
)

func nonNegative(field string, x int64) error {
	if x < 0 {
		return inputErrorf(field, "negative value %d", x)
	}
	return nil
}

func skills(field string, s []int) error {
	for i, x := range s {
		if x < 0 {
			return inputErrorf(idxField(field, i), "negative skill %d", x)
		}
	}
	return nil
}

func priority(field string, x int) error {
	if x < 0 || x > 100 {
		return inputErrorf(field, "%d is outside 0..100", x)
	}
	return nil
}

func (v *validator) jobs() error {
	v.jobIDs = make(map[uint64]int, len(v.p.Jobs))
	for i := range v.p.Jobs {
		j := &v.p.Jobs[i]
		f := idxField("jobs", i)
		if prev, dup := v.jobIDs[j.ID]; dup {
			return inputErrorf(f+".id", "duplicate job id %d (also jobs[%d])", j.ID, prev)
		}
		v.jobIDs[j.ID] = i
		if err := v.location(f+".location", &j.Location); err != nil {
			return err
		}
		if err := nonNegative(f+".setup", j.Setup); err != nil {
			return err
		}
		if err := nonNegative(f+".service", j.Service); err != nil {
			return err
		}
		if err := v.amount(f+".delivery", j.Delivery); err != nil {
			return err
		}
		if err := v.amount(f+".pickup", j.Pickup); err != nil {
			return err
		}
		if err := skills(f+".skills", j.Skills); err != nil {
			return err
		}
		if err := priority(f+".priority", j.Priority); err != nil {
			return err
		}
		if err := softWindows(f+".lastmile", j.Soft); err != nil {
			return err
		}
		if err := timeWindows(f+".time_windows", j.TimeWindows); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) shipmentStep(f, kind string, s *ShipmentStep, ids map[uint64]int) error {
	if prev, dup := ids[s.ID]; dup {
		return inputErrorf(f+".id", "duplicate %s id %d (also shipments[%d].%s)", kind, s.ID, prev, kind)
	}
	if err := v.location(f+".location", &s.Location); err != nil {
		return err
	}
	if err := nonNegative(f+".setup", s.Setup); err != nil {
		return err
	}
	if err := nonNegative(f+".service", s.Service); err != nil {
		return err
	}
	if err := softWindows(f+".lastmile", s.Soft); err != nil {
		return err
	}
	return timeWindows(f+".time_windows", s.TimeWindows)
}

// softWindows checks a task's soft time windows.
func softWindows(f string, sw *SoftWindows) error {
	if sw == nil {
		return nil
	}
	if err := nonNegative(f+".eta_cost_per_hour", sw.ETACostPerHour); err != nil {
		return err
	}
	if c := sw.EarlyCostPerHour; c < 0 || c > maxRate {
		return inputErrorf(f+".early_cost_per_hour", "%d is outside [0, %d]", c, maxRate)
	}
	return nonNegative(f+".late_cost_per_hour", sw.LateCostPerHour)
}

func (v *validator) shipments() error {
	v.pickupIDs = make(map[uint64]int, len(v.p.Shipments))
	v.deliveryIDs = make(map[uint64]int, len(v.p.Shipments))
	for i := range v.p.Shipments {
		s := &v.p.Shipments[i]
		f := idxField("shipments", i)
		if err := v.shipmentStep(f+".pickup", "pickup", &s.Pickup, v.pickupIDs); err != nil {
			return err
		}
		v.pickupIDs[s.Pickup.ID] = i
		if err := v.shipmentStep(f+".delivery", "delivery", &s.Delivery, v.deliveryIDs); err != nil {
			return err
		}
		v.deliveryIDs[s.Delivery.ID] = i
		if err := v.amount(f+".amount", s.Amount); err != nil {
			return err
		}
		if err := skills(f+".skills", s.Skills); err != nil {
			return err
		}
		if err := priority(f+".priority", s.Priority); err != nil {
			return err
		}
		if err := nonNegative(f+".lastmile.max_ride_time", s.MaxRideTime); err != nil {
			return err
		}
	}
	return nil
}

type stepKey struct {
	typ StepType
	id  uint64
}

func (v *validator) vehicles() error {
	ids := make(map[uint64]int, len(v.p.Vehicles))
	inSteps := make(map[stepKey]string)
	for i := range v.p.Vehicles {
		vh := &v.p.Vehicles[i]
		f := idxField("vehicles", i)
		if prev, dup := ids[vh.ID]; dup {
			return inputErrorf(f+".id", "duplicate vehicle id %d (also vehicles[%d])", vh.ID, prev)
		}
		ids[vh.ID] = i
		if vh.Start != nil {
			if err := v.location(f+".start", vh.Start); err != nil {
				return err
			}
		}
		if vh.End != nil {
			if err := v.location(f+".end", vh.End); err != nil {
				return err
			}
		}
		if err := v.amount(f+".capacity", vh.Capacity); err != nil {
			return err
		}
		if err := skills(f+".skills", vh.Skills); err != nil {
			return err
		}
		if tw := vh.TimeWindow; tw != nil && tw.Start > tw.End {
			return inputErrorf(f+".time_window", "start %d is after end %d", tw.Start, tw.End)
		}
		if err := nonNegative(f+".costs.fixed", vh.Costs.Fixed); err != nil {
			return err
		}
		if err := nonNegative(f+".costs.per_hour", vh.Costs.PerHour); err != nil {
			return err
		}
		if err := nonNegative(f+".costs.per_km", vh.Costs.PerKm); err != nil {
			return err
		}
		if err := nonNegative(f+".lastmile.max_duration", vh.MaxDuration); err != nil {
			return err
		}
		if vh.MaxWaiting != nil {
			if err := nonNegative(f+".lastmile.max_waiting", *vh.MaxWaiting); err != nil {
				return err
			}
		}
		if c := vh.WaitingCostPerHour; c < 0 || c > maxRate {
			return inputErrorf(f+".lastmile.waiting_cost_per_hour", "%d is outside [0, %d]", c, maxRate)
		}
		if rl := vh.Reloads; rl != nil {
			if vh.Start == nil {
				return inputErrorf(f+".lastmile.reloads", "reloading needs the vehicle's start, where it reloads")
			}
			if rl.Max < 1 || rl.Max > 50 {
				return inputErrorf(f+".lastmile.reloads.max", "%d is outside [1, 50]", rl.Max)
			}
			if err := nonNegative(f+".lastmile.reloads.service", rl.Service); err != nil {
				return err
			}
		}
		if dr := vh.DrivingRule; dr != nil {
			if dr.MaxDriving < 60 {
				return inputErrorf(f+".lastmile.driving_rule.max_driving", "%d s: at least 60 s", dr.MaxDriving)
			}
			if dr.Rest <= 0 {
				return inputErrorf(f+".lastmile.driving_rule.rest", "%d s: must be positive", dr.Rest)
			}
		}
		if c := vh.WorkingCostPerHour; c < 0 || c > maxRate {
			return inputErrorf(f+".lastmile.working_cost_per_hour", "%d is outside [0, %d]", c, maxRate)
		}
		if err := nonNegative(f+".lastmile.min_duration", vh.MinDuration); err != nil {
			return err
		}
		if vh.MinDuration > 0 && vh.WorkingCostPerHour == 0 {
			return inputErrorf(f+".lastmile.min_duration", "a paid minimum needs working_cost_per_hour")
		}
		if vh.MaxDuration > 0 && vh.MinDuration > vh.MaxDuration {
			return inputErrorf(f+".lastmile.min_duration", "%d is over max_duration %d", vh.MinDuration, vh.MaxDuration)
		}
		for b, band := range vh.Traffic {
			bf := idxField(f+".lastmile.traffic", b)
			if band.Start < 0 || band.End <= band.Start {
				return inputErrorf(bf, "[%d, %d) is not a time band", band.Start, band.End)
			}
			if b > 0 && band.Start < vh.Traffic[b-1].End {
				return inputErrorf(bf+".start", "%d: bands must be sorted and must not overlap (the previous ends at %d)", band.Start, vh.Traffic[b-1].End)
			}
			if fc := band.Factor; math.IsNaN(fc) || fc < minTrafficFactor || fc > maxTrafficFactor {
				return inputErrorf(bf+".factor", "%g is outside [%g, %g]", fc, minTrafficFactor, float64(maxTrafficFactor))
			}
		}
		if c := vh.BalanceCostPerHour2; c < 0 || c > maxBalanceRate {
			return inputErrorf(f+".lastmile.balance_cost_per_hour2", "%d is outside [0, %d]", c, maxBalanceRate)
		}
		if sf := vh.SpeedFactor; math.IsNaN(sf) || sf < 0 || sf > 5 {
			return inputErrorf(f+".speed_factor", "%g is outside (0, 5]", sf)
		}
		breaks := make(map[uint64]int, len(vh.Breaks))
		for b := range vh.Breaks {
			br := &vh.Breaks[b]
			bf := idxField(f+".breaks", b)
			if prev, dup := breaks[br.ID]; dup {
				return inputErrorf(bf+".id", "duplicate break id %d (also %s.breaks[%d])", br.ID, f, prev)
			}
			breaks[br.ID] = b
			if err := timeWindows(bf+".time_windows", br.TimeWindows); err != nil {
				return err
			}
			if err := nonNegative(bf+".service", br.Service); err != nil {
				return err
			}
			if err := v.amount(bf+".max_load", br.MaxLoad); err != nil {
				return err
			}
		}
		if err := v.steps(f, vh, breaks, inSteps); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) steps(f string, vh *Vehicle, breaks map[uint64]int, inSteps map[stepKey]string) error {
	seenBreak := make(map[uint64]bool)
	for s := range vh.Steps {
		st := &vh.Steps[s]
		sf := idxField(f+".steps", s)
		switch st.Type {
		case StepStart:
			if s != 0 {
				return inputErrorf(sf+".type", "a start step must come first")
			}
		case StepEnd:
			if s != len(vh.Steps)-1 {
				return inputErrorf(sf+".type", "an end step must come last")
			}
		case StepJob, StepPickup, StepDelivery:
			var known bool
			switch st.Type {
			case StepJob:
				_, known = v.jobIDs[st.ID]
			case StepPickup:
				_, known = v.pickupIDs[st.ID]
			default:
				_, known = v.deliveryIDs[st.ID]
			}
			if !known {
				return inputErrorf(sf+".id", "no %s with id %d", st.Type, st.ID)
			}
			k := stepKey{st.Type, st.ID}
			if prev, dup := inSteps[k]; dup {
				return inputErrorf(sf+".id", "%s %d is listed twice (also %s)", st.Type, st.ID, prev)
			}
			inSteps[k] = sf
		case StepBreak:
			if _, ok := breaks[st.ID]; !ok {
				return inputErrorf(sf+".id", "the vehicle has no break with id %d", st.ID)
			}
			if seenBreak[st.ID] {
				return inputErrorf(sf+".id", "break %d is listed twice", st.ID)
			}
			seenBreak[st.ID] = true
		default:
			return inputErrorf(sf+".type", "unknown step type %q (want start, job, pickup, delivery, break or end)", string(st.Type))
		}
		if st.ServiceAfter != nil && st.ServiceBefore != nil && *st.ServiceAfter > *st.ServiceBefore {
			return inputErrorf(sf, "service_after %d is after service_before %d", *st.ServiceAfter, *st.ServiceBefore)
		}
	}
	return nil
}
