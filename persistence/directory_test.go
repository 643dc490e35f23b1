package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/kv"
	"github.com/jackc/pgx/v5"
)

// The directory tests are part of runAdminSuite (deployments_test.go):
// each backend, with several handles on one database standing for
// several nodes.

// newEntry is the entry placement.Place would create for chat/instance
// with owner at epoch 1.
func newEntry(instance, owner string) placement.Entry {
	at := time.UnixMilli(1_700_000_000_000)
	return placement.Entry{Project: "chat", Instance: instance, Region: "eu", Owner: owner, Epoch: 1, CreatedAt: at, UpdatedAt: at}
}

func createEntry(t *testing.T, s adminStore, e placement.Entry, settings string) placement.Entry {
	t.Helper()
	var raw []byte
	if settings != "" {
		raw = []byte(settings)
	}
	got, created, err := s.CreateEntry(actx(t), e, raw)
	if err != nil || !created {
		t.Fatalf("CreateEntry(%s): created=%v, %v", e.Key(), created, err)
	}
	return got
}

func entryOf(t *testing.T, s adminStore, project, instance string) placement.Entry {
	t.Helper()
	e, err := s.DirectoryEntry(actx(t), project, instance)
	if err != nil {
		t.Fatalf("DirectoryEntry(%s/%s): %v", project, instance, err)
	}
	return e
}

// sameEntry fails unless got is want (times compared with Equal).
func sameEntry(t *testing.T, what string, got, want placement.Entry) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("%s: times %v, %v; want %v, %v", what, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testDirectoryEntryFields(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	e := newEntry("room", "node-1")
	e.UpdatedAt = e.CreatedAt.Add(time.Minute)
	e.Settings = placement.Settings{Region: "ignored: rawSettings is what is stored"}
	got := createEntry(t, s, e, `{"region":"us","pinned":true,"other":[1,2]}`)
	want := e
	want.Settings = placement.Settings{Region: "us", Pinned: true}
	sameEntry(t, "CreateEntry's result", got, want)
	sameEntry(t, "DirectoryEntry", entryOf(t, other, "chat", "room"), want)
	// The coordinator listing shows the same row.
	rec, err := other.Coordinator(ctx, "chat", "room")
	if err != nil || rec.Region != "eu" || rec.Owner != "node-1" || rec.Epoch != 1 || string(rec.Settings) != `{"region":"us","pinned":true,"other":[1,2]}` {
		t.Fatalf("Coordinator = %+v, %v", rec, err)
	}
	if recs, err := other.Coordinators(ctx, "chat"); err != nil || len(recs) != 1 || recs[0].Region != "eu" {
		t.Fatalf("Coordinators = %+v, %v", recs, err)
	}

	// Settings that are JSON but not of that shape are zero Settings.
	for i, raw := range []string{"", `null`, `[1,2]`, `"us"`, `{"region":5,"pinned":true}`, `{"pinned":"yes"}`, `{}`} {
		inst := fmt.Sprint("shape-", i)
		if got := createEntry(t, s, newEntry(inst, "node-1"), raw); got.Settings != (placement.Settings{}) {
			t.Errorf("settings %q: %+v, want zero", raw, got.Settings)
		}
	}
	// And so are settings that are not JSON at all, as a database written
	// by something else may hold.
	for _, raw := range []string{"garbage", `{"region":"us"`, "\xff"} {
		if got := entrySettings([]byte(raw)); got != (placement.Settings{}) {
			t.Errorf("entrySettings(%q) = %+v, want zero", raw, got)
		}
	}

	// An entry made by EnsureCoordinator has no region and no activation.
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "legacy", []byte(`{"region":"ap"}`)); err != nil {
		t.Fatal(err)
	}
	legacy := entryOf(t, other, "chat", "legacy")
	if legacy.Region != "" || legacy.Owner != "" || legacy.Epoch != 0 || !legacy.UpdatedAt.IsZero() || legacy.CreatedAt.IsZero() ||
		legacy.Settings != (placement.Settings{Region: "ap"}) {
		t.Fatalf("entry of EnsureCoordinator: %+v", legacy)
	}

	// Missing and invalid.
	_, err = s.DirectoryEntry(ctx, "chat", "nowhere")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, placement.ErrNotFound) {
		t.Fatalf("DirectoryEntry of a missing instance: %v, want ErrNotFound", err)
	}
	t.Logf("missing: %v", err)
	if _, err := s.DirectoryEntry(ctx, "chat", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("DirectoryEntry of the shared store: %v, want ErrInvalid", err)
	}
	for what, tc := range map[string]struct {
		e   placement.Entry
		raw string
	}{
		"not JSON":      {newEntry("bad-json", "node-1"), `{"region":`},
		"empty name":    {newEntry("", "node-1"), ""},
		"epoch 0":       {func() placement.Entry { e := newEntry("epoch-0", "node-1"); e.Epoch = 0; return e }(), ""},
		"empty project": {func() placement.Entry { e := newEntry("x", "node-1"); e.Project = ""; return e }(), ""},
	} {
		var raw []byte
		if tc.raw != "" {
			raw = []byte(tc.raw)
		}
		if _, _, err := s.CreateEntry(ctx, tc.e, raw); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateEntry with %s: %v, want ErrInvalid", what, err)
		}
		if tc.e.Instance != "" && tc.e.Project != "" {
			if _, err := s.DirectoryEntry(ctx, tc.e.Project, tc.e.Instance); !errors.Is(err, ErrNotFound) {
				t.Errorf("CreateEntry with %s stored something: %v", what, err)
			}
		}
	}
}

