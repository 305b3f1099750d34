package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/store/internal/sqldb"
	"github.com/lastmile-dev/lastmile/store/postgres"
	"github.com/lastmile-dev/lastmile/store/storetest"
)

// adminDSN is the server the tests create their databases on:
// LASTMILE_TEST_POSTGRES, or 127.0.0.1:5432 as postgres (then root).
func adminDSN(t *testing.T) string {
	if dsn := os.Getenv("LASTMILE_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	var errs []string
	for _, user := range []string{"postgres", "root"} {
		dsn := "postgres://" + user + "@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
		}
		if err == nil {
			return dsn
		}
		errs = append(errs, err.Error())
	}
	msg := "PostgreSQL on 127.0.0.1:5432 unreachable: " + strings.Join(errs, "; ")
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (set LASTMILE_TEST_POSTGRES to a server DSN)")
	return ""
}

// newDatabase creates a database for one test and drops it afterwards; it
// returns its DSN.
func newDatabase(t *testing.T, admin string) string {
	t.Helper()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	name := strings.ToLower(fmt.Sprintf("lastmile_test_%d_%s", os.Getpid(), lastmile.NewToken()[:10]))
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestConformance(t *testing.T) {
	admin := adminDSN(t)
	storetest.Run(t, func(t *testing.T) lastmile.Store {
		s, err := postgres.Open(context.Background(), newDatabase(t, admin), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestSeveralServers opens several stores on one database at once, as
// several servers would: migrations run once, and concurrent updates
// through different pools lose nothing.
func TestSeveralServers(t *testing.T) {
	dsn := newDatabase(t, adminDSN(t))
	ctx := context.Background()
	const servers = 4
	stores := make([]*postgres.Store, servers)
	var wg sync.WaitGroup
	errs := make([]error, servers)
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(ctx, dsn, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	st := &lastmile.Station{Name: "A", Location: lastmile.Point{Lat: 43.7, Lon: 7.4}, TimeZone: "UTC"}
	if err := stores[0].CreateStation(ctx, st, lastmile.Change{Actor: lastmile.System}); err != nil {
		t.Fatal(err)
	}
	const each = 10
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[i]
			for range each {
				for {
					cur, err := s.Station(ctx, st.ID)
					if err != nil {
						errs[i] = err
						return
					}
					cur.RetentionDays++
					err = s.UpdateStation(ctx, cur, lastmile.Change{Actor: lastmile.System})
					if err == nil {
						break
					}
					if lastmile.ErrorCode(err) != lastmile.EConflict {
						errs[i] = err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := stores[1].Station(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RetentionDays != servers*each {
		t.Fatalf("counter %d, want %d: updates were lost", got.RetentionDays, servers*each)
	}
}

// TestRouteMigration opens a database written before routes had their
// own documents.
func TestRouteMigration(t *testing.T) {
	dsn := newDatabase(t, adminDSN(t))
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqldb.Migrate(ctx, db, migrationsBefore(t, "migrations", 7), ""); err != nil {
		t.Fatal(err)
	}
	storetest.RouteMigration(t, db, true, func() lastmile.Store {
		s, err := postgres.Open(ctx, dsn, nil)
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

// TestSharedRoutes opens two stores on one database, as two servers do.
func TestSharedRoutes(t *testing.T) {
	dsn := newDatabase(t, adminDSN(t))
	var stores []lastmile.Store
	for range 2 {
		s, err := postgres.Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	storetest.SharedRoutes(t, stores[0], stores[1])
}
