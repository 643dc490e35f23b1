package placement

import (
	"sync"
	"time"
)

// Clock tells the time. The core never reads the wall clock: callers take
// the time from a Clock and pass it into each decision, so a simulation can
// drive every decision from a SimClock. The adapter that runs in production
// supplies a Clock backed by the time package.
type Clock interface {
	Now() time.Time
}

// SimClock is a Clock that moves only when Advance or Set is called. It is
// safe for concurrent use so integration tests can share one.
type SimClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewSimClock returns a SimClock reading start.
func NewSimClock(start time.Time) *SimClock {
	return &SimClock{now: start}
}

// Now returns the simulated time.
func (c *SimClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time. Time never
// runs backwards: a negative d is treated as zero.
func (c *SimClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return c.now
}

// Interface guard.
var _ Clock = (*SimClock)(nil)
