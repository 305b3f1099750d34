package vroomjson

import (
	"fmt"
	"io"
	"sort"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Encode writes s in VROOM's solution format, compact, followed by a
// newline. When s.Code is not 0 only the code and the error are written, as
// VROOM does. The distance fields are written when any of them is not zero;
// use EncodeFor to decide from the problem instead.
func Encode(w io.Writer, s *vrp.Solution) error {
	return encodeSolution(w, s, solutionDistance(s), nil)
}

// EncodeFor writes s, a solution of p, like Encode. Distance fields are
// written when a vehicle's profile has a distances matrix (as VROOM writes
// them when it knows distances), and unassigned tasks get the description
// they have in p.
func EncodeFor(w io.Writer, p *vrp.Problem, s *vrp.Solution) error {
	hasDistances := false
	for i := range p.Vehicles {
		name := p.Vehicles[i].Profile
		if name == "" {
			name = DefaultProfile
		}
		if m := p.Matrices[name]; m != nil && m.Distances != nil {
			hasDistances = true
			break
		}
	}
	descriptions := make(map[taskKey]string)
	for i := range p.Jobs {
		if d := p.Jobs[i].Description; d != "" {
			descriptions[taskKey{vrp.StepJob, p.Jobs[i].ID}] = d
		}
	}
	for i := range p.Shipments {
		sh := &p.Shipments[i]
		if d := sh.Pickup.Description; d != "" {
			descriptions[taskKey{vrp.StepPickup, sh.Pickup.ID}] = d
		}
		if d := sh.Delivery.Description; d != "" {
			descriptions[taskKey{vrp.StepDelivery, sh.Delivery.ID}] = d
		}
	}
	return encodeSolution(w, s, hasDistances, descriptions)
}

type taskKey struct {
	typ vrp.StepType
	id  uint64
}

func solutionDistance(s *vrp.Solution) bool {
	if s.Summary.Distance != 0 {
		return true
	}
	for i := range s.Routes {
		r := &s.Routes[i]
		if r.Distance != 0 {
			return true
		}
		for k := range r.Steps {
			if r.Steps[k].Distance != 0 {
				return true
			}
		}
	}
	return false
}

func encodeSolution(w io.Writer, s *vrp.Solution, distance bool, descriptions map[taskKey]string) error {
	j := newWriter(w)
	j.open('{')
	j.intField("code", int64(s.Code))
	if s.Code != 0 {
		j.strField("error", s.Error)
	} else {
		writeSummary(j, s, distance)
		j.key("unassigned")
		j.open('[')
		for i := range s.Unassigned {
			u := &s.Unassigned[i]
			j.open('{')
			j.uintField("id", u.ID)
			writeLocation(j, u.Location)
			j.strField("type", string(u.Type))
			if d := descriptions[taskKey{u.Type, u.ID}]; d != "" {
				j.strField("description", d)
			}
			if u.Reason != "" {
				j.strField("reason", u.Reason)
			}
			if len(u.Blocked) > 0 {
				j.key("lastmile")
				j.open('{')
				j.key("blocked")
				j.open('[')
				for _, b := range u.Blocked {
					j.open('{')
					j.strField("cause", b.Cause)
					j.key("vehicles")
					j.open('[')
					for _, id := range b.Vehicles {
						j.uint(id)
					}
					j.close(']')
					j.close('}')
				}
				j.close(']')
				j.close('}')
			}
			j.close('}')
		}
		j.close(']')
		j.key("routes")
		j.open('[')
		for i := range s.Routes {
			writeRoute(j, &s.Routes[i], distance)
		}
		j.close(']')
	}
	j.close('}')
	j.buf = append(j.buf, '\n')
	j.flush()
	if j.err != nil {
		return fmt.Errorf("vroomjson: write solution: %w", j.err)
	}
	return nil
}

func writeSummary(j *writer, s *vrp.Solution, distance bool) {
	m := &s.Summary
	j.key("summary")
	j.open('{')
	j.intField("cost", m.Cost)
	j.intField("routes", int64(m.Routes))
	j.intField("unassigned", int64(m.Unassigned))
	if len(m.Delivery) > 0 {
		j.key("delivery")
		j.ints(m.Delivery)
	}
	if len(m.Pickup) > 0 {
		j.key("pickup")
		j.ints(m.Pickup)
	}
	j.intField("setup", m.Setup)
	j.intField("service", m.Service)
	j.intField("duration", m.Duration)
	j.intField("waiting_time", m.WaitingTime)
	j.intField("priority", m.Priority)
	if distance {
		j.intField("distance", m.Distance)
	}
	writeViolations(j, m.Violations)
	j.key("computing_times")
	j.open('{')
	j.intField("loading", s.LoadingMS)
	j.intField("solving", s.SolvingMS)
	j.intField("routing", s.RoutingMS)
	j.close('}')
	j.close('}')
}

func writeRoute(j *writer, r *vrp.Route, distance bool) {
	j.open('{')
	j.uintField("vehicle", r.Vehicle)
	j.intField("cost", r.Cost)
	if r.Description != "" {
		j.strField("description", r.Description)
	}
	if len(r.Delivery) > 0 {
		j.key("delivery")
		j.ints(r.Delivery)
	}
	if len(r.Pickup) > 0 {
		j.key("pickup")
		j.ints(r.Pickup)
	}
	j.intField("setup", r.Setup)
	j.intField("service", r.Service)
	j.intField("duration", r.Duration)
	j.intField("waiting_time", r.WaitingTime)
	j.intField("priority", r.Priority)
	if distance {
		j.intField("distance", r.Distance)
	}
	j.key("steps")
	j.open('[')
	for i := range r.Steps {
		writeStep(j, &r.Steps[i], distance)
	}
	j.close(']')
	writeViolations(j, r.Violations)
	j.close('}')
}

func writeStep(j *writer, s *vrp.Step, distance bool) {
	j.open('{')
	j.strField("type", string(s.Type))
	if s.Description != "" {
		j.strField("description", s.Description)
	}
	writeLocation(j, s.Location)
	task := s.Type == vrp.StepJob || s.Type == vrp.StepPickup || s.Type == vrp.StepDelivery
	if task || s.Type == vrp.StepBreak {
		j.uintField("id", s.ID)
	}
	j.intField("setup", s.Setup)
	j.intField("service", s.Service)
	j.intField("waiting_time", s.WaitingTime)
	if task {
		j.uintField("job", s.ID) // deprecated in VROOM, still written
	}
	if len(s.Load) > 0 {
		j.key("load")
		j.ints(s.Load)
	}
	j.intField("arrival", s.Arrival)
	j.intField("duration", s.Duration)
	writeViolations(j, s.Violations)
	if distance {
		j.intField("distance", s.Distance)
	}
	if s.Rest {
		j.key("lastmile")
		j.open('{')
		j.key("rest")
		j.bool(true)
		j.close('}')
	}
	j.close('}')
}

func writeLocation(j *writer, l *vrp.Location) {
	if l == nil {
		return
	}
	if l.HasCoord {
		j.key("location")
		j.open('[')
		j.float(l.Lon)
		j.float(l.Lat)
		j.close(']')
	}
	if l.HasIndex {
		j.intField("location_index", int64(l.Index))
	}
}

func writeViolations(j *writer, vs []vrp.Violation) {
	j.key("violations")
	j.open('[')
	for _, v := range vs {
		j.open('{')
		if v.Cause == "delay" || v.Cause == "lead_time" || v.Duration != 0 {
			j.intField("duration", v.Duration)
		}
		j.strField("cause", v.Cause)
		j.close('}')
	}
	j.close(']')
}

// EncodeProblem writes p in VROOM's input format, compact, followed by a
// newline, such that Decode reads back the same problem. Fields equal to
// the defaults Decode applies are left out; nil slices are left out while
// empty ones are written as [].
func EncodeProblem(w io.Writer, p *vrp.Problem) error {
	j := newWriter(w)
	j.open('{')
	if p.Vehicles != nil {
		j.key("vehicles")
		j.open('[')
		for i := range p.Vehicles {
			writeVehicle(j, &p.Vehicles[i])
		}
		j.close(']')
	}
	if p.Jobs != nil {
		j.key("jobs")
		j.open('[')
		for i := range p.Jobs {
			writeJob(j, &p.Jobs[i])
		}
		j.close(']')
	}
	if p.Shipments != nil {
		j.key("shipments")
		j.open('[')
		for i := range p.Shipments {
			s := &p.Shipments[i]
			j.open('{')
			j.key("pickup")
			writeShipmentStep(j, &s.Pickup)
			j.key("delivery")
			writeShipmentStep(j, &s.Delivery)
			amountField(j, "amount", s.Amount)
			skillsField(j, s.Skills)
			if s.Priority != 0 {
				j.intField("priority", int64(s.Priority))
			}
			if s.MaxRideTime != 0 {
				j.key("lastmile")
				j.open('{')
				j.intField("max_ride_time", s.MaxRideTime)
				j.close('}')
			}
			j.close('}')
		}
		j.close(']')
	}
	if p.Relations != nil {
		j.key("lastmile")
		j.open('{')
		j.key("relations")
		j.open('[')
		for _, rel := range p.Relations {
			j.open('{')
			j.strField("type", rel.Type)
			j.key("jobs")
			j.open('[')
			for _, id := range rel.Jobs {
				j.uint(id)
			}
			j.close(']')
			if rel.Vehicle != nil {
				j.uintField("vehicle", *rel.Vehicle)
			}
			if rel.Type == vrp.RelationMaxServed {
				j.intField("max", int64(rel.Max))
			}
			j.close('}')
		}
		j.close(']')
		j.close('}')
	}
	if p.Matrices != nil {
		names := make([]string, 0, len(p.Matrices))
		for name := range p.Matrices {
			names = append(names, name)
		}
		sort.Strings(names)
		j.key("matrices")
		j.open('{')
		for _, name := range names {
			m := p.Matrices[name]
			if m == nil {
				continue
			}
			j.key(name)
			j.open('{')
			if m.Durations != nil {
				j.key("durations")
				j.matrix(m.Durations)
			}
			if m.Distances != nil {
				j.key("distances")
				j.matrix(m.Distances)
			}
			if m.Costs != nil {
				j.key("costs")
				j.matrix(m.Costs)
			}
			j.close('}')
		}
		j.close('}')
	}
	j.close('}')
	j.buf = append(j.buf, '\n')
	j.flush()
	if j.err != nil {
		return fmt.Errorf("vroomjson: write problem: %w", j.err)
	}
	return nil
}

func amountField(j *writer, key string, a vrp.Amount) {
	if a != nil {
		j.key(key)
		j.ints(a)
	}
}

func skillsField(j *writer, s []int) {
	if s == nil {
		return
	}
	j.key("skills")
	j.open('[')
	for _, x := range s {
		j.int(int64(x))
	}
	j.close(']')
}

func timeWindowsField(j *writer, tws []vrp.TimeWindow) {
	if tws == nil {
		return
	}
	j.key("time_windows")
	j.open('[')
	for _, tw := range tws {
		j.open('[')
		j.int(tw.Start)
		j.int(tw.End)
		j.close(']')
	}
	j.close(']')
}

// locationFields writes a location under coordKey and indexKey.
func locationFields(j *writer, l *vrp.Location, coordKey, indexKey string) {
	if l.HasCoord {
		j.key(coordKey)
		j.open('[')
		j.float(l.Lon)
		j.float(l.Lat)
		j.close(']')
	}
	if l.HasIndex {
		j.intField(indexKey, int64(l.Index))
	}
}

func writeJob(j *writer, jb *vrp.Job) {
	j.open('{')
	j.uintField("id", jb.ID)
	if jb.Description != "" {
		j.strField("description", jb.Description)
	}
	locationFields(j, &jb.Location, "location", "location_index")
	if jb.Setup != 0 {
		j.intField("setup", jb.Setup)
	}
	if jb.Service != 0 {
		j.intField("service", jb.Service)
	}
	amountField(j, "delivery", jb.Delivery)
	amountField(j, "pickup", jb.Pickup)
	skillsField(j, jb.Skills)
	if jb.Priority != 0 {
		j.intField("priority", int64(jb.Priority))
	}
	timeWindowsField(j, jb.TimeWindows)
	softField(j, jb.Soft)
	j.close('}')
}

func writeShipmentStep(j *writer, s *vrp.ShipmentStep) {
	j.open('{')
	j.uintField("id", s.ID)
	if s.Description != "" {
		j.strField("description", s.Description)
	}
	locationFields(j, &s.Location, "location", "location_index")
	if s.Setup != 0 {
		j.intField("setup", s.Setup)
	}
	if s.Service != 0 {
		j.intField("service", s.Service)
	}
	timeWindowsField(j, s.TimeWindows)
	softField(j, s.Soft)
	j.close('}')
}

func writeVehicle(j *writer, v *vrp.Vehicle) {
	j.open('{')
	j.uintField("id", v.ID)
	if v.Profile != "" && v.Profile != DefaultProfile {
		j.strField("profile", v.Profile)
	}
	if v.Description != "" {
		j.strField("description", v.Description)
	}
	if v.Start != nil {
		locationFields(j, v.Start, "start", "start_index")
	}
	if v.End != nil {
		locationFields(j, v.End, "end", "end_index")
	}
	amountField(j, "capacity", v.Capacity)
	skillsField(j, v.Skills)
	if tw := v.TimeWindow; tw != nil {
		j.key("time_window")
		j.open('[')
		j.int(tw.Start)
		j.int(tw.End)
		j.close(']')
	}
	if v.Breaks != nil {
		j.key("breaks")
		j.open('[')
		for i := range v.Breaks {
			b := &v.Breaks[i]
			j.open('{')
			j.uintField("id", b.ID)
			if b.Description != "" {
				j.strField("description", b.Description)
			}
			timeWindowsField(j, b.TimeWindows)
			if b.Service != 0 {
				j.intField("service", b.Service)
			}
			amountField(j, "max_load", b.MaxLoad)
			j.close('}')
		}
		j.close(']')
	}
	if v.Costs != (vrp.Costs{PerHour: DefaultPerHour}) {
		j.key("costs")
		j.open('{')
		j.intField("fixed", v.Costs.Fixed)
		j.intField("per_hour", v.Costs.PerHour)
		j.intField("per_km", v.Costs.PerKm)
		j.close('}')
	}
	if v.SpeedFactor != 0 && v.SpeedFactor != 1 {
		j.key("speed_factor")
		j.float(v.SpeedFactor)
	}
	if v.MaxTasks >= 0 {
		j.intField("max_tasks", int64(v.MaxTasks))
	}
	if v.MaxTravelTime >= 0 {
		j.intField("max_travel_time", v.MaxTravelTime)
	}
	if v.MaxDistance >= 0 {
		j.intField("max_distance", v.MaxDistance)
	}
	if v.MaxDuration != 0 || v.MaxWaiting != nil || v.WaitingCostPerHour != 0 || v.BalanceCostPerHour2 != 0 || v.DrivingRule != nil ||
		v.WorkingCostPerHour != 0 || v.MinDuration != 0 || v.Traffic != nil || v.Reloads != nil {
		j.key("lastmile")
		j.open('{')
		if v.MaxDuration != 0 {
			j.intField("max_duration", v.MaxDuration)
		}
		if v.MaxWaiting != nil {
			j.intField("max_waiting", *v.MaxWaiting)
		}
		if v.WaitingCostPerHour != 0 {
			j.intField("waiting_cost_per_hour", v.WaitingCostPerHour)
		}
		if v.BalanceCostPerHour2 != 0 {
			j.intField("balance_cost_per_hour2", v.BalanceCostPerHour2)
		}
		if v.WorkingCostPerHour != 0 {
			j.intField("working_cost_per_hour", v.WorkingCostPerHour)
		}
		if v.MinDuration != 0 {
			j.intField("min_duration", v.MinDuration)
		}
		if v.Traffic != nil {
			j.key("traffic")
			j.open('[')
			for _, b := range v.Traffic {
				j.open('{')
				j.intField("start", b.Start)
				j.intField("end", b.End)
				j.key("factor")
				j.float(b.Factor)
				j.close('}')
			}
			j.close(']')
		}
		if rl := v.Reloads; rl != nil {
			j.key("reloads")
			j.open('{')
			j.intField("max", int64(rl.Max))
			j.intField("service", rl.Service)
			j.close('}')
		}
		if dr := v.DrivingRule; dr != nil {
			j.key("driving_rule")
			j.open('{')
			j.intField("max_driving", dr.MaxDriving)
			j.intField("rest", dr.Rest)
			j.close('}')
		}
		j.close('}')
	}
	if v.Steps != nil {
		j.key("steps")
		j.open('[')
		for i := range v.Steps {
			s := &v.Steps[i]
			j.open('{')
			j.strField("type", string(s.Type))
			if s.Type != vrp.StepStart && s.Type != vrp.StepEnd {
				j.uintField("id", s.ID)
			}
			if s.ServiceAt != nil {
				j.intField("service_at", *s.ServiceAt)
			}
			if s.ServiceAfter != nil {
				j.intField("service_after", *s.ServiceAfter)
			}
			if s.ServiceBefore != nil {
				j.intField("service_before", *s.ServiceBefore)
			}
			j.close('}')
		}
		j.close(']')
	}
	j.close('}')
}

// softField writes soft time windows as the "lastmile" extension object.
func softField(j *writer, sw *vrp.SoftWindows) {
	if sw == nil {
		return
	}
	j.key("lastmile")
	j.open('{')
	j.intField("late_cost_per_hour", sw.LateCostPerHour)
	if sw.MaxLateness >= 0 {
		j.intField("max_lateness", sw.MaxLateness)
	}
	if sw.ETACostPerHour != 0 {
		j.intField("eta", sw.ETA)
		j.intField("eta_cost_per_hour", sw.ETACostPerHour)
	}
	if sw.EarlyCostPerHour != 0 {
		j.intField("early_cost_per_hour", sw.EarlyCostPerHour)
		if sw.MaxEarliness >= 0 {
			j.intField("max_earliness", sw.MaxEarliness)
		}
	}
	j.close('}')
}
