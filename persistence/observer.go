package persistence

import (
	"sync/atomic"
	"time"
)

// CommitObserver is told about every commit group a store runs (one
// database transaction, see kvcommit.go): how many commits (kv.Store.Commit
// calls) and mutations it held, how long it took from beginning its
// transaction to ending it, and its error: nil if it committed (some of
// its operations may still have failed on their own, as kv.Store.Commit
// reports them), else the error every commit of the group got.
//
// GroupCommitted runs on the store's committer goroutine, after the
// group's transaction has ended and before its callers get their results,
// so it must be quick and must never block or call back into the store.
// *metrics.Metrics implements it.
type CommitObserver interface {
	GroupCommitted(commits, mutations int, d time.Duration, err error)
}

// SetCommitObserver makes o observe every commit group of s from now on
// (nil: none). It is safe to call at any time, concurrently with commits.
func (s *SQLite) SetCommitObserver(o CommitObserver) { s.obs.set(o) }

// SetCommitObserver makes o observe every commit group of p from now on
// (nil: none). It is safe to call at any time, concurrently with commits.
func (p *Postgres) SetCommitObserver(o CommitObserver) { p.obs.set(o) }

// commitObserver holds a store's CommitObserver. The committer goroutine
// loads it once per group, so setting it takes no lock on either side.
// Its zero value has no observer.
type commitObserver struct {
	p atomic.Pointer[observerRef]
}

// observerRef boxes the interface: atomic.Pointer needs a concrete type.
type observerRef struct{ o CommitObserver }

func (c *commitObserver) set(o CommitObserver) {
	if o == nil {
		c.p.Store(nil)
		return
	}
	c.p.Store(&observerRef{o})
}

// get returns the observer, nil if none (or if c is nil).
func (c *commitObserver) get() CommitObserver {
	if c == nil {
		return nil
	}
	if r := c.p.Load(); r != nil {
		return r.o
	}
	return nil
}

// mutationsOf counts the mutations of a group's requests.
func mutationsOf(reqs []commitReq) int {
	n := 0
	for _, r := range reqs {
		n += len(r.muts)
	}
	return n
}
