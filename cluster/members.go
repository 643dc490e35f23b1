package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/persistence"
)

// MemberStore is the shared table of members and their heartbeats (package
// persistence). Heartbeats carry the store's clock, never a node's, so
// every node judges liveness against one clock.
type MemberStore interface {
	Heartbeat(ctx context.Context, m persistence.MemberRecord) (time.Time, error)
	Members(ctx context.Context) ([]persistence.MemberRecord, time.Time, error)
	LeaveMember(ctx context.Context, id string) error
}

// DefaultLease is how long a heartbeat keeps a member alive when
// cluster.lease is not set.
const DefaultLease = 3 * time.Second

// Members keeps this node's heartbeat in the store and a view of every
// member's, the input placement decides with. It also guards this node's
// own right to serve: a node that could not heartbeat for a lease (it was
// paused, or lost the store) may have had its coordinators moved, so it
// stops serving them from memory until it heartbeats again, and then
// restarts them (see Serving).
type Members struct {
	store MemberStore
	self  placement.Member
	lease time.Duration
	// guard: whether this node's lease gates serving. A node with no peers
	// has nobody to hand its coordinators to, so it never needs to stop.
	guard bool
	log   *slog.Logger
	now   func() time.Time

	mu sync.Mutex
	// view: the members as last read, with their heartbeats in store time.
	view *placement.Membership
	// storeNow is the store's clock at the last read, and readAt the local
	// clock then: placement's "now" is storeNow plus the local time since.
	storeNow, readAt time.Time
	// validUntil is when this node's lease ends by its own clock: the start
	// of its last successful heartbeat plus the lease minus a margin. The
	// others see it alive at least until then, since they count from the
	// heartbeat's store time, which is later.
	validUntil time.Time
	// generation grows each time this node's lease lapsed; activations
	// started under an older generation must start again.
	generation uint64
	lapsed     bool
	// watchers are closed when the member they watch is no longer alive.
	watchers map[string][]chan struct{}
	// onDeath is told which members died at each re-read (see OnDeath).
	onDeath func(ids []string)
}

// OnDeath registers f, called on its own goroutine with the members that
// were alive at the previous re-read and are not any more.
func (m *Members) OnDeath(f func(ids []string)) {
	m.mu.Lock()
	m.onDeath = f
	m.mu.Unlock()
}

// MembersConfig configures NewMembers.
type MembersConfig struct {
	Self  placement.Member
	Lease time.Duration
	// Guard makes this node stop serving when its own lease lapses; set it
	// whenever other members may take over (a node with peers).
	Guard  bool
	Logger *slog.Logger
}

// NewMembers returns the membership of self; Run keeps it current.
func NewMembers(store MemberStore, cfg MembersConfig) (*Members, error) {
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	view, err := placement.NewMembership(cfg.Lease)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Members{store: store, self: cfg.Self, lease: cfg.Lease, guard: cfg.Guard, log: cfg.Logger,
		now: time.Now, view: view, watchers: map[string][]chan struct{}{}}, nil
}

// Self returns this member.
func (m *Members) Self() placement.Member {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.self
}

// Lease returns how long a heartbeat keeps a member alive.
func (m *Members) Lease() time.Duration { return m.lease }

// Join writes the first heartbeat and reads the members, so placement has a
// view before the first request. It fails when the store cannot be reached.
func (m *Members) Join(ctx context.Context) error {
	if err := m.beat(ctx); err != nil {
		return fmt.Errorf("joining the cluster as %s: %w", m.Self().ID, err)
	}
	return m.refresh(ctx)
}

// Run heartbeats and re-reads the members every quarter lease until ctx
// ends, then leaves (deletes this member's row), so the others move its
// coordinators without waiting for the lease.
func (m *Members) Run(ctx context.Context) {
	t := time.NewTicker(m.lease / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// Stop serving before leaving: once the row is gone the others
			// may move this node's coordinators at once.
			m.mu.Lock()
			if !m.lapsed {
				m.lapsed = true
				m.generation++
			}
			m.validUntil = time.Time{}
			m.mu.Unlock()
			lctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := m.store.LeaveMember(lctx, m.Self().ID); err != nil {
				m.log.Warn("leaving the cluster", slog.Any("err", err))
			}
			cancel()
			return
		case <-t.C:
		}
		bctx, cancel := context.WithTimeout(ctx, m.lease/2)
		if err := m.beat(bctx); err != nil && ctx.Err() == nil {
			m.log.Warn("cluster heartbeat failed", slog.Any("err", err))
		}
		if err := m.refresh(bctx); err != nil && ctx.Err() == nil {
			m.log.Warn("reading cluster members failed", slog.Any("err", err))
		}
		cancel()
	}
}

