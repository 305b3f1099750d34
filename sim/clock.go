package sim

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Clock is a clock that runs at Speed times real time from a start. A
// server and a demo sharing one Clock see the same accelerated day.
type Clock struct {
	start, wall time.Time
	speed       float64
}

// NewClock returns a clock reading start now and running speed times
// faster than real time (speed ≤ 0 means 1).
func NewClock(start time.Time, speed float64) *Clock {
	if speed <= 0 {
		speed = 1
	}
	return &Clock{start: start, wall: time.Now(), speed: speed}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.wall)) * c.speed))
}

// Speed returns how many times faster than real time the clock runs.
func (c *Clock) Speed() float64 { return c.speed }

// vclock is the virtual clock of a simulation: it stands still until
// the event loop moves it.
type vclock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) set(t time.Time) {
	c.mu.Lock()
	if t.After(c.t) {
		c.t = t
	}
	c.mu.Unlock()
}

// pacer maps the simulation's time onto the server's.
type pacer interface {
	// advance waits until simulated time t may be acted on.
	advance(ctx context.Context, t time.Time) error
	// stamp is the time the server should see for simulated time t.
	stamp(t time.Time) time.Time
	// bump moves a virtual clock on by d (ids are ordered by creation
	// time); a no-op on real clocks.
	bump(d time.Duration)
}

type virtualPacer struct{ c *vclock }

func (p virtualPacer) advance(ctx context.Context, t time.Time) error {
	p.c.set(t)
	return ctx.Err()
}
func (p virtualPacer) stamp(t time.Time) time.Time { return t }
func (p virtualPacer) bump(d time.Duration)        { p.c.set(p.c.Now().Add(d)) }

// clockPacer follows a shared Clock: simulated time is the clock's time.
type clockPacer struct{ c *Clock }

func (p clockPacer) advance(ctx context.Context, t time.Time) error {
	return sleepCtx(ctx, time.Duration(float64(t.Sub(p.c.Now()))/p.c.speed))
}
func (p clockPacer) stamp(t time.Time) time.Time { return t }
func (clockPacer) bump(time.Duration)            {}

// realPacer compresses the simulated day speed times onto real time; the
// server sees real time.
type realPacer struct {
	simStart, wallStart time.Time
	speed               float64
}

func (p *realPacer) advance(ctx context.Context, t time.Time) error {
	due := p.wallStart.Add(time.Duration(float64(t.Sub(p.simStart)) / p.speed))
	return sleepCtx(ctx, time.Until(due))
}
func (p *realPacer) stamp(time.Time) time.Time { return time.Now().UTC() }
func (*realPacer) bump(time.Duration)          {}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// event is one scheduled action of the simulation.
type event struct {
	at  time.Time
	seq int64
	fn  func() error
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// scheduler runs events in time order.
type scheduler struct {
	q   eventQueue
	seq int64
	now time.Time
}

func (s *scheduler) at(t time.Time, fn func() error) {
	if t.Before(s.now) {
		t = s.now
	}
	s.seq++
	heap.Push(&s.q, &event{at: t, seq: s.seq, fn: fn})
}

func (s *scheduler) run(ctx context.Context, p pacer) error {
	for s.q.Len() > 0 {
		e := heap.Pop(&s.q).(*event)
		if err := p.advance(ctx, e.at); err != nil {
			return err
		}
		s.now = e.at
		if err := e.fn(); err != nil {
			return err
		}
	}
	return nil
}
