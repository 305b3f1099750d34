package storetest

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func testPositions(t *testing.T, s lastmile.Store) {
	var ps []lastmile.Position
	for i := 0; i < 1200; i++ { // more than one multi-row statement
		ps = append(ps, lastmile.Position{VehicleID: "veh_a", At: t0.Add(time.Duration(i) * time.Second), Lat: 43.73 + float64(i)*1e-5, Lon: 7.42,
			SpeedMS: 8.5, Bearing: 90, AltitudeM: 12, AccuracyM: 5, Battery: 80, Source: "app"})
	}
	ps = append(ps, lastmile.Position{VehicleID: "veh_b", At: t0, Lat: 43.7, Lon: 7.4, Source: "osmand"})
	if err := s.AddPositions(ctx(t), ps); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPositions(ctx(t), ps[:10]); err != nil { // a retried batch
		t.Fatalf("retried batch: %v", err)
	}
	got, err := s.Positions(ctx(t), lastmile.PositionFilter{VehicleID: "veh_a", Since: t0.Add(100 * time.Second), Until: t0.Add(110 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 || !got[0].At.Equal(t0.Add(100*time.Second)) || got[0].VehicleID != "veh_a" || got[0].Battery != 80 ||
		got[0].Source != "app" || got[0].Lat != ps[100].Lat {
		t.Fatalf("got %d positions, first %+v", len(got), got)
	}
	all, err := s.Positions(ctx(t), lastmile.PositionFilter{VehicleID: "veh_a"})
	if err != nil || len(all) != 1200 {
		t.Fatalf("all: %d %v", len(all), err)
	}
	n, err := s.DeletePositionsBefore(ctx(t), t0.Add(600*time.Second))
	if err != nil || n != 601 {
		t.Fatalf("retention deleted %d, %v; want 601", n, err)
	}
	left, _ := s.Positions(ctx(t), lastmile.PositionFilter{VehicleID: "veh_a"})
	if len(left) != 600 || !left[0].At.Equal(t0.Add(600*time.Second)) {
		t.Fatalf("after retention %d left", len(left))
	}
}

func testOutbox(t *testing.T, s lastmile.Store) {
	st := station(t, s, "A")
	o := order(st.ID, 1)
	if err := s.CreateOrders(ctx(t), []*lastmile.Order{o}, admin); err != nil {
		t.Fatal(err)
	}
	msg := func(topic string) lastmile.OutboxMessage {
		return lastmile.OutboxMessage{Topic: topic, StationID: st.ID, OrderID: o.ID, Channel: lastmile.ChannelWebhook,
			Target: "http://127.0.0.1:9/hook", Payload: json.RawMessage(`{"order_id":"` + o.ID + `"}`)}
	}
	// A refused change writes no message.
	stale := *o
	stale.Version = 99
	c := admin
	c.Outbox = []lastmile.OutboxMessage{msg("order.lost")}
	wantCode(t, s.UpdateOrders(ctx(t), []*lastmile.Order{&stale}, c), lastmile.EConflict)
	// A committed change writes its messages with it.
	c.Outbox = []lastmile.OutboxMessage{msg("order.status"), msg("order.status")}
	o.Instructions = "ring twice"
	if err := s.UpdateOrders(ctx(t), []*lastmile.Order{o}, c); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMessages(ctx(t), []lastmile.OutboxMessage{msg("stop.approaching")}); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListMessages(ctx(t), lastmile.OutboxFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("messages: %d %v", len(all), err)
	}
	for _, m := range all {
		if m.Topic == "order.lost" {
			t.Fatal("a message of a refused change was stored")
		}
	}
	if all[0].Status != lastmile.OutboxPending || all[0].Seq >= all[1].Seq || all[0].ID == all[1].ID {
		t.Fatalf("first %+v second %+v", all[0], all[1])
	}
	var p map[string]string
	if err := json.Unmarshal(all[0].Payload, &p); err != nil || p["order_id"] != o.ID {
		t.Fatalf("payload %s: %v", all[0].Payload, err)
	}
	due, err := s.DueMessages(ctx(t), time.Now().Add(time.Hour), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due: %d %v", len(due), err)
	}
	m := due[0]
	m.Attempts, m.NextAttemptAt, m.LastError = 1, time.Now().Add(48*time.Hour).UTC().Truncate(time.Microsecond), "503 from receiver"
	if err := s.UpdateMessages(ctx(t), []*lastmile.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueMessages(ctx(t), time.Now().Add(time.Hour), 10)
	if len(due) != 2 {
		t.Fatalf("a message retried later is due now: %d due", len(due))
	}
	m.Status = lastmile.OutboxDead
	if err := s.UpdateMessages(ctx(t), []*lastmile.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	dead, err := s.ListMessages(ctx(t), lastmile.OutboxFilter{Status: lastmile.OutboxDead, StationIDs: []string{st.ID}})
	if err != nil || len(dead) != 1 || dead[0].LastError != "503 from receiver" || dead[0].Attempts != 1 {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	got, err := s.OutboxMessage(ctx(t), m.ID)
	if err != nil || got.Status != lastmile.OutboxDead {
		t.Fatalf("get %+v %v", got, err)
	}
	_, err = s.OutboxMessage(ctx(t), "msg_missing")
	wantCode(t, err, lastmile.ENotFound)
	page, _ := s.ListMessages(ctx(t), lastmile.OutboxFilter{After: all[0].Seq, Limit: 1})
	if len(page) != 1 || page[0].ID != all[1].ID {
		t.Fatalf("page after %d: %+v", all[0].Seq, page)
	}
	// Two dispatchers claiming at once share the messages out.
	for i := 0; i < 3; i++ {
		if err := s.AddMessages(ctx(t), []lastmile.OutboxMessage{msg("stop.departed")}); err != nil {
			t.Fatal(err)
		}
	}
	claimAt := time.Now().Add(time.Hour)
	due0, _ := s.DueMessages(ctx(t), claimAt, 100)
	var wg sync.WaitGroup
	claimed := make([][]*lastmile.OutboxMessage, 2)
	for i := range claimed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.ClaimMessages(ctx(t), claimAt, time.Minute, 10)
			if err != nil {
				t.Error(err)
			}
			claimed[i] = c
		}()
	}
	wg.Wait()
	if n := len(claimed[0]) + len(claimed[1]); n != len(due0) || n < 3 {
		t.Fatalf("claimed %d + %d messages, want the %d due in all", len(claimed[0]), len(claimed[1]), len(due0))
	}
	if again, _ := s.ClaimMessages(ctx(t), claimAt, time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed messages claimed again: %d", len(again))
	}
	if later, _ := s.DueMessages(ctx(t), claimAt.Add(2*time.Minute), 10); len(later) != len(due0) {
		t.Fatalf("after the lease %d messages are due, want %d", len(later), len(due0))
	}
}

func testWebhooks(t *testing.T, s lastmile.Store) {
	w := &lastmile.Webhook{URL: "https://hooks.example/a", Topics: []string{"stop.arrived"}, StationIDs: []string{"st_1"}, Secret: "whsec_0123456789"}
	if err := s.CreateWebhook(ctx(t), w, admin); err != nil {
		t.Fatal(err)
	}
	if w.ID == "" || w.CreatedAt.IsZero() {
		t.Fatalf("created %+v", w)
	}
	dup := &lastmile.Webhook{URL: w.URL, Secret: "whsec_other"}
	wantCode(t, s.CreateWebhook(ctx(t), dup, admin), lastmile.EConflict)
	ws, err := s.ListWebhooks(ctx(t))
	if err != nil || len(ws) != 1 || ws[0].Secret != w.Secret || ws[0].Topics[0] != "stop.arrived" || ws[0].StationIDs[0] != "st_1" {
		t.Fatalf("list %+v %v", ws, err)
	}
	if err := s.DeleteWebhook(ctx(t), w.ID, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteWebhook(ctx(t), w.ID, admin), lastmile.ENotFound)
	if ws, _ := s.ListWebhooks(ctx(t)); len(ws) != 0 {
		t.Fatalf("after delete %d", len(ws))
	}
}
