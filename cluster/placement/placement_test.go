package placement

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The rules tested here are stated in docs/ARCHITECTURE.md, "Placement and
// fencing core (cluster/placement)".

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const lease = 3 * time.Second

// view returns a membership with each member joined at t0.
func view(t *testing.T, members ...Member) *Membership {
	t.Helper()
	ms, err := NewMembership(lease)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if err := ms.Join(m, t0); err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

var (
	eu1 = Member{ID: "eu1", Region: "eu", Address: "10.0.0.1:1"}
	eu2 = Member{ID: "eu2", Region: "eu", Address: "10.0.0.2:1"}
	us1 = Member{ID: "us1", Region: "us", Address: "10.0.1.1:1"}
	us2 = Member{ID: "us2", Region: "us", Address: "10.0.1.2:1"}
)

func TestMembershipLease(t *testing.T) {
	ms := view(t, eu1)
	if !ms.Alive("eu1", t0.Add(lease-time.Nanosecond)) {
		t.Error("alive just before the lease ends: got dead")
	}
	if ms.Alive("eu1", t0.Add(lease)) {
		t.Error("alive when the lease ends: got alive, want dead (the lease is a half-open interval)")
	}
	if err := ms.Heartbeat("eu1", t0.Add(2*lease)); err != nil {
		t.Fatal(err)
	}
	if !ms.Alive("eu1", t0.Add(2*lease)) {
		t.Error("a heartbeat after expiry does not revive the member")
	}
	// A late, older heartbeat must not shorten the lease.
	if err := ms.Heartbeat("eu1", t0); err != nil {
		t.Fatal(err)
	}
	if !ms.Alive("eu1", t0.Add(2*lease+lease/2)) {
		t.Error("an out-of-order heartbeat shortened the lease")
	}
	if err := ms.Heartbeat("nobody", t0); !errors.Is(err, ErrUnknownMember) {
		t.Errorf("heartbeat from an unknown member: err = %v, want ErrUnknownMember", err)
	}
	if err := ms.Join(Member{ID: "x"}, t0); err == nil {
		t.Error("joining without a region: no error")
	}
	if _, err := NewMembership(0); err == nil {
		t.Error("NewMembership(0): no error")
	}
	ms.Leave("eu1")
	if ms.Alive("eu1", t0.Add(2*lease)) || len(ms.Live(t0.Add(2*lease))) != 0 {
		t.Error("a member that left is still alive")
	}
}

func TestSimClock(t *testing.T) {
	c := NewSimClock(t0)
	if got := c.Advance(time.Second); !got.Equal(t0.Add(time.Second)) {
		t.Errorf("Advance(1s) = %v", got)
	}
	if got := c.Advance(-time.Hour); !got.Equal(t0.Add(time.Second)) {
		t.Errorf("Advance(-1h) moved the clock back to %v", got)
	}
	if !c.Now().Equal(t0.Add(time.Second)) {
		t.Errorf("Now() = %v", c.Now())
	}
}

func TestPlaceNewInstance(t *testing.T) {
	key := Key{"p", "room-1"}
	cases := []struct {
		name        string
		members     []Member
		asker       Member
		settings    Settings
		wantRegion  string
		wantOwnerIn string // region of the chosen owner
		wantErr     error
	}{
		{"no settings: the asker's region", []Member{eu1, eu2, us1}, us1, Settings{}, "us", "us", nil},
		{"settings region wins over the asker's", []Member{eu1, us1}, us1, Settings{Region: "eu"}, "eu", "eu", nil},
		{"pinned to the asker's region", []Member{eu1, us1}, eu1, Settings{Pinned: true}, "eu", "eu", nil},
		{"empty region, unpinned: another region hosts it, home stays", []Member{us1, us2}, us1, Settings{Region: "eu"}, "eu", "us", nil},
		{"empty region, pinned: no member", []Member{us1, us2}, us1, Settings{Region: "eu", Pinned: true}, "", "", ErrNoMember},
		{"nobody alive: no member", nil, us1, Settings{}, "", "", ErrNoMember},
		{"asker without a region: bad request", []Member{eu1}, Member{ID: "x"}, Settings{}, "", "", ErrBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := view(t, c.members...)
			d, err := Place(nil, key, c.asker, c.settings, ms, t0)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			owner, _ := ms.Member(d.Entry.Owner)
			if d.Action != Create || d.Entry.Epoch != 1 || d.Expected != 0 {
				t.Errorf("decision = %v epoch %d expected %d, want create at epoch 1", d.Action, d.Entry.Epoch, d.Expected)
			}
			if d.Entry.Region != c.wantRegion || owner.Region != c.wantOwnerIn {
				t.Errorf("region %q owner %s in %q, want region %q owner in %q", d.Entry.Region, owner.ID, owner.Region, c.wantRegion, c.wantOwnerIn)
			}
			if d.Entry.Settings != c.settings || !d.Entry.CreatedAt.Equal(t0) {
				t.Errorf("entry = %+v, want the settings and time recorded", d.Entry)
			}
		})
	}
	if _, err := Place(nil, Key{"p", ""}, eu1, Settings{}, view(t, eu1), t0); !errors.Is(err, ErrBadRequest) {
		t.Errorf("empty instance: err = %v, want ErrBadRequest", err)
	}
}

