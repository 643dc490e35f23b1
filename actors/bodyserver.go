package actors

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/protos"
)

// Streamed bodies across nodes.
//
// A message names a streamed body by its id in the BodyStreams registry of
// the node that holds it (body_stream) and by that node's remoting address
// (body_node). A reader on the same node takes the body from the registry.
// A reader on another node pulls it from the holding node's body server, an
// actor every node runs under the name BodyServerName: the first pull
// claims the body, each later pull answers the next chunk. The server reads
// only when pulled, so a producer runs at most one chunk ahead of its
// reader however far away that is (backpressure). A reader that is alive
// but not pulling (its consumer reads slowly) sends BodyKeep now and then;
// one that neither pulls nor keeps for the expiry (its node died) has its
// body closed, which cancels the producer.

// BodyServerName is the name of the body server on every node; another
// node reaches it as actor.NewPID(address, BodyServerName).
const BodyServerName = "edge-bodies"

const (
	// bodyChunkSize is how much a remote reader asks for per pull.
	bodyChunkSize = 64 << 10
	// maxBodyChunk caps what one pull may ask for.
	maxBodyChunk = 1 << 20
	// maxEmptyReads is how many (0, nil) reads in a row a body may return
	// before the server gives up on it (io.ErrNoProgress).
	maxEmptyReads = 100
)

// bodyServer hands the streamed bodies of its node's registry to readers on
// other nodes, one chunk per BodyPull. It owns the bodies claimed so far;
// every field is used only in its mailbox. Reads run on their own
// goroutines and report back through the mailbox, so a slow producer never
// blocks the server, and since a reader pulls again only after the answer
// to its previous pull, a stream's chunks go out in order.
type bodyServer struct {
	bodies *BodyStreams
	// expiry closes a claimed body whose reader has neither pulled nor
	// kept it for this long and has no pull waiting.
	expiry time.Duration
	log    *slog.Logger

	root    *actor.RootContext
	self    *actor.PID
	streams map[uint64]*servedBody
}

// servedBody is a claimed body.
type servedBody struct {
	id uint64
	r  io.ReadCloser
	// reading: a read goroutine is running.
	reading bool
	// waiter is the pull waiting for data (nil: none), asking for at most
	// waiterMax bytes.
	waiter    *actor.PID
	waiterMax int
	// pending is a read's result that arrived when no pull was waiting
	// (its pull had been answered empty); the next pull gets it.
	pending *protos.BodyChunk
	// waitGen and idleGen tell current wait and idle timers from stale
	// ones.
	waitGen, idleGen uint64
	idle             *time.Timer
	wait             *time.Timer
}

// Messages the server sends itself.
type (
	// bodyRead carries the result of one read of s.
	bodyRead struct {
		s     *servedBody
		chunk *protos.BodyChunk
	}
	// bodyWaitOver: the pull waiting on s has waited its wait_ms.
	bodyWaitOver struct {
		s   *servedBody
		gen uint64
	}
	// bodyIdle: nobody pulled or kept s for the expiry.
	bodyIdle struct {
		s   *servedBody
		gen uint64
	}
)

func newBodyServer(bodies *BodyStreams, expiry time.Duration, log *slog.Logger) *bodyServer {
	return &bodyServer{bodies: bodies, expiry: expiry, log: log, streams: map[uint64]*servedBody{}}
}

func (b *bodyServer) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		b.root, b.self = ctx.ActorSystem().Root, ctx.Self()
	case *protos.BodyPull:
		b.onPull(ctx, m)
	case *protos.BodyCancel:
		b.onCancel(m)
	case *protos.BodyKeep:
		b.onKeep(m)
	case *bodyRead:
		b.onRead(m)
	case *bodyWaitOver:
		b.onWaitOver(m)
	case *bodyIdle:
		b.onIdle(m)
	case *actor.Stopping:
		for _, s := range b.streams {
			b.close(s)
		}
	}
}

func (b *bodyServer) onPull(ctx actor.Context, m *protos.BodyPull) {
	to := ctx.Sender()
	if to == nil {
		b.log.Warn("body pull without a sender to answer; it was sent with Send instead of Request", slog.Uint64("body", m.GetId()))
		return
	}
	max := min(int(m.GetMax()), maxBodyChunk)
	s := b.streams[m.GetId()]
	if s == nil {
		r := b.bodies.Take(m.GetId())
		if r == nil {
			b.root.Send(to, &protos.BodyChunk{Error: fmt.Sprintf(
				"body stream %d is not on node %s: it was read already, or closed (its reader cancelled it or went away), or nobody claimed it within %s (its message was late or lost), or it never existed",
				m.GetId(), b.self.GetAddress(), b.expiry)})
			return
		}
		s = &servedBody{id: m.GetId(), r: r}
		b.streams[s.id] = s
		if max == 0 {
			b.root.Send(to, &protos.BodyChunk{})
			b.armIdle(s)
			return
		}
	} else if max == 0 {
		b.root.Send(to, &protos.BodyChunk{Error: fmt.Sprintf("body stream %d on node %s was claimed by another reader", s.id, b.self.GetAddress())})
		return
	}
	if s.waiter != nil {
		b.root.Send(to, &protos.BodyChunk{Error: fmt.Sprintf(
			"body stream %d on node %s already has a pull waiting; a reader pulls again only after the answer to its last pull", s.id, b.self.GetAddress())})
		return
	}
	s.idleGen++ // the reader is alive
	if s.idle != nil {
		s.idle.Stop()
	}
	if s.pending != nil {
		c := s.pending
		s.pending = nil
		b.answer(s, to, max, c)
		return
	}
	s.waiter, s.waiterMax = to, max
	if !s.reading {
		s.reading = true
		go b.read(s, max)
	}
	if wait := time.Duration(m.GetWaitMs()) * time.Millisecond; wait > 0 {
		s.waitGen++
		msg := &bodyWaitOver{s: s, gen: s.waitGen}
		s.wait = time.AfterFunc(wait, func() { b.root.Send(b.self, msg) })
	}
}

