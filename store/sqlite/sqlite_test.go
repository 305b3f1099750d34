package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lastmile-dev/lastmile"
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
