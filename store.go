package lastmile

import (
	"context"
	"io"
	"time"
)

// Page is a cursor page request: the cursor returned by the previous page
// ("" for the first) and a limit (0: DefaultLimit; at most MaxLimit).
type Page struct {
	Cursor string
	Limit  int
}

// Paging limits.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// N returns the effective limit.
func (p Page) N() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// Every store method that changes state writes its event(s) in the same
// transaction, increments Version and sets UpdatedAt (and CreatedAt, ID when
// empty, on creation). Updates are optimistic: the caller passes the version
// it read, and a stale version fails with EConflict, so that several servers
// on one database lose no update. Getters return ENotFound errors.

// StationStore keeps stations.
type StationStore interface {
	CreateStation(ctx context.Context, s *Station, c Change) error
	Station(ctx context.Context, id string) (*Station, error)
	// ListStations lists the stations among ids (nil: all), by id.
	ListStations(ctx context.Context, ids []string, p Page) ([]*Station, string, error)
	UpdateStation(ctx context.Context, s *Station, c Change) error
}

// FleetFilter selects vehicles or drivers.
type FleetFilter struct {
	StationIDs []string // nil: all
	Page
}

// FleetStore keeps vehicles and drivers.
type FleetStore interface {
	CreateVehicle(ctx context.Context, v *Vehicle, c Change) error
	Vehicle(ctx context.Context, id string) (*Vehicle, error)
	ListVehicles(ctx context.Context, f FleetFilter) ([]*Vehicle, string, error)
	UpdateVehicle(ctx context.Context, v *Vehicle, c Change) error

	CreateDriver(ctx context.Context, d *Driver, c Change) error
	Driver(ctx context.Context, id string) (*Driver, error)
	ListDrivers(ctx context.Context, f FleetFilter) ([]*Driver, string, error)
	UpdateDriver(ctx context.Context, d *Driver, c Change) error
}

// OrderFilter selects orders; empty fields match all.
type OrderFilter struct {
	StationIDs  []string // nil: all
	Statuses    []string
	ServiceDate string
	RouteID     string
	PlanID      string
	ExternalID  string
	Page
}

// OrderStore keeps orders and their parcels' barcodes.
type OrderStore interface {
	// CreateOrders stores all the orders or none. A duplicate external id
	// (per station) or barcode (per station) fails with EConflict.
	CreateOrders(ctx context.Context, os []*Order, c Change) error
	Order(ctx context.Context, id string) (*Order, error)
	OrderByToken(ctx context.Context, token string) (*Order, error)
	OrderByBarcode(ctx context.Context, stationID, barcode string) (*Order, error)
	ListOrders(ctx context.Context, f OrderFilter) ([]*Order, string, error)
	// ExistingOrders returns, of the given external ids and barcodes, those
	// already used at the station, each mapped to its order's id.
	ExistingOrders(ctx context.Context, stationID string, externalIDs, barcodes []string) (ext, bar map[string]string, err error)
	// UpdateOrders updates all the orders or none (one event each).
	UpdateOrders(ctx context.Context, os []*Order, c Change) error
	// UpdateOrdersAtPoint is UpdateOrders for orders sent to a pickup
	// point or locker: in the same transaction, serialised with every
	// other such update of the station, it counts the parcels the point
	// already holds (PointParcels, the updated orders left out) and fails
	// with EConflict naming h.Field, changing nothing, when the orders'
	// parcels do not fit in h.Capacity.
	UpdateOrdersAtPoint(ctx context.Context, os []*Order, h PointHold, c Change) error
	// PointParcels counts the parcels a pickup point holds or expects.
	PointParcels(ctx context.Context, stationID, pointID string) (int, error)
}

// PointHold is the room an update takes at a pickup point: the point, its
// capacity in parcels (0: unlimited) and the field an error names when the
// point is full.
type PointHold struct {
	StationID string
	PointID   string
	Capacity  int
	Field     string
}

// HoldsPoint reports whether o takes room at the pickup point: a point
// holds the parcels of the orders sent there (RedirectTo) that are not
// closed — on their way (a recipient's redirect), or waiting
// there to be collected (StatusRedirected) — until they are delivered
// (collected) or returned.
func HoldsPoint(o *Order, pointID string) bool {
	if o.RedirectTo != pointID || pointID == "" {
		return false
	}
	switch o.Status {
	case StatusDelivered, StatusReturned, StatusCancelled:
		return false
	}
	return true
}

// PlanFilter selects plans.
type PlanFilter struct {
	StationIDs []string
	Date       string
	Status     string
	Page
}

// PlanStore keeps plans.
type PlanStore interface {
	CreatePlan(ctx context.Context, p *Plan, c Change) error
	Plan(ctx context.Context, id string) (*Plan, error)
	ListPlans(ctx context.Context, f PlanFilter) ([]*Plan, string, error)
	// PlanByRoute returns the plan holding the route.
	PlanByRoute(ctx context.Context, routeID string) (*Plan, error)
	// PlanRoute returns one route with its plan's identity, status and
	// version, without reading the rest of the plan: what a request about
	// one route (a scan, a stop update, a proof, a position) needs. It is
	// always the route as stored with the plan's current version.
	PlanRoute(ctx context.Context, routeID string) (*PlanRoute, error)
	// UpdatePlan updates the plans and the orders in one transaction: all
	// or nothing (publishing a plan changes its orders and supersedes the
	// plan it replaces).
	UpdatePlan(ctx context.Context, ps []*Plan, os []*Order, c Change) error
}

// EventStore reads the audit log (stores append to it as they change).
type EventStore interface {
	Events(ctx context.Context, f EventFilter) ([]*Event, error)
}

// KeyStore keeps API keys.
type KeyStore interface {
	CreateAPIKey(ctx context.Context, k *APIKey, c Change) error
	APIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	APIKey(ctx context.Context, id string) (*APIKey, error)
	ListAPIKeys(ctx context.Context) ([]*APIKey, error)
	UpdateAPIKey(ctx context.Context, k *APIKey, c Change) error
}

// Idempotent is a stored response to a POST made with an Idempotency-Key.
type Idempotent struct {
	Owner       string // API key id
	Key         string
	Fingerprint string // method, path and body hash of the first request
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyStore keeps responses to replay for retried POSTs.
type IdempotencyStore interface {
	Idempotent(ctx context.Context, owner, key string) (*Idempotent, error)
	// PutIdempotent stores r; EConflict when owner and key already exist.
	PutIdempotent(ctx context.Context, r *Idempotent) error
}

// Store is everything the server keeps.
type Store interface {
	StationStore
	FleetStore
	OrderStore
	PlanStore
	EventStore
	KeyStore
	IdempotencyStore
	PositionStore
	OutboxStore
	WebhookStore
	LearnedStore
	Ping(ctx context.Context) error
	Close() error
}

// BlobStore keeps uploaded files (proof-of-delivery photos, signatures).
type BlobStore interface {
	// Put stores r under key; it is durable when Put returns.
	Put(ctx context.Context, key, contentType string, r io.Reader) (size int64, err error)
	// Get opens the blob; ENotFound when it does not exist.
	Get(ctx context.Context, key string) (rc io.ReadCloser, contentType string, err error)
	Delete(ctx context.Context, key string) error
}

// BlobLister is a BlobStore that lists its blobs (an optional capability,
// used to find the files of proofs that were never stored).
type BlobLister interface {
	// ListBlobs returns the blobs whose keys start with prefix.
	ListBlobs(ctx context.Context, prefix string) ([]BlobInfo, error)
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key     string
	ModTime time.Time
}
