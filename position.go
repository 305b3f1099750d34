package lastmile

import (
	"context"
	"math"
	"time"
)

// Position is one GPS fix of a vehicle, as received from a driver's phone,
// a tracker speaking the OsmAnd protocol or a telematics box.
type Position struct {
	VehicleID string    `json:"vehicle_id"`
	At        time.Time `json:"at"`
	Lat       float64   `json:"lat"`
	Lon       float64   `json:"lon"`
	SpeedMS   float64   `json:"speed_ms,omitempty"`   // metres per second; 0 when unknown
	Bearing   float64   `json:"bearing,omitempty"`    // degrees from north
	AltitudeM float64   `json:"altitude_m,omitempty"` // metres
	AccuracyM float64   `json:"accuracy_m,omitempty"` // horizontal, metres; 0 when unknown
	Battery   float64   `json:"battery,omitempty"`    // percent
	Source    string    `json:"source,omitempty"`     // app, osmand, mqtt
}

// Point returns the position's coordinates.
func (p Position) Point() Point { return Point{Lat: p.Lat, Lon: p.Lon} }

// Validate checks the fields of a position; field names are those of the
// JSON form.
func (p Position) Validate() error {
	if p.VehicleID == "" {
		return Invalidf("vehicle_id", "required")
	}
	if p.At.IsZero() {
		return Invalidf("at", "required (RFC 3339)")
	}
	if err := p.Point().Validate(); err != nil {
		return err
	}
	for _, f := range []struct {
		name   string
		v      float64
		lo, hi float64
	}{{"speed_ms", p.SpeedMS, 0, 200}, {"bearing", p.Bearing, 0, 360}, {"altitude_m", p.AltitudeM, -1000, 20000},
		{"accuracy_m", p.AccuracyM, 0, 100000}, {"battery", p.Battery, 0, 100}} {
		if math.IsNaN(f.v) || f.v < f.lo || f.v > f.hi {
			return Invalidf(f.name, "%g is not in [%g, %g]", f.v, f.lo, f.hi)
		}
	}
	return nil
}

// PositionFilter selects stored positions of one vehicle in [Since, Until).
type PositionFilter struct {
	VehicleID string
	Since     time.Time
	Until     time.Time // zero: no bound
	Limit     int       // 0: 10,000
}

// PositionStore keeps the history of positions (downsampled by the
// caller) for route replay and learning.
type PositionStore interface {
	AddPositions(ctx context.Context, ps []Position) error
	// Positions lists a vehicle's positions by time.
	Positions(ctx context.Context, f PositionFilter) ([]Position, error)
	// DeletePositionsBefore removes positions older than t and returns how
	// many were removed (the retention policy).
	DeletePositionsBefore(ctx context.Context, t time.Time) (int64, error)
}
