package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Text is the payload of an email or SMS message: rendered when the
// message is queued, so that it says what was true then.
type Text struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

// SMTP sends email messages through a mail server.
type SMTP struct {
	Addr string // host:port
	From string
	Auth smtp.Auth // nil: none
}

// Send implements Sender.
func (s SMTP) Send(ctx context.Context, m *lastmile.OutboxMessage) error {
	var t Text
	if err := json.Unmarshal(m.Payload, &t); err != nil {
		return &PermanentError{fmt.Errorf("email: payload: %w", err)}
	}
	to, err := mail.ParseAddress(m.Target)
	if err != nil {
		return &PermanentError{fmt.Errorf("email: recipient %q: %w", m.Target, err)}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@lastmile>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		s.From, to.Address, oneLine(t.Subject), m.ID, time.Now().UTC().Format(time.RFC1123Z))
	b.WriteString(strings.ReplaceAll(t.Body, "\n", "\r\n"))
	b.WriteString("\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.Addr, s.Auth, s.From, []string{to.Address}, b.Bytes()) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("email to %s: %w", to.Address, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("email to %s: %w", to.Address, ctx.Err())
	}
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// SMSWebhook sends SMS messages through a provider's HTTP API: a JSON POST
// {"to","text","id"} to URL, signed like webhooks when Secret is set.
type SMSWebhook struct {
	URL    string
	Secret string
	Client *http.Client
}

// Send implements Sender.
func (s SMSWebhook) Send(ctx context.Context, m *lastmile.OutboxMessage) error {
	var t Text
	if err := json.Unmarshal(m.Payload, &t); err != nil {
		return &PermanentError{fmt.Errorf("sms: payload: %w", err)}
	}
	body, _ := json.Marshal(map[string]string{"to": m.Target, "text": t.Body, "id": m.ID})
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{fmt.Errorf("sms: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(DeliveryHeader, m.ID)
	if s.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(s.Secret, time.Now(), body))
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == 408 || res.StatusCode == 429 || res.StatusCode >= 500:
		return fmt.Errorf("sms: provider status %d", res.StatusCode)
	}
	return &PermanentError{fmt.Errorf("sms: provider status %d", res.StatusCode)}
}
