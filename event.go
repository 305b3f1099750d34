package lastmile

import (
	"encoding/json"
	"time"
)

// Event is one entry of the append-only audit log: who changed what, when
// and where. Stores write it in the same transaction as the change.
type Event struct {
	Seq        int64           `json:"seq"` // order of the log, increasing
	ID         string          `json:"id"`
	At         time.Time       `json:"at"`
	StationID  string          `json:"station_id,omitempty"`
	EntityType string          `json:"entity_type"` // station, vehicle, driver, order, plan, api_key
	EntityID   string          `json:"entity_id"`
	Type       string          `json:"type"`             // e.g. order.created, order.status, plan.published
	Status     string          `json:"status,omitempty"` // the entity's status after the change
	Actor      Actor           `json:"actor"`
	Position   *Point          `json:"position,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
}

// Actor is who makes a change: an API key and its role, or the system.
type Actor struct {
	KeyID string `json:"key_id,omitempty"`
	Role  string `json:"role"`
	Name  string `json:"name,omitempty"`
}

// System is the actor of changes the server makes on its own.
var System = Actor{Role: "system", Name: "lastmile"}

// Change describes a change for the event log. Stores fill the event's id,
// time, entity and status; Type defaults to "<entity>.created" or
// "<entity>.updated".
type Change struct {
	Actor    Actor
	Position *Point
	Type     string
	Data     any // detail, stored as JSON
	// Outbox holds notifications the change causes; the store writes them
	// in the same transaction as the change.
	Outbox []OutboxMessage
}

// EventFilter selects events; empty fields match all.
type EventFilter struct {
	StationIDs []string // any of these stations (nil: all)
	EntityType string
	EntityID   string
	Type       string
	Since      time.Time
	Until      time.Time
	After      int64 // cursor: Seq of the last event seen
	Limit      int
}
