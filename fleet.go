package lastmile

import (
	"fmt"
	"strings"
	"time"
)

// Vehicle types.
var vehicleTypes = map[string]bool{"van": true, "truck": true, "car": true, "cargo_bike": true, "bike": true, "scooter": true}

// Vehicle energy kinds.
const (
	EnergyFuel     = "fuel"
	EnergyElectric = "electric"
)

// Vehicle ownership.
const (
	OwnershipOwn     = "own"
	OwnershipCarrier = "carrier"
)

// Capacity is what a vehicle can carry, in several dimensions at once. A
// zero dimension is unlimited.
type Capacity struct {
	Parcels   int64 `json:"parcels"`
	WeightG   int64 `json:"weight_g"`
	VolumeCM3 int64 `json:"volume_cm3"`
}

// Costs are a vehicle's cost model, in cents: fixed per day used, per hour
// of route time, per kilometre driven.
type Costs struct {
	Fixed   int64 `json:"fixed"`
	PerHour int64 `json:"per_hour"`
	PerKM   int64 `json:"per_km"`
}

// Vehicle is one vehicle of a station's fleet.
type Vehicle struct {
	ID        string   `json:"id"`
	StationID string   `json:"station_id"`
	Name      string   `json:"name"`
	Type      string   `json:"type"` // van, truck, car, cargo_bike, bike, scooter
	Capacity  Capacity `json:"capacity"`
	Energy    string   `json:"energy"`   // fuel or electric
	RangeKM   int64    `json:"range_km"` // 0: unlimited
	Costs     Costs    `json:"costs"`
	Ownership string   `json:"ownership"`         // own or carrier
	Carrier   string   `json:"carrier,omitempty"` // carrier name when not owned
	Skills    []string `json:"skills,omitempty"`  // e.g. refrigerated, tail_lift
	// SpeedFactor scales travel speed (bikes in town: > 1); 0 means 1.
	SpeedFactor float64 `json:"speed_factor,omitempty"`
	// DeviceID identifies the GPS tracker on board (the OsmAnd/Traccar
	// "id" parameter, the MQTT topic's device); unique among vehicles.
	DeviceID  string    `json:"device_id,omitempty"`
	Active    bool      `json:"active"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Normalize fills defaults.
func (v *Vehicle) Normalize() {
	v.Name = strings.TrimSpace(v.Name)
	if v.Type == "" {
		v.Type = "van"
	}
	if v.Energy == "" {
		v.Energy = EnergyFuel
	}
	if v.Ownership == "" {
		v.Ownership = OwnershipOwn
	}
	v.Skills = normSkills(v.Skills)
}

// Validate checks a normalized vehicle.
func (v *Vehicle) Validate() error {
	if v.StationID == "" {
		return Invalidf("station_id", "required")
	}
	if v.Name == "" {
		return Invalidf("name", "required")
	}
	if !vehicleTypes[v.Type] {
		return Invalidf("type", "%q is not one of van, truck, car, cargo_bike, bike, scooter", v.Type)
	}
	c := v.Capacity
	if c.Parcels < 0 || c.WeightG < 0 || c.VolumeCM3 < 0 {
		return Invalidf("capacity", "negative capacity")
	}
	if v.Energy != EnergyFuel && v.Energy != EnergyElectric {
		return Invalidf("energy", "%q is not fuel or electric", v.Energy)
	}
	if v.RangeKM < 0 {
		return Invalidf("range_km", "negative")
	}
	if v.Costs.Fixed < 0 || v.Costs.PerHour < 0 || v.Costs.PerKM < 0 {
		return Invalidf("costs", "negative cost")
	}
	switch v.Ownership {
	case OwnershipOwn:
	case OwnershipCarrier:
		if strings.TrimSpace(v.Carrier) == "" {
			return Invalidf("carrier", "required when ownership is carrier")
		}
	default:
		return Invalidf("ownership", "%q is not own or carrier", v.Ownership)
	}
	if d := v.DeviceID; d != "" && (len(d) > 128 || strings.ContainsAny(d, " \t\r\n/+#")) {
		return Invalidf("device_id", "%q is not a device id (1 to 128 characters, no spaces, / + or #)", d)
	}
	if v.SpeedFactor < 0 || v.SpeedFactor > 5 {
		return Invalidf("speed_factor", "%g is not in [0, 5]", v.SpeedFactor)
	}
	return validSkills("skills", v.Skills)
}

// Driver works at a station in shifts.
type Driver struct {
	ID        string    `json:"id"`
	StationID string    `json:"station_id"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone,omitempty"`
	Skills    []string  `json:"skills,omitempty"` // e.g. white_glove, two_person
	Shifts    []Shift   `json:"shifts,omitempty"`
	Active    bool      `json:"active"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Shift is a driver's working time on some days of the week ("HH:MM" local
// time), with breaks.
type Shift struct {
	Days   []string `json:"days,omitempty"` // mon..sun; empty: every day
	Start  string   `json:"start"`
	End    string   `json:"end"`
	Breaks []Break  `json:"breaks,omitempty"`
}

// Break is a pause of Minutes that starts between Earliest and Latest.
type Break struct {
	Earliest string `json:"earliest"`
	Latest   string `json:"latest"`
	Minutes  int    `json:"minutes"`
}

// Normalize fills defaults.
func (d *Driver) Normalize() {
	d.Name = strings.TrimSpace(d.Name)
	d.Skills = normSkills(d.Skills)
	for i := range d.Shifts {
		for k := range d.Shifts[i].Days {
			d.Shifts[i].Days[k] = strings.ToLower(d.Shifts[i].Days[k])
		}
	}
}

// Validate checks a normalized driver.
func (d *Driver) Validate() error {
	if d.StationID == "" {
		return Invalidf("station_id", "required")
	}
	if d.Name == "" {
		return Invalidf("name", "required")
	}
	if err := validSkills("skills", d.Skills); err != nil {
		return err
	}
	for i, s := range d.Shifts {
		f := fmt.Sprintf("shifts[%d]", i)
		for k, day := range s.Days {
			if _, ok := weekdays[day]; !ok {
				return Invalidf(fmt.Sprintf("%s.days[%d]", f, k), "%q is not one of mon..sun", day)
			}
		}
		st, err := ParseClock(s.Start)
		if err != nil {
			return Invalidf(f+".start", "%v", err)
		}
		en, err := ParseClock(s.End)
		if err != nil {
			return Invalidf(f+".end", "%v", err)
		}
		if en <= st {
			return Invalidf(f+".end", "ends at %s, not after it starts at %s", s.End, s.Start)
		}
		for k, b := range s.Breaks {
			bf := fmt.Sprintf("%s.breaks[%d]", f, k)
			e, err := ParseClock(b.Earliest)
			if err != nil {
				return Invalidf(bf+".earliest", "%v", err)
			}
			l, err := ParseClock(b.Latest)
			if err != nil {
				return Invalidf(bf+".latest", "%v", err)
			}
			if l < e {
				return Invalidf(bf+".latest", "before earliest")
			}
			if b.Minutes <= 0 || b.Minutes > 240 {
				return Invalidf(bf+".minutes", "%d is not in [1, 240]", b.Minutes)
			}
		}
	}
	return nil
}

// ShiftOn returns the driver's shift on date, if any.
func (d *Driver) ShiftOn(date time.Time) (Shift, bool) {
	for _, s := range d.Shifts {
		if len(s.Days) == 0 {
			return s, true
		}
		for _, day := range s.Days {
			if weekdays[day] == date.Weekday() {
				return s, true
			}
		}
	}
	return Shift{}, false
}

func normSkills(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := make([]string, 0, len(s))
	seen := map[string]bool{}
	for _, k := range s {
		k = strings.ToLower(strings.TrimSpace(k))
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func validSkills(field string, s []string) error {
	for i, k := range s {
		if k == "" || len(k) > 64 || strings.ContainsAny(k, " ,;\t\n") {
			return Invalidf(fmt.Sprintf("%s[%d]", field, i), "%q is not a skill name (1 to 64 characters, no spaces or separators)", k)
		}
	}
	return nil
}
