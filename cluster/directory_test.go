package cluster

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/cluster/clustertest"
	"github.com/edge-platform/edge/cluster/placement"
)

// simCluster is three members (a, b in eu; c in us) sharing one in-memory
// store, all reading one simulated clock, so tests decide when leases end.
type simCluster struct {
	t     *testing.T
	clock *placement.SimClock
	store *clustertest.Store
	nodes map[string]*Members
	dirs  map[string]*Directory
}

const simLease = 2 * time.Second

func newSimCluster(t *testing.T) *simCluster {
	t.Helper()
	c := &simCluster{t: t, clock: placement.NewSimClock(time.Unix(1_700_000_000, 0)), store: clustertest.NewStore(),
		nodes: map[string]*Members{}, dirs: map[string]*Directory{}}
	c.store.Clock = c.clock.Now
	for _, m := range []placement.Member{{ID: "a", Region: "eu"}, {ID: "b", Region: "eu"}, {ID: "c", Region: "us"}} {
		m.Address = "127.0.0.1:" + m.ID
		ms, err := NewMembers(c.store, MembersConfig{Self: m, Lease: simLease, Guard: true})
		if err != nil {
			t.Fatal(err)
		}
		ms.now = c.clock.Now
		c.nodes[m.ID] = ms
		c.dirs[m.ID] = NewDirectory(c.store, ms, nil)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := c.nodes[id].Join(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	c.tick()
	return c
}

// tick heartbeats every member not in down, then lets every member re-read.
func (c *simCluster) tick(down ...string) {
	c.t.Helper()
	ctx := context.Background()
	skip := map[string]bool{}
	for _, d := range down {
		skip[d] = true
	}
	for id, m := range c.nodes {
		if !skip[id] {
			if err := m.beat(ctx); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	for id, m := range c.nodes {
		if !skip[id] {
			if err := m.refresh(ctx); err != nil {
				c.t.Fatal(err)
			}
		}
	}
}

// passLease advances past a lease in quarter-lease steps with down silent.
func (c *simCluster) passLease(down ...string) {
	for range 5 {
		c.clock.Advance(simLease / 4)
		c.tick(down...)
	}
}

func (c *simCluster) locate(node, instance, settings string) (placement.Entry, bool, error) {
	var raw []byte
	if settings != "" {
		raw = []byte(settings)
	}
	return c.dirs[node].Locate(context.Background(), placement.Key{Project: "counter", Instance: instance}, raw)
}

func TestLocateCreatesOnceWhoeverAsksFirst(t *testing.T) {
	c := newSimCluster(t)
	for _, name := range []string{"room-1", "room-2", "room-3", "room-4"} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		owners := map[string]bool{}
		for _, node := range []string{"a", "b", "c", "a", "b", "c"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e, ok, err := c.locate(node, name, "")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if ok {
					created++
				}
				owners[e.Owner] = true
			}()
		}
		wg.Wait()
		if created != 1 || len(owners) != 1 {
			t.Fatalf("%s: %d creations, owners %v; want exactly one creation and one owner", name, created, owners)
		}
	}
}

func TestLocatePlacesNearTheFirstCallerOrInTheSettingsRegion(t *testing.T) {
	c := newSimCluster(t)
	for _, tc := range []struct {
		node, name, settings string
		owners               []string
		region               string
	}{
		{"c", "from-us", "", []string{"c"}, "us"},
		{"a", "from-eu-to-us", `{"region":"us"}`, []string{"c"}, "us"},
		{"c", "from-us-to-eu", `{"region":"eu"}`, []string{"a", "b"}, "eu"},
		{"a", "from-eu", "", []string{"a", "b"}, "eu"},
	} {
		e, created, err := c.locate(tc.node, tc.name, tc.settings)
		if err != nil || !created {
			t.Fatalf("%s: created %v, %v", tc.name, created, err)
		}
		ok := false
		for _, o := range tc.owners {
			ok = ok || e.Owner == o
		}
		if !ok || e.Region != tc.region {
			t.Errorf("%s: owner %s region %s, want one of %v in %s", tc.name, e.Owner, e.Region, tc.owners, tc.region)
		}
	}
	if _, _, err := c.locate("a", "bad", `{"region":"Not A Label"}`); !errors.Is(err, ErrBadSettings) {
		t.Errorf("bad region: %v, want ErrBadSettings", err)
	}
}

// ownedBy creates instances from node until one is owned by owner.
func (c *simCluster) ownedBy(node, owner, settings string) string {
	c.t.Helper()
	for i := range 64 {
		name := "x" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		e, _, err := c.locate(node, name, settings)
		if err != nil {
			c.t.Fatal(err)
		}
		if e.Owner == owner {
			return name
		}
	}
	c.t.Fatalf("no instance created from %s landed on %s", node, owner)
	return ""
}

func TestLocateMovesAnInstanceWhoseOwnerDied(t *testing.T) {
	c := newSimCluster(t)
	name := c.ownedBy("a", "b", "")
	before, _, _ := c.locate("a", name, "")

	// While b's lease runs, the instance stays with b.
	c.clock.Advance(simLease / 2)
	c.tick("b")
	if e, _, _ := c.locate("a", name, ""); e.Owner != "b" {
		t.Fatalf("moved to %s before b's lease ended", e.Owner)
	}
	dead := c.nodes["c"].Dead("b")
	died := make(chan []string, 8)
	c.nodes["c"].OnDeath(func(ids []string) { died <- ids })
	c.passLease("b")
	select {
	case ids := <-died:
		if len(ids) != 1 || ids[0] != "b" {
			t.Fatalf("OnDeath got %v, want [b]", ids)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnDeath was not called when b's lease ended")
	}
	select {
	case ids := <-died:
		t.Fatalf("OnDeath called again with %v: a member dies once", ids)
	default:
	}
	select {
	case <-dead:
	default:
		t.Fatal("the watcher of b was not told b died")
	}
	e, created, err := c.locate("c", name, "")
	if err != nil || created {
		t.Fatalf("locate after b died: created %v, %v", created, err)
	}
	if e.Owner != "a" || e.Epoch <= before.Epoch {
		t.Fatalf("after b died: owner %s epoch %d, want a (the other eu member) with an epoch above %d", e.Owner, e.Epoch, before.Epoch)
	}
	// Every node agrees, and the old owner cannot claim it back.
	if e2, _, _ := c.locate("a", name, ""); e2.Owner != "a" || e2.Epoch != e.Epoch {
		t.Fatalf("node a sees %+v, want %+v", e2, e)
	}
	if _, err := c.store.ActivateOwned(context.Background(), "counter", name, "b"); !errors.Is(err, placement.ErrNotOwner) {
		t.Fatalf("old owner activating: %v, want ErrNotOwner", err)
	}
}

func TestPinnedInstanceWaitsForItsRegion(t *testing.T) {
	c := newSimCluster(t)
	pinned := "pinned"
	if e, _, err := c.locate("a", pinned, `{"region":"us","pinned":true}`); err != nil || e.Owner != "c" {
		t.Fatalf("pinned: %+v %v", e, err)
	}
	loose, _, err := c.locate("a", "loose", `{"region":"us"}`)
	if err != nil || loose.Owner != "c" {
		t.Fatalf("loose: %+v %v", loose, err)
	}
	c.passLease("c")
	if _, _, err := c.locate("a", pinned, ""); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("pinned with its region down: %v, want ErrUnavailable", err)
	}
	if e, _ := c.store.DirectoryEntry(context.Background(), "counter", pinned); e.Owner != "c" {
		t.Fatalf("pinned instance moved to %s", e.Owner)
	}
	e, _, err := c.locate("a", "loose", "")
	if err != nil || (e.Owner != "a" && e.Owner != "b") || e.Region != "us" {
		t.Fatalf("unpinned with its region down: %+v %v, want it run in eu (home region still us)", e, err)
	}
}

func TestStaleCacheIsFixedByInvalidate(t *testing.T) {
	c := newSimCluster(t)
	name := c.ownedBy("a", "b", "")
	if _, _, err := c.locate("c", name, ""); err != nil { // c caches b
		t.Fatal(err)
	}
	// b's instance moves behind c's back (b was paused past its lease).
	cur, _ := c.store.DirectoryEntry(context.Background(), "counter", name)
	if _, err := c.store.MoveEntry(context.Background(), "counter", name, "a", cur.Epoch); err != nil {
		t.Fatal(err)
	}
	if e, _, _ := c.locate("c", name, ""); e.Owner != "b" {
		t.Fatalf("expected the stale cached owner b, got %s", e.Owner)
	}
	c.dirs["c"].Invalidate(placement.Key{Project: "counter", Instance: name})
	if e, _, _ := c.locate("c", name, ""); e.Owner != "a" {
		t.Fatalf("after Invalidate: owner %s, want a", e.Owner)
	}
}

func TestServingStopsWhenTheLeaseLapses(t *testing.T) {
	c := newSimCluster(t)
	m := c.nodes["a"]
	gen, ok := m.Serving()
	if !ok {
		t.Fatal("a fresh member is not serving")
	}
	c.clock.Advance(simLease) // a paused: no heartbeat for a lease
	if _, ok := m.Serving(); ok {
		t.Fatal("still serving after a lease without a heartbeat")
	}
	c.tick()
	gen2, ok := m.Serving()
	if !ok || gen2 != gen+1 {
		t.Fatalf("after renewing: serving %v generation %d, want true and %d (activations must restart)", ok, gen2, gen+1)
	}
	// Without the guard (a single member) serving never stops.
	single, _ := SingleMember(c.store, "solo")
	single.now = c.clock.Now
	c.clock.Advance(10 * simLease)
	if g, ok := single.Serving(); !ok || g != 0 {
		t.Fatalf("single member: %d %v", g, ok)
	}
}

// A node whose view of the members is older than the owner's first
// heartbeat (it started, or last re-read, just before the owner joined)
// must not take the instance from that owner: a move is decided again
// from a fresh read of the members.
func TestLocateDoesNotMoveFromAnOwnerItsStaleViewMissed(t *testing.T) {
	c := newSimCluster(t)
	join := func(id, region string) (*Members, *Directory) {
		ms, err := NewMembers(c.store, MembersConfig{Self: placement.Member{ID: id, Region: region, Address: "127.0.0.1:" + id}, Lease: simLease, Guard: true})
		if err != nil {
			t.Fatal(err)
		}
		ms.now = c.clock.Now
		if err := ms.Join(context.Background()); err != nil {
			t.Fatal(err)
		}
		return ms, NewDirectory(c.store, ms, nil)
	}
	_, stale := join("d", "us") // its view: a, b, c, d
	_, late := join("e", "eu")  // joins after d read the members
	var name string
	for i := range 40 {
		n := "late-" + string(rune('a'+i))
		e, _, err := late.Locate(context.Background(), placement.Key{Project: "counter", Instance: n}, []byte(`{"region":"eu"}`))
		if err != nil {
			t.Fatal(err)
		}
		if e.Owner == "e" {
			name = n
			break
		}
	}
	if name == "" {
		t.Fatal("no instance placed on e among 40")
	}
	got, _, err := stale.Locate(context.Background(), placement.Key{Project: "counter", Instance: name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != "e" || got.Epoch != 1 {
		t.Errorf("located through a node that had not seen e yet: %+v, want it kept on e at epoch 1", got)
	}
}
