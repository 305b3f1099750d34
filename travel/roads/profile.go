package roads

import (
	"strconv"
	"strings"

	"github.com/paulmach/osm"
)

// The car profile follows the rules of OSRM's car profile where they decide
// travel times: class speeds, maxspeed × 0.8, surface caps, oneways,
// access tags, routability penalties, turn and signal costs.

// classSpeeds are the free-flow speeds in km/h of the drivable highway
// classes.
var classSpeeds = map[string]float64{
	"motorway": 90, "motorway_link": 45,
	"trunk": 85, "trunk_link": 40,
	"primary": 65, "primary_link": 30,
	"secondary": 55, "secondary_link": 25,
	"tertiary": 40, "tertiary_link": 20,
	"unclassified": 25, "residential": 25,
	"living_street": 10, "service": 15,
}

// defaultSpeed applies to other highway classes explicitly open to cars.
const defaultSpeed = 10

// speedReduction scales a tagged maxspeed to an expected average speed.
const speedReduction = 0.8

var (
	accessWhitelist  = set("yes", "motorcar", "motor_vehicle", "vehicle", "permissive", "designated", "hov")
	accessBlacklist  = set("no", "agricultural", "forestry", "emergency", "psv", "customers", "private", "delivery")
	accessRestricted = set("private", "delivery", "destination", "customers")
	accessHierarchy  = []string{"motorcar", "motor_vehicle", "vehicle", "access"}
	serviceForbidden = set("emergency_access")
	servicePenalty   = set("alley", "parking", "parking_aisle", "driveway", "drive-through", "drive-thru")
	barrierWhitelist = set("cattle_grid", "border_control", "toll_booth", "sally_port", "gate", "lift_gate",
		"no", "entrance", "height_restrictor", "arch")
	surfaceSpeeds = map[string]float64{
		"cement": 80, "compacted": 80, "fine_gravel": 80,
		"paving_stones": 60, "metal": 60, "bricks": 60,
		"grass": 40, "wood": 40, "sett": 40, "grass_paver": 40, "gravel": 40, "unpaved": 40,
		"ground": 40, "dirt": 40, "pebblestone": 40, "tartan": 40,
		"cobblestone": 30, "clay": 30,
		"earth": 20, "stone": 20, "rocky": 20, "sand": 20,
		"mud": 10,
	}
	tracktypeSpeeds  = map[string]float64{"grade1": 60, "grade2": 40, "grade3": 30, "grade4": 25, "grade5": 20}
	smoothnessSpeeds = map[string]float64{"intermediate": 80, "bad": 40, "very_bad": 20, "horrible": 10,
		"very_horrible": 5, "impassable": 0}
	// maxspeedZones resolves implicit speed limits such as "DE:urban".
	maxspeedZones = map[string]float64{
		"at:rural": 100, "at:trunk": 100, "be:motorway": 120, "by:urban": 60, "by:motorway": 110,
		"ch:rural": 80, "ch:trunk": 100, "ch:motorway": 120, "de:living_street": 7, "de:rural": 100,
		"dk:rural": 80, "fr:rural": 80, "gb:nsl_single": 96.54, "gb:nsl_dual": 112.63, "gb:motorway": 112.63,
		"nl:rural": 80, "nl:trunk": 100, "no:rural": 80, "no:motorway": 110, "pl:rural": 100,
		"pl:trunk": 120, "pl:motorway": 140, "ro:trunk": 100, "ru:living_street": 20, "ru:urban": 60,
		"ru:motorway": 110, "uk:nsl_single": 96.54, "uk:nsl_dual": 112.63, "uk:motorway": 112.63,
		"za:urban": 60, "za:rural": 100,
	}
	maxspeedDefaults = map[string]float64{"urban": 50, "rural": 90, "trunk": 110, "motorway": 130}
)

