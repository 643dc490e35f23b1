package placement

import (
	"errors"
	"fmt"
	"hash/fnv"
	"time"
)

// Settings are a coordinator duplicate's creation settings, from the
// Edge-Coordinator-Settings header of its first request. They are fixed at
// creation: settings sent with later requests are ignored.
type Settings struct {
	// Region is the home region; "" means the region of the member that
	// first asked.
	Region string
	// Pinned keeps the instance in its home region even when no member
	// there is alive (compliance): it then waits instead of moving.
	Pinned bool
}

// Action is what a Decision asks the directory to do.
type Action int

const (
	// Keep: the entry stands; route to its owner. Nothing is written.
	Keep Action = iota
	// Create: insert the entry at epoch 1 if the instance has none.
	Create
	// Move: record an owner (a new one, or the same one starting a new
	// activation, see Activate) under the next epoch, if the stored epoch is
	// still the one read.
	Move
)

func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Create:
		return "create"
	case Move:
		return "move"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Decision is Place's answer: the entry as it should be stored, and for a
// Move the epoch that must still be stored for the write to apply.
type Decision struct {
	Action   Action
	Entry    Entry
	Expected int64
}

// ErrNoMember means no live member may host the instance: nobody is alive,
// or the instance is pinned to a region with nobody alive. Retry after a
// member joins or comes back; the directory was not changed.
var ErrNoMember = errors.New("no member available")

// ErrBadRequest means Place was called with inconsistent arguments (a bug in
// the caller, not a state of the cluster).
var ErrBadRequest = errors.New("bad placement request")

// Place decides where instance key runs, given its stored entry cur (nil if
// it has none), the member asking, the settings of this request, the
// caller's membership view and the time. The rules, in order:
//
//  1. No entry: create one at epoch 1. Its region is settings.Region, else
//     the asker's region; its owner is chosen among the live members of that
//     region (see choose), else, unless pinned, among all live members.
//  2. An entry whose owner is alive: keep it. An instance that fell back to
//     another region stays there while its owner lives (no rebalancing).
//  3. An entry whose owner is dead or empty: move it to a live member chosen
//     the same way, from the entry's region and stored settings, under epoch
//     cur.Epoch+1. Every change of owner goes through this rule, so epochs
//     grow strictly and are never reused.
//
// A Create or Move must then be written with Directory.Apply (or its SQL
// equivalent); if that fails the read was stale: read again, place again.
// Place reads nothing but its arguments and never fails for a Keep.
func Place(cur *Entry, key Key, asker Member, settings Settings, members *Membership, now time.Time) (Decision, error) {
	if key.Project == "" || key.Instance == "" {
		return Decision{}, fmt.Errorf("%w: placing %q: project and instance must both be set", ErrBadRequest, key)
	}
	if cur == nil {
		region := settings.Region
		if region == "" {
			region = asker.Region
		}
		if region == "" {
			return Decision{}, fmt.Errorf("%w: placing new %s: asker %q has no region and the settings name none", ErrBadRequest, key, asker.ID)
		}
		owner, err := choose(key, region, settings.Pinned, members, now)
		if err != nil {
			return Decision{}, err
		}
		return Decision{Action: Create, Entry: Entry{
			Project: key.Project, Instance: key.Instance, Region: region, Owner: owner.ID,
			Epoch: 1, Settings: settings, CreatedAt: now, UpdatedAt: now,
		}}, nil
	}
	if cur.Key() != key {
		return Decision{}, fmt.Errorf("%w: placing %s with the entry of %s", ErrBadRequest, key, cur.Key())
	}
	if cur.Owner != "" && members.Alive(cur.Owner, now) {
		return Decision{Action: Keep, Entry: *cur, Expected: cur.Epoch}, nil
	}
	owner, err := choose(key, cur.Region, cur.Settings.Pinned, members, now)
	if err != nil {
		return Decision{}, err
	}
	next := *cur
	next.Owner = owner.ID
	next.Epoch = cur.Epoch + 1
	next.UpdatedAt = now
	return Decision{Action: Move, Entry: next, Expected: cur.Epoch}, nil
}

// choose picks the owner of key among the live members of region, or, if
// there are none and the instance is not pinned, among all live members.
//
// It uses rendezvous (highest random weight) hashing: every candidate gets
// the score hash(key, member ID) and the highest wins. Why this rather than
// least-loaded: it needs no count of entries per member (a scan of the whole
// directory, and a count every node would see differently); two nodes racing
// to create the same instance with the same view pick the same owner, so the
// loser of the insert has nothing to undo; instances spread evenly; and when
// a member dies only its own instances move, each to the member that scores
// next for it, so one failure does not reshuffle the region.
func choose(key Key, region string, pinned bool, members *Membership, now time.Time) (Member, error) {
	live := members.Live(now)
	var local []Member
	for _, m := range live {
		if m.Region == region {
			local = append(local, m)
		}
	}
	if len(local) > 0 {
		return highestScore(key, local), nil
	}
	if pinned {
		return Member{}, fmt.Errorf("%w: %s is pinned to region %q and no member there is alive; it resumes when one is (start or heal a member in %q)", ErrNoMember, key, region, region)
	}
	if len(live) == 0 {
		return Member{}, fmt.Errorf("%w: %s: no member is alive (region %q preferred)", ErrNoMember, key, region)
	}
	return highestScore(key, live), nil
}

// highestScore returns the candidate with the highest rendezvous score for
// key; ties (astronomically rare) go to the smaller ID so the answer never
// depends on order. candidates must not be empty.
func highestScore(key Key, candidates []Member) Member {
	best, bestScore := candidates[0], score(key, candidates[0].ID)
	for _, m := range candidates[1:] {
		s := score(key, m.ID)
		if s > bestScore || (s == bestScore && m.ID < best.ID) {
			best, bestScore = m, s
		}
	}
	return best
}

// score hashes (project, instance, member) with FNV-1a, then mixes the bits
// (the splitmix64 finalizer) because FNV alone varies little in its high
// bits for inputs that differ only at the end, like member IDs "n1", "n2".
func score(key Key, memberID string) uint64 {
	h := fnv.New64a()
	// Separators keep ("a", "bc") and ("ab", "c") apart.
	h.Write([]byte(key.Project))
	h.Write([]byte{0})
	h.Write([]byte(key.Instance))
	h.Write([]byte{0})
	h.Write([]byte(memberID))
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Orphans returns the keys whose owner is empty or not alive at now, in
// key order: what a failure detector places again (with Place, as any
// asker) so that service resumes without waiting for a request.
func Orphans(dir Directory, members *Membership, now time.Time) []Key {
	var out []Key
	for _, k := range dir.Keys() {
		e, _ := dir.Get(k)
		if e.Owner == "" || !members.Alive(e.Owner, now) {
			out = append(out, k)
		}
	}
	return out
}
