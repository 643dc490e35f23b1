package actors

import (
	"context"
	"fmt"
	"sync"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/persistence"
)

// Store is the durable storage a coordinator activation needs. persistence's
// SQLite (and, for clusters, Postgres) satisfies it.
//
// Activate records a new owner and returns a fresh epoch; every Commit
// carries the epoch and fails with persistence.ErrFenced once a newer
// activation exists, writing nothing. Commit may also fail with
// persistence.ErrAmbiguous (outcome unknown): the caller must discard its
// view and re-read.
type Store interface {
	Activate(ctx context.Context, project, instance, owner string) (epoch int64, err error)
	Get(ctx context.Context, project, instance, key string) ([]byte, bool, error)
	Commit(ctx context.Context, b persistence.Batch) error
}

var _ Store = (*persistence.SQLite)(nil)

// storageView is one activation's Deno.storage: an in-memory view in front
// of the store. Reads come from the view (this activation is the only
// writer, so the view is never stale); a miss reads the store once. Writes
// change the view at once and are committed through the output gate.
//
// The view only grows with keys the program touched; it is dropped with the
// activation.
type storageView struct {
	store    Store
	project  string
	instance string
	epoch    int64
	gate     *outputGate

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	value []byte
	found bool
}

var _ jsvm.Storage = (*storageView)(nil)

func newStorageView(store Store, project, instance string, epoch int64) *storageView {
	v := &storageView{store: store, project: project, instance: instance, epoch: epoch, cache: map[string]cached{}}
	v.gate = newOutputGate(func(ctx context.Context, muts []persistence.Mutation) error {
		return store.Commit(ctx, persistence.Batch{Project: project, Instance: instance, Epoch: epoch, Mutations: muts})
	})
	return v
}

func (v *storageView) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v.mu.Lock()
	c, ok := v.cache[key]
	v.mu.Unlock()
	if ok {
		return c.value, c.found, nil
	}
	val, found, err := v.store.Get(ctx, v.project, v.instance, key)
	if err != nil {
		return nil, false, fmt.Errorf("reading storage: %w", err)
	}
	v.mu.Lock()
	// A write made while we were reading wins over what we read.
	if c, ok := v.cache[key]; ok {
		v.mu.Unlock()
		return c.value, c.found, nil
	}
	v.cache[key] = cached{value: val, found: found}
	v.mu.Unlock()
	return val, found, nil
}

func (v *storageView) Put(_ context.Context, key string, value []byte) (jsvm.Durable, error) {
	f, err := v.gate.write(persistence.Mutation{Key: key, Value: value})
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	v.cache[key] = cached{value: value, found: true}
	v.mu.Unlock()
	return f.wait, nil
}

func (v *storageView) Delete(ctx context.Context, key string) (bool, jsvm.Durable, error) {
	_, existed, err := v.Get(ctx, key)
	if err != nil {
		return false, nil, err
	}
	f, err := v.gate.write(persistence.Mutation{Key: key, Delete: true})
	if err != nil {
		return false, nil, err
	}
	v.mu.Lock()
	v.cache[key] = cached{found: false}
	v.mu.Unlock()
	return existed, f.wait, nil
}
