package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

var (
	_ lastmile.PositionStore = (*DB)(nil)
	_ lastmile.OutboxStore   = (*DB)(nil)
)

var positionCols = []string{"vehicle_id", "at", "lat", "lon", "speed_ms", "bearing", "altitude_m", "accuracy_m", "battery", "source"}

// AddPositions stores positions; a position of a vehicle at a time already
// stored is ignored (a retried batch changes nothing).
func (s *DB) AddPositions(ctx context.Context, ps []lastmile.Position) error {
	if len(ps) == 0 {
		return nil
	}
	cols := len(positionCols)
	per := max(1, min(s.d.MaxRows, s.d.MaxParams/cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return s.tx(ctx, "add positions", func(tx *sql.Tx) error {
		for i := 0; i < len(ps); i += per {
			chunk := ps[i:min(i+per, len(ps))]
			var b strings.Builder
			b.WriteString("INSERT INTO positions (" + strings.Join(positionCols, ", ") + ") VALUES ")
			args := make([]any, 0, len(chunk)*cols)
			for k, p := range chunk {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteString(one)
				args = append(args, p.VehicleID, micros(p.At), p.Lat, p.Lon, p.SpeedMS, p.Bearing, p.AltitudeM, p.AccuracyM, p.Battery, p.Source)
			}
			b.WriteString(" ON CONFLICT DO NOTHING")
			if _, err := s.exec(ctx, tx, b.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Positions lists a vehicle's positions in [Since, Until) by time.
func (s *DB) Positions(ctx context.Context, f lastmile.PositionFilter) ([]lastmile.Position, error) {
	q := "SELECT " + strings.Join(positionCols, ", ") + " FROM positions WHERE vehicle_id = ? AND at >= ?"
	args := []any{f.VehicleID, micros(f.Since)}
	if !f.Until.IsZero() {
		q += " AND at < ?"
		args = append(args, micros(f.Until))
	}
	limit := f.Limit
	if limit <= 0 || limit > 100000 {
		limit = 10000
	}
	q += " ORDER BY at LIMIT ?"
	args = append(args, limit)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, s.wrap("list positions", err)
	}
	defer rows.Close()
	out := []lastmile.Position{}
	for rows.Next() {
		var p lastmile.Position
		var at int64
		if err := rows.Scan(&p.VehicleID, &at, &p.Lat, &p.Lon, &p.SpeedMS, &p.Bearing, &p.AltitudeM, &p.AccuracyM, &p.Battery, &p.Source); err != nil {
			return nil, s.wrap("list positions", err)
		}
		p.At = time.UnixMicro(at).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list positions", err)
	}
	return out, nil
}

// DeletePositionsBefore removes positions older than t.
func (s *DB) DeletePositionsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.exec(ctx, s.db, "DELETE FROM positions WHERE at < ?", micros(t))
	if err != nil {
		return 0, s.wrap("delete positions", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.wrap("delete positions", err)
	}
	return n, nil
}

var outboxCols = []string{"id", "created_at", "topic", "station_id", "order_id", "channel", "target", "payload", "status", "attempts", "next_attempt_at"}

// addOutbox writes messages in tx; it fills their id, creation time,
// status and first attempt.
func (s *DB) addOutbox(ctx context.Context, tx *sql.Tx, ms []lastmile.OutboxMessage) error {
	if len(ms) == 0 {
		return nil
	}
	now := s.now().UTC()
	rows := make([][]any, len(ms))
	for i := range ms {
		m := &ms[i]
		if m.ID == "" {
			m.ID = lastmile.NewID("msg", now)
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		if m.Status == "" {
			m.Status = lastmile.OutboxPending
		}
		if m.NextAttemptAt.IsZero() {
			m.NextAttemptAt = now
		}
		payload := string(m.Payload)
		if payload == "" {
			payload = "{}"
		}
		rows[i] = []any{m.ID, micros(m.CreatedAt), m.Topic, nullable(m.StationID), nullable(m.OrderID), m.Channel, m.Target,
			payload, m.Status, m.Attempts, micros(m.NextAttemptAt)}
	}
	return s.insertMany(ctx, tx, "outbox", outboxCols, rows)
}

// AddMessages stores messages in their own transaction.
func (s *DB) AddMessages(ctx context.Context, ms []lastmile.OutboxMessage) error {
	return s.tx(ctx, "add outbox messages", func(tx *sql.Tx) error { return s.addOutbox(ctx, tx, ms) })
}

const outboxSelect = "SELECT seq, id, created_at, topic, station_id, order_id, channel, target, payload, status, attempts, next_attempt_at, last_error, delivered_at FROM outbox"

func scanMessages(rows *sql.Rows) ([]*lastmile.OutboxMessage, error) {
	defer rows.Close()
	out := []*lastmile.OutboxMessage{}
	for rows.Next() {
		var m lastmile.OutboxMessage
		var created, next int64
		var station, order, lastErr sql.NullString
		var delivered sql.NullInt64
		var payload string
		if err := rows.Scan(&m.Seq, &m.ID, &created, &m.Topic, &station, &order, &m.Channel, &m.Target, &payload, &m.Status,
			&m.Attempts, &next, &lastErr, &delivered); err != nil {
			return nil, err
		}
		m.CreatedAt, m.NextAttemptAt = time.UnixMicro(created).UTC(), time.UnixMicro(next).UTC()
		m.StationID, m.OrderID, m.LastError = station.String, order.String, lastErr.String
		m.Payload = json.RawMessage(payload)
		if delivered.Valid {
			t := time.UnixMicro(delivered.Int64).UTC()
			m.DeliveredAt = &t
		}
		out = append(out, &m)
	}
	return out, rows.Err()
}

// DueMessages returns pending messages due at t, oldest first.
func (s *DB) DueMessages(ctx context.Context, t time.Time, limit int) ([]*lastmile.OutboxMessage, error) {
	if limit <= 0 {
		limit = lastmile.DefaultLimit
	}
	rows, err := s.query(ctx, s.db, outboxSelect+" WHERE status = ? AND next_attempt_at <= ? ORDER BY seq LIMIT ?",
		lastmile.OutboxPending, micros(t), limit)
	if err != nil {
		return nil, s.wrap("due outbox messages", err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, s.wrap("due outbox messages", err)
	}
	return out, nil
}

// ClaimMessages takes due messages for one dispatcher: each is postponed
// to now+lease only if no other dispatcher has changed it meanwhile.
func (s *DB) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*lastmile.OutboxMessage, error) {
	ms, err := s.DueMessages(ctx, now, limit)
	if err != nil || len(ms) == 0 {
		return ms, err
	}
	until := now.Add(lease).UTC()
	var out []*lastmile.OutboxMessage
	err = s.tx(ctx, "claim outbox messages", func(tx *sql.Tx) error {
		out = out[:0]
		for _, m := range ms {
			res, err := s.exec(ctx, tx, "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = ? AND next_attempt_at = ?",
				micros(until), m.ID, lastmile.OutboxPending, micros(m.NextAttemptAt))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				out = append(out, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range out {
		m.NextAttemptAt = until
	}
	return out, nil
}

// UpdateMessages saves messages' delivery state in one transaction.
func (s *DB) UpdateMessages(ctx context.Context, ms []*lastmile.OutboxMessage) error {
	if len(ms) == 0 {
		return nil
	}
	return s.tx(ctx, "update outbox messages", func(tx *sql.Tx) error {
		for _, m := range ms {
			var delivered sql.NullInt64
			if m.DeliveredAt != nil {
				delivered = sql.NullInt64{Int64: micros(*m.DeliveredAt), Valid: true}
			}
			res, err := s.exec(ctx, tx, "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? WHERE id = ?",
				m.Status, m.Attempts, micros(m.NextAttemptAt), nullable(m.LastError), delivered, m.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				return notFound("outbox message", m.ID)
			}
		}
		return nil
	})
}

// OutboxMessage returns one message.
func (s *DB) OutboxMessage(ctx context.Context, id string) (*lastmile.OutboxMessage, error) {
	rows, err := s.query(ctx, s.db, outboxSelect+" WHERE id = ?", id)
	if err != nil {
		return nil, s.wrap("get outbox message", err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, s.wrap("get outbox message", err)
	}
	if len(out) == 0 {
		return nil, s.wrap("get outbox message", notFound("outbox message", id))
	}
	return out[0], nil
}

// ListMessages lists messages by sequence.
func (s *DB) ListMessages(ctx context.Context, f lastmile.OutboxFilter) ([]*lastmile.OutboxMessage, error) {
	where := []string{"seq > ?"}
	args := []any{f.After}
	if f.StationIDs != nil {
		w, a := in("station_id", f.StationIDs)
		where, args = append(where, w), append(args, a...)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	limit := f.Limit
	if limit <= 0 || limit > lastmile.MaxLimit {
		limit = lastmile.DefaultLimit
	}
	args = append(args, limit)
	rows, err := s.query(ctx, s.db, outboxSelect+" WHERE "+joinAnd(where)+" ORDER BY seq LIMIT ?", args...)
	if err != nil {
		return nil, s.wrap("list outbox messages", err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, s.wrap("list outbox messages", err)
	}
	return out, nil
}

var _ lastmile.WebhookStore = (*DB)(nil)

// CreateWebhook stores a receiver with its secret.
func (s *DB) CreateWebhook(ctx context.Context, w *lastmile.Webhook, c lastmile.Change) error {
	now := s.now().UTC()
	if w.ID == "" {
		w.ID = lastmile.NewID("whk", now)
	}
	w.CreatedAt = now
	data, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return s.tx(ctx, "create webhook", func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, "INSERT INTO webhooks (id, url, secret, data) VALUES (?, ?, ?, ?)", w.ID, w.URL, w.Secret, string(data)); err != nil {
			return err
		}
		return s.event(ctx, tx, now, c, "", "webhook", w.ID, "created", "")
	})
}

// ListWebhooks lists the receivers with their secrets, by id.
func (s *DB) ListWebhooks(ctx context.Context) ([]*lastmile.Webhook, error) {
	rows, err := s.query(ctx, s.db, "SELECT secret, data FROM webhooks ORDER BY id")
	if err != nil {
		return nil, s.wrap("list webhooks", err)
	}
	defer rows.Close()
	out := []*lastmile.Webhook{}
	for rows.Next() {
		var secret, data string
		if err := rows.Scan(&secret, &data); err != nil {
			return nil, s.wrap("list webhooks", err)
		}
		var w lastmile.Webhook
		if err := json.Unmarshal([]byte(data), &w); err != nil {
			return nil, s.wrap("list webhooks", err)
		}
		w.Secret = secret
		out = append(out, &w)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list webhooks", err)
	}
	return out, nil
}

// DeleteWebhook removes a receiver (its queued messages stay in the outbox).
func (s *DB) DeleteWebhook(ctx context.Context, id string, c lastmile.Change) error {
	now := s.now().UTC()
	return s.tx(ctx, "delete webhook", func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "DELETE FROM webhooks WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("webhook", id)
		}
		return s.event(ctx, tx, now, c, "", "webhook", id, "deleted", "")
	})
}