func set(vals ...string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// Turn and node costs, in seconds.
const (
	turnPenalty        = 7.5
	turnBias           = 1.075
	uTurnPenalty       = 20
	trafficLightDelay  = 2
	restrictedEntryW   = 32767 // weight (deciseconds) of entering an access-restricted road
	lookAheadMetres    = 10    // distance along a road used for its bearing at a junction
	defaultMaxSnapDist = 1000  // metres
)

// wayAttr is what the profile makes of one OSM way.
type wayAttr struct {
	fwd, bwd         bool    // drivable in and against the way's direction
	fwdKMH, bwdKMH   float64 // speeds
	fwdRate, bwdRate float64 // weight factor: weight = duration / rate
	restricted       bool    // access=destination/private/...: entered only at trip ends
	name             string
}

// carWay applies the car profile to a way's tags; ok is false when cars
// cannot use it.
func carWay(tags osm.Tags) (a wayAttr, ok bool) {
	highway := tags.Find("highway")
	if highway == "" {
		return a, false
	}
	if tags.Find("area") == "yes" || tags.Find("impassable") == "yes" || tags.Find("status") == "impassable" {
		return a, false
	}
	oneway := tags.Find("oneway")
	if oneway == "reversible" {
		return a, false
	}
	if serviceForbidden[tags.Find("service")] {
		return a, false
	}
	access := ""
	for _, k := range accessHierarchy {
		if v := tags.Find(k); v != "" {
			access = v
			break
		}
	}
	if accessBlacklist[access] && !accessRestricted[access] {
		return a, false
	}
	a.restricted = accessRestricted[access]
	speed, known := classSpeeds[highway]
	if !known {
		if !accessWhitelist[access] {
			return a, false
		}
		speed = defaultSpeed
	}
	a.fwd, a.bwd = true, true
	switch oneway {
	case "yes", "1", "true":
		a.bwd = false
	case "-1":
		a.fwd = false
	case "no", "0", "false":
	default:
		j := tags.Find("junction")
		if highway == "motorway" || j == "roundabout" || j == "circular" {
			a.bwd = false
		}
	}
	a.fwdKMH, a.bwdKMH = speed, speed
	fwdMax, bwdMax := maxspeeds(tags)
	if fwdMax > 0 {
		a.fwdKMH = fwdMax * speedReduction
	}
	if bwdMax > 0 {
		a.bwdKMH = bwdMax * speedReduction
	}
	limit := func(caps map[string]float64, key string) {
		if c, ok := caps[tags.Find(key)]; ok {
			a.fwdKMH = min(a.fwdKMH, c)
			a.bwdKMH = min(a.bwdKMH, c)
		}
	}
	limit(surfaceSpeeds, "surface")
	limit(tracktypeSpeeds, "tracktype")
	limit(smoothnessSpeeds, "smoothness")
	if a.fwdKMH <= 0 {
		a.fwd = false
	}
	if a.bwdKMH <= 0 {
		a.bwd = false
	}
	if !a.fwd && !a.bwd {
		return a, false
	}
	penalty := 1.0
	if servicePenalty[tags.Find("service")] {
		penalty = min(penalty, 0.5)
	}
	width := leadingNumber(tags.Find("width"))
	lanes := leadingNumber(tags.Find("lanes"))
	if (width > 0 && width <= 3) || (lanes > 0 && lanes <= 1 && a.fwd && a.bwd) {
		penalty = min(penalty, 0.5)
	}
	if oneway == "alternating" {
		penalty = min(penalty, 0.4)
	}
	if sr := tags.Find("side_road"); sr == "yes" || sr == "rotary" {
		penalty = min(penalty, 0.8)
	}
	a.fwdRate, a.bwdRate = penalty, penalty
	if ref := tags.Find("ref"); tags.Find("name") == "" && ref != "" {
		a.name = ref
	} else {
		a.name = tags.Find("name")
	}
	return a, true
}

// maxspeeds returns the tagged speed limits in km/h in and against the
// way's direction, 0 when there is none.
func maxspeeds(tags osm.Tags) (fwd, bwd float64) {
	for _, k := range [...]string{"maxspeed:advisory", "maxspeed", "source:maxspeed", "maxspeed:type"} {
		v := tags.Find(k)
		if fwd == 0 {
			if f := tags.Find(k + ":forward"); f != "" {
				fwd = parseMaxspeed(f)
			} else if v != "" {
				fwd = parseMaxspeed(v)
			}
		}
		if bwd == 0 {
			if b := tags.Find(k + ":backward"); b != "" {
				bwd = parseMaxspeed(b)
			} else if v != "" {
				bwd = parseMaxspeed(v)
			}
		}
	}
	return fwd, bwd
}

// parseMaxspeed reads "50", "30 mph" or a zone such as "DE:urban".
func parseMaxspeed(s string) float64 {
	s = strings.ToLower(strings.TrimSpace(s))
	if n := leadingNumber(s); n > 0 {
		if strings.Contains(s, "mph") || strings.Contains(s, "mp/h") {
			return n * 1.609344
		}
		return n
	}
	if v, ok := maxspeedZones[s]; ok {
		return v
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return maxspeedDefaults[s[i+1:]]
	}
	return 0
}

// leadingNumber parses the number at the start of s (e.g. "3.5 m"), 0 when
// there is none.
func leadingNumber(s string) float64 {
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	if end == 0 {
		return 0
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return 0
	}
	return f
}

// nodeFlags are the node properties that matter to cars.
type nodeFlags uint8

const (
	flagSignal  nodeFlags = 1 << iota // highway=traffic_signals
	flagBarrier                       // cars cannot pass
)

// carNode applies the car profile to a node's tags.
func carNode(tags osm.Tags) nodeFlags {
	var f nodeFlags
	if tags.Find("highway") == "traffic_signals" {
		f |= flagSignal
	}
	access := ""
	for _, k := range accessHierarchy {
		if v := tags.Find(k); v != "" {
			access = v
			break
		}
	}
	if access != "" {
		if accessBlacklist[access] && !accessRestricted[access] {
			f |= flagBarrier
		}
		return f
	}
	barrier := tags.Find("barrier")
	if barrier == "" || barrierWhitelist[barrier] {
		return f
	}
	if barrier == "bollard" && tags.Find("bollard") == "rising" {
		return f
	}
	if barrier == "kerb" {
		if k := tags.Find("kerb"); k == "lowered" || k == "flush" || tags.Find("highway") == "crossing" {
			return f
		}
	}
	return f | flagBarrier
}

// turnSeconds is the cost of turning by angle degrees (positive to the
// right, ±180 a U-turn) at a junction of more than two roads.
func turnSeconds(angle float64) float64 {
	if angle >= 0 {
		return turnPenalty / (1 + exp(-((13/turnBias)*angle/180 - 6.5*turnBias)))
	}
	return turnPenalty / (1 + exp(-((13*turnBias)*-angle/180 - 6.5/turnBias)))
}
