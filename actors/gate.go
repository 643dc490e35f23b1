package actors

import (
	"context"
	"sync"

	"github.com/edge-platform/edge/persistence"
)

// outputGate: a response leaves only after the writes it may depend on are
// durable.
//
// What it promises. A coordinator's handler may write (Deno.storage.put) and
// then answer without awaiting the write. The gate holds that answer until
// every write accepted before the answer was produced is committed. If a
// commit fails, every answer waiting on it fails too and the activation is
// discarded, so no client ever sees a state that storage does not have.
//
// How. Writes are accepted into the open flush. One flush at a time is
// committed, in order; writes accepted while a flush is committing go into
// the next one, so a burst of writes costs one commit (per key, the last
// write wins inside a flush). A barrier is the newest flush holding writes:
// because flushes commit in order, when it is done so are all before it.
//
// Why there is no per-request tracking. Requests interleave at await points
// and may read each other's writes from the in-memory view, so an answer may
// depend on any write accepted before it; waiting for all of them is the
// simple rule that is always safe (workerd's output gate makes the same
// choice).
type outputGate struct {
	commit func(ctx context.Context, muts []persistence.Mutation) error

	mu       sync.Mutex
	open     *flush // accepting writes; nil when none are pending
	inflight *flush // being committed; nil when idle
	failed   error  // first commit failure; the gate stays failed
}

// flush is one group of writes committed together.
type flush struct {
	muts  map[string]persistence.Mutation
	order []string
	done  chan struct{}
	err   error
}

func newOutputGate(commit func(ctx context.Context, muts []persistence.Mutation) error) *outputGate {
	return &outputGate{commit: commit}
}

// write accepts m and returns the flush that will commit it. If the gate
// has failed, it returns the failure instead.
func (g *outputGate) write(m persistence.Mutation) (*flush, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failed != nil {
		return nil, g.failed
	}
	if g.open == nil {
		g.open = &flush{muts: map[string]persistence.Mutation{}, done: make(chan struct{})}
	}
	f := g.open
	if _, seen := f.muts[m.Key]; !seen {
		f.order = append(f.order, m.Key)
	}
	f.muts[m.Key] = m
	if g.inflight == nil {
		g.startLocked()
	}
	return f, nil
}

// barrier returns the newest flush with writes, or nil if everything
// accepted so far is already durable.
func (g *outputGate) barrier() *flush {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open != nil {
		return g.open
	}
	return g.inflight
}

// startLocked moves the open flush to inflight and commits it on a goroutine.
func (g *outputGate) startLocked() {
	f := g.open
	g.open = nil
	g.inflight = f
	go g.run(f)
}

func (g *outputGate) run(f *flush) {
	for f != nil {
		muts := make([]persistence.Mutation, 0, len(f.order))
		for _, k := range f.order {
			muts = append(muts, f.muts[k])
		}
		g.mu.Lock()
		failed := g.failed
		g.mu.Unlock()
		err := failed
		if err == nil {
			err = g.commit(context.Background(), muts)
		}
		f.err = err
		close(f.done)

		g.mu.Lock()
		if err != nil && g.failed == nil {
			g.failed = err
		}
		f = nil
		g.inflight = nil
		if g.open != nil {
			f = g.open
			g.open = nil
			g.inflight = f
		}
		g.mu.Unlock()
	}
}

// wait blocks until f is committed. A nil flush is already durable.
func (f *flush) wait(ctx context.Context) error {
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