// beat writes one heartbeat and extends this node's own lease.
func (m *Members) beat(ctx context.Context) error {
	sent := m.now()
	self := m.Self()
	if _, err := m.store.Heartbeat(ctx, persistence.MemberRecord{ID: self.ID, Region: self.Region, Address: self.Address}); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkLapse(sent)
	m.validUntil = sent.Add(m.lease - m.lease/4)
	if m.lapsed {
		m.lapsed = false
		m.log.Warn("this node's cluster lease lapsed and is renewed; its coordinators restart from storage", slog.Uint64("generation", m.generation))
	}
	return nil
}

// checkLapse notices, at local time now, that the lease ended; callers hold mu.
func (m *Members) checkLapse(now time.Time) {
	if !m.validUntil.IsZero() && !now.Before(m.validUntil) && !m.lapsed {
		m.lapsed = true
		m.generation++
	}
}

// refresh re-reads every member's heartbeat.
func (m *Members) refresh(ctx context.Context) error {
	rows, storeNow, err := m.store.Members(ctx)
	if err != nil {
		return err
	}
	readAt := m.now()
	view, err := placement.NewMembership(m.lease)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := view.Join(placement.Member{ID: r.ID, Region: r.Region, Address: r.Address}, r.Heartbeat); err != nil {
			m.log.Warn("ignoring a malformed member row", slog.String("member", r.ID), slog.Any("err", err))
		}
	}
	m.mu.Lock()
	if storeNow.Before(m.storeNow) {
		// A concurrent re-read (Locate confirming a move) installed a
		// newer view.
		m.mu.Unlock()
		return nil
	}
	var died []string
	for _, was := range m.view.Live(m.storeNow) {
		if !view.Alive(was.ID, storeNow) {
			died = append(died, was.ID)
		}
	}
	m.view, m.storeNow, m.readAt = view, storeNow, readAt
	m.notifyLocked()
	f := m.onDeath
	m.mu.Unlock()
	if len(died) > 0 && f != nil {
		go f(died)
	}
	return nil
}

// notifyLocked closes the watchers of members no longer alive.
func (m *Members) notifyLocked() {
	now := m.storeNow.Add(m.now().Sub(m.readAt))
	for id, chans := range m.watchers {
		if !m.view.Alive(id, now) {
			for _, c := range chans {
				close(c)
			}
			delete(m.watchers, id)
		}
	}
}

// Snapshot returns the membership view and the time to judge it at, for
// one placement decision. The view must not be modified.
func (m *Members) Snapshot() (*placement.Membership, time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.view, m.storeNow.Add(m.now().Sub(m.readAt))
}

// Address returns the remoting address of member id, if it is known.
func (m *Members) Address(id string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mem, ok := m.view.Member(id)
	return mem.Address, ok && mem.Address != ""
}

// Dead returns a channel closed once member id is no longer alive in this
// node's view (at the next re-read that finds it so), for callers waiting
// on a reply from it. Unknown or already dead members give a closed channel.
func (m *Members) Dead(id string) <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := make(chan struct{})
	now := m.storeNow.Add(m.now().Sub(m.readAt))
	if !m.view.Alive(id, now) {
		close(c)
		return c
	}
	m.watchers[id] = append(m.watchers[id], c)
	return c
}

// Forget drops a watcher returned by Dead that is no longer needed.
func (m *Members) Forget(id string, c <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	chans := m.watchers[id]
	for i, w := range chans {
		if w == c {
			m.watchers[id] = append(chans[:i], chans[i+1:]...)
			break
		}
	}
	if len(m.watchers[id]) == 0 {
		delete(m.watchers, id)
	}
}

// Serving reports whether this node may serve its coordinators now, and the
// lease generation: an activation started under an older generation may
// have been superseded while this node could not heartbeat, and must start
// again (taking a new epoch, which fails if it moved). Without the guard
// the answer is always yes, generation 0.
func (m *Members) Serving() (generation uint64, ok bool) {
	if !m.guard {
		return 0, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkLapse(m.now())
	return m.generation, !m.lapsed
}

// setAddress records the remoting address once remoting has started.
func (m *Members) setAddress(addr string) {
	m.mu.Lock()
	m.self.Address = addr
	m.mu.Unlock()
}

// SingleMember returns the membership and directory of a member id in region
// "local" over store: a node whose grains all live on itself (tests, and
// tools that run one member).
func SingleMember(store interface {
	MemberStore
	DirectoryStore
}, id string) (*Members, *Directory) {
	m, err := NewMembers(store, MembersConfig{Self: placement.Member{ID: id, Region: "local"}})
	if err != nil {
		panic(err) // only a bad lease fails, and the default is used
	}
	return m, NewDirectory(store, m, nil)
}