// Of concurrent creations of one instance, on several nodes, exactly one
// creates it, and every caller gets the entry as stored.
func testCreateEntryRace(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	const perStore = 8
	type result struct {
		e       placement.Entry
		created bool
		mine    string
	}
	results := make(chan result, 2*perStore)
	atOnce(stores, perStore, func(s adminStore, si, g int) {
		mine := fmt.Sprintf("node-%d-%d", si, g)
		e := newEntry("room", mine)
		e.Region = "region-of-" + mine
		got, created, err := s.CreateEntry(actx(t), e, []byte(`{"region":"`+mine+`"}`))
		if err != nil {
			t.Error(err)
			return
		}
		results <- result{got, created, mine}
	})
	close(results)
	stored := entryOf(t, stores[0], "chat", "room")
	var creators []string
	n := 0
	for r := range results {
		n++
		if r.created {
			creators = append(creators, r.mine)
		}
		sameEntry(t, "a caller's entry", r.e, stored)
	}
	if n != 2*perStore {
		t.Fatalf("%d results, want %d", n, 2*perStore)
	}
	if len(creators) != 1 {
		t.Fatalf("%d callers created the entry (%v), want exactly 1", len(creators), creators)
	}
	c := creators[0]
	if stored.Owner != c || stored.Region != "region-of-"+c || stored.Settings.Region != c || stored.Epoch != 1 {
		t.Fatalf("stored %+v, want the creator %s's entry", stored, c)
	}
}

// A move is a compare-and-set on the epoch read: of concurrent moves from
// the same epoch exactly one applies.
func testMoveEntryCAS(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	ctx := actx(t)
	createEntry(t, stores[0], newEntry("room", "node-1"), "")
	for round := int64(1); round <= 3; round++ {
		type result struct {
			to    string
			epoch int64
			err   error
		}
		results := make(chan result, len(stores))
		atOnce(stores, 1, func(s adminStore, si, _ int) {
			to := fmt.Sprintf("node-%d-%d", round, si)
			e, err := s.MoveEntry(actx(t), "chat", "room", to, round)
			results <- result{to, e, err}
		})
		close(results)
		var winner string
		for r := range results {
			switch {
			case r.err == nil:
				if winner != "" {
					t.Fatalf("round %d: both %s and %s moved the entry", round, winner, r.to)
				}
				if r.epoch != round+1 {
					t.Fatalf("round %d: new epoch %d, want %d", round, r.epoch, round+1)
				}
				winner = r.to
			case errors.Is(r.err, placement.ErrStaleEpoch):
				msg := r.err.Error()
				if !strings.Contains(msg, "room") || !strings.Contains(msg, fmt.Sprint("epoch ", round)) ||
					!strings.Contains(msg, fmt.Sprint("now ", round+1)) || !strings.Contains(msg, "place it again") {
					t.Errorf("stale move's error %q does not name the instance, both epochs and what to do", msg)
				}
			default:
				t.Fatalf("round %d: move to %s: %v", round, r.to, r.err)
			}
		}
		if winner == "" {
			t.Fatalf("round %d: no move applied", round)
		}
		if got := entryOf(t, stores[1], "chat", "room"); got.Owner != winner || got.Epoch != round+1 {
			t.Fatalf("round %d: stored %+v, want owner %s at epoch %d", round, got, winner, round+1)
		}
	}
	// A stale epoch, from either side.
	for _, expected := range []int64{1, 3, 5} {
		if _, err := stores[0].MoveEntry(ctx, "chat", "room", "node-x", expected); !errors.Is(err, placement.ErrStaleEpoch) {
			t.Errorf("move from epoch %d at epoch 4: %v, want ErrStaleEpoch", expected, err)
		}
	}
	// A missing instance; an activation without a directory row is one.
	if _, err := stores[0].Activate(ctx, "chat", "bare", "node-1"); err != nil {
		t.Fatal(err)
	}
	for _, inst := range []string{"nowhere", "bare"} {
		for _, expected := range []int64{0, 1} {
			_, err := stores[1].MoveEntry(ctx, "chat", inst, "node-2", expected)
			if !errors.Is(err, ErrNotFound) || !errors.Is(err, placement.ErrNotFound) {
				t.Errorf("moving %s from epoch %d: %v, want ErrNotFound", inst, expected, err)
			}
		}
	}
	if rec, err := stores[0].Coordinators(ctx, "chat"); err != nil || len(rec) != 1 {
		t.Fatalf("moves of missing instances made entries: %+v, %v", rec, err)
	}
	for what, err := range map[string]error{
		"no owner":       second(stores[0].MoveEntry(ctx, "chat", "room", "", 4)),
		"negative epoch": second(stores[0].MoveEntry(ctx, "chat", "room", "node-x", -1)),
		"shared store":   second(stores[0].MoveEntry(ctx, "chat", "", "node-x", 4)),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("move with %s: %v, want ErrInvalid", what, err)
		}
	}
}

