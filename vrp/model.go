// Package vrp is lastmile's route optimizer: a pure library that models a rich
// vehicle routing problem (the model of VROOM's documented input), solves it
// with a ruin-and-recreate metaheuristic, and checks solutions independently.
//
// Units are integers: seconds for time, metres for distance, and the costs of
// the input. The package does no I/O: travel times come from matrices on the
// Problem, filled by the caller or through a TravelSource.
package vrp

import "context"

// Location is where a task or vehicle end is. Index refers to a row of the
// profile's matrices; Coord is longitude/latitude. At least one is set.
type Location struct {
	Index    int     // matrix row; valid when HasIndex
	HasIndex bool    // Index is set
	Lon, Lat float64 // WGS84; valid when HasCoord
	HasCoord bool    // Lon/Lat are set
}

// TimeWindow is a closed interval [Start, End] in seconds.
type TimeWindow struct {
	Start, End int64
}

// Amount is a multi-dimensional quantity (e.g. parcels, kilograms).
type Amount []int64

// SoftWindows lets a task start after its last time window ends, at a
// cost per hour late (VROOM's windows are hard), or before its window opens,
// at a cost per hour early, and prices changes to a promised ETA. JSON:
// "lastmile": {"late_cost_per_hour": c, "max_lateness": s, "eta": t,
// "eta_cost_per_hour": c, "early_cost_per_hour": c, "max_earliness": s}.
type SoftWindows struct {
	LateCostPerHour int64 // cost units per hour of lateness
	MaxLateness     int64 // hard bound on the lateness in seconds; negative: none
	// ETA is a service start already promised (re-planning); moving the
	// start away from it, earlier or later, costs ETACostPerHour per hour
	// (the stability term). JSON: "eta", "eta_cost_per_hour".
	ETA            int64
	ETACostPerHour int64
	// EarlyCostPerHour lets service start before the window opens, at most
	// MaxEarliness seconds before (negative: no bound), paying this per
	// hour early. Starting early replaces waiting, so a vehicle starts
	// early only when its waiting_cost_per_hour is higher than this rate.
	// JSON: "early_cost_per_hour", "max_earliness".
	EarlyCostPerHour int64
	MaxEarliness     int64
}

// Job is a single task at one location: a delivery (goods loaded at the
// vehicle's start), a pickup (goods brought to the vehicle's end), or both.
type Job struct {
	ID          uint64
	Description string
	Location    Location
	Setup       int64 // seconds, paid when arriving from another location
	Service     int64 // seconds
	Delivery    Amount
	Pickup      Amount
	Skills      []int
	Priority    int          // 0..100; higher is served first when not all can be
	TimeWindows []TimeWindow // empty means always
	Soft        *SoftWindows // nil: the windows are hard
}

// ShipmentStep is one end of a shipment.
type ShipmentStep struct {
	ID          uint64
	Description string
	Location    Location
	Setup       int64
	Service     int64
	TimeWindows []TimeWindow
	Soft        *SoftWindows // nil: the windows are hard
}

// Shipment is a pickup and a delivery served by one vehicle, pickup first.
type Shipment struct {
	Pickup   ShipmentStep
	Delivery ShipmentStep
	Amount   Amount
	Skills   []int
	Priority int
	// MaxRideTime bounds the time the goods spend in the vehicle, from the
	// end of the pickup's service to the start of the delivery's (waiting
	// included); 0 means no limit. JSON: "lastmile": {"max_ride_time": s}.
	MaxRideTime int64
}

// Break is a driver break in a vehicle's shift.
type Break struct {
	ID          uint64
	Description string
	TimeWindows []TimeWindow
	Service     int64
	MaxLoad     Amount // nil: no limit on the load carried during the break
}

// Costs are a vehicle's cost parameters, as in VROOM: a fixed cost when used,
// a cost per hour of travel time and a cost per km of travel distance.
type Costs struct {
	Fixed   int64
	PerHour int64 // default 3600, so that the cost of travel equals its seconds
	PerKm   int64
}

// StepType names the kinds of steps in a route.
type StepType string

