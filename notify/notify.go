// Package notify delivers the notifications of the outbox: a Dispatcher
// takes the messages due from a lastmile.OutboxStore and hands each to the
// Sender of its channel — signed webhooks, email over SMTP, or an SMS
// provider's webhook — retrying with exponential backoff until the
// attempts are used up, when the message goes to the dead-letter list
// (Replay puts it back). Delivery is at least once: a receiver may see a
// message twice and recognises it by its id (the X-Lastmile-Delivery
// header).
package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Sender delivers one message of a channel.
type Sender interface {
	Send(ctx context.Context, m *lastmile.OutboxMessage) error
}

// PermanentError is a failure that retrying cannot fix (a receiver that
// answers 400 or 410, an invalid address): the message goes to the
// dead-letter list at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

// Dispatcher delivers due messages. Zero fields take defaults.
type Dispatcher struct {
	Store   lastmile.OutboxStore
	Senders map[string]Sender // by channel
	Now     func() time.Time
	// MaxAttempts before a message is dead (default 8).
	MaxAttempts int
	// Backoff is the wait after the n-th failed attempt (default: 5 s
	// doubled each time, at most 1 h).
	Backoff func(n int) time.Duration
	Batch   int // messages per round (default 200)
	// Lease is how long a claimed message is reserved for this dispatcher
	// (default 2 min): longer than a delivery may take.
	Lease   time.Duration
	Workers int // concurrent deliveries (default 8)
}

// DefaultBackoff waits 5 s after the first failure and doubles the wait
// after each, up to an hour.
func DefaultBackoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func (d *Dispatcher) defaults() {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 8
	}
	if d.Backoff == nil {
		d.Backoff = DefaultBackoff
	}
	if d.Batch <= 0 {
		d.Batch = 200
	}
	if d.Workers <= 0 {
		d.Workers = 8
	}
	if d.Lease <= 0 {
		d.Lease = 2 * time.Minute
	}
}

// Tick delivers the messages due now, once each, and returns how many were
// delivered and how many failed.
func (d *Dispatcher) Tick(ctx context.Context) (delivered, failed int, err error) {
	d.defaults()
	ms, err := d.Store.ClaimMessages(ctx, d.Now(), d.Lease, d.Batch)
	if err != nil {
		return 0, 0, fmt.Errorf("notify: %w", err)
	}
	var mu sync.Mutex
	sem := make(chan struct{}, d.Workers)
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ok := d.deliver(ctx, m)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				delivered++
			} else {
				failed++
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return delivered, failed, ctx.Err() // unrecorded: due again when the lease ends
	}
	if err := d.Store.UpdateMessages(ctx, ms); err != nil {
		return delivered, failed, fmt.Errorf("notify: record deliveries: %w", err)
	}
	return delivered, failed, nil
}

// deliver sends one message and sets its outcome (recorded by the caller).
func (d *Dispatcher) deliver(ctx context.Context, m *lastmile.OutboxMessage) bool {
	s := d.Senders[m.Channel]
	var err error
	if s == nil {
		err = &PermanentError{fmt.Errorf("no sender for channel %q", m.Channel)}
	} else {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = s.Send(sctx, m)
		cancel()
	}
	now := d.Now().UTC()
	m.Attempts++
	var perm *PermanentError
	switch {
	case err == nil:
		m.Status, m.DeliveredAt, m.LastError = lastmile.OutboxDelivered, &now, ""
	case errors.As(err, &perm) || m.Attempts >= d.MaxAttempts:
		m.Status, m.LastError = lastmile.OutboxDead, truncate(err.Error())
	default:
		m.NextAttemptAt, m.LastError = now.Add(d.Backoff(m.Attempts)), truncate(err.Error())
	}
	return err == nil
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// Run delivers due messages every interval until ctx ends; onErr hears
// about store failures.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			n, f, err := d.Tick(ctx)
			if err != nil && onErr != nil && ctx.Err() == nil {
				onErr(err)
			}
			if n+f < d.Batch || err != nil || ctx.Err() != nil {
				break // caught up
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Replay puts a message back in the queue (a dead letter after the
// receiver is fixed, or a delivered one to send again), due now.
func Replay(ctx context.Context, st lastmile.OutboxStore, id string, now time.Time) (*lastmile.OutboxMessage, error) {
	m, err := st.OutboxMessage(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	m.Status, m.Attempts, m.NextAttemptAt, m.DeliveredAt = lastmile.OutboxPending, 0, now.UTC(), nil
	if err := st.UpdateMessages(ctx, []*lastmile.OutboxMessage{m}); err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return m, nil
}
