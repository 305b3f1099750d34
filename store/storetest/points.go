package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/lastmile-dev/lastmile"
)

// testPointCapacity checks that orders sent to a pickup point take its
// room, that a full point refuses more (changing nothing), that closed
// orders free their room, and that two orders racing for the last place
// do not both get it.
func testPointCapacity(t *testing.T, s lastmile.Store) {
	st := station(t, s, "Lockers")
	var os []*lastmile.Order
	for i := range 4 {
		os = append(os, order(st.ID, 700+i)) // two parcels each
	}
	if err := s.CreateOrders(ctx(t), os, admin); err != nil {
		t.Fatal(err)
	}
	hold := lastmile.PointHold{StationID: st.ID, PointID: "L1", Capacity: 5, Field: "redirect_to"}
	send := func(o *lastmile.Order) error {
		cp := *o
		cp.RedirectTo = "L1"
		err := s.UpdateOrdersAtPoint(ctx(t), []*lastmile.Order{&cp}, hold, admin)
		if err == nil {
			*o = cp
		}
		return err
	}
	held := func(want int) {
		t.Helper()
		n, err := s.PointParcels(ctx(t), st.ID, "L1")
		if err != nil || n != want {
			t.Fatalf("point holds %d parcels (%v), want %d", n, err, want)
		}
	}
	held(0)
	for _, o := range os[:2] {
		if err := send(o); err != nil {
			t.Fatal(err)
		}
	}
	held(4)
	err := send(os[2])
	wantCode(t, err, lastmile.EConflict)
	if f := lastmile.ErrorField(err); f != "redirect_to" {
		t.Fatalf("field %q, want redirect_to", f)
	}
	if got, _ := s.Order(ctx(t), os[2].ID); got.RedirectTo != "" || got.Version != os[2].Version {
		t.Fatalf("refused order changed: %+v", got)
	}
	// An order already there is not counted twice.
	os[0].Instructions = "ring twice"
	if err := s.UpdateOrdersAtPoint(ctx(t), []*lastmile.Order{os[0]}, hold, admin); err != nil {
		t.Fatalf("update of an order at the point: %v", err)
	}
	held(4)
	// Collected or cancelled: the room is free again.
	if err := os[0].Transition(lastmile.StatusCancelled, "", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateOrders(ctx(t), []*lastmile.Order{os[0]}, admin); err != nil {
		t.Fatal(err)
	}
	held(2)
	if err := send(os[2]); err != nil {
		t.Fatalf("after a cancellation: %v", err)
	}
	held(4)
	// Another point of the station, or no capacity, is not limited by L1.
	other := *os[3]
	other.RedirectTo = "P2"
	if err := s.UpdateOrdersAtPoint(ctx(t), []*lastmile.Order{&other}, lastmile.PointHold{StationID: st.ID, PointID: "P2", Field: "redirect_to"}, admin); err != nil {
		t.Fatal(err)
	}
	held(4)

	// Races for the last place: exactly one of two wins, every time.
	for round := range 8 {
		rs := station(t, s, fmt.Sprintf("Race %d", round))
		a, b := order(rs.ID, 800+2*round), order(rs.ID, 801+2*round)
		if err := s.CreateOrders(ctx(t), []*lastmile.Order{a, b}, admin); err != nil {
			t.Fatal(err)
		}
		h := lastmile.PointHold{StationID: rs.ID, PointID: "L1", Capacity: 3, Field: "redirect_to"}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, o := range []*lastmile.Order{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cp := *o
				cp.RedirectTo = "L1"
				errs[i] = s.UpdateOrdersAtPoint(ctx(t), []*lastmile.Order{&cp}, h, admin)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case lastmile.ErrorCode(err) != lastmile.EConflict:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		n, err := s.PointParcels(ctx(t), rs.ID, "L1")
		if won != 1 || err != nil || n != 2 {
			t.Fatalf("round %d: %d winners, point holds %d parcels (%v); want 1 winner and 2 parcels", round, won, n, err)
		}
	}
}
