package kv

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"sync"
	"time"
)

// Memory is a Store held in memory: the reference for the backends'
// behaviour (package kvtest runs the same suite on all of them), the store
// of jsvm's tests, and the model in simulations. It holds everything under
// one lock; it is exact, not fast.
//
// Versionstamps are one sequence per Memory: the n-th successful commit
// (to any scope) gets n as 8 big-endian bytes, then 2 zero bytes. A failed
// commit takes no number. Time comes from the clock given to NewMemory and
// is read only to hide expired entries.
//
// Memory does not enforce the limits (ValidateAtomic and friends): its
// callers do, before they call the store, as they must with any backend.
type Memory struct {
	now func() time.Time

	mu     sync.Mutex
	seq    uint64
	closed bool
	scopes map[scopeID]*memScope
}

var _ Store = (*Memory)(nil)

// scopeID is a Scope without its epoch: the store the scope names.
type scopeID struct{ project, instance string }

type memScope struct {
	keys     []string // encoded keys, sorted
	entries  map[string]memEntry
	epoch    int64
	owner    string
	watchers map[chan struct{}]struct{}
}

type memEntry struct {
	value    Value
	vs       Versionstamp
	expireAt time.Time // zero: never
}

// NewMemory returns an empty store reading the time from now (time.Now if
// nil).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, scopes: map[scopeID]*memScope{}}
}

// scope returns s's store, creating it. Callers hold m.mu.
func (m *Memory) scope(s Scope) *memScope {
	id := scopeID{s.Project, s.Instance}
	sc := m.scopes[id]
	if sc == nil {
		sc = &memScope{entries: map[string]memEntry{}, watchers: map[chan struct{}]struct{}{}}
		m.scopes[id] = sc
	}
	return sc
}

// visible returns key's entry unless it is absent or expired at now.
func (sc *memScope) visible(key string, now time.Time) (memEntry, bool) {
	e, ok := sc.entries[key]
	if !ok || e.expired(now) {
		return memEntry{}, false
	}
	return e, true
}

func (e memEntry) expired(now time.Time) bool {
	return !e.expireAt.IsZero() && !now.Before(e.expireAt)
}

func (e memEntry) entry(key string) Entry {
	return Entry{
		Key:          []byte(key),
		Value:        Value{Kind: e.value.Kind, Data: bytes.Clone(e.value.Data)},
		Versionstamp: e.vs,
		ExpireAt:     e.expireAt,
	}
}

func (m *Memory) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// Get implements Store. The entries are copies the caller owns.
func (m *Memory) Get(ctx context.Context, s Scope, keys [][]byte) ([]*Entry, error) {
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	sc, now := m.scope(s), m.now()
	out := make([]*Entry, len(keys))
	for i, k := range keys {
		if e, ok := sc.visible(string(k), now); ok {
			en := e.entry(string(k))
			out[i] = &en
		}
	}
	return out, nil
}

// List implements Store. The entries are copies the caller owns.
func (m *Memory) List(ctx context.Context, s Scope, r Range) ([]Entry, error) {
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	sc, now := m.scope(s), m.now()
	lo, _ := slices.BinarySearch(sc.keys, string(r.Start))
	hi, _ := slices.BinarySearch(sc.keys, string(r.End))
	var out []Entry
	for n := 0; n < hi-lo; n++ {
		i := lo + n
		if r.Reverse {
			i = hi - 1 - n
		}
		k := sc.keys[i]
		e := sc.entries[k]
		if e.expired(now) {
			continue
		}
		out = append(out, e.entry(k))
		if r.Limit > 0 && len(out) == r.Limit {
			break
		}
	}
	return out, nil
}

// Commit implements Store. It never returns ErrAmbiguous: a commit either
// happens under the lock or not at all.
func (m *Memory) Commit(ctx context.Context, s Scope, checks []Check, muts []Mutation) (Versionstamp, bool, error) {
	if err := m.lock(ctx); err != nil {
		return Versionstamp{}, false, err
	}
	defer m.mu.Unlock()
	sc, now := m.scope(s), m.now()
	if s.Epoch != 0 && s.Epoch != sc.epoch {
		return Versionstamp{}, false, ErrFenced
	}
	for _, c := range checks {
		e, ok := sc.visible(string(c.Key), now)
		if c.Versionstamp == nil && ok || c.Versionstamp != nil && (!ok || e.vs != *c.Versionstamp) {
			return Versionstamp{}, false, nil
		}
	}

	// Apply the mutations in order to a private overlay, so that an error
	// leaves the store untouched.
	type pending struct {
		value    *Value // nil: delete
		expireAt time.Time
	}
	overlay := map[string]pending{}
	var order []string
	for _, mu := range muts {
		k := string(mu.Key)
		var cur *Value
		if p, ok := overlay[k]; ok {
			cur = p.value
		} else if e, ok := sc.visible(k, now); ok {
			cur = &e.value
		}
		next, err := Apply(cur, mu)
		if err != nil {
			return Versionstamp{}, false, err
		}
		if _, ok := overlay[k]; !ok {
			order = append(order, k)
		}
		var exp time.Time
		if mu.Op == OpSet {
			exp = mu.ExpireAt
		}
		overlay[k] = pending{value: next, expireAt: exp}
	}

	m.seq++
	var vs Versionstamp
	binary.BigEndian.PutUint64(vs[:8], m.seq)
	for _, k := range order {
		p := overlay[k]
		i, found := slices.BinarySearch(sc.keys, k)
		if p.value == nil {
			if found {
				sc.keys = slices.Delete(sc.keys, i, i+1)
				delete(sc.entries, k)
			}
			continue
		}
		if !found {
			sc.keys = slices.Insert(sc.keys, i, k)
		}
		sc.entries[k] = memEntry{value: *p.value, vs: vs, expireAt: p.expireAt}
	}
	for ch := range sc.watchers {
		select {
		case ch <- struct{}{}:
		default: // a signal is already pending; it covers this commit too
		}
	}
	return vs, true, nil
}

// Changes implements Store. The channel is never closed; after stop it
// receives nothing more.
func (m *Memory) Changes(s Scope) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	m.mu.Lock()
	sc := m.scope(s)
	sc.watchers[ch] = struct{}{}
	m.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			m.mu.Lock()
			delete(sc.watchers, ch)
			m.mu.Unlock()
		})
	}
}

// Activate makes owner the writer of the instance's store and returns its
// new epoch, greater than every epoch returned before for that instance;
// commits with an older epoch fail with ErrFenced from then on.
func (m *Memory) Activate(ctx context.Context, project, instance, owner string) (int64, error) {
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	sc := m.scope(Scope{Project: project, Instance: instance})
	sc.epoch++
	sc.owner = owner
	return sc.epoch, nil
}

// Close makes every later call fail with ErrClosed.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}