// Step types, as in VROOM's JSON.
const (
	StepStart    StepType = "start"
	StepJob      StepType = "job"
	StepPickup   StepType = "pickup"
	StepDelivery StepType = "delivery"
	StepBreak    StepType = "break"
	StepEnd      StepType = "end"
	// StepReload is an extension: the vehicle back at its start to reload
	// (multi-trip, Vehicle.Reloads).
	StepReload StepType = "reload"
)

// VehicleStep is a step a vehicle must follow (VROOM's plan mode / forced
// sequence). Timing constraints are optional; zero pointers mean none.
type VehicleStep struct {
	Type          StepType
	ID            uint64 // task or break id; unused for start and end
	ServiceAt     *int64
	ServiceAfter  *int64
	ServiceBefore *int64
}

// Vehicle is one vehicle of the fleet.
type Vehicle struct {
	ID          uint64
	Description string
	Profile     string    // matrix profile, "car" by default
	Start, End  *Location // nil: the route starts (ends) at its first (last) task
	Capacity    Amount
	Skills      []int
	TimeWindow  *TimeWindow // nil: no shift limit
	Breaks      []Break
	Costs       Costs
	SpeedFactor float64 // travel durations are divided by it; 1 when zero
	// Limits; negative means unlimited.
	MaxTasks      int
	MaxTravelTime int64
	MaxDistance   int64
	// MaxDuration bounds the working time of the route, from its start to
	// its end, service and waiting included, wherever in the shift the day
	// starts (the start is delayed to cut waiting); 0 means no limit. JSON:
	// "lastmile": {"max_duration": s}.
	MaxDuration int64
	// MaxWaiting bounds the waiting before any one step of the route, in
	// the schedule as output (the start delayed to cut waiting); nil means
	// no limit. JSON: "lastmile": {"max_waiting": s}.
	MaxWaiting *int64
	// WaitingCostPerHour prices the route's waiting, in the schedule as
	// output, like per_hour prices travel. JSON: "lastmile":
	// {"waiting_cost_per_hour": c}.
	WaitingCostPerHour int64
	// BalanceCostPerHour2 adds c × h² to the route's cost, h being its
	// working time in hours: a convex term that evens out route durations
	// (two routes of 4 h cost less than one of 8 h). JSON: "lastmile":
	// {"balance_cost_per_hour2": c}.
	BalanceCostPerHour2 int64
	// WorkingCostPerHour prices the route's working time (start to end as
	// output, waiting and service included), e.g. the driver's wage, paid
	// for at least MinDuration seconds once the vehicle is used. JSON:
	// "lastmile": {"working_cost_per_hour": c, "min_duration": s}.
	WorkingCostPerHour int64
	MinDuration        int64
	// Traffic makes travel times depend on the time of day: bands of
	// speed factors over the matrix durations (see Traffic). JSON:
	// "lastmile": {"traffic": [{"start": s, "end": s, "factor": f}, …]}.
	Traffic Traffic
	// DrivingRule makes the driver rest after a stretch of driving (e.g.
	// 45 min after 4.5 h); nil: no rule. JSON: "lastmile": {"driving_rule":
	// {"max_driving": s, "rest": s}}.
	DrivingRule *DrivingRule
	// Reloads lets the vehicle come back to its start to reload between
	// trips (multi-trip); nil: one trip. JSON: "lastmile": {"reloads":
	// {"max": k, "service": s}}.
	Reloads *Reloads
	Steps   []VehicleStep
}

// Reloads bounds a vehicle's returns to its start: at most Max, each taking
// Service seconds. At a reload the vehicle unloads the returns it collected
// and loads the deliveries of its next trip; the goods of a shipment may not
// stay on board across a reload. The solver adds a reload where it pays.
type Reloads struct {
	Max     int
	Service int64
}

// DrivingRule bounds continuous driving: before a drive that would take the
// driving since the last rest over MaxDriving, the driver rests Rest seconds
// where he is. Waiting of at least Rest at a stop, and a vehicle break whose
// service is at least Rest, count as rests. A single drive longer than
// MaxDriving cannot be made. The start of such a route is not delayed.
type DrivingRule struct {
	MaxDriving int64
	Rest       int64
}

