// Package httpapi is lastmile's REST API on net/http's ServeMux: stations,
// fleet, orders and their bulk import, day plans, dispatch, the stop
// lifecycle with proof of delivery, KPIs, the audit log, the VROOM-compatible
// optimizer endpoint, health, metrics and the OpenAPI document.
//
// Errors are JSON {"error":{"code","message","field"}} with the status from
// the single table in errors.go. Callers authenticate with API keys whose
// role and stations limit what they see.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
	"github.com/lastmile-dev/lastmile/travel"
	"github.com/lastmile-dev/lastmile/vrp"
)

// Config is what the server needs; zero values get defaults.
type Config struct {
	Store  lastmile.Store
	Blobs  lastmile.BlobStore
	Travel vrp.TravelSource // default: great-circle estimates
	Logger *slog.Logger     // default: discard
	Now    func() time.Time // default: time.Now
	// Registry receives the server's metrics (default: a new registry).
	Registry *prometheus.Registry
	// PlanTimeLimit bounds the optimizer in planning (default 5 s);
	// OptimizeTimeLimit is the default and the cap of POST /v1/optimize
	// (default 5 s, at most 60 s).
	PlanTimeLimit     time.Duration
	OptimizeTimeLimit time.Duration
	Threads           int   // optimizer threads (default 1)
	MaxBody           int64 // JSON bodies (default 10 MiB); imports get 8 times more
	MaxUpload         int64 // one proof-of-delivery file (default 10 MiB)

	// RateClock is the clock of the vehicles' position budgets (default
	// time.Now). A simulation whose server clock is virtual passes that
	// clock, so that budgets follow simulated time, not the machine's.
	RateClock func() time.Time

	// PlanIterations, when positive, bounds the optimizer's search in
	// planning by iterations as well as by time: with Threads 1 and a
	// time limit that is not reached, a plan is then a function of its
	// orders and fleet only (reproducible simulations and tests).
	PlanIterations int64

	// Live tracking: the tracker's settings (its clock and travel source
	// default to the server's), how often a vehicle's position is kept in
	// the history (default 15 s) and for how long (0: forever).
	Tracking          tracking.Config
	HistoryEvery      time.Duration
	PositionRetention time.Duration
	SSEHeartbeat      time.Duration // default 15 s
	// Notifications: webhook receivers, whether recipients are sent email
	// and SMS (the senders are the dispatcher's), and the public base URL of
	// tracking links (default http://127.0.0.1:8080).
	Webhooks  []Webhook
	Email     bool
	SMS       bool
	PublicURL string
}

// Server serves the API.
type Server struct {
	cfg     Config
	store   lastmile.Store
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
	routes  []Route
	metrics *metrics
	idem    sync.Map // owner+key → *sync.Mutex, serialising retries of one request
	keys    sync.Map // secret hash → cachedKey
	live    *live
}

// Route is one registered endpoint.
type Route struct {
	Method, Pattern string
	Roles           []string // nil: public
}

