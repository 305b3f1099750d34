package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lastmile-dev/lastmile"
)

var (
	_ lastmile.PlanStore        = (*DB)(nil)
	_ lastmile.EventStore       = (*DB)(nil)
	_ lastmile.KeyStore         = (*DB)(nil)
	_ lastmile.IdempotencyStore = (*DB)(nil)
	_ lastmile.Store            = (*DB)(nil)
)

func setPlan(v *lastmile.Plan, ver int64) { v.Version = ver }

// indexRoutes writes a plan's routes to plan_routes, each with its own
// copy of the route's document, so that one route is read without
// decoding the whole plan (PlanRoute). It runs in the transaction that
// writes the plan: the copies are never older than the plan.
func (s *DB) indexRoutes(ctx context.Context, tx *sql.Tx, p *lastmile.Plan) error {
	if _, err := s.exec(ctx, tx, "DELETE FROM plan_routes WHERE plan_id = ?", p.ID); err != nil {
		return err
	}
	rows := make([][]any, len(p.Routes))
	for i := range p.Routes {
		data, err := json.Marshal(&p.Routes[i])
		if err != nil {
			return fmt.Errorf("route %s: %w", p.Routes[i].ID, err)
		}
		rows[i] = []any{p.Routes[i].ID, p.ID, string(data)}
	}
	return s.insertMany(ctx, tx, "plan_routes", []string{"route_id", "plan_id", "data"}, rows)
}

// CreatePlan stores a new plan.
func (s *DB) CreatePlan(ctx context.Context, p *lastmile.Plan, c lastmile.Change) error {
	now := s.now().UTC()
	if p.ID == "" {
		p.ID = lastmile.NewID("pln", now)
	}
	p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
	return s.tx(ctx, "create plan", func(tx *sql.Tx) error {
		if err := s.insertDoc(ctx, tx, "plans", p.ID, 1, p, col{"station_id", p.StationID},
			col{"service_date", p.Date}, col{"status", p.Status}); err != nil {
			return err
		}
		if err := s.indexRoutes(ctx, tx, p); err != nil {
			return err
		}
		return s.event(ctx, tx, now, c, p.StationID, "plan", p.ID, "created", p.Status)
	})
}

// Plan returns a plan.
func (s *DB) Plan(ctx context.Context, id string) (*lastmile.Plan, error) {
	p, err := one(ctx, s, s.db, "plan", id, "SELECT id, version, data FROM plans WHERE id = ?", []any{id}, setPlan)
	if err != nil {
		return nil, s.wrap("get plan", err)
	}
	return p, nil
}

// PlanByRoute returns the plan holding a route.
func (s *DB) PlanByRoute(ctx context.Context, routeID string) (*lastmile.Plan, error) {
	p, err := one(ctx, s, s.db, "route", routeID, `SELECT p.id, p.version, p.data FROM plan_routes r JOIN plans p ON p.id = r.plan_id
		WHERE r.route_id = ?`, []any{routeID}, setPlan)
	if err != nil {
		return nil, s.wrap("get plan by route", err)
	}
	return p, nil
}