// An entry read with no activation (EnsureCoordinator made it) moves from
// epoch 0: the first activation row is inserted, once.
func testMoveEntryFromNoActivation(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	if _, _, err := stores[0].EnsureCoordinator(actx(t), "chat", "room", nil); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	atOnce(stores, 4, func(s adminStore, si, g int) {
		e, err := s.MoveEntry(actx(t), "chat", "room", fmt.Sprintf("node-%d-%d", si, g), 0)
		switch {
		case err == nil && e == 1:
			wins.Add(1)
		case !errors.Is(err, placement.ErrStaleEpoch):
			t.Errorf("move from no activation: %d, %v", e, err)
		}
	})
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d moves from epoch 0 applied, want 1", n)
	}
	got := entryOf(t, stores[1], "chat", "room")
	if got.Epoch != 1 || !strings.HasPrefix(got.Owner, "node-") || got.UpdatedAt.IsZero() {
		t.Fatalf("after the move from 0: %+v", got)
	}
	if e, err := stores[1].MoveEntry(actx(t), "chat", "room", "node-z", 1); err != nil || e != 2 {
		t.Fatalf("next move: %d, %v", e, err)
	}
}

func testActivateOwned(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	createEntry(t, s, newEntry("room", "node-1"), "")
	for want := int64(2); want <= 3; want++ {
		if e, err := other.ActivateOwned(ctx, "chat", "room", "node-1"); err != nil || e != want {
			t.Fatalf("ActivateOwned by the owner = %d, %v; want %d", e, err, want)
		}
	}
	if got := entryOf(t, s, "chat", "room"); got.Owner != "node-1" || got.Epoch != 3 {
		t.Fatalf("after two activations: %+v", got)
	}
	_, err := s.ActivateOwned(ctx, "chat", "room", "node-2")
	if !errors.Is(err, placement.ErrNotOwner) || !strings.Contains(err.Error(), `"node-1"`) || !strings.Contains(err.Error(), "epoch 3") {
		t.Fatalf("ActivateOwned by another member: %v, want ErrNotOwner naming node-1 at epoch 3", err)
	}
	t.Logf("not the owner: %v", err)
	if got := entryOf(t, s, "chat", "room"); got.Epoch != 3 {
		t.Fatalf("a refused activation changed the epoch: %+v", got)
	}
	// After a move, the old owner is refused and the new one activates.
	if _, err := s.MoveEntry(ctx, "chat", "room", "node-2", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActivateOwned(ctx, "chat", "room", "node-1"); !errors.Is(err, placement.ErrNotOwner) {
		t.Fatalf("ActivateOwned by the previous owner: %v", err)
	}
	if e, err := s.ActivateOwned(ctx, "chat", "room", "node-2"); err != nil || e != 5 {
		t.Fatalf("ActivateOwned by the new owner = %d, %v; want 5", e, err)
	}
	// No activation row, no entry at all, a deleted entry (owner ""), an
	// empty member.
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "legacy", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCoordinator(ctx, "chat", "room"); err != nil {
		t.Fatal(err)
	}
	for _, inst := range []string{"legacy", "nowhere", "room"} {
		if _, err := s.ActivateOwned(ctx, "chat", inst, "node-2"); !errors.Is(err, placement.ErrNotOwner) {
			t.Errorf("ActivateOwned of %s: %v, want ErrNotOwner", inst, err)
		}
	}
	if _, err := s.ActivateOwned(ctx, "chat", "room", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("ActivateOwned by no member: %v, want ErrInvalid", err)
	}
}

// mustBeFenced fails unless a commit in sc is refused with kv.ErrFenced.
func mustBeFenced(t *testing.T, s adminStore, sc kv.Scope, after string) {
	t.Helper()
	_, _, err := s.Commit(actx(t), sc, nil, []kv.Mutation{{Key: kvKey(t, "late"), Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`1`)}}})
	if !errors.Is(err, kv.ErrFenced) {
		t.Fatalf("commit with epoch %d after %s: %v, want kv.ErrFenced", sc.Epoch, after, err)
	}
}

