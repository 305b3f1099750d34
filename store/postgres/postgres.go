// Package postgres is the store for larger deployments: lastmile's data in
// PostgreSQL through pgx. Several servers may share one database: updates
// are optimistic (a stale version is refused), so none is lost, and
// migrations take an advisory lock so that they run once.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is lastmile's data in PostgreSQL.
type Store struct {
	*sqldb.DB
}

var _ lastmile.Store = (*Store)(nil)

// migrationLock is the advisory lock key held while migrating.
const migrationLock = "SELECT pg_advisory_xact_lock(7317001)"

// Open connects to the database named by dsn (postgres://…) and applies the
// migrations. now is the clock (time.Now when nil).
func Open(ctx context.Context, dsn string, now func() time.Time) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := sqldb.Migrate(ctx, db, sub, migrationLock); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	d := sqldb.Dialect{Name: "postgres", Dollar: true, IsUnique: isUnique, ForUpdate: " FOR UPDATE", MaxParams: 60000, MaxRows: 5000, Copy: copyFrom}
	return &Store{sqldb.New(db, d, now)}, nil
}

// copyFrom loads rows with COPY on the pgx connection under database/sql.
func copyFrom(ctx context.Context, driverConn any, table string, cols []string, rows [][]any) error {
	c, ok := driverConn.(*stdlib.Conn)
	if !ok {
		return fmt.Errorf("copy into %s: connection is %T, not pgx", table, driverConn)
	}
	if _, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}

func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