// ListPlans lists plans by id.
func (s *DB) ListPlans(ctx context.Context, f lastmile.PlanFilter) ([]*lastmile.Plan, string, error) {
	var where []string
	var args []any
	if f.StationIDs != nil {
		w, a := in("station_id", f.StationIDs)
		where, args = append(where, w), append(args, a...)
	}
	if f.Date != "" {
		where, args = append(where, "service_date = ?"), append(args, f.Date)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	tail, args := pageQuery(where, args, f.Page)
	rows, err := s.query(ctx, s.db, "SELECT id, version, data FROM plans"+tail, args...)
	if err != nil {
		return nil, "", s.wrap("list plans", err)
	}
	out, next, err := docs(rows, f.N(), setPlan)
	if err != nil {
		return nil, "", s.wrap("list plans", err)
	}
	return out, next, nil
}

// UpdatePlan updates plans and orders at their versions in one transaction.
func (s *DB) UpdatePlan(ctx context.Context, ps []*lastmile.Plan, os []*lastmile.Order, c lastmile.Change) error {
	now := s.now().UTC()
	return s.tx(ctx, "update plan", func(tx *sql.Tx) error {
		out := make([]lastmile.Plan, len(ps))
		for i, p := range ps {
			cp := *p
			cp.Version, cp.UpdatedAt = p.Version+1, now
			if err := s.updateDoc(ctx, tx, "plans", "plan", p.ID, p.Version, &cp, col{"status", cp.Status}); err != nil {
				return err
			}
			if err := s.indexRoutes(ctx, tx, &cp); err != nil {
				return err
			}
			if err := s.event(ctx, tx, now, c, cp.StationID, "plan", cp.ID, "updated", cp.Status); err != nil {
				return err
			}
			out[i] = cp
		}
		oo, err := s.updateOrders(ctx, tx, os, c)
		if err != nil {
			return err
		}
		if err := s.addOutbox(ctx, tx, c.Outbox); err != nil {
			return err
		}
		for i := range ps {
			*ps[i] = out[i]
		}
		for i := range os {
			*os[i] = oo[i]
		}
		return nil
	})
}

// Events lists events in log order.
func (s *DB) Events(ctx context.Context, f lastmile.EventFilter) ([]*lastmile.Event, error) {
	var where []string
	var args []any
	if f.StationIDs != nil {
		w, a := in("station_id", f.StationIDs)
		where, args = append(where, w), append(args, a...)
	}
	for _, eq := range []struct{ col, val string }{{"entity_type", f.EntityType}, {"entity_id", f.EntityID}, {"type", f.Type}} {
		if eq.val != "" {
			where, args = append(where, eq.col+" = ?"), append(args, eq.val)
		}
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, micros(f.Until))
	}
	if f.After > 0 {
		where, args = append(where, "seq > ?"), append(args, f.After)
	}
	q := "SELECT seq, id, at, station_id, entity_type, entity_id, type, status, actor_key, actor_role, actor_name, lat, lon, data FROM events"
	if len(where) > 0 {
		q += " WHERE " + joinAnd(where)
	}
	limit := f.Limit
	if limit <= 0 || limit > 10*lastmile.MaxLimit {
		limit = lastmile.MaxLimit
	}
	q += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, s.wrap("list events", err)
	}
	defer rows.Close()
	var out []*lastmile.Event
	for rows.Next() {
		var e lastmile.Event
		var at int64
		var station, status, key, role, name, data sql.NullString
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&e.Seq, &e.ID, &at, &station, &e.EntityType, &e.EntityID, &e.Type, &status, &key, &role, &name, &lat, &lon, &data); err != nil {
			return nil, s.wrap("list events", err)
		}
		e.At = time.UnixMicro(at).UTC()
		e.StationID, e.Status = station.String, status.String
		e.Actor = lastmile.Actor{KeyID: key.String, Role: role.String, Name: name.String}
		if lat.Valid && lon.Valid {
			e.Position = &lastmile.Point{Lat: lat.Float64, Lon: lon.Float64}
		}
		if data.Valid {
			e.Data = json.RawMessage(data.String)
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list events", err)
	}
	return out, nil
}

func joinAnd(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += " AND "
		}
		s += x
	}
	return s
}

func setKey(v *lastmile.APIKey, ver int64) { v.Version = ver }

// keyDoc is the stored form of a key: the domain type hides the hash from
// JSON, the row keeps it in a column.
func (s *DB) keyRow(ctx context.Context, q querier, where string, arg any, what string) (*lastmile.APIKey, error) {
	var k lastmile.APIKey
	var data string
	err := q.QueryRowContext(ctx, s.rebind("SELECT version, hash, data FROM api_keys WHERE "+where+" = ?"), arg).Scan(&k.Version, &k.Hash, &data)
	if err == sql.ErrNoRows {
		return nil, notFound("api key", what)
	}
	if err != nil {
		return nil, err
	}
	ver, hash := k.Version, k.Hash
	if err := json.Unmarshal([]byte(data), &k); err != nil {
		return nil, err
	}
	k.Version, k.Hash = ver, hash
	return &k, nil
}