// read reads the next chunk of s (up to max bytes, at least one unless the
// body ended) and reports it to the server. It runs on its own goroutine
// and touches only s.r, which no one else reads.
func (b *bodyServer) read(s *servedBody, max int) {
	buf := make([]byte, max)
	var n int
	var err error
	for empty := 0; n == 0 && err == nil; empty++ {
		if empty == maxEmptyReads {
			err = io.ErrNoProgress
			break
		}
		n, err = s.r.Read(buf)
	}
	data := buf[:n]
	if n < max/4 {
		data = bytes.Clone(data) // do not keep the whole buffer alive for a few bytes
	}
	c := &protos.BodyChunk{Data: data}
	switch {
	case err == io.EOF:
		c.Eof = true
	case err != nil:
		c.Error = fmt.Sprintf("reading body stream %d on node %s: %v", s.id, b.self.GetAddress(), err)
	}
	b.root.Send(b.self, &bodyRead{s: s, chunk: c})
}

func (b *bodyServer) onRead(m *bodyRead) {
	s := m.s
	s.reading = false
	if b.streams[s.id] != s {
		return // closed (cancelled or idle) while reading: the read ended because of that
	}
	if s.waiter == nil {
		s.pending = m.chunk
		return
	}
	to, max := s.waiter, s.waiterMax
	s.waiter = nil
	b.stopWait(s)
	b.answer(s, to, max, m.chunk)
}

// answer sends c, or its first max bytes, to a pull of s; what is left
// waits for the next pull. A body that ended or failed is gone once its
// last chunk is sent.
func (b *bodyServer) answer(s *servedBody, to *actor.PID, max int, c *protos.BodyChunk) {
	if max > 0 && len(c.Data) > max {
		s.pending = &protos.BodyChunk{Data: c.Data[max:], Eof: c.Eof, Error: c.Error}
		c = &protos.BodyChunk{Data: c.Data[:max]}
	}
	b.root.Send(to, c)
	if c.Eof || c.Error != "" {
		b.close(s)
		return
	}
	b.armIdle(s)
}

func (b *bodyServer) onWaitOver(m *bodyWaitOver) {
	s := m.s
	if b.streams[s.id] != s || s.waiter == nil || m.gen != s.waitGen {
		return
	}
	// Nothing yet: an empty chunk tells the reader the stream is alive.
	// The read goes on; the next pull waits for it.
	to := s.waiter
	s.waiter = nil
	b.root.Send(to, &protos.BodyChunk{})
	b.armIdle(s)
}

func (b *bodyServer) onIdle(m *bodyIdle) {
	s := m.s
	if b.streams[s.id] != s || s.waiter != nil || m.gen != s.idleGen {
		return
	}
	b.log.Info("closing a streamed body whose reader went away (no pull or keep within the expiry)", slog.Uint64("body", s.id), slog.Duration("expiry", b.expiry))
	b.close(s)
}

// onKeep restarts the expiry of a body whose reader is alive but not
// pulling now.
func (b *bodyServer) onKeep(m *protos.BodyKeep) {
	if s := b.streams[m.GetId()]; s != nil && s.waiter == nil {
		b.armIdle(s)
	}
}

func (b *bodyServer) onCancel(m *protos.BodyCancel) {
	if s := b.streams[m.GetId()]; s != nil {
		b.close(s)
		return
	}
	// Not claimed yet: the reader gave up before its first pull.
	if r := b.bodies.Take(m.GetId()); r != nil {
		_ = r.Close()
	}
}

// armIdle starts the expiry of s, which no pull is waiting on.
func (b *bodyServer) armIdle(s *servedBody) {
	s.idleGen++
	msg := &bodyIdle{s: s, gen: s.idleGen}
	if s.idle != nil {
		s.idle.Stop()
	}
	s.idle = time.AfterFunc(b.expiry, func() { b.root.Send(b.self, msg) })
}

func (b *bodyServer) stopWait(s *servedBody) {
	s.waitGen++
	if s.wait != nil {
		s.wait.Stop()
	}
}

// close forgets s and closes its body, which cancels the producer (and
// ends a read in progress).
func (b *bodyServer) close(s *servedBody) {
	delete(b.streams, s.id)
	if s.waiter != nil {
		b.root.Send(s.waiter, &protos.BodyChunk{Error: fmt.Sprintf("body stream %d on node %s was closed", s.id, b.self.GetAddress())})
		s.waiter = nil
	}
	b.stopWait(s)
	s.idleGen++
	if s.idle != nil {
		s.idle.Stop()
	}
	if err := s.r.Close(); err != nil {
		b.log.Debug("closing a streamed body", slog.Uint64("body", s.id), slog.Any("err", err))
	}
}
