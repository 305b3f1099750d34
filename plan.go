package lastmile

import "time"

// Plan statuses.
const (
	PlanDraft      = "draft"      // computed, can be edited, re-planned, compared
	PlanPublished  = "published"  // the day's plan: routes became manifests
	PlanSuperseded = "superseded" // replaced by a re-plan or another published plan
)

// Plan is a station's routes for one date.
type Plan struct {
	ID          string       `json:"id"`
	StationID   string       `json:"station_id"`
	Date        string       `json:"date"` // YYYY-MM-DD, local to the station
	Status      string       `json:"status"`
	ParentID    string       `json:"parent_id,omitempty"` // the plan this one re-plans
	Routes      []Route      `json:"routes"`
	Unassigned  []Unassigned `json:"unassigned"`
	Summary     PlanSummary  `json:"summary"`
	SolveMS     int64        `json:"solve_ms"`
	PublishedAt *time.Time   `json:"published_at,omitempty"`
	Version     int64        `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Route is one vehicle's tour with its driver.
type Route struct {
	ID         string     `json:"id"`
	VehicleID  string     `json:"vehicle_id"`
	DriverID   string     `json:"driver_id,omitempty"`
	Locked     bool       `json:"locked"` // kept as is by a re-plan
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
	Stops      []Stop     `json:"stops"`
	DistanceM  int64      `json:"distance_m"`
	DurationS  int64      `json:"duration_s"` // travel time
	Cost       int64      `json:"cost"`       // cents
	Dispatched *time.Time `json:"dispatched_at,omitempty"`
	Feasible   bool       `json:"feasible"`
	Violations []string   `json:"violations,omitempty"`
}

// Stop is one visit of a route: an order, or a break of the driver.
type Stop struct {
	Seq       int       `json:"seq"`
	Type      string    `json:"type"` // delivery, pickup (a return), break
	OrderID   string    `json:"order_id,omitempty"`
	Location  *Point    `json:"location,omitempty"`
	ETA       time.Time `json:"eta"`       // arrival
	Start     time.Time `json:"start"`     // service start (after waiting)
	Departure time.Time `json:"departure"` // service end
	Load      Capacity  `json:"load"`      // on board when leaving
	DistanceM int64     `json:"distance_m"`
}

// Unassigned is an order the plan could not serve, with the reason.
type Unassigned struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason"`
}

// PlanSummary totals a plan.
type PlanSummary struct {
	Routes     int   `json:"routes"`
	Stops      int   `json:"stops"`
	Unassigned int   `json:"unassigned"`
	DistanceM  int64 `json:"distance_m"`
	DurationS  int64 `json:"duration_s"`   // travel time
	RouteTimeS int64 `json:"route_time_s"` // first departure to last arrival, summed
	Cost       int64 `json:"cost"`
	Feasible   bool  `json:"feasible"`
}

// Summarize recomputes the summary from the routes.
func (p *Plan) Summarize() {
	s := PlanSummary{Routes: len(p.Routes), Unassigned: len(p.Unassigned), Feasible: true}
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			if st.OrderID != "" {
				s.Stops++
			}
		}
		s.DistanceM += r.DistanceM
		s.DurationS += r.DurationS
		s.RouteTimeS += int64(r.End.Sub(r.Start).Seconds())
		s.Cost += r.Cost
		s.Feasible = s.Feasible && r.Feasible
	}
	p.Summary = s
}

// PlanRoute is one route of a plan with the plan's identity: the plan's
// id, station, date, status and version, but not its other routes.
type PlanRoute struct {
	PlanID      string
	PlanVersion int64
	StationID   string
	Date        string
	PlanStatus  string
	Route       Route
}

// Route returns the plan's route with the given id.
func (p *Plan) Route(id string) (*Route, bool) {
	for i := range p.Routes {
		if p.Routes[i].ID == id {
			return &p.Routes[i], true
		}
	}
	return nil, false
}

// Manifest is what a driver loads and delivers: one published route with
// its orders' parcels, and the scan state of each.
type Manifest struct {
	PlanID    string         `json:"plan_id"`
	RouteID   string         `json:"route_id"`
	StationID string         `json:"station_id"`
	Date      string         `json:"date"`
	VehicleID string         `json:"vehicle_id"`
	DriverID  string         `json:"driver_id,omitempty"`
	Stops     []ManifestStop `json:"stops"`
	Parcels   int            `json:"parcels"`
	Loaded    int            `json:"loaded"`
	Missing   []string       `json:"missing"` // barcodes not scanned yet
}

// ManifestStop is one stop of a manifest.
type ManifestStop struct {
	Seq          int       `json:"seq"`
	OrderID      string    `json:"order_id"`
	ExternalID   string    `json:"external_id"`
	Kind         string    `json:"kind"`
	Status       string    `json:"status"`
	ETA          time.Time `json:"eta"`
	Address      Address   `json:"address"`
	Recipient    Recipient `json:"recipient"`
	Instructions string    `json:"instructions,omitempty"`
	OTPRequired  bool      `json:"otp_required"`
	Parcels      []Parcel  `json:"parcels"`
}

// Scan results of scan-and-load.
const (
	ScanLoaded     = "loaded"      // belongs to this route; now on board
	ScanDuplicate  = "duplicate"   // already scanned
	ScanMissort    = "missort"     // belongs to another route: take it off
	ScanUnknown    = "unknown"     // no parcel with this barcode at the station
	ScanNotPlanned = "not_planned" // known, but on no published route
)

// ScanResult answers a scan.
type ScanResult struct {
	Barcode     string `json:"barcode"`
	Result      string `json:"result"`
	OrderID     string `json:"order_id,omitempty"`
	RouteID     string `json:"route_id,omitempty"` // the route the parcel belongs to
	OrderStatus string `json:"order_status,omitempty"`
	Message     string `json:"message"`
}
