package actors

import (
	"io"
	"sync"
	"time"
)

// BodyStreams holds streamed bodies between the actor that produced one and
// the code that consumes it (the frontend, or another instance's fetch).
// Protobuf messages carry a body's id; the body itself stays on this node.
// A body nobody takes within its expiry is closed, which cancels its
// producer: its message was lost or its caller gave up.
type BodyStreams struct {
	mu     sync.Mutex
	next   uint64
	bodies map[uint64]*heldBody
	expiry time.Duration
}

type heldBody struct {
	r     io.ReadCloser
	timer *time.Timer
}

// NewBodyStreams returns an empty registry whose untaken bodies close after
// expiry.
func NewBodyStreams(expiry time.Duration) *BodyStreams {
	return &BodyStreams{bodies: map[uint64]*heldBody{}, expiry: expiry}
}

// Put holds r and returns its id (never 0).
func (s *BodyStreams) Put(r io.ReadCloser) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := s.next
	h := &heldBody{r: r}
	h.timer = time.AfterFunc(s.expiry, func() {
		if taken := s.Take(id); taken != nil {
			_ = taken.Close()
		}
	})
	s.bodies[id] = h
	return id
}

// Take removes and returns body id, or nil if it is not here (taken,
// expired, or held by another node).
func (s *BodyStreams) Take(id uint64) io.ReadCloser {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.bodies[id]
	if !ok {
		return nil
	}
	delete(s.bodies, id)
	h.timer.Stop()
	return h.r
}
