package placement

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Member is one cluster member as the directory knows it.
type Member struct {
	// ID names the member; it is what Entry.Owner holds.
	ID string
	// Region is the member's region, fixed for its lifetime.
	Region string
	// Address is where remoting reaches the member (host:port).
	Address string
}

// ErrUnknownMember means a heartbeat came from a member that never joined.
var ErrUnknownMember = errors.New("unknown member")

// Membership is a view of the members and their heartbeats. A member is
// alive at time now while now is strictly before its last heartbeat plus the
// lease; there is no other state (a paused member simply stops
// heartbeating). Different nodes may hold different views: placement uses
// the view only to choose, never to decide who may write.
//
// A Membership is not safe for concurrent use; its owner serializes calls.
type Membership struct {
	lease   time.Duration
	members map[string]memberRecord
}

type memberRecord struct {
	member Member
	last   time.Time
}

// NewMembership returns an empty view whose members stay alive for lease
// after each heartbeat.
func NewMembership(lease time.Duration) (*Membership, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("membership lease is %v: set a positive duration (a few heartbeat intervals)", lease)
	}
	return &Membership{lease: lease, members: map[string]memberRecord{}}, nil
}

// Lease returns how long a heartbeat keeps a member alive.
func (m *Membership) Lease() time.Duration { return m.lease }

// Join adds mem (or updates its region and address if it rejoins) and
// counts as a heartbeat at now.
func (m *Membership) Join(mem Member, now time.Time) error {
	if mem.ID == "" || mem.Region == "" {
		return fmt.Errorf("joining member %+v: both ID and Region must be set", mem)
	}
	rec := m.members[mem.ID]
	rec.member = mem
	if now.After(rec.last) {
		rec.last = now
	}
	m.members[mem.ID] = rec
	return nil
}

// Heartbeat records that member id was heard from at now. Heartbeats may
// arrive out of order; an older one never shortens the lease.
func (m *Membership) Heartbeat(id string, now time.Time) error {
	rec, ok := m.members[id]
	if !ok {
		return fmt.Errorf("heartbeat from %q: %w (call Join first)", id, ErrUnknownMember)
	}
	if now.After(rec.last) {
		rec.last = now
		m.members[id] = rec
	}
	return nil
}

// Leave removes member id (a graceful shutdown); its instances are then
// owned by a member that is not alive and move on their next request.
func (m *Membership) Leave(id string) {
	delete(m.members, id)
}

// Member returns the member named id, alive or not.
func (m *Membership) Member(id string) (Member, bool) {
	rec, ok := m.members[id]
	return rec.member, ok
}

// Alive reports whether member id's lease covers now.
func (m *Membership) Alive(id string, now time.Time) bool {
	rec, ok := m.members[id]
	return ok && now.Before(rec.last.Add(m.lease))
}

// Live returns the members alive at now, sorted by ID.
func (m *Membership) Live(now time.Time) []Member {
	var out []Member
	for id, rec := range m.members {
		if m.Alive(id, now) {
			out = append(out, rec.member)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
