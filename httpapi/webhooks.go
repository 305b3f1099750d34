package httpapi

import (
	"net/http"
	"strconv"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
)

// listWebhooks is GET /v1/webhooks: the configured receivers (never their
// secrets).
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	return writeList(w, s.cfg.Webhooks, "")
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
