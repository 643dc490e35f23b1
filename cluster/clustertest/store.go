// Package clustertest provides an in-memory member table and directory for
// tests that run a cluster member without a database. Its writes follow
// the pure core's rules (placement.Directory.Apply), the same rules the
// SQL in package persistence implements.
package clustertest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/persistence"
)

// Store is an in-memory member table and directory (cluster.MemberStore
// and cluster.DirectoryStore),
// with ActivateOwned (actors.Store's directory method). Safe for
// concurrent use.
type Store struct {
	// Clock is the store's clock (heartbeat times); time.Now by default.
	Clock func() time.Time

	mu      sync.Mutex
	members map[string]persistence.MemberRecord
	dir     placement.Directory
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{Clock: time.Now, members: map[string]persistence.MemberRecord{}}
}

// Heartbeat implements cluster.MemberStore.
func (s *Store) Heartbeat(_ context.Context, m persistence.MemberRecord) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock()
	if old, ok := s.members[m.ID]; ok {
		m.Started = old.Started
	} else {
		m.Started = now
	}
	m.Heartbeat = now
	s.members[m.ID] = m
	return now, nil
}

// Members implements cluster.MemberStore.
func (s *Store) Members(context.Context) ([]persistence.MemberRecord, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]persistence.MemberRecord, 0, len(s.members))
	for _, m := range s.members {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, s.Clock(), nil
}

// LeaveMember implements cluster.MemberStore.
func (s *Store) LeaveMember(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.members, id)
	return nil
}

// DirectoryEntry implements cluster.DirectoryStore.
func (s *Store) DirectoryEntry(_ context.Context, project, instance string) (placement.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.dir.Get(placement.Key{Project: project, Instance: instance})
	if !ok {
		return e, fmt.Errorf("coordinator %s of %s: %w", instance, project, persistence.ErrNotFound)
	}
	return e, nil
}

// CreateEntry implements cluster.DirectoryStore.
func (s *Store) CreateEntry(_ context.Context, e placement.Entry, _ []byte) (placement.Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.dir.Get(e.Key()); ok {
		return cur, false, nil
	}
	next, err := s.dir.Apply(placement.Decision{Action: placement.Create, Entry: e})
	if err != nil {
		return placement.Entry{}, false, err
	}
	s.dir = next
	return e, true, nil
}

// MoveEntry implements cluster.DirectoryStore.
func (s *Store) MoveEntry(_ context.Context, project, instance, to string, expected int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.moveLocked(placement.Key{Project: project, Instance: instance}, to, expected)
}

func (s *Store) moveLocked(k placement.Key, to string, expected int64) (int64, error) {
	cur, ok := s.dir.Get(k)
	if !ok {
		return 0, fmt.Errorf("moving %s: %w", k, persistence.ErrNotFound)
	}
	cur.Owner, cur.Epoch, cur.UpdatedAt = to, expected+1, time.Now()
	next, err := s.dir.Apply(placement.Decision{Action: placement.Move, Entry: cur, Expected: expected})
	if err != nil {
		return 0, err
	}
	s.dir = next
	return cur.Epoch, nil
}

// ActivateOwned is actors.Store's claim: the next epoch, for the owner only.
func (s *Store) ActivateOwned(_ context.Context, project, instance, owner string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := placement.Key{Project: project, Instance: instance}
	cur, ok := s.dir.Get(k)
	if !ok {
		return 0, fmt.Errorf("activating %s: %w", k, placement.ErrNotOwner)
	}
	dec, err := placement.Activate(cur, owner, time.Now())
	if err != nil {
		return 0, err
	}
	return s.moveLocked(k, owner, dec.Expected)
}
