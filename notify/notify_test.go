package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
)

// memOutbox is an in-memory OutboxStore.
type memOutbox struct {
	mu sync.Mutex
	ms map[string]*lastmile.OutboxMessage
	n  int64
}

func (s *memOutbox) AddMessages(_ context.Context, ms []lastmile.OutboxMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ms == nil {
		s.ms = map[string]*lastmile.OutboxMessage{}
	}
	for _, m := range ms {
		s.n++
		m.Seq = s.n
		if m.Status == "" {
			m.Status = lastmile.OutboxPending
		}
		cp := m
		s.ms[m.ID] = &cp
	}
	return nil
}

func (s *memOutbox) DueMessages(_ context.Context, t time.Time, limit int) ([]*lastmile.OutboxMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*lastmile.OutboxMessage
	for _, m := range s.ms {
		if m.Status == lastmile.OutboxPending && !m.NextAttemptAt.After(t) {
			cp := *m
			out = append(out, &cp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out[:min(limit, len(out))], nil
}

func (s *memOutbox) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*lastmile.OutboxMessage, error) {
	ms, _ := s.DueMessages(ctx, now, limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		s.ms[m.ID].NextAttemptAt = now.Add(lease)
		m.NextAttemptAt = now.Add(lease)
	}
	return ms, nil
}

func (s *memOutbox) UpdateMessages(_ context.Context, ms []*lastmile.OutboxMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		cp := *m
		s.ms[m.ID] = &cp
	}
	return nil
}

func (s *memOutbox) OutboxMessage(_ context.Context, id string) (*lastmile.OutboxMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.ms[id]
	if !ok {
		return nil, lastmile.Errorf(lastmile.ENotFound, "", "no message")
	}
	cp := *m
	return &cp, nil
}

func (s *memOutbox) ListMessages(context.Context, lastmile.OutboxFilter) ([]*lastmile.OutboxMessage, error) {
	return nil, nil
}

func (s *memOutbox) get(id string) lastmile.OutboxMessage {
	m, _ := s.OutboxMessage(context.Background(), id)
	return *m
}

const secret = "whsec_test"

func TestWebhookRetriesSignedUntilDelivered(t *testing.T) {
	var mu sync.Mutex
	calls, failFirst := 0, 2
	var seen []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify(secret, r.Header.Get(notify.SignatureHeader), body, time.Now(), 0); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(401)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		seen = append(seen, r.Header.Get(notify.DeliveryHeader))
		if calls <= failFirst {
			w.WriteHeader(503) // an outage
			return
		}
	}))
	defer recv.Close()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	st := &memOutbox{}
	st.AddMessages(context.Background(), []lastmile.OutboxMessage{{ID: "msg_1", Topic: notify.TopicArrived, Channel: lastmile.ChannelWebhook,
		Target: recv.URL, Payload: json.RawMessage(`{"topic":"stop.arrived"}`), NextAttemptAt: now}})
	d := &notify.Dispatcher{Store: st, Now: func() time.Time { return now },
		Senders: map[string]notify.Sender{lastmile.ChannelWebhook: notify.Webhook{Secret: func(string) string { return secret }}}}
	var waits []time.Duration
	for round := 0; round < 5; round++ {
		n, f, err := d.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := st.get("msg_1")
		if n == 1 {
			if m.Status != lastmile.OutboxDelivered || m.Attempts != 3 || m.DeliveredAt == nil {
				t.Fatalf("delivered message %+v", m)
			}
			break
		}
		if f == 1 {
			waits = append(waits, m.NextAttemptAt.Sub(now))
			if n2, f2, _ := d.Tick(context.Background()); n2+f2 != 0 {
				t.Fatal("retried before its backoff")
			}
			now = m.NextAttemptAt
		}
	}
	if len(waits) != 2 || waits[0] != 5*time.Second || waits[1] != 10*time.Second {
		t.Fatalf("backoff %v, want [5s 10s]", waits)
	}
	if len(seen) != 3 || seen[0] != "msg_1" || seen[2] != "msg_1" {
		t.Fatalf("delivery ids %v", seen)
	}
}