// New returns a server.
func New(cfg Config) *Server {
	if cfg.Travel == nil {
		cfg.Travel = travel.GreatCircle{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateClock == nil {
		cfg.RateClock = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.PlanTimeLimit <= 0 {
		cfg.PlanTimeLimit = 5 * time.Second
	}
	if cfg.OptimizeTimeLimit <= 0 {
		cfg.OptimizeTimeLimit = 5 * time.Second
	}
	if cfg.Threads <= 0 {
		cfg.Threads = 1
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 10 << 20
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 10 << 20
	}
	if cfg.HistoryEvery <= 0 {
		cfg.HistoryEvery = defaultHistoryEvery
	}
	if cfg.SSEHeartbeat <= 0 {
		cfg.SSEHeartbeat = 15 * time.Second
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://127.0.0.1:8080"
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, mux: http.NewServeMux()}
	s.live = newLive(cfg, cfg.Now)
	s.metrics = newMetrics(cfg.Registry)
	s.register()
	return s
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Routes returns every registered endpoint.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Roles.
var (
	public      []string
	anyRole     = []string{lastmile.RoleAdmin, lastmile.RoleDispatcher, lastmile.RoleDriver, lastmile.RoleIntegration}
	adminOnly   = []string{lastmile.RoleAdmin}
	staff       = []string{lastmile.RoleAdmin, lastmile.RoleDispatcher}
	orderWriter = []string{lastmile.RoleAdmin, lastmile.RoleDispatcher, lastmile.RoleIntegration}
	onRoute     = []string{lastmile.RoleAdmin, lastmile.RoleDispatcher, lastmile.RoleDriver}
)

// handlerFunc is an endpoint: it returns an error instead of writing one.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(method, pattern string, roles []string, h handlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Roles: roles})
	var next http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
	if method == http.MethodPost && roles != nil {
		next = s.idempotent(next)
	}
	if roles != nil {
		next = s.authenticate(roles, next)
	}
	s.mux.Handle(method+" "+pattern, s.observe(pattern, next))
}

func (s *Server) register() {
	s.handle("GET", "/healthz", public, s.healthz)
	s.handle("GET", "/readyz", public, s.readyz)
	s.mux.Handle("GET /metrics", s.metrics.handler(s.cfg.Registry))
	s.routes = append(s.routes, Route{Method: "GET", Pattern: "/metrics"})
	s.handle("GET", "/openapi.json", public, s.openapi)

	s.handle("POST", "/v1/api-keys", staff, s.createKey) // dispatchers: driver keys of their stations
	s.handle("GET", "/v1/api-keys", adminOnly, s.listKeys)
	s.handle("POST", "/v1/api-keys/{id}/revoke", adminOnly, s.revokeKey)

	s.handle("POST", "/v1/stations", adminOnly, s.createStation)
	s.handle("GET", "/v1/stations", staffOrIntegration, s.listStations)
	s.handle("GET", "/v1/stations/{id}", staffOrIntegration, s.getStation)
	s.handle("PUT", "/v1/stations/{id}", staff, s.updateStation)
	s.handle("GET", "/v1/stations/{id}/kpis", staff, s.kpis)

	s.handle("POST", "/v1/vehicles", staff, s.createVehicle)
	s.handle("GET", "/v1/vehicles", staff, s.listVehicles)
	s.handle("GET", "/v1/vehicles/{id}", staff, s.getVehicle)
	s.handle("PUT", "/v1/vehicles/{id}", staff, s.updateVehicle)
	s.handle("POST", "/v1/drivers", staff, s.createDriver)
	s.handle("GET", "/v1/drivers", staff, s.listDrivers)
	s.handle("GET", "/v1/drivers/{id}", staff, s.getDriver)
	s.handle("PUT", "/v1/drivers/{id}", staff, s.updateDriver)

	s.handle("POST", "/v1/orders", orderWriter, s.createOrder)
	s.handle("POST", "/v1/orders/import", orderWriter, s.importOrders)
	s.handle("GET", "/v1/orders", orderWriter, s.listOrders)
	s.handle("GET", "/v1/orders/{id}", anyRole, s.getOrder)
	s.handle("GET", "/v1/orders/{id}/events", staff, s.orderEvents)
	s.handle("POST", "/v1/orders/{id}/status", onRoute, s.orderStatus)
	s.handle("POST", "/v1/orders/{id}/pod", onRoute, s.proofOfDelivery)
	s.handle("GET", "/v1/orders/{id}/pod/{file}", staff, s.podFile)
	s.handle("POST", "/v1/orders/{id}/erase", adminOnly, s.eraseOrder)
	s.handle("GET", "/v1/track/{token}", public, s.track)
	s.handle("GET", "/v1/track/{token}/stream", public, s.trackStream)
	s.handle("POST", "/v1/track/{token}/actions", public, s.trackAction)
	s.handle("GET", "/v1/track/{token}/pod/{file}", public, s.trackPhoto)

	s.handle("POST", "/v1/positions", onRoute, s.postPositions)
	s.handle("GET", "/v1/osmand", public, s.osmand)
	s.handle("POST", "/v1/osmand", public, s.osmand)
	s.handle("GET", "/v1/vehicles/{id}/position", staff, s.getVehiclePosition)
	s.handle("GET", "/v1/routes/{id}/progress", onRoute, s.routeProgress)
	s.handle("GET", "/v1/routes/{id}/track", onRoute, s.routeTrack)
	s.handle("GET", "/v1/stations/{id}/stream", staff, s.stationStream)
	s.handle("GET", "/v1/webhooks", adminOnly, s.listWebhooks)
	s.handle("POST", "/v1/webhooks", adminOnly, s.createWebhook)
	s.handle("DELETE", "/v1/webhooks/{id}", adminOnly, s.deleteWebhook)
	s.handle("GET", "/v1/webhooks/messages", staff, s.listMessages)
	s.handle("POST", "/v1/webhooks/messages/{id}/replay", staff, s.replayMessage)

	s.handle("GET", "/v1/events", staff, s.listEvents)
	s.handle("POST", "/v1/optimize", staff, s.optimize)

	s.handle("POST", "/v1/plans", staff, s.createPlan)
	s.handle("GET", "/v1/plans", staff, s.listPlans)
	s.handle("GET", "/v1/plans/{id}", staff, s.getPlan)
	s.handle("POST", "/v1/plans/{id}/replan", staff, s.replan)
	s.handle("POST", "/v1/plans/{id}/publish", staff, s.publish)
	s.handle("GET", "/v1/plans/{id}/compare", staff, s.compare)
	s.handle("POST", "/v1/plans/{id}/moves", staff, s.moveStop)
	s.handle("POST", "/v1/plans/{id}/routes/{route}/lock", staff, s.lockRoute)

	s.handle("GET", "/v1/me/routes", driverOnly, s.myRoutes)
	s.handle("GET", "/v1/routes/{id}/manifest", onRoute, s.manifest)
	s.handle("POST", "/v1/routes/{id}/scans", onRoute, s.scan)
	s.handle("POST", "/v1/routes/{id}/dispatch", staff, s.dispatch)
}

var staffOrIntegration = []string{lastmile.RoleAdmin, lastmile.RoleDispatcher, lastmile.RoleIntegration}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
