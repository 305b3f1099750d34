package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// hub fans live messages out to Server-Sent Events subscribers by topic
// ("station:<id>", "order:<id>"). A slow subscriber loses messages rather
// than slowing the publisher.
type hub struct {
	mu      sync.RWMutex
	subs    map[string]map[chan sseMsg]struct{}
	dropped atomic.Int64
}

type sseMsg struct {
	event string
	data  []byte
}

func newHub() *hub { return &hub{subs: map[string]map[chan sseMsg]struct{}{}} }

// Streams open at once on one topic: a tracking link shared in a family
// is fine, a script opening thousands is not.
const (
	maxOrderStreams   = 20
	maxStationStreams = 5000
)

func (h *hub) subscribe(topic string, limit int) (chan sseMsg, error) {
	ch := make(chan sseMsg, 64)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs[topic]) >= limit {
		return nil, lastmile.Errorf(lastmile.ERateLimited, "", "too many live streams open on this resource")
	}
	if h.subs[topic] == nil {
		h.subs[topic] = map[chan sseMsg]struct{}{}
	}
	h.subs[topic][ch] = struct{}{}
	return ch, nil
}

func (h *hub) unsubscribe(topic string, ch chan sseMsg) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[topic], ch)
	if len(h.subs[topic]) == 0 {
		delete(h.subs, topic)
	}
}

func (h *hub) has(topic string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[topic]) > 0
}

// publish sends v as JSON to the topic's subscribers.
func (h *hub) publish(topic, event string, v any) {
	if !h.has(topic) {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for ch := range h.subs[topic] {
		select {
		case ch <- sseMsg{event: event, data: data}:
		default:
			h.dropped.Add(1)
		}
	}
}

// serveSSE streams a topic until the client goes away; first is sent at
// once (the current state).
func (s *Server) serveSSE(w http.ResponseWriter, r *http.Request, topic string, limit int, first *sseMsg) error {
	ch, err := s.live.hub.subscribe(topic, limit)
	if err != nil {
		return err
	}
	defer s.live.hub.unsubscribe(topic, ch)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(m sseMsg) error {
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.event, m.data); err != nil {
			return err
		}
		return rc.Flush()
	}
	fmt.Fprint(w, "retry: 3000\n\n")
	if first != nil {
		if err := write(*first); err != nil {
			return nil
		}
	} else if err := rc.Flush(); err != nil {
		return nil
	}
	ping := time.NewTicker(s.cfg.SSEHeartbeat)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case m := <-ch:
			if write(m) != nil {
				return nil
			}
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return nil
			}
		}
	}
}

// positionEvent is what dispatchers see of a position.
type positionEvent struct {
	VehicleID string             `json:"vehicle_id"`
	RouteID   string             `json:"route_id,omitempty"`
	Position  lastmile.Position  `json:"position"`
	Progress  *tracking.Progress `json:"progress,omitempty"`
}

// recipientETA is what a recipient's stream sees of a position: the ETA
// window, and the vehicle's position only when this stop is the next.
type recipientETA struct {
	Status    string          `json:"status"`
	StopsAway int             `json:"stops_away"`
	ETA       time.Time       `json:"eta"`
	Earliest  time.Time       `json:"earliest"`
	Latest    time.Time       `json:"latest"`
	Vehicle   *lastmile.Point `json:"vehicle,omitempty"`
}

func (s *Server) publishPosition(lr *liveRoute, p lastmile.Position, pr *tracking.Progress) {
	if lr.station == nil {
		return
	}
	ev := positionEvent{VehicleID: p.VehicleID, Position: p, Progress: pr}
	if lr.route != nil {
		ev.RouteID = lr.route.ID
	}
	s.live.hub.publish("station:"+lr.station.ID, "position", ev)
	if pr == nil {
		return
	}
	for _, e := range pr.ETAs {
		topic := "order:" + e.OrderID
		if !s.live.hub.has(topic) {
			continue
		}
		v := recipientETA{Status: lastmile.StatusOutForDelivery, StopsAway: e.StopsAway, ETA: e.ETA, Earliest: e.Earliest, Latest: e.Latest}
		if e.StopsAway == 0 {
			pt := p.Point()
			v.Vehicle = &pt
		}
		s.live.hub.publish(topic, "eta", v)
	}
}

// publishStop tells a station's dispatchers and the order's recipient that
// a stop's status changed.
func (s *Server) publishStop(stationID string, o *lastmile.Order) {
	s.live.hub.publish("station:"+stationID, "stop", map[string]any{"order_id": o.ID, "route_id": o.RouteID, "status": o.Status, "at": o.UpdatedAt})
	s.live.hub.publish("order:"+o.ID, "status", map[string]any{"status": o.Status, "at": o.UpdatedAt})
}

// stationStream is GET /v1/stations/{id}/stream: positions with progress,
// stop status changes and alerts of a station, as Server-Sent Events.
func (s *Server) stationStream(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "id")
	if err := seeStation(r, id); err != nil {
		return err
	}
	if _, err := s.store.Station(r.Context(), id); err != nil {
		return err
	}
	return s.serveSSE(w, r, "station:"+id, maxStationStreams, nil)
}

// trackStream is GET /v1/track/{token}/stream: one stop's status and ETA
// window, and the vehicle's position while this stop is the next.
func (s *Server) trackStream(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderByToken(r)
	if err != nil {
		return err
	}
	v, err := s.trackViewOf(r.Context(), o)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(v)
	return s.serveSSE(w, r, "order:"+o.ID, maxOrderStreams, &sseMsg{event: "track", data: data})
}