func TestPlaceExistingInstance(t *testing.T) {
	key := Key{"p", "room-1"}
	entry := func(region, owner string, pinned bool) *Entry {
		return &Entry{Project: "p", Instance: "room-1", Region: region, Owner: owner, Epoch: 7,
			Settings: Settings{Region: region, Pinned: pinned}, CreatedAt: t0, UpdatedAt: t0}
	}
	later := t0.Add(2 * lease)
	cases := []struct {
		name        string
		cur         *Entry
		alive       []Member // heartbeat at later
		wantAction  Action
		wantOwner   string // "" = any
		wantOwnerIn string
		wantErr     error
	}{
		{"live owner: keep", entry("eu", "eu1", false), []Member{eu1, eu2}, Keep, "eu1", "eu", nil},
		{"dead owner: a live member of the region", entry("eu", "eu1", false), []Member{eu2, us1}, Move, "eu2", "eu", nil},
		{"no owner: claimed", entry("eu", "", false), []Member{eu2}, Move, "eu2", "eu", nil},
		{"region empty, unpinned: another region", entry("eu", "eu1", false), []Member{us1}, Move, "us1", "us", nil},
		{"region empty, pinned: no member", entry("eu", "eu1", true), []Member{us1, us2}, 0, "", "", ErrNoMember},
		{"fallen back elsewhere, owner alive: stays", entry("eu", "us1", false), []Member{eu1, us1}, Keep, "us1", "us", nil},
		{"later settings are ignored", &Entry{Project: "p", Instance: "room-1", Region: "eu", Owner: "eu1", Epoch: 7, Settings: Settings{Pinned: true}}, []Member{us1}, 0, "", "", ErrNoMember},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := view(t, eu1, eu2, us1, us2)
			for _, m := range c.alive {
				if err := ms.Heartbeat(m.ID, later.Add(-time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			d, err := Place(c.cur, key, us2, Settings{Region: "us"}, ms, later)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Action != c.wantAction || d.Entry.Owner != c.wantOwner {
				t.Fatalf("decision = %v to %q, want %v to %q", d.Action, d.Entry.Owner, c.wantAction, c.wantOwner)
			}
			if d.Expected != c.cur.Epoch {
				t.Errorf("expected epoch = %d, want the epoch read (%d)", d.Expected, c.cur.Epoch)
			}
			wantEpoch := c.cur.Epoch
			if d.Action == Move {
				wantEpoch++
			}
			if d.Entry.Epoch != wantEpoch || d.Entry.Region != c.cur.Region || d.Entry.Settings != c.cur.Settings {
				t.Errorf("entry = %+v: want epoch %d and the home region and settings unchanged", d.Entry, wantEpoch)
			}
		})
	}
	if _, err := Place(entry("eu", "eu1", false), Key{"p", "other"}, eu1, Settings{}, view(t, eu1), t0); !errors.Is(err, ErrBadRequest) {
		t.Errorf("entry of another key: err = %v, want ErrBadRequest", err)
	}
}

// TestRendezvousSpreadsAndMovesOnlyTheDeadMembersInstances checks the two
// reasons for choosing rendezvous hashing given in choose's comment.
func TestRendezvousSpreadsAndMovesOnlyTheDeadMembersInstances(t *testing.T) {
	members := []Member{{ID: "n1", Region: "eu"}, {ID: "n2", Region: "eu"}, {ID: "n3", Region: "eu"}, {ID: "n4", Region: "eu"}}
	ms := view(t, members...)
	const n = 4000
	before := map[Key]string{}
	count := map[string]int{}
	for i := range n {
		k := Key{"p", "i" + strconv.Itoa(i)}
		d, err := Place(nil, k, members[0], Settings{}, ms, t0)
		if err != nil {
			t.Fatal(err)
		}
		before[k] = d.Entry.Owner
		count[d.Entry.Owner]++
	}
	for _, m := range members {
		if c := count[m.ID]; c < n/4*8/10 || c > n/4*12/10 {
			t.Errorf("member %s got %d of %d instances, want within 20%% of %d", m.ID, c, n, n/4)
		}
	}
	// n4 dies: only its instances move.
	later := t0.Add(lease)
	for _, m := range members[:3] {
		_ = ms.Heartbeat(m.ID, later)
	}
	for k, owner := range before {
		e := Entry{Project: k.Project, Instance: k.Instance, Region: "eu", Owner: owner, Epoch: 1}
		d, err := Place(&e, k, members[0], Settings{}, ms, later)
		if err != nil {
			t.Fatal(err)
		}
		if (owner == "n4") != (d.Action == Move) {
			t.Fatalf("%s owned by %s: action %v; only n4's instances may move", k, owner, d.Action)
		}
	}
}

func TestDirectoryCreatesExactlyOnce(t *testing.T) {
	key := Key{"p", "room-1"}
	ms := view(t, eu1, us1)
	var dir Directory
	a, _ := Place(nil, key, eu1, Settings{}, ms, t0)
	b, _ := Place(nil, key, us1, Settings{}, ms, t0) // raced: both read "absent"
	d1, err := dir.Apply(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d1.Apply(b); !errors.Is(err, ErrExists) {
		t.Fatalf("second creation: err = %v, want ErrExists", err)
	}
	if dir.Len() != 0 {
		t.Error("Apply changed the receiver; a Directory is a value")
	}
	got, _ := d1.Get(key)
	if got != a.Entry {
		t.Errorf("stored %+v, want the first creator's %+v", got, a.Entry)
	}
	// The loser re-reads and places again: it now keeps the winner.
	again, err := Place(&got, key, us1, Settings{}, ms, t0)
	if err != nil || again.Action != Keep || again.Entry.Owner != a.Entry.Owner {
		t.Errorf("after re-read: %v to %q (%v), want keep %q", again.Action, again.Entry.Owner, err, a.Entry.Owner)
	}
}

func TestDirectoryCompareAndSet(t *testing.T) {
	key := Key{"p", "room-1"}
	ms := view(t, eu1, eu2)
	create, _ := Place(nil, key, eu1, Settings{}, ms, t0)
	var dir Directory
	dir, _ = dir.Apply(create)
	stored, _ := dir.Get(key)

	later := t0.Add(lease) // everyone's lease expired; two askers race to move it
	_ = ms.Heartbeat("eu1", later)
	_ = ms.Heartbeat("eu2", later)
	stored.Owner = "gone"
	dir2, _ := dir.Apply(Decision{Action: Move, Entry: stored, Expected: 1})
	read, _ := dir2.Get(key)
	m1, _ := Place(&read, key, eu1, Settings{}, ms, later)
	m2, _ := Place(&read, key, eu2, Settings{}, ms, later)
	dir3, err := dir2.Apply(m1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dir3.Apply(m2); !errors.Is(err, ErrStaleEpoch) {
		t.Errorf("second move from the same read: err = %v, want ErrStaleEpoch", err)
	}
	missing := m1
	missing.Entry.Instance = "nope"
	if _, err := dir3.Apply(missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("move of a missing entry: err = %v, want ErrNotFound", err)
	}
	if got, _ := dir3.Get(key); got.Epoch != 2 {
		t.Errorf("epoch after one move = %d, want 2", got.Epoch)
	}
}

func TestCanCommit(t *testing.T) {
	stored := Entry{Project: "p", Instance: "i", Owner: "eu1", Epoch: 4}
	cases := []struct {
		member string
		epoch  int64
		want   bool
	}{
		{"eu1", 4, true},
		{"eu1", 3, false}, // superseded activation of the same member
		{"eu1", 5, false},
		{"eu2", 4, false},
		{"", 4, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s@%d", c.member, c.epoch), func(t *testing.T) {
			if got := CanCommit(stored, c.member, c.epoch); got != c.want {
				t.Errorf("CanCommit = %v, want %v", got, c.want)
			}
			if err := CheckCommit(stored, c.member, c.epoch); (err == nil) != c.want || (err != nil && !errors.Is(err, ErrSuperseded)) {
				t.Errorf("CheckCommit = %v", err)
			}
		})
	}
	if CanCommit(Entry{Project: "p", Instance: "i", Epoch: 4}, "", 4) {
		t.Error("an entry without owner lets the empty member commit")
	}
}

// TestPausedMemberIsSuperseded is the SIGSTOP case: eu1 stops past its
// lease, its instance moves, and when eu1 resumes it cannot commit and does
// not get the instance back.
func TestPausedMemberIsSuperseded(t *testing.T) {
	key := Key{"p", "room-1"}
	ms := view(t, eu1, eu2)
	create, _ := Place(nil, key, eu1, Settings{}, ms, t0)
	create.Entry.Owner = "eu1" // make eu1 the owner whatever the hash says
	var dir Directory
	dir, _ = dir.Apply(create)

	paused := t0.Add(lease + time.Second) // eu1 is stopped; eu2 keeps heartbeating
	_ = ms.Heartbeat("eu2", paused)
	stored, _ := dir.Get(key)
	d, err := Place(&stored, key, eu2, Settings{}, ms, paused)
	if err != nil || d.Action != Move || d.Entry.Owner != "eu2" {
		t.Fatalf("after eu1's lease expired: %v to %q (%v), want move to eu2", d.Action, d.Entry.Owner, err)
	}
	dir, _ = dir.Apply(d)

	resumed := paused.Add(time.Second)
	_ = ms.Heartbeat("eu1", resumed)
	_ = ms.Heartbeat("eu2", resumed)
	stored, _ = dir.Get(key)
	if CanCommit(stored, "eu1", 1) {
		t.Error("resumed eu1 can commit with its old epoch")
	}
	if d, _ := Place(&stored, key, eu1, Settings{}, ms, resumed); d.Action != Keep || d.Entry.Owner != "eu2" {
		t.Errorf("resumed eu1 asking: %v to %q, want keep eu2", d.Action, d.Entry.Owner)
	}
}

// TestCoreIsPure keeps the package free of I/O, wall clocks, randomness and
// goroutines (see the package comment). Test files are exempt.
func TestCoreIsPure(t *testing.T) {
	allowed := map[string]bool{"errors": true, "fmt": true, "hash/fnv": true, "sort": true, "sync": true, "time": true}
	banned := map[string]bool{"Now": true, "Sleep": true, "After": true, "AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true, "Since": true, "Until": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[path] {
				t.Errorf("%s imports %q; the core may import only %v (move I/O to an adapter in cluster or persistence)", name, path, allowed)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: starts a goroutine; the core runs only when called", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "time" && banned[n.Sel.Name] {
					t.Errorf("%s: calls time.%s; take the time as an argument instead", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	}
}

func TestActivateTakesANewEpoch(t *testing.T) {
	stored := Entry{Project: "p", Instance: "i", Region: "eu", Owner: "eu1", Epoch: 3}
	d, err := Activate(stored, "eu1", t0)
	if err != nil || d.Action != Move || d.Entry.Owner != "eu1" || d.Entry.Epoch != 4 || d.Expected != 3 {
		t.Fatalf("Activate by the owner = %+v, %v; want a move to eu1 at epoch 4 from 3", d, err)
	}
	if _, err := Activate(stored, "eu2", t0); !errors.Is(err, ErrNotOwner) {
		t.Errorf("Activate by another member: err = %v, want ErrNotOwner", err)
	}
}

func TestOrphans(t *testing.T) {
	ms := view(t, eu1, eu2)
	var dir Directory
	for _, e := range []Entry{
		{Project: "p", Instance: "a", Region: "eu", Owner: "eu1", Epoch: 1},
		{Project: "p", Instance: "b", Region: "eu", Owner: "eu2", Epoch: 1},
		{Project: "p", Instance: "c", Region: "eu", Owner: "", Epoch: 2},
	} {
		dir, _ = dir.Apply(Decision{Action: Create, Entry: e})
	}
	later := t0.Add(lease)
	_ = ms.Heartbeat("eu2", later)
	got := Orphans(dir, ms, later)
	want := []Key{{"p", "a"}, {"p", "c"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Orphans = %v, want %v (dead owner, no owner)", got, want)
	}
}
