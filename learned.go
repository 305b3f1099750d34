package lastmile

import (
	"context"
	"time"
)

// Kinds of learned values.
const (
	// LearnedServiceRatio is a station's ratio of actual to planned
	// service for a stop type (Key: delivery, pickup, …).
	LearnedServiceRatio = "service_ratio"
	// LearnedService was a station's absolute service time in seconds for
	// a stop type; such values are no longer read (they mixed short and
	// long stops, and their measure counted waiting for time windows).
	LearnedService = "service"
	// LearnedTraffic is a station's travel-time factor for an hour of the
	// day (Key: "00" to "23", UTC).
	LearnedTraffic = "traffic"
)

// Learned is one value the live tracker learned at a station: the
// exponentially weighted mean of N observations.
type Learned struct {
	StationID string    `json:"station_id"`
	Kind      string    `json:"kind"`
	Key       string    `json:"key"`
	N         int       `json:"n"`
	Mean      float64   `json:"mean"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LearnedStore keeps what the tracker learned, so that a restarted server
// does not start again from the plan's figures.
type LearnedStore interface {
	// LearnedValues returns every learned value.
	LearnedValues(ctx context.Context) ([]Learned, error)
	// PutLearned stores values, replacing those of the same station, kind
	// and key.
	PutLearned(ctx context.Context, vs []Learned) error
}