// CreateAPIKey stores a key (its hash).
func (s *DB) CreateAPIKey(ctx context.Context, k *lastmile.APIKey, c lastmile.Change) error {
	now := s.now().UTC()
	if k.ID == "" {
		k.ID = lastmile.NewID("key", now)
	}
	k.Version, k.CreatedAt = 1, now
	return s.tx(ctx, "create api key", func(tx *sql.Tx) error {
		if err := s.insertDoc(ctx, tx, "api_keys", k.ID, 1, k, col{"hash", k.Hash}); err != nil {
			return err
		}
		return s.event(ctx, tx, now, c, "", "api_key", k.ID, "created", k.Role)
	})
}

// APIKeyByHash finds a key by the hash of its secret.
func (s *DB) APIKeyByHash(ctx context.Context, hash string) (*lastmile.APIKey, error) {
	k, err := s.keyRow(ctx, s.db, "hash", hash, "(by secret)")
	if err != nil {
		return nil, s.wrap("get api key", err)
	}
	return k, nil
}

// APIKey returns a key by id.
func (s *DB) APIKey(ctx context.Context, id string) (*lastmile.APIKey, error) {
	k, err := s.keyRow(ctx, s.db, "id", id, id)
	if err != nil {
		return nil, s.wrap("get api key", err)
	}
	return k, nil
}

// ListAPIKeys lists every key.
func (s *DB) ListAPIKeys(ctx context.Context) ([]*lastmile.APIKey, error) {
	rows, err := s.query(ctx, s.db, "SELECT id, version, data FROM api_keys ORDER BY id")
	if err != nil {
		return nil, s.wrap("list api keys", err)
	}
	out, _, err := docs(rows, 0, setKey)
	if err != nil {
		return nil, s.wrap("list api keys", err)
	}
	return out, nil
}

// UpdateAPIKey replaces a key at its version (the hash never changes).
func (s *DB) UpdateAPIKey(ctx context.Context, k *lastmile.APIKey, c lastmile.Change) error {
	now := s.now().UTC()
	return s.tx(ctx, "update api key", func(tx *sql.Tx) error {
		cp := *k
		cp.Version = k.Version + 1
		if err := s.updateDoc(ctx, tx, "api_keys", "api key", k.ID, k.Version, &cp); err != nil {
			return err
		}
		if err := s.event(ctx, tx, now, c, "", "api_key", k.ID, "updated", k.Role); err != nil {
			return err
		}
		*k = cp
		return nil
	})
}

// Idempotent returns a stored response.
func (s *DB) Idempotent(ctx context.Context, owner, key string) (*lastmile.Idempotent, error) {
	r := lastmile.Idempotent{Owner: owner, Key: key}
	var at int64
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT fingerprint, status, content_type, body, created_at FROM idempotency WHERE owner = ? AND ikey = ?"),
		owner, key).Scan(&r.Fingerprint, &r.Status, &r.ContentType, &r.Body, &at)
	if err == sql.ErrNoRows {
		return nil, s.wrap("get idempotent response", notFound("idempotency key", key))
	}
	if err != nil {
		return nil, s.wrap("get idempotent response", err)
	}
	r.CreatedAt = time.UnixMicro(at).UTC()
	return &r, nil
}

// PutIdempotent stores a response.
func (s *DB) PutIdempotent(ctx context.Context, r *lastmile.Idempotent) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now().UTC()
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	_, err := s.exec(ctx, s.db, "INSERT INTO idempotency (owner, ikey, fingerprint, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		r.Owner, r.Key, r.Fingerprint, r.Status, r.ContentType, body, micros(r.CreatedAt))
	if err != nil {
		return s.wrap("put idempotent response", err)
	}
	return nil
}
