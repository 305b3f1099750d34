// Package tracking turns a vehicle's GPS positions into what a delivery day
// needs to know live: which fixes to trust (a plausibility filter), where
// the vehicle is on its planned route, the ETA and ETA window of every
// remaining stop, the stops at risk of missing their time window, and
// geofence events (arrived and departed at a stop, approaching, station
// left and returned, custom zones).
//
// The package is a pure library: no I/O, no logging, no clock read but
// through Config.Now. Travel times come from an Estimator (a
// vrp.TravelSource through FromSource, or the built-in straight-line
// estimate) and between planned stops from the plan itself.
package tracking

import (
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Verdict is the filter's judgement of a fix.
type Verdict string

// Verdicts.
const (
	Accepted   Verdict = "accepted"
	Duplicate  Verdict = "duplicate"    // same time as the last accepted fix
	OutOfOrder Verdict = "out_of_order" // older than the last accepted fix
	Teleport   Verdict = "teleport"     // implies an impossible speed from the last fix
	Future     Verdict = "future"       // timestamp too far ahead of the clock
	Stale      Verdict = "stale"        // timestamp too far behind the clock
	Inaccurate Verdict = "inaccurate"   // reported accuracy too poor to use
)

// Filter judges fixes. Zero fields take the defaults below.
type Filter struct {
	MaxSpeedMS   float64       // implied speed above which a jump is a teleport (default 55 m/s, ~200 km/h)
	MaxFuture    time.Duration // tolerated clock skew ahead (default 2 min)
	MaxAge       time.Duration // older fixes are dropped (default 24 h)
	MaxAccuracyM float64       // fixes reporting worse accuracy are dropped (default 300 m)
	// Slack is a distance always allowed between two fixes whatever the
	// time between them, for GPS jitter (default 50 m).
	Slack float64
}

func (f Filter) withDefaults() Filter {
	if f.MaxSpeedMS <= 0 {
		f.MaxSpeedMS = 55
	}
	if f.MaxFuture <= 0 {
		f.MaxFuture = 2 * time.Minute
	}
	if f.MaxAge <= 0 {
		f.MaxAge = 24 * time.Hour
	}
	if f.MaxAccuracyM <= 0 {
		f.MaxAccuracyM = 300
	}
	if f.Slack <= 0 {
		f.Slack = 50
	}
	return f
}

// Check judges p against the last accepted fix (nil when none) at time
// now.
func (f Filter) Check(last *lastmile.Position, p lastmile.Position, now time.Time) Verdict {
	f = f.withDefaults()
	switch {
	case p.At.After(now.Add(f.MaxFuture)):
		return Future
	case p.At.Before(now.Add(-f.MaxAge)):
		return Stale
	case p.AccuracyM > f.MaxAccuracyM:
		return Inaccurate
	case last == nil:
		return Accepted
	case p.At.Equal(last.At):
		return Duplicate
	case p.At.Before(last.At):
		return OutOfOrder
	}
	if !plausible(f, *last, p) {
		return Teleport
	}
	return Accepted
}

// plausible reports whether b can follow a at the filter's maximal speed.
func plausible(f Filter, a, b lastmile.Position) bool {
	d := a.Point().DistanceM(b.Point())
	dt := b.At.Sub(a.At).Seconds()
	return d <= f.Slack+f.MaxSpeedMS*dt
}
