package vroomjson

import (
	"io"

	"github.com/lastmile-dev/lastmile/vrp"
)

// DecodeSolution reads a solution in VROOM's output format, as written by
// Encode or by VROOM itself. Unknown fields, such as "geometry", are
// ignored; a step's id may also be given by the legacy "job" field.
// Computing times are read from the summary, where VROOM writes them, or
// from the top level.
func DecodeSolution(r io.Reader) (*vrp.Solution, error) {
	data, err := readInput(r)
	if err != nil {
		return nil, err
	}
	rd := &reader{data: data}
	s := &vrp.Solution{}
	err = rd.object(func(key string) error {
		var err error
		switch key {
		case "code":
			s.Code, err = rd.int()
		case "error":
			s.Error, err = rd.str()
		case "summary":
			err = decodeSummary(rd, s)
		case "computing_times":
			err = decodeComputingTimes(rd, s)
		case "unassigned":
			s.Unassigned = []vrp.Unassigned{}
			err = rd.array(func(i int) error {
				if i >= MaxTasks {
					return rd.errorf("more than %d unassigned tasks", MaxTasks)
				}
				s.Unassigned = append(s.Unassigned, vrp.Unassigned{})
				return decodeUnassigned(rd, &s.Unassigned[i])
			})
		case "routes":
			s.Routes = []vrp.Route{}
			err = rd.array(func(i int) error {
				if i >= MaxVehicles {
					return rd.errorf("more than %d routes", MaxVehicles)
				}
				s.Routes = append(s.Routes, vrp.Route{})
				return decodeRoute(rd, &s.Routes[i])
			})
		default:
			err = rd.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := rd.end(); err != nil {
		return nil, err
	}
	return s, nil
}

func decodeComputingTimes(rd *reader, s *vrp.Solution) error {
	return rd.object(func(key string) error {
		var err error
		switch key {
		case "loading":
			s.LoadingMS, err = rd.int64()
		case "solving":
			s.SolvingMS, err = rd.int64()
		case "routing":
			s.RoutingMS, err = rd.int64()
		default:
			err = rd.skip()
		}
		return err
	})
}

func decodeSummary(rd *reader, s *vrp.Solution) error {
	m := &s.Summary
	return rd.object(func(key string) error {
		var err error
		switch key {
		case "cost":
			m.Cost, err = rd.int64()
		case "routes":
			m.Routes, err = rd.int()
		case "unassigned":
			m.Unassigned, err = rd.int()
		case "setup":
			m.Setup, err = rd.int64()
		case "service":
			m.Service, err = rd.int64()
		case "duration":
			m.Duration, err = rd.int64()
		case "waiting_time":
			m.WaitingTime, err = rd.int64()
		case "priority":
			m.Priority, err = rd.int64()
		case "distance":
			m.Distance, err = rd.int64()
		case "delivery":
			m.Delivery, err = rd.amount()
		case "pickup":
			m.Pickup, err = rd.amount()
		case "violations":
			m.Violations, err = decodeViolations(rd)
		case "computing_times":
			err = decodeComputingTimes(rd, s)
		default:
			err = rd.skip()
		}
		return err
	})
}

func decodeViolations(rd *reader) ([]vrp.Violation, error) {
	vs := []vrp.Violation{}
	err := rd.array(func(i int) error {
		var v vrp.Violation
		err := rd.object(func(key string) error {
			var err error
			switch key {
			case "cause":
				v.Cause, err = rd.str()
			case "duration":
				v.Duration, err = rd.int64()
			default:
				err = rd.skip()
			}
			return err
		})
		vs = append(vs, v)
		return err
	})
	return vs, err
}

// solutionLocation reads "location" or "location_index" into *l,
// allocating it on first use.
func solutionLocation(rd *reader, key string, l **vrp.Location) (bool, error) {
	if key != "location" && key != "location_index" {
		return false, nil
	}
	if *l == nil {
		*l = &vrp.Location{}
	}
	var err error
	if key == "location" {
		(*l).Lon, (*l).Lat, err = rd.coords()
		(*l).HasCoord = true
	} else {
		(*l).Index, err = rd.int()
		(*l).HasIndex = true
	}
	return true, err
}

func stepType(rd *reader) (vrp.StepType, error) {
	t, err := rd.str()
	if err != nil {
		return "", err
	}
	switch st := vrp.StepType(t); st {
	case vrp.StepStart, vrp.StepJob, vrp.StepPickup, vrp.StepDelivery, vrp.StepBreak, vrp.StepEnd, vrp.StepReload:
		return st, nil
	}
	return "", rd.errorf("unknown step type %q", t)
}

func decodeUnassigned(rd *reader, u *vrp.Unassigned) error {
	err := rd.object(func(key string) error {
		if ok, err := solutionLocation(rd, key, &u.Location); ok {
			return err
		}
		var err error
		switch key {
		case "id":
			u.ID, err = rd.uint64()
		case "type":
			u.Type, err = stepType(rd)
		case "reason":
			u.Reason, err = rd.str()
		case "lastmile":
			err = rd.object(func(key string) error {
				if key != "blocked" {
					return rd.skip()
				}
				u.Blocked = []vrp.Blocked{}
				return rd.array(func(i int) error {
					u.Blocked = append(u.Blocked, vrp.Blocked{})
					b := &u.Blocked[i]
					return rd.object(func(key string) error {
						var err error
						switch key {
						case "cause":
							b.Cause, err = rd.str()
						case "vehicles":
							b.Vehicles = []uint64{}
							err = rd.array(func(int) error {
								id, err := rd.uint64()
								b.Vehicles = append(b.Vehicles, id)
								return err
							})
						default:
							err = rd.skip()
						}
						return err
					})
				})
			})
		default:
			err = rd.skip()
		}
		return err
	})
	if err == nil && u.Type == "" {
		rd.push("type")
		err = rd.errorf("missing")
	}
	return err
}

func decodeRoute(rd *reader, r *vrp.Route) error {
	return rd.object(func(key string) error {
		var err error
		switch key {
		case "vehicle":
			r.Vehicle, err = rd.uint64()
		case "description":
			r.Description, err = rd.str()
		case "cost":
			r.Cost, err = rd.int64()
		case "setup":
			r.Setup, err = rd.int64()
		case "service":
			r.Service, err = rd.int64()
		case "duration":
			r.Duration, err = rd.int64()
		case "waiting_time":
			r.WaitingTime, err = rd.int64()
		case "priority":
			r.Priority, err = rd.int64()
		case "distance":
			r.Distance, err = rd.int64()
		case "delivery":
			r.Delivery, err = rd.amount()
		case "pickup":
			r.Pickup, err = rd.amount()
		case "violations":
			r.Violations, err = decodeViolations(rd)
		case "steps":
			r.Steps = []vrp.Step{}
			err = rd.array(func(i int) error {
				r.Steps = append(r.Steps, vrp.Step{})
				return decodeStep(rd, &r.Steps[i])
			})
		default:
			err = rd.skip()
		}
		return err
	})
}

func decodeStep(rd *reader, s *vrp.Step) error {
	hasID := false
	err := rd.object(func(key string) error {
		if ok, err := solutionLocation(rd, key, &s.Location); ok {
			return err
		}
		var err error
		switch key {
		case "type":
			s.Type, err = stepType(rd)
		case "id":
			s.ID, err = rd.uint64()
			hasID = true
		case "job":
			var id uint64
			id, err = rd.uint64()
			if !hasID {
				s.ID = id
			}
		case "description":
			s.Description, err = rd.str()
		case "setup":
			s.Setup, err = rd.int64()
		case "service":
			s.Service, err = rd.int64()
		case "waiting_time":
			s.WaitingTime, err = rd.int64()
		case "arrival":
			s.Arrival, err = rd.int64()
		case "duration":
			s.Duration, err = rd.int64()
		case "distance":
			s.Distance, err = rd.int64()
		case "load":
			s.Load, err = rd.amount()
		case "violations":
			s.Violations, err = decodeViolations(rd)
		case "lastmile":
			err = rd.object(func(key string) error {
				if key != "rest" {
					return rd.skip()
				}
				var err error
				s.Rest, err = rd.bool()
				return err
			})
		default:
			err = rd.skip()
		}
		return err
	})
	if err == nil && s.Type == "" {
		rd.push("type")
		err = rd.errorf("missing")
	}
	return err
}
