package actors

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/protos"
)

// ErrBodyGone means a message names a streamed body that can no longer be
// read: it was taken already, or nobody claimed it within the expiry (the
// message was late, or its sender gave up).
var ErrBodyGone = errors.New("the streamed body is gone")

// remoteBody reads a body that another node's body server holds, one pull
// at a time. Read must not be called concurrently; Close may be called
// while a Read waits, and ends it.
type remoteBody struct {
	root   *actor.RootContext
	server *actor.PID
	id     uint64
	// timeout bounds each pull's answer; the server answers an empty
	// chunk after wait, so a quiet stream is not mistaken for a dead node.
	timeout, wait time.Duration

	buf  []byte
	end  error       // io.EOF or why the body failed, once the server said so or a pull failed
	over atomic.Bool // the server has forgotten the body (it ended or failed)

	// Between pulls a BodyKeep goes out every wait, so the server does
	// not take a slow consumer for a dead one.
	keepMu  sync.Mutex
	keepGen uint64 // 0 while no keeps are due (pulling, ended, closed)
	gens    uint64
	keep    *time.Timer

	closed    chan struct{}
	closeOnce sync.Once
}

// openRemoteBody claims body id from the body server at server and returns
// a reader for it. timeout bounds the answer to each pull; wait (shorter)
// is how long the server may hold a pull while the producer is quiet.
func openRemoteBody(root *actor.RootContext, server *actor.PID, id uint64, timeout, wait time.Duration) (io.ReadCloser, error) {
	b := &remoteBody{root: root, server: server, id: id, timeout: timeout, wait: max(wait, time.Millisecond), closed: make(chan struct{})}
	c, err := b.pull(0)
	if err != nil {
		return nil, err
	}
	if c.GetError() != "" {
		return nil, fmt.Errorf("%w: claiming body stream %d from node %s: %s", ErrBodyGone, id, server.GetAddress(), c.GetError())
	}
	b.keepAlive(true)
	return b, nil
}

// keepAlive starts (on) or stops the keeps between pulls.
func (b *remoteBody) keepAlive(on bool) {
	b.keepMu.Lock()
	defer b.keepMu.Unlock()
	if b.keep != nil {
		b.keep.Stop()
		b.keep = nil
	}
	b.keepGen = 0
	select {
	case <-b.closed:
		on = false
	default:
	}
	if on {
		b.keepGen = b.nextGen()
		b.scheduleKeep(b.keepGen)
	}
}

// nextGen is a generation for a new run of keeps, never 0. Called with
// keepMu held.
func (b *remoteBody) nextGen() uint64 {
	b.gens++
	return b.gens
}

// scheduleKeep sends a keep after wait, and again, while gen is current.
// Called with keepMu held.
func (b *remoteBody) scheduleKeep(gen uint64) {
	b.keep = time.AfterFunc(b.wait, func() {
		b.keepMu.Lock()
		defer b.keepMu.Unlock()
		if b.keepGen != gen {
			return
		}
		b.root.Send(b.server, &protos.BodyKeep{Id: b.id})
		b.scheduleKeep(gen)
	})
}

func (b *remoteBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		select {
		case <-b.closed:
			return 0, io.ErrClosedPipe
		default:
		}
		if len(b.buf) > 0 {
			n := copy(p, b.buf)
			b.buf = b.buf[n:]
			return n, nil
		}
		if b.end != nil {
			return 0, b.end
		}
		b.keepAlive(false)
		c, err := b.pull(bodyChunkSize)
		if err != nil {
			b.end = err
			return 0, err
		}
		b.buf = c.GetData()
		switch {
		case c.GetEof():
			b.end = io.EOF
			b.over.Store(true)
		case c.GetError() != "":
			b.end = fmt.Errorf("streamed body %d from node %s failed: %s", b.id, b.server.GetAddress(), c.GetError())
			b.over.Store(true)
		default:
			b.keepAlive(true)
		}
	}
}

// pull asks the server for up to max bytes and waits for the answer, the
// timeout, or Close.
func (b *remoteBody) pull(max int) (*protos.BodyChunk, error) {
	f := b.root.RequestFuture(b.server, &protos.BodyPull{Id: b.id, Max: uint32(max), WaitMs: b.wait.Milliseconds()}, b.timeout)
	type answer struct {
		v   any
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		v, err := f.Result()
		ch <- answer{v, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-b.closed:
		return nil, io.ErrClosedPipe
	}
	switch {
	case errors.Is(a.err, actor.ErrTimeout):
		return nil, fmt.Errorf("body stream %d: node %s did not answer a pull within %s (it may be down or overloaded): %w",
			b.id, b.server.GetAddress(), b.timeout, a.err)
	case a.err != nil:
		return nil, fmt.Errorf("pulling body stream %d from node %s: %w", b.id, b.server.GetAddress(), a.err)
	}
	c, ok := a.v.(*protos.BodyChunk)
	if !ok {
		return nil, fmt.Errorf("pulling body stream %d from node %s: the answer is a %T, want *protos.BodyChunk", b.id, b.server.GetAddress(), a.v)
	}
	return c, nil
}

// Close stops reading; before the end, it tells the server to close the
// body, which cancels its producer.
func (b *remoteBody) Close() error {
	b.closeOnce.Do(func() {
		close(b.closed) // first: a keepAlive(true) after this sees it
		b.keepAlive(false)
		if !b.over.Load() {
			b.root.Send(b.server, &protos.BodyCancel{Id: b.id})
		}
	})
	return nil
}
