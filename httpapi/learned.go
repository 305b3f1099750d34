package httpapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// Learner returns the live tracker's learner of service times and
// time-of-day traffic factors.
func (s *Server) Learner() *tracking.Learner { return s.live.learner }

// LoadLearned gives the tracker the service times and traffic factors
// learned before (by this server before a restart, or by another server on
// the same database). Call it once at start, before positions come in.
func (s *Server) LoadLearned(ctx context.Context) error {
	vs, err := s.store.LearnedValues(ctx)
	if err != nil {
		return fmt.Errorf("load learned values: %w", err)
	}
	if skipped := s.live.learner.Import(vs); skipped > 0 {
		s.log.Warn("learned values skipped: out of range or of an unknown kind", "skipped", skipped)
	}
	_, n := s.live.learner.Export()
	s.live.learnedSaved.Store(n)
	s.log.Info("learned service times and traffic factors loaded", "values", len(vs))
	return nil
}

// SaveLearned stores what the tracker learned, when it learned something
// since the last load or save.
func (s *Server) SaveLearned(ctx context.Context) error {
	vs, n := s.live.learner.Export()
	if n == s.live.learnedSaved.Load() {
		return nil
	}
	now := s.now().UTC()
	for i := range vs {
		vs[i].UpdatedAt = now
	}
	if err := s.store.PutLearned(ctx, vs); err != nil {
		return fmt.Errorf("save learned values: %w", err)
	}
	s.live.learnedSaved.Store(n)
	return nil
}

// KeepLearned saves what the tracker learns every interval (default 1 min)
// until ctx ends, and once more then (within 10 s), so that a restart keeps
// it. Errors go to onErr (nil: logged).
func (s *Server) KeepLearned(ctx context.Context, every time.Duration, onErr func(error)) {
	if every <= 0 {
		every = time.Minute
	}
	if onErr == nil {
		onErr = func(err error) { s.log.Warn("learned values not saved", "err", err) }
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := s.SaveLearned(final); err != nil {
				onErr(err)
			}
			return
		case <-t.C:
			if err := s.SaveLearned(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// finishedStops remembers when stops were finished through this server,
// for the stops that leave their route when they finish (a failed attempt
// rescheduled for another day): the route's orders no longer include
// them, so without it the tracker would not know when they ended and
// would learn nothing from them.
type finishedStops struct {
	mu sync.Mutex
	at map[string]time.Time // by order id
}

// maxFinished bounds the stops remembered; beyond it, those finished more
// than two days before the newest are forgotten.
const maxFinished = 20000

// note records the end of an order's stop, when its status finishes it.
func (f *finishedStops) note(o *lastmile.Order) {
	var at time.Time
	switch o.Status {
	case lastmile.StatusDelivered, lastmile.StatusReturned, lastmile.StatusCancelled, lastmile.StatusRedirected:
		if o.ClosedAt != nil {
			at = *o.ClosedAt
		}
	case lastmile.StatusFailed, lastmile.StatusReattemptScheduled:
		at = o.UpdatedAt
	}
	if at.IsZero() {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.at == nil {
		f.at = map[string]time.Time{}
	}
	f.at[o.ID] = at
	if len(f.at) > maxFinished {
		for id, t := range f.at {
			if at.Sub(t) > 48*time.Hour {
				delete(f.at, id)
			}
		}
	}
}

// fill sets the end of the route's finished stops that have none.
func (f *finishedStops) fill(rt *tracking.Route) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range rt.Stops {
		st := &rt.Stops[i]
		if st.Done && st.DoneAt.IsZero() && st.OrderID != "" {
			st.DoneAt = f.at[st.OrderID]
		}
	}
}
