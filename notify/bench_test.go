package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
	"github.com/lastmile-dev/lastmile/store/sqlite"
)

// BenchmarkWebhookOutbox delivers b.N signed webhooks from a SQLite
// outbox to a local receiver and reports events/s.
func BenchmarkWebhookOutbox(b *testing.B) {
	var got atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer recv.Close()
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "outbox.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ms := make([]lastmile.OutboxMessage, b.N)
	for i := range ms {
		ms[i] = lastmile.OutboxMessage{Topic: notify.TopicArrived, Channel: lastmile.ChannelWebhook, Target: recv.URL,
			Payload: json.RawMessage(`{"topic":"stop.arrived","order_id":"ord_x"}`)}
	}
	for i := 0; i < len(ms); i += 5000 {
		if err := st.AddMessages(context.Background(), ms[i:min(i+5000, len(ms))]); err != nil {
			b.Fatal(err)
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	d := &notify.Dispatcher{Store: st, Workers: 32, Batch: 500, Now: func() time.Time { return time.Now().Add(time.Second) },
		Senders: map[string]notify.Sender{lastmile.ChannelWebhook: notify.Webhook{Client: &http.Client{Transport: tr}, Secret: func(string) string { return secret }}}}
	b.ResetTimer()
	for got.Load() < int64(b.N) {
		if _, f, err := d.Tick(context.Background()); err != nil || f > 0 {
			b.Fatalf("%d failed: %v", f, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
