// Package sqlite is the embedded store: lastmile's data in a single SQLite
// file (pure Go, no cgo), in WAL mode with full synchronous commits so that
// an acknowledged write survives a crash of the process. The schema is
// created and upgraded by embedded migrations when the store opens.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is lastmile's data in a SQLite file.
type Store struct {
	*sqldb.DB
}

var _ lastmile.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies
// the migrations. now is the clock (time.Now when nil).
func Open(ctx context.Context, path string, now func() time.Time) (*Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := sqldb.Migrate(ctx, db, sub, ""); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	d := sqldb.Dialect{Name: "sqlite", IsUnique: isUnique, MaxParams: 32000}
	return &Store{sqldb.New(db, d, now)}, nil
}

func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
