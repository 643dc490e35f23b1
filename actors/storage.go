package actors

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
)

// Store is the durable storage instances need: a key-value store of many
// scopes (package persistence: SQLite, Postgres) that also hands out
// fencing epochs. Activate records a new owner of a coordinator and returns
// a fresh epoch; every commit carries the epoch of its activation and fails
// with kv.ErrFenced, writing nothing, once a newer activation exists.
//
// The directory (EnsureCoordinator) records every coordinator instance:
// duplicates are created there on their first request.
type Store interface {
	kv.Store
	// ActivateOwned starts a new activation (a new epoch) of an instance
	// the directory gives to owner; it fails with placement.ErrNotOwner if
	// the directory names another member.
	ActivateOwned(ctx context.Context, project, instance, owner string) (epoch int64, err error)
	TouchCoordinator(ctx context.Context, project, instance string, at time.Time) error
}

// storageView is Deno.storage: the proposal's small API on top of the
// instance's key-value store. Deno.storage key k is the Deno KV key [k], so
// Deno.openKv() sees the same data. Writes are accepted at once (a read
// sees them before they commit) and committed through the output gate;
// their promises resolve once durable.
type storageView struct {
	kv *kvView
}

var _ jsvm.Storage = (*storageView)(nil)

func storageKey(key string) ([]byte, error) {
	k, err := kv.EncodeKey(kv.Key{key})
	if err != nil {
		return nil, fmt.Errorf("Deno.storage key %q: %w", key, err)
	}
	return k, nil
}

func (s *storageView) Get(ctx context.Context, key string) (kv.Value, bool, error) {
	k, err := storageKey(key)
	if err != nil {
		return kv.Value{}, false, err
	}
	if m, ok := s.kv.gate.pending(k); ok {
		return m.Value, m.Op == kv.OpSet, nil
	}
	got, err := s.kv.Get(ctx, [][]byte{k})
	if err != nil {
		return kv.Value{}, false, fmt.Errorf("reading storage: %w", err)
	}
	if got[0] == nil {
		return kv.Value{}, false, nil
	}
	return got[0].Value, true, nil
}

func (s *storageView) Put(_ context.Context, key string, value kv.Value) (jsvm.Durable, error) {
	k, err := storageKey(key)
	if err != nil {
		return nil, err
	}
	f, err := s.kv.gate.write(kv.Mutation{Key: k, Op: kv.OpSet, Value: value})
	if err != nil {
		return nil, err
	}
	return f.wait, nil
}

func (s *storageView) Delete(ctx context.Context, key string) (bool, jsvm.Durable, error) {
	_, existed, err := s.Get(ctx, key)
	if err != nil {
		return false, nil, err
	}
	k, err := storageKey(key)
	if err != nil {
		return false, nil, err
	}
	f, err := s.kv.gate.write(kv.Mutation{Key: k, Op: kv.OpDelete})
	if err != nil {
		return false, nil, err
	}
	return existed, f.wait, nil
}

// List returns the Deno.storage entries (keys that are a single string)
// selected by o, in key order (reversed with o.Reverse), at most o.Limit
// of them (0: all), including writes not yet committed.
func (s *storageView) List(ctx context.Context, o jsvm.StorageList) ([]jsvm.StorageItem, error) {
	start, end, err := storageRange(o)
	if err != nil {
		return nil, err
	}
	if bytes.Compare(start, end) >= 0 {
		return nil, nil
	}
	pend := s.kv.gate.pendingIn(start, end)
	type item struct {
		key []byte
		val kv.Value
	}
	var fromStore []item
	pageSize := kv.MaxReadEntries
	if o.Limit > 0 && o.Limit < pageSize {
		pageSize = max(o.Limit, 100)
	}
	lo, hi := start, end
	var last []byte // the last key read from the store, if it stopped early
	for {
		page, err := s.kv.List(ctx, kv.Range{Start: lo, End: hi, Reverse: o.Reverse, Limit: pageSize})
		if err != nil {
			return nil, fmt.Errorf("listing storage: %w", err)
		}
		for _, e := range page {
			if _, p := pend[string(e.Key)]; p {
				continue // a write not yet committed replaces it
			}
			if _, ok := storageKeyOf(e.Key); ok {
				fromStore = append(fromStore, item{e.Key, e.Value})
			}
		}
		if len(page) < pageSize {
			last = nil
			break
		}
		last = page[len(page)-1].Key
		if o.Limit > 0 && len(fromStore) >= o.Limit {
			break
		}
		if o.Reverse {
			hi = last
		} else {
			lo = append(slices.Clip(last), 0)
		}
	}
	all := fromStore
	for k, m := range pend {
		if m.Op != kv.OpSet {
			continue
		}
		kb := []byte(k)
		if _, ok := storageKeyOf(kb); !ok {
			continue
		}
		// Past where the store read stopped, the store's own entries are
		// unknown; those pending writes would come after Limit entries.
		if last != nil && (!o.Reverse && bytes.Compare(kb, last) > 0 || o.Reverse && bytes.Compare(kb, last) < 0) {
			continue
		}
		all = append(all, item{kb, m.Value})
	}
	slices.SortFunc(all, func(a, b item) int {
		if o.Reverse {
			return bytes.Compare(b.key, a.key)
		}
		return bytes.Compare(a.key, b.key)
	})
	if o.Limit > 0 && len(all) > o.Limit {
		all = all[:o.Limit]
	}
	out := make([]jsvm.StorageItem, len(all))
	for i, it := range all {
		k, _ := storageKeyOf(it.key)
		out[i] = jsvm.StorageItem{Key: k, Value: it.val}
	}
	return out, nil
}

// storageKeyOf returns the string of a key that is a single string part.
func storageKeyOf(enc []byte) (string, bool) {
	k, err := kv.DecodeKey(enc)
	if err != nil || len(k) != 1 {
		return "", false
	}
	s, ok := k[0].(string)
	return s, ok
}

// storageRange is the encoded key range o selects: keys [k] with k
// starting with o.Prefix, and k >= o.Start, k < o.End when given.
func storageRange(o jsvm.StorageList) (start, end []byte, err error) {
	// Every [string] key encodes as 0x02, the escaped UTF-8, 0x00; the
	// escaped string alone is a byte prefix of every longer string's
	// encoding, and no encoded string byte is 0xFF unless it follows 0x00.
	p, err := storageKey(o.Prefix)
	if err != nil {
		return nil, nil, err
	}
	p = p[:len(p)-1] // drop the terminator
	start = p
	end = append(slices.Clip(p), 0xFF)
	if o.Start != nil {
		s, err := storageKey(*o.Start)
		if err != nil {
			return nil, nil, err
		}
		if bytes.Compare(s, start) > 0 {
			start = s
		}
	}
	if o.End != nil {
		e, err := storageKey(*o.End)
		if err != nil {
			return nil, nil, err
		}
		if bytes.Compare(e, end) < 0 {
			end = e
		}
	}
	return start, end, nil
}
