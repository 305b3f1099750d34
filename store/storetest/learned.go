package storetest

import (
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// testLearned stores learned values, replaces them by station, kind and
// key, and reads them back.
func testLearned(t *testing.T, s lastmile.Store) {
	got, err := s.LearnedValues(ctx(t))
	if err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	vs := []lastmile.Learned{
		{StationID: "st_b", Kind: lastmile.LearnedService, Key: "delivery", N: 7, Mean: 241.5, UpdatedAt: at},
		{StationID: "st_a", Kind: lastmile.LearnedTraffic, Key: "08", N: 12, Mean: 1.37, UpdatedAt: at},
		{StationID: "st_a", Kind: lastmile.LearnedService, Key: "delivery", N: 5, Mean: 180.25, UpdatedAt: at},
	}
	if err := s.PutLearned(ctx(t), vs); err != nil {
		t.Fatal(err)
	}
	// A later save replaces one value and adds another.
	later := at.Add(time.Hour)
	if err := s.PutLearned(ctx(t), []lastmile.Learned{
		{StationID: "st_a", Kind: lastmile.LearnedTraffic, Key: "08", N: 13, Mean: 1.41, UpdatedAt: later},
		{StationID: "st_a", Kind: lastmile.LearnedTraffic, Key: "17", N: 1, Mean: 2.5, UpdatedAt: later},
	}); err != nil {
		t.Fatal(err)
	}
	got, err = s.LearnedValues(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []lastmile.Learned{
		{StationID: "st_a", Kind: lastmile.LearnedService, Key: "delivery", N: 5, Mean: 180.25, UpdatedAt: at},
		{StationID: "st_a", Kind: lastmile.LearnedTraffic, Key: "08", N: 13, Mean: 1.41, UpdatedAt: later},
		{StationID: "st_a", Kind: lastmile.LearnedTraffic, Key: "17", N: 1, Mean: 2.5, UpdatedAt: later},
		{StationID: "st_b", Kind: lastmile.LearnedService, Key: "delivery", N: 7, Mean: 241.5, UpdatedAt: at},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.StationID != w.StationID || g.Kind != w.Kind || g.Key != w.Key || g.N != w.N || g.Mean != w.Mean || !g.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("value %d: got %+v, want %+v", i, g, w)
		}
	}
	err = s.PutLearned(ctx(t), []lastmile.Learned{{Kind: lastmile.LearnedService, Key: "delivery", N: 1, Mean: 1}})
	wantCode(t, err, lastmile.EInvalid)
}
