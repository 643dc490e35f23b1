package actors

import (
	"context"
	"sync"

	"github.com/edge-platform/edge/kv"
)

// outputGate: a response leaves only after the writes it may depend on are
// durable.
//
// What it promises. A handler may write (Deno.storage.put, or a Deno KV
// commit it does not await) and then answer. The gate holds that answer
// until every write accepted before the answer was produced is committed.
// If a commit fails in a way that leaves the instance's view of its storage
// in doubt (fenced, or outcome unknown), every answer waiting on it fails
// too and the activation is discarded, so no client ever sees a state that
// storage does not have.
//
// How. Deno.storage writes are accepted into the open flush. One flush at a
// time is committed, in order; writes accepted while a flush is committing
// go into the next one, so a burst of writes costs one commit (per key, the
// last write wins inside a flush). Deno KV commits go to the store at once
// (they carry their own checks and versionstamps) and are tracked while in
// flight. A barrier is the newest flush holding writes plus every KV commit
// in flight: because flushes commit in order, when the newest is done so
// are all before it.
//
// Why there is no per-request tracking. Requests interleave at await points
// and may read each other's writes from the in-memory view, so an answer may
// depend on any write accepted before it; waiting for all of them is the
// simple rule that is always safe (workerd's output gate makes the same
// choice).
type outputGate struct {
	commit func(ctx context.Context, muts []kv.Mutation) error

	mu       sync.Mutex
	open     *flush // accepting writes; nil when none are pending
	inflight *flush // being committed; nil when idle
	tracked  map[*flush]struct{}
	failed   error // first commit failure; the gate stays failed
}

// flush is one group of writes committed together, or one tracked commit.
type flush struct {
	muts  map[string]kv.Mutation
	order []string
	done  chan struct{}
	err   error
}

func newOutputGate(commit func(ctx context.Context, muts []kv.Mutation) error) *outputGate {
	return &outputGate{commit: commit, tracked: map[*flush]struct{}{}}
}

// write accepts m and returns the flush that will commit it. If the gate
// has failed, it returns the failure instead.
func (g *outputGate) write(m kv.Mutation) (*flush, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failed != nil {
		return nil, g.failed
	}
	if g.open == nil {
		g.open = &flush{muts: map[string]kv.Mutation{}, done: make(chan struct{})}
	}
	f := g.open
	k := string(m.Key)
	if _, seen := f.muts[k]; !seen {
		f.order = append(f.order, k)
	}
	f.muts[k] = m
	if g.inflight == nil {
		g.startLocked()
	}
	return f, nil
}

// pending returns the newest write to key that is accepted but not yet
// committed (the open flush first, then the one committing).
func (g *outputGate) pending(key []byte) (kv.Mutation, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, f := range []*flush{g.open, g.inflight} {
		if f != nil {
			if m, ok := f.muts[string(key)]; ok {
				return m, true
			}
		}
	}
	return kv.Mutation{}, false
}

// pendingIn returns the writes not yet committed whose keys are in
// [start, end), newest per key.
func (g *outputGate) pendingIn(start, end []byte) map[string]kv.Mutation {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]kv.Mutation{}
	for _, f := range []*flush{g.inflight, g.open} { // older first: newer overwrite
		if f == nil {
			continue
		}
		for k, m := range f.muts {
			if k >= string(start) && k < string(end) {
				out[k] = m
			}
		}
	}
	return out
}

// track registers a commit made outside the flushes (a Deno KV atomic
// operation); barriers include it until done is called. done(err) with a
// non-nil err fails the gate: pass only errors that put the view in doubt.
func (g *outputGate) track() (done func(err error), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failed != nil {
		return nil, g.failed
	}
	f := &flush{done: make(chan struct{})}
	g.tracked[f] = struct{}{}
	return func(err error) {
		g.mu.Lock()
		delete(g.tracked, f)
		if err != nil && g.failed == nil {
			g.failed = err
		}
		g.mu.Unlock()
		f.err = err
		close(f.done)
	}, nil
}

// barrier is what a response waits for: a snapshot of the writes accepted
// so far. The zero barrier is already durable.
type barrier []*flush

// barrier returns the writes a response produced now must wait for. Once
// the gate has failed, every barrier fails: a write the handler made after
// the failure was refused (and may have been ignored by its code), and one
// made before it may be lost, so no later answer may claim success.
func (g *outputGate) barrier() barrier {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failed != nil {
		f := &flush{done: make(chan struct{}), err: g.failed}
		close(f.done)
		return barrier{f}
	}
	var b barrier
	if g.open != nil {
		b = append(b, g.open)
	} else if g.inflight != nil {
		b = append(b, g.inflight)
	}
	for f := range g.tracked {
		b = append(b, f)
	}
	return b
}

// idle reports whether nothing is waiting to be committed.
func (g *outputGate) idle() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open == nil && g.inflight == nil && len(g.tracked) == 0
}

// wait blocks until every write in b is committed, or returns the first
// failure.
func (b barrier) wait(ctx context.Context) error {
	for _, f := range b {
		if err := f.wait(ctx); err != nil {
			return err
		}
	}
	return nil
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
		muts := make([]kv.Mutation, 0, len(f.order))
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

		g.mu.Lock()
		if err != nil && g.failed == nil {
			g.failed = err
		}
		// Done before inflight is cleared: a reader that misses the write
		// in pending() finds it committed.
		close(f.done)
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

// wait blocks until f is committed.
func (f *flush) wait(ctx context.Context) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