// Every directory write that raises the epoch fences the activations
// before it: their next commit fails with kv.ErrFenced, on every node.
func testDirectoryWritesFence(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	e := createEntry(t, s, newEntry("room", "node-1"), "")
	first := kv.Scope{Project: "chat", Instance: "room", Epoch: e.Epoch}
	setIn(t, s, first, "a")

	e2, err := other.MoveEntry(ctx, "chat", "room", "node-2", e.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []adminStore{s, other} {
		mustBeFenced(t, st, first, "a move")
	}
	movedTo := kv.Scope{Project: "chat", Instance: "room", Epoch: e2}
	setIn(t, other, movedTo, "b")

	e3, err := s.ActivateOwned(ctx, "chat", "room", "node-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []adminStore{s, other} {
		mustBeFenced(t, st, movedTo, "a new activation on the same member")
		mustBeFenced(t, st, first, "a new activation on the same member")
	}
	setIn(t, s, kv.Scope{Project: "chat", Instance: "room", Epoch: e3}, "c")
	if n := rowsIn(t, s, first); n != 3 {
		t.Fatalf("%d rows, want the 3 written by the activation of the moment", n)
	}
}

// Commits racing with a move: once MoveEntry returned, no commit under the
// old epoch that begins afterwards succeeds.
func testMoveFencesUnderLoad(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	e := createEntry(t, s, newEntry("room", "node-1"), "")
	sc := kv.Scope{Project: "chat", Instance: "room", Epoch: e.Epoch}
	const writers = 4
	var moved atomic.Bool
	committed := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				after := moved.Load()
				_, ok, err := s.Commit(ctx, sc, nil, []kv.Mutation{{Key: kvKey(t, fmt.Sprintf("w%d-%d", w, i)), Op: kv.OpSet,
					Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`1`)}}})
				if errors.Is(err, kv.ErrFenced) {
					return
				}
				if err != nil || !ok {
					t.Errorf("commit: %v %v", ok, err)
					return
				}
				if after {
					t.Errorf("a commit under epoch %d begun after the move returned succeeded", sc.Epoch)
					return
				}
				if i == 2 {
					committed <- struct{}{}
				}
			}
		})
	}
	for range writers {
		<-committed
	}
	if _, err := other.MoveEntry(ctx, "chat", "room", "node-2", e.Epoch); err != nil {
		t.Fatal(err)
	}
	moved.Store(true)
	wg.Wait()
}

