package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Headers of a webhook call.
const (
	SignatureHeader = "X-Lastmile-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256>
	DeliveryHeader  = "X-Lastmile-Delivery"  // the message id, the same on every retry
	TopicHeader     = "X-Lastmile-Topic"
)

// Sign returns the signature header value of body sent at t: the
// HMAC-SHA256 with secret of "<unix seconds>.<body>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify checks a signature header against body; a signature older or
// newer than tolerance (default 5 min) is refused, so that a captured call
// cannot be replayed later.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("verify webhook: malformed signature header")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("verify webhook: signed %v away from now", d.Round(time.Second))
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return errors.New("verify webhook: signature mismatch")
	}
	return nil
}

// Webhook posts a message's payload as JSON to its target URL, signed
// with the secret of that URL.
type Webhook struct {
	Client *http.Client               // default: 10 s timeout
	Secret func(target string) string // the signing secret of a URL
	Now    func() time.Time
}

// Send implements Sender. 2xx is success; 408, 429 and 5xx are retried;
// other statuses are permanent failures.
func (w Webhook) Send(ctx context.Context, m *lastmile.OutboxMessage) error {
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	body := []byte(m.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Target, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{fmt.Errorf("webhook %s: %w", m.Target, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "lastmile-webhooks/1")
	req.Header.Set(DeliveryHeader, m.ID)
	req.Header.Set(TopicHeader, m.Topic)
	if w.Secret != nil {
		if sec := w.Secret(m.Target); sec != "" {
			req.Header.Set(SignatureHeader, Sign(sec, now(), body))
		}
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", m.Target, err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == 408 || res.StatusCode == 429 || res.StatusCode >= 500:
		return fmt.Errorf("webhook %s: status %d", m.Target, res.StatusCode)
	}
	return &PermanentError{fmt.Errorf("webhook %s: status %d", m.Target, res.StatusCode)}
}
