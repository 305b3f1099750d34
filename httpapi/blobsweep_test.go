package httpapi_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/blobfs"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// TestSweepBlobs removes the proof files no stored proof refers to once
// they are an hour old, and keeps the others.
func TestSweepBlobs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "db"), func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Store: st, Blobs: blobs, Now: func() time.Time { return testNow }})
	sta := &lastmile.Station{Name: "S", Location: lastmile.Point{Lat: 43.73, Lon: 7.42}}
	sta.Normalize()
	if err := st.CreateStation(ctx, sta, lastmile.Change{}); err != nil {
		t.Fatal(err)
	}
	o := &lastmile.Order{StationID: sta.ID, ExternalID: "E", Kind: lastmile.KindDelivery, Status: lastmile.StatusPending,
		ServiceLevel: lastmile.NextDay, ServiceDate: "2026-03-03", Recipient: lastmile.Recipient{Name: "R"},
		Address: lastmile.Address{Line1: "x", Location: lastmile.Point{Lat: 43.73, Lon: 7.42}}, Parcels: []lastmile.Parcel{{Barcode: "B"}}}
	if err := st.CreateOrders(ctx, []*lastmile.Order{o}, lastmile.Change{}); err != nil {
		t.Fatal(err)
	}
	kept := "pod/" + o.ID + "/photo-0-aaaa.png"
	o.POD = &lastmile.POD{Photos: []string{kept}}
	if err := st.UpdateOrders(ctx, []*lastmile.Order{o}, lastmile.Change{}); err != nil {
		t.Fatal(err)
	}
	old := testNow.Add(-2 * time.Hour)
	files := map[string]time.Time{
		kept:                                old,     // its proof refers to it
		"pod/" + o.ID + "/photo-0-bbbb.png": old,     // an earlier attempt's, never stored
		"pod/ord_gone/signature-1-cccc.png": old,     // of no order at all
		"pod/" + o.ID + "/photo-1-dddd.png": testNow, // an upload in progress
	}
	for k, at := range files {
		if _, err := blobs.Put(ctx, k, "image/png", strings.NewReader("png")); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, "blobs", filepath.FromSlash(k)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	n, err := api.SweepBlobs(ctx)
	if err != nil || n != 2 {
		t.Fatalf("swept %d (%v), want 2", n, err)
	}
	for k := range files {
		_, _, err := blobs.Get(ctx, k)
		gone := lastmile.ErrorCode(err) == lastmile.ENotFound
		if want := strings.Contains(k, "bbbb") || strings.Contains(k, "cccc"); gone != want {
			t.Errorf("%s: removed %v, want %v (%v)", k, gone, want, err)
		}
	}
}
