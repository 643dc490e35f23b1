package persistence

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/edge-platform/edge/kv"
)

// groupCommitter turns many concurrent commits into few transactions. One
// goroutine takes whatever requests are waiting (up to maxGroup) and hands
// them to run together, so under load the cost of a transaction and its
// fsync is shared; with one caller it adds no waiting at all (there is no
// timer: a lone request is committed as soon as it arrives).
//
// A group that starts small waits for company without a timer: when the
// first drain finds fewer than smallGroup requests, the goroutine yields
// its processor yieldsForCompany times (runtime.Gosched) and drains again.
// Goroutines that are ready to run go first, and under load some of them
// are handlers about to commit: with increments spread over 1,000
// coordinators groups held ~1.7 requests, each paying its own
// transaction. Yielding raised that load's throughput by about a fifth,
// and a hot coordinator's by a tenth (docs/BENCHMARKS.md). With nothing
// else ready to run, a yield returns at once, so a lone caller still
// waits for nothing (its median latency did not move).
//
// run gets the requests in arrival order and returns one result per
// request, in the same order.
type groupCommitter[Req, Res any] struct {
	queue chan pendingCommit[Req, Res]
	run   func([]Req) []Res
	done  chan struct{}
	once  sync.Once
	mu    sync.RWMutex // held for reading while submitting, for writing by close
	shut  bool
}

type pendingCommit[Req, Res any] struct {
	req Req
	res chan Res
}

// maxGroup bounds one transaction so that a burst cannot hold the write
// lock for long; the rest go in the next transaction. It must stay below
// 65,536: a request's position in its group is the last two bytes of its
// versionstamp.
const maxGroup = 512

// smallGroup and yieldsForCompany: see the type's comment.
const (
	smallGroup       = 16
	yieldsForCompany = 4
)

func newGroupCommitter[Req, Res any](run func([]Req) []Res) *groupCommitter[Req, Res] {
	g := &groupCommitter[Req, Res]{queue: make(chan pendingCommit[Req, Res], maxGroup), run: run, done: make(chan struct{})}
	go g.loop()
	return g
}

// submit hands req to the committer and waits for its result. The error is
// ErrClosed, ctx's error when req was never handed over (so it was
// definitely not committed), or kv.ErrAmbiguous when ctx ended after it was.
func (g *groupCommitter[Req, Res]) submit(ctx context.Context, req Req) (Res, error) {
	var zero Res
	p := pendingCommit[Req, Res]{req: req, res: make(chan Res, 1)}
	g.mu.RLock()
	if g.shut {
		g.mu.RUnlock()
		return zero, kv.ErrClosed
	}
	select {
	case g.queue <- p:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return zero, ctx.Err() // not handed over: definitely not committed
	}
	select {
	case r := <-p.res:
		return r, nil
	case <-ctx.Done():
		return zero, fmt.Errorf("%w: %w", kv.ErrAmbiguous, ctx.Err())
	}
}

func (g *groupCommitter[Req, Res]) loop() {
	defer close(g.done)
	for first := range g.queue {
		pending := g.drain([]pendingCommit[Req, Res]{first})
		if len(pending) < smallGroup {
			for range yieldsForCompany {
				runtime.Gosched()
			}
			pending = g.drain(pending)
		}
		reqs := make([]Req, len(pending))
		for i, p := range pending {
			reqs[i] = p.req
		}
		res := g.run(reqs)
		for i, p := range pending {
			p.res <- res[i]
		}
	}
}

// drain appends the requests waiting in the queue to pending, up to
// maxGroup in all, without waiting for more.
func (g *groupCommitter[Req, Res]) drain(pending []pendingCommit[Req, Res]) []pendingCommit[Req, Res] {
	for len(pending) < maxGroup {
		select {
		case p, ok := <-g.queue:
			if !ok {
				return pending
			}
			pending = append(pending, p)
		default:
			return pending
		}
	}
	return pending
}

// close stops accepting commits and waits for queued ones to finish.
func (g *groupCommitter[Req, Res]) close() {
	g.once.Do(func() {
		g.mu.Lock()
		g.shut = true
		close(g.queue)
		g.mu.Unlock()
		<-g.done
	})
}
