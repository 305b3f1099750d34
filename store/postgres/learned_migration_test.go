package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/store/internal/sqldb"
	"github.com/lastmile-dev/lastmile/store/postgres"
)

// TestLearnedServiceMigration upgrades a database holding absolute service
// times (kind service): they are dropped, the other learned values kept.
func TestLearnedServiceMigration(t *testing.T) {
	dsn := newDatabase(t, adminDSN(t))
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqldb.Migrate(ctx, db, migrationsBefore(t, "migrations", 8), ""); err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		kind, key string
		mean      float64
	}{{lastmile.LearnedService, "delivery", 566}, {lastmile.LearnedTraffic, "08", 1.2}} {
		if _, err := db.ExecContext(ctx, "INSERT INTO learned (station_id, kind, key, n, mean, updated_at) VALUES ('st', $1, $2, 9, $3, 0)",
			row.kind, row.key, row.mean); err != nil {
			t.Fatal(err)
		}
	}
	s, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vs, err := s.LearnedValues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Kind != lastmile.LearnedTraffic || vs[0].Mean != 1.2 {
		t.Fatalf("after the migration: %+v", vs)
	}
}
