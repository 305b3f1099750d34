package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/store/internal/sqldb"
	"github.com/lastmile-dev/lastmile/store/sqlite"
	"github.com/lastmile-dev/lastmile/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lastmile.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lastmile.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lastmile.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &lastmile.Station{Name: "A", Location: lastmile.Point{Lat: 43.7, Lon: 7.4}, TimeZone: "UTC"}
	if err := s.CreateStation(ctx, st, lastmile.Change{Actor: lastmile.System}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path, nil) // migrations run again: nothing to do
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Station(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SQL().ExecContext(ctx, "DELETE FROM events"); err == nil {
		t.Fatal("events could be deleted")
	}
}

// TestRouteMigration opens a database written before routes had their
// own documents.
func TestRouteMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lastmile.db")
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqldb.Migrate(ctx, db, migrationsBefore(t, "migrations", 7), ""); err != nil {
		t.Fatal(err)
	}
	storetest.RouteMigration(t, db, false, func() lastmile.Store {
		s, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// migrationsBefore is the migrations directory without the migrations
// numbered from n on.
func migrationsBefore(t *testing.T, dir string, n int) fstest.MapFS {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, name := range names {
		base := filepath.Base(name)
		if v, _ := strconv.Atoi(strings.SplitN(base, "_", 2)[0]); v >= n {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[base] = &fstest.MapFile{Data: data}
	}
	return out
}

// TestSharedRoutes opens two stores on one file.
func TestSharedRoutes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lastmile.db")
	var stores []lastmile.Store
	for range 2 {
		s, err := sqlite.Open(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	storetest.SharedRoutes(t, stores[0], stores[1])
}
