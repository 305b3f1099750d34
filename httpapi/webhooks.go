package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
)

// webhookTopics are the topics a receiver may subscribe to.
var webhookTopics = []string{notify.TopicDispatched, notify.TopicApproaching, notify.TopicArrived, notify.TopicDeparted,
	notify.TopicDelivered, notify.TopicFailed, notify.TopicReturnCollected, notify.TopicAtRisk, notify.TopicStationLeft,
	notify.TopicStationReturned, notify.TopicZoneEntered, notify.TopicZoneExited}

// webhooks returns the receivers: configured ones and those registered
// through the API (read again every 5 s, or at once after a change here).
func (s *Server) webhooks(ctx context.Context) []Webhook {
	s.live.mu.Lock()
	hooks, at := s.live.hooks, s.live.hooksAt
	s.live.mu.Unlock()
	if time.Since(at) < 5*time.Second {
		return hooks
	}
	hooks = append([]Webhook(nil), s.cfg.Webhooks...)
	stored, err := s.store.ListWebhooks(ctx)
	if err != nil {
		s.log.Warn("webhooks not read", "err", err)
		return hooks
	}
	for _, w := range stored {
		hooks = append(hooks, Webhook{ID: w.ID, URL: w.URL, Secret: w.Secret, Topics: w.Topics, StationIDs: w.StationIDs})
	}
	s.live.mu.Lock()
	s.live.hooks, s.live.hooksAt = hooks, time.Now()
	s.live.mu.Unlock()
	return hooks
}

func (s *Server) forgetWebhooks() {
	s.live.mu.Lock()
	s.live.hooksAt = time.Time{}
	s.live.mu.Unlock()
}

// listWebhooks is GET /v1/webhooks: the receivers (never their secrets).
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	s.forgetWebhooks()
	hooks := s.webhooks(r.Context())
	out := make([]Webhook, len(hooks))
	for i, h := range hooks {
		h.Secret = ""
		out[i] = h
	}
	return writeList(w, out, "")
}

type webhookRequest struct {
	URL        string   `json:"url"`
	Topics     []string `json:"topics"`
	StationIDs []string `json:"station_ids"`
}

// createWebhook is POST /v1/webhooks: registers a receiver and answers its
// signing secret, once.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req webhookRequest
	if err := decode(w, r, 64<<10, &req); err != nil {
		return err
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(req.URL) > 2000 {
		return lastmile.Invalidf("url", "%q is not an http(s) URL", req.URL)
	}
	for i, t := range req.Topics {
		if !slices.Contains(webhookTopics, t) {
			return lastmile.Invalidf("topics["+strconv.Itoa(i)+"]", "%q is not a topic", t)
		}
	}
	for i, id := range req.StationIDs {
		if _, err := s.store.Station(r.Context(), id); lastmile.ErrorCode(err) == lastmile.ENotFound {
			return lastmile.Invalidf("station_ids["+strconv.Itoa(i)+"]", "no station %q", id)
		} else if err != nil {
			return err
		}
	}
	for _, h := range s.cfg.Webhooks {
		if h.URL == req.URL {
			return lastmile.Errorf(lastmile.EConflict, "url", "%s is already a receiver", req.URL)
		}
	}
	hook := &lastmile.Webhook{URL: req.URL, Topics: req.Topics, StationIDs: req.StationIDs, Secret: "whsec_" + lastmile.NewToken()}
	if err := s.store.CreateWebhook(r.Context(), hook, change(r, "webhook.created", map[string]any{"url": hook.URL})); err != nil {
		if lastmile.ErrorCode(err) == lastmile.EConflict {
			return lastmile.Errorf(lastmile.EConflict, "url", "%s is already a receiver", req.URL)
		}
		return err
	}
	s.forgetWebhooks()
	return writeJSON(w, http.StatusCreated, struct {
		*lastmile.Webhook
		Secret string `json:"secret"`
	}{hook, hook.Secret})
}

// deleteWebhook is DELETE /v1/webhooks/{id}.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteWebhook(r.Context(), pathID(r, "id"), change(r, "webhook.deleted", nil)); err != nil {
		return err
	}
	s.forgetWebhooks()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listMessages is GET /v1/webhooks/messages?status=dead&after=SEQ: the
// outbox of the caller's stations — pending, delivered, or the dead-letter
// list. next_cursor is the sequence number to pass as after.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	ids, err := stationScope(r)
	if err != nil {
		return err
	}
	f := lastmile.OutboxFilter{StationIDs: ids, Status: r.URL.Query().Get("status")}
	switch f.Status {
	case "", lastmile.OutboxPending, lastmile.OutboxDelivered, lastmile.OutboxDead:
	default:
		return lastmile.Invalidf("status", "%q is not pending, delivered or dead", f.Status)
	}
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return lastmile.Invalidf("after", "%q is not a sequence number", a)
		}
		f.After = n
	}
	if f.Limit, err = intParam(r, "limit", lastmile.DefaultLimit, 1, lastmile.MaxLimit); err != nil {
		return err
	}
	ms, err := s.store.ListMessages(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(ms) == f.Limit {
		next = strconv.FormatInt(ms[len(ms)-1].Seq, 10)
	}
	return writeList(w, ms, next)
}

// replayMessage is POST /v1/webhooks/messages/{id}/replay: a message (a
// dead letter, typically) is queued again, due now.
func (s *Server) replayMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.store.OutboxMessage(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if m.StationID != "" {
		if err := seeStation(r, m.StationID); err != nil {
			return err
		}
	} else if caller(r).Role != lastmile.RoleAdmin {
		return lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	m, err = notify.Replay(r.Context(), s.store, m.ID, s.now())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}