func TestDeadLetterAndReplay(t *testing.T) {
	status := 500
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer recv.Close()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	st := &memOutbox{}
	st.AddMessages(context.Background(), []lastmile.OutboxMessage{
		{ID: "msg_5xx", Channel: lastmile.ChannelWebhook, Target: recv.URL, Payload: json.RawMessage(`{}`), NextAttemptAt: now},
		{ID: "msg_nochan", Channel: "pigeon", Target: "x", Payload: json.RawMessage(`{}`), NextAttemptAt: now},
	})
	d := &notify.Dispatcher{Store: st, Now: func() time.Time { return now }, MaxAttempts: 3,
		Senders: map[string]notify.Sender{lastmile.ChannelWebhook: notify.Webhook{}}}
	for i := 0; i < 3; i++ {
		d.Tick(context.Background())
		now = now.Add(time.Hour)
	}
	if m := st.get("msg_5xx"); m.Status != lastmile.OutboxDead || m.Attempts != 3 || !strings.Contains(m.LastError, "500") {
		t.Fatalf("after 3 failures %+v", m)
	}
	if m := st.get("msg_nochan"); m.Status != lastmile.OutboxDead || m.Attempts != 1 {
		t.Fatalf("unknown channel %+v", m)
	}
	status = 200
	if _, err := notify.Replay(context.Background(), st, "msg_5xx", now); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := d.Tick(context.Background()); n != 1 || st.get("msg_5xx").Status != lastmile.OutboxDelivered {
		t.Fatalf("replayed message %+v", st.get("msg_5xx"))
	}
	status = 410 // a receiver that is gone for good: no retry
	st.AddMessages(context.Background(), []lastmile.OutboxMessage{{ID: "msg_gone", Channel: lastmile.ChannelWebhook, Target: recv.URL, Payload: json.RawMessage(`{}`), NextAttemptAt: now}})
	d.Tick(context.Background())
	if m := st.get("msg_gone"); m.Status != lastmile.OutboxDead || m.Attempts != 1 {
		t.Fatalf("410: %+v", m)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_770_000_000, 0)
	body := []byte(`{"a":1}`)
	h := notify.Sign(secret, now, body)
	tests := []struct {
		name           string
		secret, header string
		body           []byte
		at             time.Time
		ok             bool
	}{
		{"valid", secret, h, body, now, true},
		{"other secret", "nope", h, body, now, false},
		{"tampered body", secret, h, []byte(`{"a":2}`), now, false},
		{"replayed later", secret, h, body, now.Add(time.Hour), false},
		{"malformed", secret, "v1=abc", body, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := notify.Verify(tt.secret, tt.header, tt.body, tt.at, 0); (err == nil) != tt.ok {
				t.Fatalf("Verify: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// smtpServer is a minimal in-process SMTP server that keeps the messages
// it receives.
func smtpServer(t *testing.T) (addr string, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				rd := bufio.NewReader(c)
				say := func(s string) { io.WriteString(c, s+"\r\n") }
				say("220 test ESMTP")
				var rcpt string
				for {
					line, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 test")
					case strings.HasPrefix(cmd, "MAIL FROM"):
						say("250 ok")
					case strings.HasPrefix(cmd, "RCPT TO"):
						rcpt = strings.TrimSpace(line[len("RCPT TO:"):])
						say("250 ok")
					case cmd == "DATA":
						say("354 go on")
						var b strings.Builder
						for {
							l, err := rd.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							b.WriteString(l)
						}
						got <- rcpt + "\n" + b.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), got
}

func TestEmailAndSMS(t *testing.T) {
	addr, mails := smtpServer(t)
	var sms map[string]string
	prov := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&sms)
	}))
	defer prov.Close()
	txt, ok := notify.Render(notify.TopicFailed, notify.Data{ExternalID: "A-1", RescheduleURL: "https://x/track/tok"})
	if !ok || !strings.Contains(txt.Body, "https://x/track/tok") {
		t.Fatalf("render %+v", txt)
	}
	payload, _ := json.Marshal(txt)
	now := time.Now()
	st := &memOutbox{}
	st.AddMessages(context.Background(), []lastmile.OutboxMessage{
		{ID: "msg_mail", Channel: lastmile.ChannelEmail, Target: "anna@example.com", Payload: payload, NextAttemptAt: now},
		{ID: "msg_sms", Channel: lastmile.ChannelSMS, Target: "+37793150000", Payload: payload, NextAttemptAt: now},
	})
	d := &notify.Dispatcher{Store: st, Senders: map[string]notify.Sender{
		lastmile.ChannelEmail: notify.SMTP{Addr: addr, From: "noreply@lastmile.test"},
		lastmile.ChannelSMS:   notify.SMSWebhook{URL: prov.URL},
	}}
	if n, f, err := d.Tick(context.Background()); n != 2 || err != nil {
		t.Fatalf("delivered %d, failed %d, %v: %+v %+v", n, f, err, st.get("msg_mail"), st.get("msg_sms"))
	}
	select {
	case m := <-mails:
		if !strings.Contains(m, "<anna@example.com>") || !strings.Contains(m, "Subject: We missed you: A-1") || !strings.Contains(m, "https://x/track/tok") {
			t.Fatalf("mail %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no mail received")
	}
	if sms["to"] != "+37793150000" || !strings.Contains(sms["text"], "A-1") || sms["id"] != "msg_sms" {
		t.Fatalf("sms %v", sms)
	}
}

func TestQuietHours(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Monaco")
	night := &lastmile.NotifyPrefs{QuietStart: "21:00", QuietEnd: "08:00"}
	tests := []struct {
		name string
		p    *lastmile.NotifyPrefs
		at   string
		want string // "" when not quiet
	}{
		{"evening", night, "2026-03-02T22:30:00+01:00", "2026-03-03T08:00:00+01:00"},
		{"early morning", night, "2026-03-02T06:10:00+01:00", "2026-03-02T08:00:00+01:00"},
		{"day", night, "2026-03-02T12:00:00+01:00", ""},
		{"lunch", &lastmile.NotifyPrefs{QuietStart: "12:00", QuietEnd: "14:00"}, "2026-03-02T12:30:00+01:00", "2026-03-02T14:00:00+01:00"},
		{"none", nil, "2026-03-02T23:00:00+01:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tt.at)
			until, ok := notify.QuietUntil(tt.p, loc, at)
			if tt.want == "" {
				if ok {
					t.Fatalf("quiet until %v", until)
				}
				return
			}
			want, _ := time.Parse(time.RFC3339, tt.want)
			if !ok || !until.Equal(want) {
				t.Fatalf("until %v %v, want %v", until, ok, want)
			}
		})
	}
}

func TestTemplatesRenderEveryRecipientTopic(t *testing.T) {
	for _, topic := range []string{notify.TopicDispatched, notify.TopicApproaching, notify.TopicArrived, notify.TopicDelivered, notify.TopicFailed, notify.TopicReturnCollected} {
		txt, ok := notify.Render(topic, notify.Data{ExternalID: "A-1", Station: "Port", Driver: "Dana", From: "10:00", To: "10:30",
			TrackURL: "https://t/1", PODURL: "https://t/1/pod", RescheduleURL: "https://t/1"})
		if !ok || txt.Subject == "" || strings.Contains(txt.Body, "<no value>") {
			t.Errorf("%s: %+v", topic, txt)
		}
	}
	if _, ok := notify.Render(notify.TopicAtRisk, notify.Data{}); ok {
		t.Error("recipients are told about at-risk stops")
	}
}
