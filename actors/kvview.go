package actors

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/edge-platform/edge/kv"
)

// kvView is one instance's key-value store: the store, bound to a scope
// (a coordinator's own store, fenced by its epoch, or a project's shared
// store), behind the instance's output gate. A coordinator's view also
// keeps a cache of entries: its activation is the only writer of its scope,
// so an entry it read or wrote stays true until it writes it again.
// Workers share their project's store with other instances and nodes, so
// they read through to the store every time.
type kvView struct {
	store kv.Store
	scope kv.Scope
	gate  *outputGate
	cache *entryCache // nil: no cache (a shared store)
}

func newKVView(store kv.Store, scope kv.Scope, cached bool) *kvView {
	v := &kvView{store: store, scope: scope}
	if cached {
		v.cache = newEntryCache(time.Now)
	}
	v.gate = newOutputGate(func(ctx context.Context, muts []kv.Mutation) error {
		_, _, err := v.commit(ctx, nil, muts)
		return err
	})
	return v
}

// Get returns the entries of keys (nil where absent), from the cache where
// it can.
func (v *kvView) Get(ctx context.Context, keys [][]byte) ([]*kv.Entry, error) {
	if v.cache == nil {
		return v.store.Get(ctx, v.scope, keys)
	}
	out := make([]*kv.Entry, len(keys))
	var missKeys [][]byte
	var missAt []int
	for i, k := range keys {
		if e, ok := v.cache.get(k); ok {
			out[i] = e
			continue
		}
		missKeys = append(missKeys, k)
		missAt = append(missAt, i)
	}
	if len(missKeys) == 0 {
		return out, nil
	}
	token := v.cache.beginRead()
	got, err := v.store.Get(ctx, v.scope, missKeys)
	if err != nil {
		return nil, err
	}
	v.cache.fill(token, missKeys, got)
	for j, i := range missAt {
		out[i] = got[j]
	}
	return out, nil
}

// List reads a range from the store (the cache holds single keys only).
func (v *kvView) List(ctx context.Context, r kv.Range) ([]kv.Entry, error) {
	return v.store.List(ctx, v.scope, r)
}

// Commit runs a Deno KV atomic operation: straight to the store (grouped
// there with other commits), tracked by the output gate while in flight.
func (v *kvView) Commit(ctx context.Context, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error) {
	run, err := v.StartCommit(checks, muts)
	if err != nil {
		return kv.Versionstamp{}, false, err
	}
	return run(ctx)
}

// StartCommit registers a commit with the output gate now (jsvm calls it
// on the loop, when the script commits) and returns the function that
// performs it; see jsvm.CommitStarter.
func (v *kvView) StartCommit(checks []kv.Check, muts []kv.Mutation) (func(ctx context.Context) (kv.Versionstamp, bool, error), error) {
	done, err := v.gate.track()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (kv.Versionstamp, bool, error) {
		vs, ok, err := v.commit(ctx, checks, muts)
		if errors.Is(err, kv.ErrAmbiguous) || errors.Is(err, kv.ErrFenced) {
			done(err)
		} else {
			done(nil)
		}
		return vs, ok, err
	}, nil
}

// Changes reports commits to the scope (by anyone the store can see).
func (v *kvView) Changes() (<-chan struct{}, func()) { return v.store.Changes(v.scope) }

// commit is Commit without the gate (the gate's own flushes use it).
func (v *kvView) commit(ctx context.Context, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error) {
	if v.cache == nil {
		return v.store.Commit(ctx, v.scope, checks, muts)
	}
	v.cache.beginCommit()
	vs, ok, err := v.store.Commit(ctx, v.scope, checks, muts)
	v.cache.endCommit(vs, ok && err == nil, muts, err)
	return vs, ok, err
}

// entryCache is a coordinator's cache of its own entries by encoded key.
//
// Commits can complete out of order (they are grouped by the store), so a
// committed set or delete is recorded only over an older versionstamp, and
// a sum, min or max (whose result depends on commits that may not have
// completed yet) marks the key unknown instead. A value read from the store is
// cached only if no commit was in flight or completed while it was read:
// otherwise it may be older than a commit the cache already knows.
type entryCache struct {
	now func() time.Time

	mu       sync.Mutex
	entries  map[string]cacheItem
	inflight int    // commits in progress
	ended    uint64 // commits completed, ever
}

type cacheItem struct {
	entry *kv.Entry       // nil: the key is absent
	vs    kv.Versionstamp // of the entry, or of the delete; zero if read as absent
	// unknown: a sum, min or max at vs changed the key, and its result is
	// not known here; the item only keeps older commits from landing.
	unknown bool
}

// maxCacheEntries bounds the cache; past it, it starts over (a coordinator
// with a larger working set reads some keys from the store again).
const maxCacheEntries = 100_000

func newEntryCache(now func() time.Time) *entryCache {
	return &entryCache{now: now, entries: map[string]cacheItem{}}
}

func (c *entryCache) get(key []byte) (*kv.Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.entries[string(key)]
	if !ok || it.unknown {
		return nil, false
	}
	if it.entry != nil && !it.entry.ExpireAt.IsZero() && !c.now().Before(it.entry.ExpireAt) {
		delete(c.entries, string(key))
		return nil, true // expired: absent (the store's sweeper deletes it)
	}
	return it.entry, true
}

type readToken struct {
	ok    bool
	ended uint64
}

func (c *entryCache) beginRead() readToken {
	c.mu.Lock()
	defer c.mu.Unlock()
	return readToken{ok: c.inflight == 0, ended: c.ended}
}

func (c *entryCache) fill(t readToken, keys [][]byte, got []*kv.Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !t.ok || c.inflight != 0 || c.ended != t.ended {
		return
	}
	c.makeRoom(len(keys))
	for i, k := range keys {
		if it, ok := c.entries[string(k)]; ok && !it.unknown {
			continue
		}
		it := cacheItem{entry: got[i]}
		if got[i] != nil {
			it.vs = got[i].Versionstamp
		}
		c.entries[string(k)] = it
	}
}

func (c *entryCache) beginCommit() {
	c.mu.Lock()
	c.inflight++
	c.mu.Unlock()
}

func (c *entryCache) endCommit(vs kv.Versionstamp, committed bool, muts []kv.Mutation, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight--
	c.ended++
	if err != nil && !committed {
		if errors.Is(err, kv.ErrAmbiguous) {
			clear(c.entries) // it may have happened: trust nothing
		}
		return
	}
	if !committed {
		return
	}
	c.makeRoom(len(muts))
	for _, m := range muts {
		k := string(m.Key)
		old, had := c.entries[k]
		if had && old.vs.Compare(vs) > 0 {
			continue // a later commit already landed here
		}
		switch m.Op {
		case kv.OpSet:
			c.entries[k] = cacheItem{vs: vs, entry: &kv.Entry{Key: m.Key, Value: m.Value, Versionstamp: vs, ExpireAt: m.ExpireAt}}
		case kv.OpDelete:
			c.entries[k] = cacheItem{vs: vs}
		default:
			c.entries[k] = cacheItem{vs: vs, unknown: true}
		}
	}
}

func (c *entryCache) makeRoom(n int) {
	if len(c.entries)+n > maxCacheEntries {
		clear(c.entries)
	}
}
