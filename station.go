package lastmile

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Point is a WGS84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Validate checks that p is a real position on Earth.
func (p Point) Validate() error {
	switch {
	case math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90:
		return Invalidf("lat", "latitude %g is not in [-90, 90]", p.Lat)
	case math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180:
		return Invalidf("lon", "longitude %g is not in [-180, 180]", p.Lon)
	case p.Lat == 0 && p.Lon == 0:
		return Invalidf("", "coordinates (0, 0) are missing coordinates, not a place")
	}
	return nil
}

// DistanceM returns the great-circle distance from p to q in metres.
func (p Point) DistanceM(q Point) float64 {
	const r = 6371008.8
	const rad = math.Pi / 180
	s1 := math.Sin((q.Lat - p.Lat) * rad / 2)
	s2 := math.Sin((q.Lon - p.Lon) * rad / 2)
	h := s1*s1 + math.Cos(p.Lat*rad)*math.Cos(q.Lat*rad)*s2*s2
	return 2 * r * math.Asin(math.Sqrt(min(h, 1)))
}

// Station is a delivery hub: where vehicles load in the morning and where
// returns end.
type Station struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Location      Point          `json:"location"`
	Address       string         `json:"address,omitempty"`
	TimeZone      string         `json:"time_zone"`
	OpeningHours  []OpeningHours `json:"opening_hours,omitempty"`
	PickupPoints  []PickupPoint  `json:"pickup_points,omitempty"`
	FailurePolicy FailurePolicy  `json:"failure_policy"`
	// PODMaxDistanceM flags a proof of delivery captured farther than this
	// from the address (default 200 m).
	PODMaxDistanceM int `json:"pod_max_distance_m"`
	// RetentionDays is how long recipients' personal data is kept after an
	// order is closed; 0 keeps it until erased on request.
	RetentionDays int `json:"retention_days"`
	// Zones are custom geofences: vehicles entering and leaving them are
	// notified (e.g. a depot, a city centre with access rules).
	Zones     []Zone    `json:"zones,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Zone is a geofence of a station: a circle (Center, RadiusM) or a
// polygon (Polygon: [lon, lat] vertices as in GeoJSON, closed by
// Normalize).
type Zone struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	Center  Point    `json:"center,omitzero"`
	RadiusM float64  `json:"radius_m,omitzero"`
	Polygon []LonLat `json:"polygon,omitempty"`
}

// OpeningHours opens a station on one day of the week, from Open to Close
// ("HH:MM", local time; Close may be "24:00").
type OpeningHours struct {
	Day   string `json:"day"` // mon, tue, wed, thu, fri, sat, sun
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Pickup point kinds.
const (
	PointPickup = "pickup_point"
	PointLocker = "locker"
)

// PickupPoint is a shop counter or parcel locker where a failed delivery can
// be redirected. ID is chosen by the caller and unique within the station.
type PickupPoint struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Location Point  `json:"location"`
	Address  string `json:"address,omitempty"`
	Capacity int    `json:"capacity"` // parcels it can hold
}

// Failure policy actions.
const (
	PolicyReattempt = "reattempt" // try again the next day
	PolicyRedirect  = "redirect"  // send to a pickup point or locker
	PolicyReturn    = "return"    // bring back to the station
)

// FailurePolicy says what happens after a failed delivery.
type FailurePolicy struct {
	Action      string `json:"action"`                // reattempt (default), redirect or return
	MaxAttempts int    `json:"max_attempts"`          // after this many failures the parcel is returned (default 3)
	RedirectTo  string `json:"redirect_to,omitempty"` // pickup point id for redirect
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseClock parses "HH:MM" (00:00 to 24:00) into seconds after midnight.
func ParseClock(s string) (int64, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("time of day %q is not HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("time of day %q is not HH:MM between 00:00 and 24:00", s)
	}
	return int64(hh*3600 + mm*60), nil
}

// Normalize fills defaults.
func (s *Station) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if s.FailurePolicy.Action == "" {
		s.FailurePolicy.Action = PolicyReattempt
	}
	if s.FailurePolicy.MaxAttempts == 0 {
		s.FailurePolicy.MaxAttempts = 3
	}
	if s.PODMaxDistanceM == 0 {
		s.PODMaxDistanceM = 200
	}
	for i := range s.OpeningHours {
		s.OpeningHours[i].Day = strings.ToLower(s.OpeningHours[i].Day)
	}
	for i := range s.Zones {
		s.Zones[i].Polygon = closeRing(s.Zones[i].Polygon)
	}
}

// Validate checks a normalized station.
func (s *Station) Validate() error {
	if s.Name == "" {
		return Invalidf("name", "required")
	}
	if err := s.Location.Validate(); err != nil {
		return prefixField("location", err)
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return Invalidf("time_zone", "unknown time zone %q", s.TimeZone)
	}
	days := map[string]bool{}
	for i, h := range s.OpeningHours {
		f := fmt.Sprintf("opening_hours[%d]", i)
		if _, ok := weekdays[h.Day]; !ok {
			return Invalidf(f+".day", "%q is not one of mon, tue, wed, thu, fri, sat, sun", h.Day)
		}
		if days[h.Day] {
			return Invalidf(f+".day", "%s is given twice", h.Day)
		}
		days[h.Day] = true
		o, err := ParseClock(h.Open)
		if err != nil {
			return Invalidf(f+".open", "%v", err)
		}
		c, err := ParseClock(h.Close)
		if err != nil {
			return Invalidf(f+".close", "%v", err)
		}
		if c <= o {
			return Invalidf(f+".close", "closes at %s, not after it opens at %s", h.Close, h.Open)
		}
	}
	ids := map[string]bool{}
	for i, p := range s.PickupPoints {
		f := fmt.Sprintf("pickup_points[%d]", i)
		if p.ID == "" {
			return Invalidf(f+".id", "required")
		}
		if ids[p.ID] {
			return Invalidf(f+".id", "%q is used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Kind != PointPickup && p.Kind != PointLocker {
			return Invalidf(f+".kind", "%q is not pickup_point or locker", p.Kind)
		}
		if err := p.Location.Validate(); err != nil {
			return prefixField(f+".location", err)
		}
		if p.Capacity < 0 {
			return Invalidf(f+".capacity", "negative")
		}
	}
	fp := s.FailurePolicy
	switch fp.Action {
	case PolicyReattempt, PolicyReturn:
	case PolicyRedirect:
		if !ids[fp.RedirectTo] {
			return Invalidf("failure_policy.redirect_to", "%q is not a pickup point of this station", fp.RedirectTo)
		}
	default:
		return Invalidf("failure_policy.action", "%q is not reattempt, redirect or return", fp.Action)
	}
	if fp.MaxAttempts < 1 || fp.MaxAttempts > 10 {
		return Invalidf("failure_policy.max_attempts", "%d is not in [1, 10]", fp.MaxAttempts)
	}
	if s.PODMaxDistanceM < 0 {
		return Invalidf("pod_max_distance_m", "negative")
	}
	if s.RetentionDays < 0 {
		return Invalidf("retention_days", "negative")
	}
	zones := map[string]bool{}
	for i, z := range s.Zones {
		f := fmt.Sprintf("zones[%d]", i)
		if z.ID == "" || len(z.ID) > 64 || zones[z.ID] {
			return Invalidf(f+".id", "%q is missing, longer than 64 characters or used twice", z.ID)
		}
		zones[z.ID] = true
		if err := z.validate(); err != nil {
			return prefixField(f, err)
		}
	}
	return nil
}

// Loc returns the station's time zone (UTC when it does not load).
func (s *Station) Loc() *time.Location {
	l, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return l
}

// Hours returns the opening and closing times on date, in seconds after
// local midnight; ok is false when the station is closed that day. A
// station without opening hours is open all day, every day.
func (s *Station) Hours(date time.Time) (open, close int64, ok bool) {
	if len(s.OpeningHours) == 0 {
		return 0, 24 * 3600, true
	}
	for _, h := range s.OpeningHours {
		if weekdays[h.Day] == date.Weekday() {
			o, err1 := ParseClock(h.Open)
			c, err2 := ParseClock(h.Close)
			if err1 != nil || err2 != nil {
				return 0, 0, false
			}
			return o, c, true
		}
	}
	return 0, 0, false
}

// PickupPoint returns the station's pickup point with the given id.
func (s *Station) PickupPoint(id string) (PickupPoint, bool) {
	for _, p := range s.PickupPoints {
		if p.ID == id {
			return p, true
		}
	}
	return PickupPoint{}, false
}
