package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/lastmile-dev/lastmile"
)

var _ lastmile.OrderStore = (*DB)(nil)

func setOrder(v *lastmile.Order, ver int64) { v.Version = ver }

var orderCols = []string{"id", "version", "data", "station_id", "external_id", "status", "service_date", "plan_id", "route_id", "tracking_token", "redirect_to"}

var eventCols = []string{"id", "at", "station_id", "entity_type", "entity_id", "type", "status", "actor_key", "actor_role", "actor_name", "lat", "lon", "data"}

// insertMany inserts rows with multi-row VALUES statements, as many rows
// per statement as the dialect's parameter limit allows.
func (s *DB) insertMany(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	per := max(1, min(s.d.MaxRows, s.d.MaxParams/len(cols)))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for i := 0; i < len(rows); i += per {
		chunk := rows[i:min(i+per, len(rows))]
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for k, r := range chunk {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if _, err := s.exec(ctx, tx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) eventRow(c lastmile.Change, data []byte, at int64, id, stationID, entityType, entityID, typ, status string) []any {
	var lat, lon sql.NullFloat64
	if c.Position != nil {
		lat = sql.NullFloat64{Float64: c.Position.Lat, Valid: true}
		lon = sql.NullFloat64{Float64: c.Position.Lon, Valid: true}
	}
	return []any{id, at, stationID, entityType, entityID, typ, status, c.Actor.KeyID, c.Actor.Role, c.Actor.Name, lat, lon, nullString(data)}
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateOrders stores orders, their barcodes and one event each, all or none.
func (s *DB) CreateOrders(ctx context.Context, os []*lastmile.Order, c lastmile.Change) error {
	if len(os) == 0 {
		return nil
	}
	now := s.now().UTC()
	var cdata []byte
	if c.Data != nil {
		var err error
		if cdata, err = json.Marshal(c.Data); err != nil {
			return err
		}
	}
	typ := c.Type
	if typ == "" {
		typ = "order.created"
	}
	orders := make([][]any, 0, len(os))
	parcels := make([][]any, 0, len(os))
	events := make([][]any, 0, len(os))
	for _, o := range os {
		if o.ID == "" {
			o.ID = lastmile.NewID("ord", now)
		}
		if o.TrackingToken == "" {
			o.TrackingToken = lastmile.NewToken()
		}
		o.Version, o.CreatedAt, o.UpdatedAt = 1, now, now
		data, err := json.Marshal(o)
		if err != nil {
			return err
		}
		orders = append(orders, []any{o.ID, int64(1), string(data), o.StationID, o.ExternalID, o.Status, o.ServiceDate,
			nullable(o.PlanID), nullable(o.RouteID), o.TrackingToken, nullable(o.RedirectTo)})
		for _, p := range o.Parcels {
			parcels = append(parcels, []any{o.StationID, p.Barcode, o.ID})
		}
		events = append(events, s.eventRow(c, cdata, micros(now), lastmile.NewID("ev", now), o.StationID, "order", o.ID, typ, o.Status))
	}
	return s.bulkTx(ctx, "create orders", func(tx *sql.Tx, insert func(string, []string, [][]any) error) error {
		if err := insert("orders", orderCols, orders); err != nil {
			return err
		}
		if err := insert("parcels", []string{"station_id", "barcode", "order_id"}, parcels); err != nil {
			return err
		}
		if err := insert("events", eventCols, events); err != nil {
			return err
		}
		return s.addOutbox(ctx, tx, c.Outbox)
	})
}

// Order returns an order.
func (s *DB) Order(ctx context.Context, id string) (*lastmile.Order, error) {
	o, err := one(ctx, s, s.db, "order", id, "SELECT id, version, data FROM orders WHERE id = ?", []any{id}, setOrder)
	if err != nil {
		return nil, s.wrap("get order", err)
	}
	return o, nil
}

// OrderByToken returns the order with a tracking token.
func (s *DB) OrderByToken(ctx context.Context, token string) (*lastmile.Order, error) {
	o, err := one(ctx, s, s.db, "tracking token", "…", "SELECT id, version, data FROM orders WHERE tracking_token = ?", []any{token}, setOrder)
	if err != nil {
		return nil, s.wrap("get order by token", err)
	}
	return o, nil
}

// OrderByBarcode returns the order holding a parcel.
func (s *DB) OrderByBarcode(ctx context.Context, stationID, barcode string) (*lastmile.Order, error) {
	o, err := one(ctx, s, s.db, "parcel", barcode, `SELECT o.id, o.version, o.data FROM parcels p JOIN orders o ON o.id = p.order_id
		WHERE p.station_id = ? AND p.barcode = ?`, []any{stationID, barcode}, setOrder)
	if err != nil {
		return nil, s.wrap("get order by barcode", err)
	}
	return o, nil
}

// ListOrders lists orders by id (creation order).
func (s *DB) ListOrders(ctx context.Context, f lastmile.OrderFilter) ([]*lastmile.Order, string, error) {
	var where []string
	var args []any
	if f.StationIDs != nil {
		w, a := in("station_id", f.StationIDs)
		where, args = append(where, w), append(args, a...)
	}
	if len(f.Statuses) > 0 {
		w, a := in("status", f.Statuses)
		where, args = append(where, w), append(args, a...)
	}
	for _, eq := range []struct{ col, val string }{{"service_date", f.ServiceDate}, {"route_id", f.RouteID},
		{"plan_id", f.PlanID}, {"external_id", f.ExternalID}} {
		if eq.val != "" {
			where, args = append(where, eq.col+" = ?"), append(args, eq.val)
		}
	}
	tail, args := pageQuery(where, args, f.Page)
	rows, err := s.query(ctx, s.db, "SELECT id, version, data FROM orders"+tail, args...)
	if err != nil {
		return nil, "", s.wrap("list orders", err)
	}
	out, next, err := docs(rows, f.N(), setOrder)
	if err != nil {
		return nil, "", s.wrap("list orders", err)
	}
	return out, next, nil
}

// ExistingOrders returns the external ids and barcodes already used at a
// station.
func (s *DB) ExistingOrders(ctx context.Context, stationID string, externalIDs, barcodes []string) (ext, bar map[string]string, err error) {
	ext, bar = map[string]string{}, map[string]string{}
	look := func(query string, vals []string, into map[string]string) error {
		const chunk = 2000
		for i := 0; i < len(vals); i += chunk {
			w, a := in("", vals[i:min(i+chunk, len(vals))])
			rows, err := s.query(ctx, s.db, query+w, append([]any{stationID}, a...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k, id string
				if err := rows.Scan(&k, &id); err != nil {
					rows.Close()
					return err
				}
				into[k] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := look("SELECT external_id, id FROM orders WHERE station_id = ? AND external_id", externalIDs, ext); err != nil {
		return nil, nil, s.wrap("existing orders", err)
	}
	if err := look("SELECT barcode, order_id FROM parcels WHERE station_id = ? AND barcode", barcodes, bar); err != nil {
		return nil, nil, s.wrap("existing barcodes", err)
	}
	return ext, bar, nil
}

func (s *DB) updateOrders(ctx context.Context, tx *sql.Tx, os []*lastmile.Order, c lastmile.Change) ([]lastmile.Order, error) {
	now := s.now().UTC()
	out := make([]lastmile.Order, len(os))
	for i, o := range os {
		cp := *o
		cp.Version, cp.UpdatedAt = o.Version+1, now
		if err := s.updateDoc(ctx, tx, "orders", "order", o.ID, o.Version, &cp,
			col{"status", cp.Status}, col{"service_date", cp.ServiceDate}, col{"plan_id", nullable(cp.PlanID)},
			col{"route_id", nullable(cp.RouteID)}, col{"redirect_to", nullable(cp.RedirectTo)}); err != nil {
			return nil, err
		}
		if err := s.event(ctx, tx, now, c, cp.StationID, "order", cp.ID, "updated", cp.Status); err != nil {
			return nil, err
		}
		out[i] = cp
	}
	return out, nil
}

// updateAndQueue updates orders at their versions in tx, queues the
// change's outbox messages and copies the stored orders back.
func (s *DB) updateAndQueue(ctx context.Context, tx *sql.Tx, os []*lastmile.Order, c lastmile.Change) error {
	out, err := s.updateOrders(ctx, tx, os, c)
	if err != nil {
		return err
	}
	if err := s.addOutbox(ctx, tx, c.Outbox); err != nil {
		return err
	}
	for i := range os {
		*os[i] = out[i]
	}
	return nil
}

// UpdateOrders updates orders at their versions, all or none.
func (s *DB) UpdateOrders(ctx context.Context, os []*lastmile.Order, c lastmile.Change) error {
	return s.tx(ctx, "update orders", func(tx *sql.Tx) error {
		return s.updateAndQueue(ctx, tx, os, c)
	})
}

// heldStatuses are the statuses of orders that no longer hold room at
// their pickup point (lastmile.HoldsPoint).
var heldStatuses = []string{lastmile.StatusDelivered, lastmile.StatusReturned, lastmile.StatusCancelled}

// pointParcels counts the parcels held at a point, leaving out the orders
// in except.
func (s *DB) pointParcels(ctx context.Context, q querier, stationID, pointID string, except []string) (int, error) {
	notIn, args := in("o.status", heldStatuses)
	query := "SELECT COUNT(*) FROM parcels p JOIN orders o ON o.id = p.order_id WHERE o.station_id = ? AND o.redirect_to = ? AND NOT " + notIn
	args = append([]any{stationID, pointID}, args...)
	if len(except) > 0 {
		w, a := in("o.id", except)
		query += " AND NOT " + w
		args = append(args, a...)
	}
	var n int
	if err := q.QueryRowContext(ctx, s.rebind(query), args...).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

// PointParcels counts the parcels a pickup point holds or expects.
func (s *DB) PointParcels(ctx context.Context, stationID, pointID string) (int, error) {
	n, err := s.pointParcels(ctx, s.db, stationID, pointID, nil)
	if err != nil {
		return 0, s.wrap("point parcels", err)
	}
	return n, nil
}

// UpdateOrdersAtPoint updates orders sent to a pickup point when their
// parcels fit. The station's row is locked first (PostgreSQL; SQLite's
// write transactions are exclusive), so two updates of one station's
// points never count at the same time: of two orders racing for the last
// place, one wins and the other gets EConflict.
func (s *DB) UpdateOrdersAtPoint(ctx context.Context, os []*lastmile.Order, h lastmile.PointHold, c lastmile.Change) error {
	return s.tx(ctx, "update orders at point", func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.rebind("SELECT id FROM stations WHERE id = ?"+s.d.ForUpdate), h.StationID).Scan(&id)
		if err == sql.ErrNoRows {
			return notFound("station", h.StationID)
		}
		if err != nil {
			return err
		}
		if h.Capacity > 0 {
			ids := make([]string, 0, len(os))
			need := 0
			for _, o := range os {
				ids = append(ids, o.ID)
				if lastmile.HoldsPoint(o, h.PointID) {
					need += len(o.Parcels)
				}
			}
			held, err := s.pointParcels(ctx, tx, h.StationID, h.PointID, ids)
			if err != nil {
				return err
			}
			if held+need > h.Capacity {
				return lastmile.Errorf(lastmile.EConflict, h.Field, "pickup point %s is full: it holds %d of %d parcels, %d more do not fit",
					h.PointID, held, h.Capacity, need)
			}
		}
		return s.updateAndQueue(ctx, tx, os, c)
	})
}
