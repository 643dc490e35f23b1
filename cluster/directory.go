package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/persistence"
)

// DirectoryStore is the shared directory table (package persistence): the
// two writes placement allows, insert-if-absent and compare-and-set on the
// epoch, performed by the store so that they hold whatever nodes believe.
type DirectoryStore interface {
	DirectoryEntry(ctx context.Context, project, instance string) (placement.Entry, error)
	CreateEntry(ctx context.Context, e placement.Entry, rawSettings []byte) (placement.Entry, bool, error)
	MoveEntry(ctx context.Context, project, instance, to string, expected int64) (int64, error)
}

// ErrUnavailable means no member may run the coordinator now (a pinned
// region with nobody alive, or no member at all); retry later.
var ErrUnavailable = errors.New("coordinator unavailable")

// Directory answers where a coordinator instance runs. It reads the store,
// lets placement decide, and writes the decision back with the store's
// conditional writes; a lost race re-reads and decides again. It caches
// entries whose owner is alive: a cached entry is checked against the
// membership view on every use (a dead owner moves it), and a stale one
// (the owner no longer holds it) costs the caller one Invalidate and a
// retry, never a wrong answer, because the owner checks its claim in the
// store when it activates.
type Directory struct {
	store   DirectoryStore
	members *Members
	log     *slog.Logger

	mu    sync.Mutex
	cache map[placement.Key]placement.Entry
}

// NewDirectory returns a directory over store, placing with members' view.
func NewDirectory(store DirectoryStore, members *Members, log *slog.Logger) *Directory {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Directory{store: store, members: members, log: log, cache: map[placement.Key]placement.Entry{}}
}

// locateAttempts bounds how many lost races Locate tolerates in a row.
const locateAttempts = 8

// Locate returns the entry of key with a live owner. An instance with no
// entry is created, with the creation settings raw (the
// Edge-Coordinator-Settings JSON, or nil) and created is true for exactly
// one caller in the whole cluster; an instance whose owner is dead moves.
func (d *Directory) Locate(ctx context.Context, key placement.Key, raw []byte) (e placement.Entry, created bool, err error) {
	settings, err := ParseSettings(raw)
	if err != nil {
		return placement.Entry{}, false, err
	}
	self := d.members.Self()
	confirmed := false // the membership was re-read for a move
	for range locateAttempts {
		cur, cached, err := d.read(ctx, key)
		if err != nil {
			return placement.Entry{}, false, err
		}
		view, now := d.members.Snapshot()
		dec, err := placement.Place(cur, key, self, settings, view, now)
		if err != nil {
			if errors.Is(err, placement.ErrNoMember) {
				return placement.Entry{}, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
			return placement.Entry{}, false, err
		}
		switch dec.Action {
		case placement.Keep:
			if !cached {
				d.put(dec.Entry)
			}
			return dec.Entry, false, nil
		case placement.Create:
			stored, created, err := d.store.CreateEntry(ctx, dec.Entry, raw)
			if err != nil {
				return placement.Entry{}, false, fmt.Errorf("creating %s in the directory: %w", key, err)
			}
			d.put(stored)
			if created {
				d.log.Debug("coordinator created", slog.String("instance", key.String()), slog.String("owner", stored.Owner), slog.String("region", stored.Region))
				return stored, true, nil
			}
			// Another node created it first: place again from its entry
			// (normally a Keep).
		case placement.Move:
			if !confirmed {
				// A move takes an instance from a member this node's view
				// says is gone; the view may be stale (a node that just
				// started has not yet seen the others' heartbeats). Decide
				// again from a fresh read of members and entry.
				confirmed = true
				if err := d.members.refresh(ctx); err != nil {
					return placement.Entry{}, false, fmt.Errorf("re-reading the members before moving %s: %w", key, err)
				}
				d.Invalidate(key)
				continue
			}
			epoch, err := d.store.MoveEntry(ctx, key.Project, key.Instance, dec.Entry.Owner, dec.Expected)
			if errors.Is(err, placement.ErrStaleEpoch) || errors.Is(err, persistence.ErrNotFound) {
				d.Invalidate(key)
				continue
			}
			if err != nil {
				return placement.Entry{}, false, fmt.Errorf("moving %s in the directory: %w", key, err)
			}
			moved := dec.Entry
			moved.Epoch = epoch
			d.put(moved)
			d.log.Info("coordinator moved", slog.String("instance", key.String()), slog.String("from", cur.Owner), slog.String("to", moved.Owner), slog.Int64("epoch", epoch))
			return moved, false, nil
		}
	}
	return placement.Entry{}, false, fmt.Errorf("locating %s: the directory entry changed under %d attempts in a row; retry", key, locateAttempts)
}

// read returns the cached entry of key (cached is true), or the stored one
// (nil if none).
func (d *Directory) read(ctx context.Context, key placement.Key) (e *placement.Entry, cached bool, err error) {
	if c, ok := d.Cached(key); ok {
		return &c, true, nil
	}
	stored, err := d.store.DirectoryEntry(ctx, key.Project, key.Instance)
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s from the directory: %w", key, err)
	}
	return &stored, false, nil
}

// Cached returns the cached entry of key, without reading the store.
func (d *Directory) Cached(key placement.Key) (placement.Entry, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.cache[key]
	return e, ok
}

func (d *Directory) put(e placement.Entry) {
	d.mu.Lock()
	d.cache[e.Key()] = e
	d.mu.Unlock()
}

// Invalidate forgets the cached entry of key: the next Locate reads it.
func (d *Directory) Invalidate(key placement.Key) {
	d.mu.Lock()
	delete(d.cache, key)
	d.mu.Unlock()
}

// InvalidateProject forgets every cached entry of project.
func (d *Directory) InvalidateProject(project string) {
	d.mu.Lock()
	for k := range d.cache {
		if k.Project == project {
			delete(d.cache, k)
		}
	}
	d.mu.Unlock()
}

// Len returns how many entries are cached (instances this node routes to).
func (d *Directory) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.cache)
}
