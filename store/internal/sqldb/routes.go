package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/lastmile-dev/lastmile"
)

// routeCacheSize bounds the decoded routes a store keeps: a few stations'
// days of routes.
const routeCacheSize = 1024

// routeCache keeps decoded routes by route id, each with the plan id and
// version it was read at. A route's document changes only with its plan's
// version (both are written in one transaction), so an entry is good as
// long as the plan's version in the database is the entry's: every read
// checks it, which keeps the cache right when other servers change plans
// in the same database.
type routeCache struct {
	mu sync.Mutex
	m  map[string]cachedRoute
}

type cachedRoute struct {
	planID  string
	version int64
	route   lastmile.Route
}

func (c *routeCache) get(routeID, planID string, version int64) (lastmile.Route, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[routeID]
	if !ok || e.planID != planID || e.version != version {
		return lastmile.Route{}, false
	}
	return cloneRoute(e.route), true
}

func (c *routeCache) put(routeID, planID string, version int64, rt lastmile.Route) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedRoute{}
	}
	if e, ok := c.m[routeID]; ok && e.planID == planID && e.version > version {
		return // a newer read is already there
	}
	if _, ok := c.m[routeID]; !ok && len(c.m) >= routeCacheSize {
		for k := range c.m { // drop any one
			delete(c.m, k)
			break
		}
	}
	c.m[routeID] = cachedRoute{planID: planID, version: version, route: cloneRoute(rt)}
}

// cloneRoute copies a route deeply enough that changing the copy (its
// stops, their locations, its dispatch time) leaves the original alone.
func cloneRoute(r lastmile.Route) lastmile.Route {
	if r.Stops != nil {
		stops := make([]lastmile.Stop, len(r.Stops))
		copy(stops, r.Stops)
		for i := range stops {
			if stops[i].Location != nil {
				loc := *stops[i].Location
				stops[i].Location = &loc
			}
		}
		r.Stops = stops
	}
	if r.Dispatched != nil {
		d := *r.Dispatched
		r.Dispatched = &d
	}
	if r.Violations != nil {
		r.Violations = append([]string(nil), r.Violations...)
	}
	return r
}

const planRouteHead = `SELECT p.id, p.version, p.station_id, p.service_date, p.status, %s
	FROM plan_routes r JOIN plans p ON p.id = r.plan_id WHERE r.route_id = ?`

// PlanRoute returns one route and its plan's identity. It reads the
// plan's columns and, unless this store decoded the route at the plan's
// current version already, the route's own document — never the plan's.
func (s *DB) PlanRoute(ctx context.Context, routeID string) (*lastmile.PlanRoute, error) {
	var pr lastmile.PlanRoute
	var hasData bool
	err := s.db.QueryRowContext(ctx, s.rebind(fmt.Sprintf(planRouteHead, "r.data IS NOT NULL")), routeID).
		Scan(&pr.PlanID, &pr.PlanVersion, &pr.StationID, &pr.Date, &pr.PlanStatus, &hasData)
	if err == sql.ErrNoRows {
		return nil, s.wrap("get route", notFound("route", routeID))
	}
	if err != nil {
		return nil, s.wrap("get route", err)
	}
	if rt, ok := s.routes.get(routeID, pr.PlanID, pr.PlanVersion); ok {
		pr.Route = rt
		return &pr, nil
	}
	if !hasData {
		// A row written before routes had their own document, that the
		// migration could not fill: read it from the plan.
		p, err := s.PlanByRoute(ctx, routeID)
		if err != nil {
			return nil, err
		}
		rt, ok := p.Route(routeID)
		if !ok {
			return nil, s.wrap("get route", notFound("route", routeID))
		}
		return &lastmile.PlanRoute{PlanID: p.ID, PlanVersion: p.Version, StationID: p.StationID, Date: p.Date, PlanStatus: p.Status, Route: *rt}, nil
	}
	// Read the document with the plan's columns again: the plan may have
	// changed since, and the cache keeps the route with its own version.
	var data string
	err = s.db.QueryRowContext(ctx, s.rebind(fmt.Sprintf(planRouteHead, "r.data")), routeID).
		Scan(&pr.PlanID, &pr.PlanVersion, &pr.StationID, &pr.Date, &pr.PlanStatus, &data)
	if err == sql.ErrNoRows {
		return nil, s.wrap("get route", notFound("route", routeID))
	}
	if err != nil {
		return nil, s.wrap("get route", err)
	}
	if err := json.Unmarshal([]byte(data), &pr.Route); err != nil {
		return nil, s.wrap("get route", fmt.Errorf("route %s: %w", routeID, err))
	}
	s.routes.put(routeID, pr.PlanID, pr.PlanVersion, pr.Route)
	return &pr, nil
}
