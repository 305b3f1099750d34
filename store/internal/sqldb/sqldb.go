// Package sqldb is the part of the SQL stores that SQLite and PostgreSQL
// share: row mapping, transactions, optimistic versioning and the event log
// written in the same transaction as each change. Each engine supplies its
// own schema (migrations) and a small Dialect: placeholder style and the
// recognition of unique-constraint violations. The statements here are
// plain SQL that both engines run unchanged once rebound.
package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Dialect is what differs between the engines.
type Dialect struct {
	Name string
	// Dollar numbers placeholders $1, $2 … (PostgreSQL); otherwise ?.
	Dollar bool
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(err error) bool
	// ForUpdate is appended to reads made before an update in a
	// transaction (" FOR UPDATE" on PostgreSQL, "" on SQLite where write
	// transactions are exclusive).
	ForUpdate string
	// MaxParams bounds the parameters of one statement, MaxRows the rows of
	// one multi-row insert.
	MaxParams, MaxRows int
	// Copy, when set, bulk-loads rows into a table through the driver's
	// connection (driverConn, as given by sql.Conn.Raw) inside the
	// transaction open on it: PostgreSQL's COPY. Bulk inserts use it
	// instead of multi-row INSERTs.
	Copy func(ctx context.Context, driverConn any, table string, cols []string, rows [][]any) error
}

// DB is a store over a *sql.DB.
type DB struct {
	db      *sql.DB
	d       Dialect
	now     func() time.Time
	queries map[string]string
	routes  routeCache // decoded routes of PlanRoute
}

// New returns a store on db, whose schema is already migrated. now is the
// clock (time.Now when nil).
func New(db *sql.DB, d Dialect, now func() time.Time) *DB {
	if now == nil {
		now = time.Now
	}
	if d.MaxParams == 0 {
		d.MaxParams = 30000
	}
	if d.MaxRows == 0 {
		d.MaxRows = 500
	}
	return &DB{db: db, d: d, now: now, queries: map[string]string{}}
}

// SQL returns the underlying database.
func (s *DB) SQL() *sql.DB { return s.db }

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Ping checks the database answers.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return &lastmile.Error{Code: lastmile.EUnavailable, Message: "database unavailable", Err: err}
	}
	return nil
}

// rebind turns ? placeholders into the dialect's.
func (s *DB) rebind(q string) string {
	if !s.d.Dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *DB) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, s.rebind(query), args...)
}

func (s *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, s.rebind(query), args...)
}

// tx runs fn in a transaction, committed when fn returns nil.
func (s *DB) tx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(op, err)
	}
	return nil
}

// bulkTx runs fn in a transaction like tx, giving it an insert function
// for large row sets: the dialect's Copy on the transaction's connection
// when it has one, multi-row INSERTs otherwise.
func (s *DB) bulkTx(ctx context.Context, op string, fn func(tx *sql.Tx, insert func(table string, cols []string, rows [][]any) error) error) error {
	if s.d.Copy == nil {
		return s.tx(ctx, op, func(tx *sql.Tx) error {
			return fn(tx, func(table string, cols []string, rows [][]any) error {
				return s.insertMany(ctx, tx, table, cols, rows)
			})
		})
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap(op, err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(op, err)
	}
	insert := func(table string, cols []string, rows [][]any) error {
		if len(rows) == 0 {
			return nil
		}
		return conn.Raw(func(dc any) error { return s.d.Copy(ctx, dc, table, cols, rows) })
	}
	if err := fn(tx, insert); err != nil {
		tx.Rollback()
		return s.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(op, err)
	}
	return nil
}

// wrap adds the operation to err, turning driver errors into domain ones.
func (s *DB) wrap(op string, err error) error {
	var de *lastmile.Error
	switch {
	case errors.As(err, &de):
		return fmt.Errorf("%s: %w", op, err)
	case s.d.IsUnique != nil && s.d.IsUnique(err):
		return fmt.Errorf("%s: %w", op, &lastmile.Error{Code: lastmile.EConflict, Message: "already exists", Err: err})
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func notFound(kind, id string) error {
	return lastmile.Errorf(lastmile.ENotFound, "", "%s %q not found", kind, id)
}

func conflict(kind, id string, version int64) error {
	return lastmile.Errorf(lastmile.EConflict, "version", "%s %q was changed by someone else (version %d is stale); read it again", kind, id, version)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// event appends one event in tx.
func (s *DB) event(ctx context.Context, tx *sql.Tx, at time.Time, c lastmile.Change, stationID, entityType, entityID, defaultType, status string) error {
	typ := c.Type
	if typ == "" {
		typ = entityType + "." + defaultType
	}
	var data []byte
	if c.Data != nil {
		var err error
		if data, err = json.Marshal(c.Data); err != nil {
			return fmt.Errorf("event data: %w", err)
		}
	}
	var lat, lon sql.NullFloat64
	if c.Position != nil {
		lat = sql.NullFloat64{Float64: c.Position.Lat, Valid: true}
		lon = sql.NullFloat64{Float64: c.Position.Lon, Valid: true}
	}
	_, err := s.exec(ctx, tx, `INSERT INTO events (id, at, station_id, entity_type, entity_id, type, status, actor_key, actor_role, actor_name, lat, lon, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		lastmile.NewID("ev", at), micros(at), stationID, entityType, entityID, typ, status,
		c.Actor.KeyID, c.Actor.Role, c.Actor.Name, lat, lon, nullString(data))
	return err
}

func nullString(b []byte) sql.NullString {
	if b == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
}

// page finishes a list query: it fetches limit+1 rows to know whether a next
// page exists, and returns the cursor for it (the last id).
func pageQuery(where []string, args []any, p lastmile.Page) (string, []any) {
	if p.Cursor != "" {
		where = append(where, "id > ?")
		args = append(args, p.Cursor)
	}
	q := ""
	if len(where) > 0 {
		q = " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, p.N()+1)
	return q, args
}

// in returns "col IN (?, ?, …)" with its arguments.
func in(col string, vals []string) (string, []any) {
	if len(vals) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}

// docs scans rows of (id, version, data) into T values.
func docs[T any](rows *sql.Rows, limit int, set func(*T, int64)) ([]*T, string, error) {
	defer rows.Close()
	var out []*T
	var lastID string
	for rows.Next() {
		var id string
		var version int64
		var data string
		if err := rows.Scan(&id, &version, &data); err != nil {
			return nil, "", err
		}
		v := new(T)
		if err := json.Unmarshal([]byte(data), v); err != nil {
			return nil, "", fmt.Errorf("row %s: %w", id, err)
		}
		set(v, version)
		out = append(out, v)
		lastID = id
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if limit > 0 && len(out) > limit {
		out = out[:limit]
		next = idOf(out[limit-1])
		_ = lastID
	}
	return out, next, nil
}

// idOf returns the ID field of a domain value.
func idOf(v any) string {
	switch x := v.(type) {
	case *lastmile.Station:
		return x.ID
	case *lastmile.Vehicle:
		return x.ID
	case *lastmile.Driver:
		return x.ID
	case *lastmile.Order:
		return x.ID
	case *lastmile.Plan:
		return x.ID
	case *lastmile.APIKey:
		return x.ID
	}
	panic(fmt.Sprintf("idOf %T", v))
}

// one fetches a single document by a query.
func one[T any](ctx context.Context, s *DB, q querier, kind, id, query string, args []any, set func(*T, int64)) (*T, error) {
	rows, err := s.query(ctx, q, query, args...)
	if err != nil {
		return nil, err
	}
	out, _, err := docs(rows, 0, set)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, notFound(kind, id)
	}
	return out[0], nil
}
