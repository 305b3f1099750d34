// Package vroomjson reads and writes VROOM's JSON formats: the problem
// input (jobs, shipments, vehicles and matrices) and the solution output
// (summary, routes, unassigned tasks). It is the wire format of lastmile's
// optimizer; the model itself lives in package vrp.
//
// Decode reads a problem and checks it with vrp.Problem.Validate; errors in
// the input are *vrp.InputError values naming the field in VROOM's terms,
// such as "jobs[3].time_windows[0]". Encode writes a solution the way VROOM
// does, DecodeSolution reads one back, and EncodeProblem writes a problem.
//
// The reader is bounded: it refuses inputs larger than MaxInputBytes, more
// than MaxTasks tasks or MaxVehicles vehicles, and matrices of more than
// MaxMatrixSize rows, before allocating memory for them.
package vroomjson

import (
	"io"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Limits on the input accepted by Decode.
const (
	MaxInputBytes = 1 << 30 // bytes of JSON
	MaxTasks      = 100000  // jobs plus shipment pickups and deliveries
	MaxVehicles   = 100000
	MaxMatrixSize = 50000 // rows (and columns) of a matrix
)

// Defaults applied by Decode to fields absent from the input.
const (
	DefaultProfile = "car"
	DefaultPerHour = 3600
)

// Decode reads a problem in VROOM's input format and validates it. Fields
// it does not know are ignored. Absent fields take VROOM's defaults: profile
// "car", costs.per_hour 3600, speed_factor 1, and no limit (-1) for
// max_tasks, max_travel_time and max_distance. The legacy top-level
// "matrix" gives the durations of profile "car" unless "matrices" does, and
// a job's legacy "amount" is its delivery unless "delivery" is given.
func Decode(r io.Reader) (*vrp.Problem, error) {
	data, err := readInput(r)
	if err != nil {
		return nil, err
	}
	p, err := decodeProblem(data)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

type problemDecoder struct {
	r      *reader
	p      *vrp.Problem
	legacy [][]int64 // top-level "matrix"
}

func decodeProblem(data []byte) (*vrp.Problem, error) {
	d := &problemDecoder{r: &reader{data: data}, p: &vrp.Problem{}}
	r := d.r
	err := r.object(func(key string) error {
		switch key {
		case "jobs":
			d.p.Jobs = d.p.Jobs[:0]
			return r.array(func(i int) error {
				if len(d.p.Jobs)+2*len(d.p.Shipments) >= MaxTasks {
					r.pop()
					return r.errorf("more than %d tasks (jobs, shipment pickups and deliveries)", MaxTasks)
				}
				d.p.Jobs = append(d.p.Jobs, vrp.Job{})
				return d.job(&d.p.Jobs[i])
			})
		case "shipments":
			d.p.Shipments = d.p.Shipments[:0]
			return r.array(func(i int) error {
				if len(d.p.Jobs)+2*len(d.p.Shipments)+2 > MaxTasks {
					r.pop()
					return r.errorf("more than %d tasks (jobs, shipment pickups and deliveries)", MaxTasks)
				}
				d.p.Shipments = append(d.p.Shipments, vrp.Shipment{})
				return d.shipment(&d.p.Shipments[i])
			})
		case "vehicles":
			d.p.Vehicles = d.p.Vehicles[:0]
			return r.array(func(i int) error {
				if len(d.p.Vehicles) >= MaxVehicles {
					r.pop()
					return r.errorf("more than %d vehicles", MaxVehicles)
				}
				d.p.Vehicles = append(d.p.Vehicles, vrp.Vehicle{})
				return d.vehicle(&d.p.Vehicles[i])
			})
		case "matrices":
			return d.matrices()
		case "lastmile":
			return r.object(func(key string) error {
				if key != "relations" {
					return r.skip()
				}
				d.p.Relations = []vrp.Relation{}
				return r.array(func(i int) error {
					d.p.Relations = append(d.p.Relations, vrp.Relation{})
					rel := &d.p.Relations[i]
					return r.object(func(key string) error {
						var err error
						switch key {
						case "type":
							rel.Type, err = r.str()
						case "jobs":
							rel.Jobs = []uint64{}
							err = r.array(func(int) error {
								id, err := r.uint64()
								rel.Jobs = append(rel.Jobs, id)
								return err
							})
						case "vehicle":
							var id uint64
							if id, err = r.uint64(); err == nil {
								rel.Vehicle = &id
							}
						case "max":
							rel.Max, err = r.int()
						default:
							err = r.skip()
						}
						return err
					})
				})
			})
		case "matrix":
			m, err := r.matrix()
			d.legacy = m
			return err
		}
		return r.skip()
	})
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if d.legacy != nil {
		if d.p.Matrices == nil {
			d.p.Matrices = make(map[string]*vrp.Matrix)
		}
		m := d.p.Matrices[DefaultProfile]
		if m == nil {
			m = &vrp.Matrix{}
			d.p.Matrices[DefaultProfile] = m
		}
		if m.Durations == nil {
			m.Durations = d.legacy
		}
	}
	return d.p, nil
}

func (d *problemDecoder) matrices() error {
	r := d.r
	if d.p.Matrices == nil {
		d.p.Matrices = make(map[string]*vrp.Matrix)
	}
	return r.object(func(profile string) error {
		m := &vrp.Matrix{}
		d.p.Matrices[profile] = m
		return r.object(func(key string) error {
			var err error
			switch key {
			case "durations":
				m.Durations, err = r.matrix()
			case "distances":
				m.Distances, err = r.matrix()
			case "costs":
				m.Costs, err = r.matrix()
			default:
				err = r.skip()
			}
			return err
		})
	})
}

// location fills l from a "location" (coordinates) or "location_index"
// member; it reports whether key was one of them.
func (d *problemDecoder) location(key, coordKey, indexKey string, l *vrp.Location) (bool, error) {
	var err error
	switch key {
	case coordKey:
		l.Lon, l.Lat, err = d.r.coords()
		l.HasCoord = true
	case indexKey:
		l.Index, err = d.r.int()
		l.HasIndex = true
	default:
		return false, nil
	}
	return true, err
}

func (d *problemDecoder) requireID(has bool) error {
	if !has {
		d.r.push("id")
		return d.r.errorf("missing")
	}
	return nil
}

func (d *problemDecoder) job(j *vrp.Job) error {
	r := d.r
	hasID := false
	var amount vrp.Amount
	hasDelivery := false
	err := r.object(func(key string) error {
		var err error
		if ok, err := d.location(key, "location", "location_index", &j.Location); ok {
			return err
		}
		switch key {
		case "id":
			j.ID, err = r.uint64()
			hasID = true
		case "description":
			j.Description, err = r.str()
		case "setup":
			j.Setup, err = r.int64()
		case "service":
			j.Service, err = r.int64()
		case "delivery":
			j.Delivery, err = r.amount()
			hasDelivery = true
		case "amount":
			amount, err = r.amount()
		case "pickup":
			j.Pickup, err = r.amount()
		case "skills":
			j.Skills, err = r.ints()
		case "priority":
			j.Priority, err = r.int()
		case "time_windows":
			j.TimeWindows, err = r.timeWindows()
		case "lastmile":
			j.Soft, err = d.soft()
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasDelivery && amount != nil {
		j.Delivery = amount
	}
	return d.requireID(hasID)
}

// soft reads a task's "lastmile" extension object: soft time windows.
func (d *problemDecoder) soft() (*vrp.SoftWindows, error) {
	r := d.r
	sw := &vrp.SoftWindows{MaxLateness: -1, MaxEarliness: -1}
	any := false
	err := r.object(func(key string) error {
		var err error
		switch key {
		case "late_cost_per_hour":
			sw.LateCostPerHour, err = r.int64()
		case "max_lateness":
			sw.MaxLateness, err = r.nonNegative()
		case "eta":
			sw.ETA, err = r.int64()
		case "early_cost_per_hour":
			sw.EarlyCostPerHour, err = r.int64()
		case "max_earliness":
			sw.MaxEarliness, err = r.nonNegative()
		case "eta_cost_per_hour":
			sw.ETACostPerHour, err = r.int64()
		default:
			return r.skip()
		}
		any = true // a known key: the task has soft windows
		return err
	})
	if err != nil || !any {
		return nil, err
	}
	return sw, nil
}

func (d *problemDecoder) shipmentStep(s *vrp.ShipmentStep) error {
	r := d.r
	hasID := false
	err := r.object(func(key string) error {
		var err error
		if ok, err := d.location(key, "location", "location_index", &s.Location); ok {
			return err
		}
		switch key {
		case "id":
			s.ID, err = r.uint64()
			hasID = true
		case "description":
			s.Description, err = r.str()
		case "setup":
			s.Setup, err = r.int64()
		case "service":
			s.Service, err = r.int64()
		case "time_windows":
			s.TimeWindows, err = r.timeWindows()
		case "lastmile":
			s.Soft, err = d.soft()
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	return d.requireID(hasID)
}

func (d *problemDecoder) shipment(s *vrp.Shipment) error {
	r := d.r
	var hasPickup, hasDelivery bool
	err := r.object(func(key string) error {
		var err error
		switch key {
		case "pickup":
			err = d.shipmentStep(&s.Pickup)
			hasPickup = true
		case "delivery":
			err = d.shipmentStep(&s.Delivery)
			hasDelivery = true
		case "amount":
			s.Amount, err = r.amount()
		case "skills":
			s.Skills, err = r.ints()
		case "priority":
			s.Priority, err = r.int()
		case "lastmile":
			err = r.object(func(key string) error {
				var err error
				switch key {
				case "max_ride_time":
					s.MaxRideTime, err = r.int64()
				default:
					err = r.skip()
				}
				return err
			})
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasPickup {
		r.push("pickup")
		return r.errorf("missing")
	}
	if !hasDelivery {
		r.push("delivery")
		return r.errorf("missing")
	}
	return nil
}

func (d *problemDecoder) vehicle(v *vrp.Vehicle) error {
	r := d.r
	hasID := false
	v.Profile = DefaultProfile
	v.Costs.PerHour = DefaultPerHour
	v.SpeedFactor = 1
	v.MaxTasks, v.MaxTravelTime, v.MaxDistance = -1, -1, -1
	var start, end vrp.Location
	err := r.object(func(key string) error {
		var err error
		if ok, err := d.location(key, "start", "start_index", &start); ok {
			return err
		}
		if ok, err := d.location(key, "end", "end_index", &end); ok {
			return err
		}
		switch key {
		case "id":
			v.ID, err = r.uint64()
			hasID = true
		case "profile":
			v.Profile, err = r.str()
		case "description":
			v.Description, err = r.str()
		case "capacity":
			v.Capacity, err = r.amount()
		case "skills":
			v.Skills, err = r.ints()
		case "time_window":
			var tw vrp.TimeWindow
			tw.Start, tw.End, err = r.pair()
			v.TimeWindow = &tw
		case "breaks":
			v.Breaks = []vrp.Break{}
			err = r.array(func(i int) error {
				v.Breaks = append(v.Breaks, vrp.Break{})
				return d.vehicleBreak(&v.Breaks[i])
			})
		case "costs":
			err = r.object(func(key string) error {
				var err error
				switch key {
				case "fixed":
					v.Costs.Fixed, err = r.int64()
				case "per_hour":
					v.Costs.PerHour, err = r.int64()
				case "per_km":
					v.Costs.PerKm, err = r.int64()
				default:
					err = r.skip()
				}
				return err
			})
		case "speed_factor":
			v.SpeedFactor, err = r.float()
			if err == nil && !(v.SpeedFactor > 0 && v.SpeedFactor <= 5) {
				err = r.errorf("%g is outside (0, 5]", v.SpeedFactor)
			}
		case "max_tasks":
			var n int64
			n, err = r.nonNegative()
			v.MaxTasks = int(n)
		case "max_travel_time":
			v.MaxTravelTime, err = r.nonNegative()
		case "max_distance":
			v.MaxDistance, err = r.nonNegative()
		case "lastmile":
			err = r.object(func(key string) error {
				var err error
				switch key {
				case "max_duration":
					v.MaxDuration, err = r.int64()
				case "max_waiting":
					var w int64
					if w, err = r.int64(); err == nil {
						v.MaxWaiting = &w
					}
				case "waiting_cost_per_hour":
					v.WaitingCostPerHour, err = r.int64()
				case "balance_cost_per_hour2":
					v.BalanceCostPerHour2, err = r.int64()
				case "traffic":
					v.Traffic = vrp.Traffic{}
					err = r.array(func(i int) error {
						v.Traffic = append(v.Traffic, vrp.TrafficBand{Factor: 1})
						b := &v.Traffic[i]
						return r.object(func(key string) error {
							var err error
							switch key {
							case "start":
								b.Start, err = r.int64()
							case "end":
								b.End, err = r.int64()
							case "factor":
								b.Factor, err = r.float()
							default:
								err = r.skip()
							}
							return err
						})
					})
				case "working_cost_per_hour":
					v.WorkingCostPerHour, err = r.int64()
				case "min_duration":
					v.MinDuration, err = r.int64()
				case "reloads":
					rl := &vrp.Reloads{}
					v.Reloads = rl
					err = r.object(func(key string) error {
						var err error
						switch key {
						case "max":
							rl.Max, err = r.int()
						case "service":
							rl.Service, err = r.int64()
						default:
							err = r.skip()
						}
						return err
					})
				case "driving_rule":
					dr := &vrp.DrivingRule{}
					v.DrivingRule = dr
					err = r.object(func(key string) error {
						var err error
						switch key {
						case "max_driving":
							dr.MaxDriving, err = r.int64()
						case "rest":
							dr.Rest, err = r.int64()
						default:
							err = r.skip()
						}
						return err
					})
				default:
					err = r.skip()
				}
				return err
			})
		case "steps":
			v.Steps = []vrp.VehicleStep{}
			err = r.array(func(i int) error {
				v.Steps = append(v.Steps, vrp.VehicleStep{})
				return d.vehicleStep(&v.Steps[i])
			})
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if start.HasCoord || start.HasIndex {
		v.Start = &start
	}
	if end.HasCoord || end.HasIndex {
		v.End = &end
	}
	return d.requireID(hasID)
}

func (d *problemDecoder) vehicleBreak(b *vrp.Break) error {
	r := d.r
	hasID := false
	err := r.object(func(key string) error {
		var err error
		switch key {
		case "id":
			b.ID, err = r.uint64()
			hasID = true
		case "description":
			b.Description, err = r.str()
		case "time_windows":
			b.TimeWindows, err = r.timeWindows()
		case "service":
			b.Service, err = r.int64()
		case "max_load":
			b.MaxLoad, err = r.amount()
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	return d.requireID(hasID)
}

func (d *problemDecoder) vehicleStep(s *vrp.VehicleStep) error {
	r := d.r
	optional := func(p **int64) error {
		v, err := r.int64()
		*p = &v
		return err
	}
	hasType := false
	err := r.object(func(key string) error {
		var err error
		switch key {
		case "type":
			var t string
			t, err = r.str()
			s.Type = vrp.StepType(t)
			hasType = true
		case "id":
			s.ID, err = r.uint64()
		case "service_at":
			err = optional(&s.ServiceAt)
		case "service_after":
			err = optional(&s.ServiceAfter)
		case "service_before":
			err = optional(&s.ServiceBefore)
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasType {
		r.push("type")
		return r.errorf("missing")
	}
	return nil
}