// Deleting an instance and creating it again never reuses an epoch: the
// new entry's epoch is above every one handed out before, whatever the
// creator asks for.
func testCreateAfterDeleteKeepsEpochsGrowing(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	createEntry(t, s, newEntry("room", "node-1"), "")
	e2, err := s.MoveEntry(ctx, "chat", "room", "node-2", 1)
	if err != nil {
		t.Fatal(err)
	}
	e3, err := s.ActivateOwned(ctx, "chat", "room", "node-2")
	if err != nil {
		t.Fatal(err)
	}
	old := kv.Scope{Project: "chat", Instance: "room", Epoch: e3}
	setIn(t, s, old, "a")
	if err := other.DeleteCoordinator(ctx, "chat", "room"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DirectoryEntry(ctx, "chat", "room"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DirectoryEntry after the delete: %v, want ErrNotFound", err)
	}
	if _, err := s.MoveEntry(ctx, "chat", "room", "node-3", e3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("move of a deleted entry: %v, want ErrNotFound", err)
	}

	again := createEntry(t, other, newEntry("room", "node-3"), "")
	if again.Epoch <= e3 || again.Owner != "node-3" {
		t.Fatalf("entry created again: %+v, want owner node-3 above epoch %d", again, e3)
	}
	sameEntry(t, "DirectoryEntry of the entry created again", entryOf(t, s, "chat", "room"), again)
	for _, ep := range []int64{1, e2, e3} {
		mustBeFenced(t, s, kv.Scope{Project: "chat", Instance: "room", Epoch: ep}, "the delete and creation")
	}
	setIn(t, s, kv.Scope{Project: "chat", Instance: "room", Epoch: again.Epoch}, "fresh")

	// A creator asking for a higher epoch gets it; the project deleted
	// whole is the same case.
	if err := s.DeleteProject(ctx, "chat"); err != nil {
		t.Fatal(err)
	}
	high := newEntry("room", "node-4")
	high.Epoch = again.Epoch + 10
	if got := createEntry(t, s, high, ""); got.Epoch != high.Epoch {
		t.Fatalf("created after DeleteProject asking epoch %d: %+v", high.Epoch, got)
	}

	// An activation that predates the entry (Activate, before directories)
	// is fenced by the creation too.
	live := kv.Scope{Project: "chat", Instance: "early", Epoch: activate(t, s, "chat", "early", "node-1")}
	setIn(t, s, live, "a")
	if got := createEntry(t, other, newEntry("early", "node-2"), ""); got.Epoch <= live.Epoch || got.Owner != "node-2" {
		t.Fatalf("entry over an existing activation: %+v, want owner node-2 above epoch %d", got, live.Epoch)
	}
	mustBeFenced(t, s, live, "the creation of its entry")

	// A creation that lost writes nothing, not even a missing activation.
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "legacy", nil); err != nil {
		t.Fatal(err)
	}
	got, created, err := s.CreateEntry(ctx, newEntry("legacy", "node-1"), nil)
	if err != nil || created || got.Epoch != 0 || got.Owner != "" {
		t.Fatalf("CreateEntry over an existing row: %+v, created=%v, %v; want the row unchanged", got, created, err)
	}
}

// A database made before coordinators had a region, and before members,
// opens (twice: the second time changes nothing) and works with both.
func TestSQLiteOldCoordinatorsGainRegion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edge.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(oldDirectorySchema); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 {
		s, err := OpenSQLite(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkUpgraded(t, s)
		s.Close()
	}
}

// The same on Postgres.
func TestPostgresOldCoordinatorsGainRegion(t *testing.T) {
	dsn := freshSchema(t, postgresURL(t))
	ctx := actx(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, oldDirectorySchema)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		checkUpgraded(t, openPostgres(t, dsn))
	}
}

// oldDirectorySchema is the directory's tables as the previous schema made
// them (types both backends accept), with an instance in them.
const oldDirectorySchema = `
CREATE TABLE activations (project TEXT NOT NULL, instance TEXT NOT NULL, epoch BIGINT NOT NULL,
	owner TEXT NOT NULL, since_ms BIGINT NOT NULL, PRIMARY KEY (project, instance));
CREATE TABLE coordinators (project TEXT NOT NULL, instance TEXT NOT NULL, settings BYTEA,
	created_ms BIGINT NOT NULL, last_active_ms BIGINT NOT NULL, PRIMARY KEY (project, instance));
INSERT INTO coordinators VALUES ('chat', 'old', NULL, 1700000000000, 0);
INSERT INTO activations VALUES ('chat', 'old', 4, 'node-1', 1700000000000);
`

// checkUpgraded checks a store opened on oldDirectorySchema, at its first
// opening or a later one.
func checkUpgraded(t *testing.T, s adminStore) {
	t.Helper()
	ctx := actx(t)
	old := entryOf(t, s, "chat", "old")
	if old.Region != "" || old.Epoch < 4 || old.CreatedAt.UnixMilli() != 1_700_000_000_000 {
		t.Fatalf("the old instance after the upgrade: %+v", old)
	}
	if rec, err := s.Coordinator(ctx, "chat", "old"); err != nil || rec.Region != "" || rec.Epoch != old.Epoch {
		t.Fatalf("Coordinator after the upgrade: %+v, %v", rec, err)
	}
	if _, err := s.MoveEntry(ctx, "chat", "old", "node-2", old.Epoch); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateEntry(ctx, newEntry(fmt.Sprint("new-", old.Epoch), "node-1"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Heartbeat(ctx, MemberRecord{ID: "node-1", Region: "eu"}); err != nil {
		t.Fatal(err)
	}
	if ms, _, err := s.Members(ctx); err != nil || len(ms) != 1 {
		t.Fatalf("Members after the upgrade: %+v, %v", ms, err)
	}
}
