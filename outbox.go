package lastmile

import (
	"context"
	"encoding/json"
	"time"
)

// Outbox message statuses.
const (
	OutboxPending   = "pending"   // waiting for its next attempt
	OutboxDelivered = "delivered" // the receiver acknowledged it
	OutboxDead      = "dead"      // attempts used up: on the dead-letter list
)

// Notification channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
	ChannelSMS     = "sms"
)

// OutboxMessage is a notification waiting to be delivered, at least once.
// It is written in the same transaction as the change that causes it (see
// Change.Outbox), so that a crash loses none, and delivered by a
// dispatcher that retries with backoff.
type OutboxMessage struct {
	ID            string          `json:"id"`
	Seq           int64           `json:"seq"`
	CreatedAt     time.Time       `json:"created_at"`
	Topic         string          `json:"topic"` // e.g. stop.arrived, order.delivered
	StationID     string          `json:"station_id,omitempty"`
	OrderID       string          `json:"order_id,omitempty"`
	Channel       string          `json:"channel"` // webhook, email, sms
	Target        string          `json:"target"`  // URL, email address or phone number
	Payload       json.RawMessage `json:"payload"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LastError     string          `json:"last_error,omitempty"`
	DeliveredAt   *time.Time      `json:"delivered_at,omitempty"`
}

// OutboxFilter selects outbox messages: a status ("" for all), after a
// sequence number (the cursor), at most Limit (0: DefaultLimit).
type OutboxFilter struct {
	StationIDs []string // nil: all
	Status     string
	After      int64
	Limit      int
}

// OutboxStore keeps notifications until they are delivered.
type OutboxStore interface {
	// AddMessages stores messages not tied to another change.
	AddMessages(ctx context.Context, ms []OutboxMessage) error
	// DueMessages returns pending messages whose next attempt is at or
	// before t, oldest first.
	DueMessages(ctx context.Context, t time.Time, limit int) ([]*OutboxMessage, error)
	// ClaimMessages returns pending messages due at now, oldest first, and
	// postpones them to now+lease in the same step, so that concurrent
	// dispatchers (several servers) never take the same message; one whose
	// dispatcher dies is due again when the lease ends.
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*OutboxMessage, error)
	// UpdateMessages saves messages' status, attempts, next attempt, last
	// error and delivery time, in one transaction.
	UpdateMessages(ctx context.Context, ms []*OutboxMessage) error
	OutboxMessage(ctx context.Context, id string) (*OutboxMessage, error)
	ListMessages(ctx context.Context, f OutboxFilter) ([]*OutboxMessage, error)
}

// Webhook is a receiver of notifications registered through the API: every
// message of its topics (all when empty) and stations (all when empty) is
// posted to URL, signed with Secret (shown once, when created).
type Webhook struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	Topics     []string  `json:"topics,omitempty"`
	StationIDs []string  `json:"station_ids,omitempty"`
	Secret     string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// WebhookStore keeps the registered webhook receivers.
type WebhookStore interface {
	// CreateWebhook stores a receiver; EConflict when its URL is taken.
	CreateWebhook(ctx context.Context, w *Webhook, c Change) error
	ListWebhooks(ctx context.Context) ([]*Webhook, error)
	DeleteWebhook(ctx context.Context, id string, c Change) error
}
