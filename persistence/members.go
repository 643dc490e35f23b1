package persistence

import (
	"context"
	"fmt"
	"time"
)

// The cluster's members: table members(id, region, address, started_ms,
// heartbeat_ms), one row per node, refreshed by its heartbeats and deleted
// when it leaves. Liveness is judged elsewhere (cluster/placement's
// Membership), against the store's clock as Members reads it, never a
// node's own: the heartbeats are written with that same clock, so nodes
// whose clocks disagree still agree on who is alive. Written once against
// querier, like deployments.go.

// MemberRecord is one cluster member as the store knows it.
type MemberRecord struct {
	ID, Region, Address string
	// Started is the store's clock at the member's first heartbeat (kept
	// until the row is deleted); Heartbeat at its latest.
	Started, Heartbeat time.Time
}

func validMember(m MemberRecord) error {
	if m.ID == "" || m.Region == "" {
		return fmt.Errorf("member %q in region %q: the member ID and region must not be empty (set the node's cluster ID and region): %w",
			m.ID, m.Region, ErrInvalid)
	}
	return nil
}

// Heartbeat records that member m is alive: it upserts m's row with the
// store's clock as its heartbeat, replacing its region and address, and
// returns the heartbeat written. A member's first heartbeat also sets its
// Started, which later ones keep. ErrInvalid for an empty ID or region.
func (a adminSQL) Heartbeat(ctx context.Context, m MemberRecord) (time.Time, error) {
	if err := validMember(m); err != nil {
		return time.Time{}, err
	}
	// The clock is read once, in the WITH, so that a first heartbeat's
	// started and heartbeat are the same instant. (The WHERE resolves
	// SQLite's ambiguity between the SELECT's ON and the upsert's.)
	var ms int64
	err := a.write.queryRow(ctx, `WITH n(ms) AS (SELECT `+a.clock+`)
INSERT INTO members (id, region, address, started_ms, heartbeat_ms) SELECT ?, ?, ?, n.ms, n.ms FROM n WHERE true
ON CONFLICT (id) DO UPDATE SET region = excluded.region, address = excluded.address, heartbeat_ms = excluded.heartbeat_ms
RETURNING heartbeat_ms`, []any{m.ID, m.Region, m.Address}, &ms)
	if err != nil {
		return time.Time{}, a.wrap("recording a heartbeat of member "+m.ID, err)
	}
	return time.UnixMilli(ms), nil
}

// Members returns every member, ordered by ID (an empty slice if none),
// and the store's clock read in the same statement: judge their
// heartbeats against it, not against this node's clock.
func (a adminSQL) Members(ctx context.Context) ([]MemberRecord, time.Time, error) {
	// One statement reads the rows and the clock. The LEFT JOIN returns the
	// clock even when there are no members, as one row of empty columns.
	out := []MemberRecord{}
	var now int64
	err := a.read.query(ctx, `WITH n(ms) AS (SELECT `+a.clock+`)
SELECT n.ms, coalesce(m.id, ''), coalesce(m.region, ''), coalesce(m.address, ''), coalesce(m.started_ms, 0), coalesce(m.heartbeat_ms, 0)
FROM n LEFT JOIN members m ON true ORDER BY m.id`, nil, func(scan func(dest ...any) error) error {
		var r MemberRecord
		var clock, started, beat int64
		if err := scan(&clock, &r.ID, &r.Region, &r.Address, &started, &beat); err != nil {
			return err
		}
		if now == 0 {
			now = clock
		}
		if r.ID == "" { // the row of no members
			return nil
		}
		r.Started, r.Heartbeat = time.UnixMilli(started), time.UnixMilli(beat)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, time.Time{}, a.wrap("listing the cluster's members", err)
	}
	return out, time.UnixMilli(now), nil
}

// LeaveMember deletes member id's row, as a node shutting down gracefully
// does; nothing happens if there is none.
func (a adminSQL) LeaveMember(ctx context.Context, id string) error {
	if _, err := a.write.exec(ctx, `DELETE FROM members WHERE id = ?`, id); err != nil {
		return a.wrap("removing member "+id, err)
	}
	return nil
}
