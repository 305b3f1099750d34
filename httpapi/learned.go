package httpapi

import (
	"context"
	"fmt"
	"time"

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