// Matrix holds square travel matrices for one profile. Durations is required
// once travel is resolved; Distances and Costs are optional.
type Matrix struct {
	Durations [][]int64
	Distances [][]int64
	Costs     [][]int64
}

// Problem is a routing problem.
type Problem struct {
	Jobs      []Job
	Shipments []Shipment
	Vehicles  []Vehicle
	Matrices  map[string]*Matrix // by profile
	// Relations between jobs. JSON: top-level "lastmile": {"relations":
	// [{"type": …, "jobs": [id, …], "vehicle": id}]}.
	Relations []Relation
}

// Relation types.
const (
	RelationSameRoute = "same_route" // served by one vehicle, in any order
	RelationSequence  = "sequence"   // by one vehicle, in the order given (other stops between)
	RelationDirect    = "direct"     // by one vehicle, one right after the other (breaks may come between)
	// RelationAlternative: at most one of the jobs is served — the same
	// delivery at the home address or a locker, say; the group counts as one
	// task for the objective.
	RelationAlternative = "alternative"
	// RelationMaxServed: at most Max of the jobs are served (a locker's
	// free compartments).
	RelationMaxServed = "max_served"
)

// Relation ties jobs together. It binds the jobs that are assigned: a job
// left unassigned does not hold the others back. Vehicle, when set, is the
// only vehicle that may serve them.
type Relation struct {
	Type    string
	Jobs    []uint64
	Vehicle *uint64 // same_route, sequence, direct
	Max     int     // max_served
}

// Coord is a longitude/latitude pair.
type Coord struct{ Lon, Lat float64 }

// TravelSource builds travel matrices for coordinates. Implementations live
// outside this package (great-circle, road graph, OSRM client).
type TravelSource interface {
	Matrix(ctx context.Context, profile string, points []Coord) (durations, distances [][]int64, err error)
}

// Step is one step of a solution route, in VROOM's solution format.
type Step struct {
	Type        StepType
	ID          uint64 // task or break id; 0 for start/end
	Description string
	Location    *Location
	Setup       int64
	Service     int64
	WaitingTime int64
	Arrival     int64
	Duration    int64 // cumulated travel time
	Distance    int64 // cumulated travel distance
	Load        Amount
	Violations  []Violation
	// Rest marks a break step required by the vehicle's driving rule (ID 0,
	// Service the rule's rest): the driver rests where he is before the next
	// drive. JSON: "lastmile": {"rest": true}.
	Rest bool
}

// Violation reports a constraint broken by a route given in plan mode.
type Violation struct {
	Cause    string // "delay", "lead_time", "load", "max_tasks", "skills", "precedence", "missing_break", "max_travel_time", "max_load", "max_distance"
	Duration int64  // for delay/lead_time
}

// Route is one vehicle's route in a solution.
type Route struct {
	Vehicle     uint64
	Description string
	Steps       []Step
	Cost        int64
	Setup       int64
	Service     int64
	Duration    int64 // travel time
	WaitingTime int64
	Priority    int64
	Distance    int64
	Delivery    Amount
	Pickup      Amount
	Violations  []Violation
}

// Unassigned is a task the solution leaves out, with the reason.
type Unassigned struct {
	ID       uint64
	Type     StepType // job, pickup or delivery
	Location *Location
	Reason   string
	// Blocked says, for every vehicle, what keeps it from serving the
	// task: vehicles grouped by cause (Cause* constants), in the order the
	// causes are tried. JSON: "lastmile": {"blocked": [{"cause", "vehicles"}]}.
	Blocked []Blocked
}

// Blocked is one cause of an unassigned task and the vehicles it blocks.
type Blocked struct {
	Cause    string
	Vehicles []uint64
}

// Summary totals a solution.
type Summary struct {
	Cost        int64
	Routes      int
	Unassigned  int
	Setup       int64
	Service     int64
	Duration    int64
	WaitingTime int64
	Priority    int64
	Distance    int64
	Delivery    Amount
	Pickup      Amount
	Violations  []Violation
}

// Solution is a solved problem, in VROOM's solution format.
type Solution struct {
	Code       int
	Error      string
	Summary    Summary
	Unassigned []Unassigned
	Routes     []Route
	// Computing times in milliseconds.
	LoadingMS, SolvingMS, RoutingMS int64
}
