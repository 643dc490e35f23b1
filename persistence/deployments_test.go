package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/kv"
)

// The deployments and the coordinator directory, one suite run on each
// backend. Every test gets a fresh database; open gives another handle on
// it (another process, as far as the database can tell).

// adminStore is what the suite uses of a backend.
type adminStore interface {
	kv.Store
	Activate(ctx context.Context, project, instance, owner string) (int64, error)
	CreateDeployment(ctx context.Context, d Deployment) (Deployment, bool, error)
	Projects(ctx context.Context) ([]Deployment, error)
	CurrentVersions(ctx context.Context) (map[string]int64, error)
	Project(ctx context.Context, project string) (Deployment, error)
	Deployments(ctx context.Context, project string) ([]Deployment, error)
	Deployment(ctx context.Context, project string, version int64) (Deployment, error)
	SetCurrent(ctx context.Context, project string, version int64) (Deployment, error)
	DeleteProject(ctx context.Context, project string) error
	EnsureCoordinator(ctx context.Context, project, instance string, settings []byte) (CoordinatorRecord, bool, error)
	Coordinators(ctx context.Context, project string) ([]CoordinatorRecord, error)
	Coordinator(ctx context.Context, project, instance string) (CoordinatorRecord, error)
	TouchCoordinator(ctx context.Context, project, instance string, at time.Time) error
	DeleteCoordinator(ctx context.Context, project, instance string) error
	// The cluster's directory (directory.go) and members (members.go).
	DirectoryEntry(ctx context.Context, project, instance string) (placement.Entry, error)
	CreateEntry(ctx context.Context, e placement.Entry, rawSettings []byte) (placement.Entry, bool, error)
	MoveEntry(ctx context.Context, project, instance, to string, expected int64) (int64, error)
	ActivateOwned(ctx context.Context, project, instance, owner string) (int64, error)
	Heartbeat(ctx context.Context, m MemberRecord) (time.Time, error)
	Members(ctx context.Context) ([]MemberRecord, time.Time, error)
	LeaveMember(ctx context.Context, id string) error
}

// Interface guards.
var (
	_ adminStore = (*SQLite)(nil)
	_ adminStore = (*Postgres)(nil)
)

// newDB makes a fresh database and returns a function that opens a handle
// on it (closed when the test ends).
type newDB func(t *testing.T) (open func(t *testing.T) adminStore)

func TestSQLiteDeployments(t *testing.T) {
	runAdminSuite(t, func(t *testing.T) func(t *testing.T) adminStore {
		path := filepath.Join(t.TempDir(), "edge.db")
		return func(t *testing.T) adminStore {
			s, err := OpenSQLite(context.Background(), path, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

func TestPostgresDeployments(t *testing.T) {
	base := postgresURL(t)
	runAdminSuite(t, func(t *testing.T) func(t *testing.T) adminStore {
		url := freshSchema(t, base)
		return func(t *testing.T) adminStore { return openPostgres(t, url) }
	})
}

func runAdminSuite(t *testing.T, db newDB) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) adminStore)
	}{
		{"VersionsRoundTrip", testVersionsRoundTrip},
		{"ProjectOwned", testProjectOwned},
		{"DomainTaken", testDomainTaken},
		{"ConcurrentDeployments", testConcurrentDeployments},
		{"ConcurrentIdenticalDeployments", testConcurrentIdenticalDeployments},
		{"DeployUnchanged", testDeployUnchanged},
		{"DomainRace", testDomainRace},
		{"NotFound", testNotFound},
		{"InvalidInput", testInvalidInput},
		{"EnsureCoordinatorRace", testEnsureCoordinatorRace},
		{"CoordinatorRecord", testCoordinatorRecord},
		{"TouchKeepsLatest", testTouchKeepsLatest},
		{"DeleteCoordinatorFences", testDeleteCoordinatorFences},
		{"DeleteProject", testDeleteProject},
		{"DeleteUnderLoad", testDeleteUnderLoad},
		{"CurrentVersions", testCurrentVersions},
		{"MembersRoundTrip", testMembersRoundTrip},
		{"DirectoryEntryFields", testDirectoryEntryFields},
		{"CreateEntryRace", testCreateEntryRace},
		{"MoveEntryCAS", testMoveEntryCAS},
		{"MoveEntryFromNoActivation", testMoveEntryFromNoActivation},
		{"ActivateOwned", testActivateOwned},
		{"DirectoryWritesFence", testDirectoryWritesFence},
		{"MoveFencesUnderLoad", testMoveFencesUnderLoad},
		{"CreateAfterDeleteKeepsEpochsGrowing", testCreateAfterDeleteKeepsEpochsGrowing},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, db(t)) })
	}
}

func actx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// deploy stores d, which must make a new version.
func deploy(t *testing.T, s adminStore, d Deployment) Deployment {
	t.Helper()
	got, created, err := s.CreateDeployment(actx(t), d)
	if err != nil {
		t.Fatalf("CreateDeployment(%s): %v", d.Project, err)
	}
	if !created {
		t.Fatalf("CreateDeployment(%s): no new version (the same as v%d), want one", d.Project, got.Version)
	}
	return got
}

func worker(project, account string, domains ...string) Deployment {
	return workerWith(project, account, "export default {}", domains...)
}

func workerWith(project, account, source string, domains ...string) Deployment {
	return Deployment{Project: project, Account: account, Kind: "worker", Entry: "/src/main.ts",
		Source: source, Domains: domains}
}

// sameDeployment fails unless got is want (times compared with Equal).
func sameDeployment(t *testing.T, what string, got, want Deployment) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("%s: CreatedAt %v, want %v", what, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testVersionsRoundTrip(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	at := time.UnixMilli(1_700_000_000_123)
	v1 := deploy(t, s, Deployment{Project: "shop", Account: "acme", Kind: "coordinator", Entry: "/home/a/shop/main.ts",
		Source: "// v1\x00 with a NUL and ünïcode", Env: map[string]string{"A": "1", "B": ""}, Domains: []string{"Shop.Example.COM", "shop.example.com", "www.example.com"},
		Message: "first", CreatedAt: at})
	want1 := Deployment{Project: "shop", Version: 1, Account: "acme", Kind: "coordinator", Entry: "/home/a/shop/main.ts",
		Source: "// v1\x00 with a NUL and ünïcode", Size: len("// v1\x00 with a NUL and ünïcode"), Env: map[string]string{"A": "1", "B": ""},
		Domains: []string{"shop.example.com", "www.example.com"}, Message: "first", CreatedAt: at}
	sameDeployment(t, "CreateDeployment v1", v1, want1)

	before := time.Now().Add(-time.Second)
	v2 := deploy(t, s, Deployment{Project: "shop", Account: "acme", Kind: "worker", Entry: "/e2", Source: strings.Repeat("x", 3<<20)})
	if v2.Version != 2 || v2.Size != 3<<20 || v2.Env != nil || v2.Domains != nil {
		t.Fatalf("v2 = version %d size %d env %v domains %v", v2.Version, v2.Size, v2.Env, v2.Domains)
	}
	if v2.CreatedAt.Before(before) || v2.CreatedAt.After(time.Now()) {
		t.Errorf("v2 CreatedAt %v: want now when not given", v2.CreatedAt)
	}
	other := deploy(t, s, worker("blog", "acme"))

	cur, err := s.Project(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	sameDeployment(t, "Project after v2", cur, v2)
	all, err := s.Projects(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Projects = %d, %v; want 2", len(all), err)
	}
	sameDeployment(t, "Projects[0]", all[0], other)
	sameDeployment(t, "Projects[1]", all[1], v2)

	list, err := s.Deployments(ctx, "shop")
	if err != nil || len(list) != 2 {
		t.Fatalf("Deployments = %d, %v; want 2", len(list), err)
	}
	for i, want := range []Deployment{v2, want1} {
		want.Source = ""
		sameDeployment(t, fmt.Sprintf("Deployments[%d]", i), list[i], want)
	}
	got1, err := s.Deployment(ctx, "shop", 1)
	if err != nil {
		t.Fatal(err)
	}
	sameDeployment(t, "Deployment(1)", got1, want1)

	back, err := s.SetCurrent(ctx, "shop", 1)
	if err != nil {
		t.Fatal(err)
	}
	sameDeployment(t, "SetCurrent(1)", back, want1)
	if cur, _ := s.Project(ctx, "shop"); cur.Version != 1 {
		t.Fatalf("current after rollback: %d, want 1", cur.Version)
	}
	// The next version follows the newest, not the current one.
	if v3 := deploy(t, s, worker("shop", "acme")); v3.Version != 3 {
		t.Fatalf("version after rollback: %d, want 3", v3.Version)
	}
	if cur, _ := s.Project(ctx, "shop"); cur.Version != 3 {
		t.Fatalf("current after deploying: %d, want 3", cur.Version)
	}
}

func testProjectOwned(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	deploy(t, s, worker("shop", "acme"))
	_, _, err := s.CreateDeployment(actx(t), worker("shop", "evil"))
	if !errors.Is(err, ErrProjectOwned) || !strings.Contains(err.Error(), "shop") {
		t.Fatalf("deploying another account's project: %v, want ErrProjectOwned naming it", err)
	}
	if list, _ := s.Deployments(actx(t), "shop"); len(list) != 1 || list[0].Account != "acme" {
		t.Fatalf("after the refused deploy: %+v", list)
	}
	// Once deleted, the name is free for anyone.
	if err := s.DeleteProject(actx(t), "shop"); err != nil {
		t.Fatal(err)
	}
	if d := deploy(t, s, worker("shop", "evil")); d.Version != 1 || d.Account != "evil" {
		t.Fatalf("after delete: %+v", d)
	}
}

func testDomainTaken(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	deploy(t, s, worker("a", "acme", "x.example.com", "y.example.com"))
	taken := func(what string, err error, domain, holder string) {
		t.Helper()
		if !errors.Is(err, ErrDomainTaken) || !strings.Contains(err.Error(), domain) || !strings.Contains(err.Error(), " "+holder) {
			t.Fatalf("%s: %v, want ErrDomainTaken naming %s and %s", what, err, domain, holder)
		}
	}
	_, _, err := s.CreateDeployment(ctx, worker("b", "other", "z.example.com", "X.example.com"))
	taken("claiming a's domain", err, "x.example.com", "a")
	if _, err := s.Project(ctx, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused deployment was stored: %v", err)
	}
	// A project may keep its own domains.
	deploy(t, s, worker("a", "acme", "x.example.com"))
	// y is free now that a's current version dropped it.
	deploy(t, s, worker("b", "other", "y.example.com"))
	// Rolling a back to version 1 would take y back: refused.
	_, err = s.SetCurrent(ctx, "a", 1)
	taken("rolling back onto b's domain", err, "y.example.com", "b")
	if cur, _ := s.Project(ctx, "a"); cur.Version != 2 {
		t.Fatalf("the refused rollback changed the current version to %d", cur.Version)
	}
	if err := s.DeleteProject(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCurrent(ctx, "a", 1); err != nil {
		t.Fatalf("rollback after b was deleted: %v", err)
	}
	if err := s.DeleteProject(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	deploy(t, s, worker("c", "other", "x.example.com", "y.example.com"))
}

// Different code deployed at once from two stores: one version each,
// numbered 1..n without gaps or repeats.
func testConcurrentDeployments(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	const perStore = 6
	versions := make(chan int64, 2*perStore)
	atOnce(stores, perStore, func(s adminStore, si, g int) {
		d, created, err := s.CreateDeployment(actx(t), workerWith("shop", "acme", fmt.Sprintf("export default {} // %d-%d", si, g)))
		if err != nil || !created {
			t.Errorf("store %d goroutine %d: created %v, %v; want a new version", si, g, created, err)
			return
		}
		versions <- d.Version
	})
	close(versions)
	var got []int64
	for v := range versions {
		got = append(got, v)
	}
	slices.Sort(got)
	if len(got) != 2*perStore {
		t.Fatalf("versions %v: want %d", got, 2*perStore)
	}
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("versions %v: want 1..%d, each once", got, 2*perStore)
		}
	}
	if cur, _ := stores[0].Project(actx(t), "shop"); cur.Version < 1 {
		t.Fatalf("no current version")
	}
}

// The same code deployed at once from two stores (nodes starting with the
// same config): exactly one version is stored, and every caller gets it.
// Run for a new project and for a project whose current version differs.
func testConcurrentIdenticalDeployments(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	const perStore = 8
	for round, d := range []Deployment{
		{Project: "shop", Account: "acme", Kind: "coordinator", Source: "v1", Env: map[string]string{"A": "1"}, Domains: []string{"shop.example.com"}},
		{Project: "shop", Account: "acme", Kind: "coordinator", Source: "v2", Env: map[string]string{"A": "1"}, Domains: []string{"shop.example.com"}},
	} {
		want := int64(round + 1)
		var mu sync.Mutex
		created := 0
		atOnce(stores, perStore, func(s adminStore, si, g int) {
			d := d
			d.Message = fmt.Sprintf("from %d-%d", si, g) // the message does not make a version
			got, c, err := s.CreateDeployment(actx(t), d)
			if err != nil {
				t.Errorf("store %d goroutine %d: %v", si, g, err)
				return
			}
			if got.Version != want || got.Source != d.Source {
				t.Errorf("store %d goroutine %d: got version %d (source %q), want %d", si, g, got.Version, got.Source, want)
			}
			if c {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
		if created != 1 {
			t.Errorf("round %d: %d callers created a version, want exactly 1", round+1, created)
		}
		list, err := stores[1].Deployments(actx(t), "shop")
		if err != nil || len(list) != round+1 {
			t.Fatalf("round %d: %d versions stored (%v), want %d", round+1, len(list), err, round+1)
		}
	}
}

// What makes a new version: kind, source, env and domains compared with
// the current version (not the newest); entry and message do not.
func testDeployUnchanged(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	base := Deployment{Project: "shop", Account: "acme", Kind: "worker", Entry: "/a.ts", Source: "one",
		Env: map[string]string{"A": "1"}, Domains: []string{"a.example.com", "b.example.com"}}
	v1 := deploy(t, s, base)
	same := func(what string, d Deployment, version int64) {
		t.Helper()
		got, created, err := s.CreateDeployment(ctx, d)
		if err != nil || created || got.Version != version || got.Source != d.Source {
			t.Fatalf("%s: version %d, created %v, %v; want version %d unchanged", what, got.Version, created, err, version)
		}
	}
	same("identical", base, 1)
	d := base
	d.Entry, d.Message = "/b.ts", "again"
	same("another entry and message", d, 1)
	d = base
	d.Domains = []string{"A.example.com", "b.example.com", "a.example.com"} // stored as a, b
	same("domains as stored", d, 1)
	got, _, err := s.CreateDeployment(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	sameDeployment(t, "the unchanged version", got, v1)

	version := int64(1)
	for _, tc := range []struct {
		name   string
		change func(d *Deployment)
	}{
		{"kind", func(d *Deployment) { d.Kind = "assistant" }},
		{"source", func(d *Deployment) { d.Source = "two" }},
		{"source of the same size", func(d *Deployment) { d.Source = "owt" }},
		{"env value", func(d *Deployment) { d.Env = map[string]string{"A": "2"} }},
		{"env key", func(d *Deployment) { d.Env = map[string]string{"B": "1"} }},
		{"no env", func(d *Deployment) { d.Env = nil }},
		{"domains", func(d *Deployment) { d.Domains = []string{"a.example.com"} }},
		{"domain order", func(d *Deployment) { d.Domains = []string{"b.example.com", "a.example.com"} }},
	} {
		d := base
		tc.change(&d)
		version++
		if got := deploy(t, s, d); got.Version != version {
			t.Fatalf("changing the %s: version %d, want %d", tc.name, got.Version, version)
		}
		// Back to base: a change again.
		version++
		if got := deploy(t, s, base); got.Version != version {
			t.Fatalf("back from the %s: version %d, want %d", tc.name, got.Version, version)
		}
	}
	// Compared with the current version: after a rollback to v1, the
	// newest version's code is a change.
	d = base
	d.Source = "newest"
	newest := deploy(t, s, d)
	if _, err := s.SetCurrent(ctx, "shop", 1); err != nil {
		t.Fatal(err)
	}
	same("the current version after a rollback", base, 1)
	if got := deploy(t, s, d); got.Version != newest.Version+1 {
		t.Fatalf("redeploying the newest version after a rollback: version %d, want %d", got.Version, newest.Version+1)
	}
}

// Projects racing for one domain: exactly one gets it.
func testDomainRace(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	const perStore = 4
	won := make(chan string, 2*perStore)
	atOnce(stores, perStore, func(s adminStore, si, g int) {
		project := fmt.Sprintf("p%d-%d", si, g)
		// Half list the two domains in the other order.
		domains := []string{"b.example.com", "a.example.com"}
		if g%2 == 0 {
			slices.Reverse(domains)
		}
		_, _, err := s.CreateDeployment(actx(t), worker(project, "acme", domains...))
		switch {
		case err == nil:
			won <- project
		case !errors.Is(err, ErrDomainTaken):
			t.Errorf("%s: %v, want nil or ErrDomainTaken", project, err)
		}
	})
	close(won)
	var winners []string
	for p := range won {
		winners = append(winners, p)
	}
	if len(winners) != 1 {
		t.Fatalf("winners %v, want exactly one", winners)
	}
	ps, err := stores[0].Projects(actx(t))
	if err != nil || len(ps) != 1 || ps[0].Project != winners[0] {
		t.Fatalf("Projects = %+v, %v; want only %s", ps, err, winners[0])
	}
}

func testNotFound(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	deploy(t, s, worker("shop", "acme"))
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"Project", second(s.Project(ctx, "nope"))},
		{"Deployments", second(s.Deployments(ctx, "nope"))},
		{"Deployment of no project", second(s.Deployment(ctx, "nope", 1))},
		{"Deployment of no version", second(s.Deployment(ctx, "shop", 2))},
		{"SetCurrent of no project", second(s.SetCurrent(ctx, "nope", 1))},
		{"SetCurrent of no version", second(s.SetCurrent(ctx, "shop", 7))},
		{"SetCurrent of version 0", second(s.SetCurrent(ctx, "shop", 0))},
		{"Coordinator", second(s.Coordinator(ctx, "shop", "room"))},
		{"DeleteProject", s.DeleteProject(ctx, "nope")},
		{"DeleteCoordinator", s.DeleteCoordinator(ctx, "shop", "room")},
	} {
		if !errors.Is(tc.err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", tc.name, tc.err)
		}
	}
	if cs, err := s.Coordinators(ctx, "nope"); err != nil || cs == nil || len(cs) != 0 {
		t.Errorf("Coordinators of nothing = %#v, %v; want an empty slice", cs, err)
	}
	if err := s.TouchCoordinator(ctx, "nope", "room", time.Now()); err != nil {
		t.Errorf("TouchCoordinator of nothing: %v", err)
	}
	if ps, err := open(t).Projects(ctx); err != nil || len(ps) != 1 {
		t.Errorf("Projects = %v, %v", ps, err)
	}
}

func second[T any](_ T, err error) error { return err }

func testInvalidInput(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	for _, tc := range []struct {
		name string
		d    Deployment
		want string
	}{
		{"no project", worker("", "acme"), "project name is empty"},
		{"no account", worker("shop", ""), "account is empty"},
		{"unknown kind", Deployment{Project: "shop", Account: "acme", Kind: "lambda"}, `kind "lambda"`},
		{"empty domain", worker("shop", "acme", ""), `domain ""`},
		{"domain with a path", worker("shop", "acme", "a.com/x"), `domain "a.com/x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.CreateDeployment(ctx, tc.d)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name              string
		project, instance string
		settings          []byte
	}{
		{"no project", "", "room", nil},
		{"no instance", "chat", "", nil},
		{"settings not JSON", "chat", "room", []byte("{nope")},
	} {
		t.Run("coordinator "+tc.name, func(t *testing.T) {
			if _, _, err := s.EnsureCoordinator(ctx, tc.project, tc.instance, tc.settings); !errors.Is(err, ErrInvalid) {
				t.Fatalf("EnsureCoordinator: %v, want ErrInvalid", err)
			}
		})
	}
	if err := s.DeleteCoordinator(ctx, "chat", ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("DeleteCoordinator of the shared store: %v, want ErrInvalid", err)
	}
	if ps, _ := s.Projects(ctx); len(ps) != 0 {
		t.Fatalf("invalid deployments were stored: %+v", ps)
	}
}

func testEnsureCoordinatorRace(t *testing.T, open func(t *testing.T) adminStore) {
	stores := []adminStore{open(t), open(t)}
	const perStore = 8
	type result struct {
		rec     CoordinatorRecord
		created bool
		mine    string
	}
	results := make(chan result, 2*perStore)
	atOnce(stores, perStore, func(s adminStore, si, g int) {
		mine := fmt.Sprintf(`{"caller":"%d-%d"}`, si, g)
		rec, created, err := s.EnsureCoordinator(actx(t), "chat", "room-1", []byte(mine))
		if err != nil {
			t.Error(err)
			return
		}
		results <- result{rec, created, mine}
	})
	close(results)
	var creators []string
	var seen []string
	for r := range results {
		if r.created {
			creators = append(creators, r.mine)
		}
		seen = append(seen, string(r.rec.Settings))
	}
	if len(creators) != 1 {
		t.Fatalf("%d callers created the coordinator, want exactly 1", len(creators))
	}
	for _, s := range seen {
		if s != creators[0] {
			t.Fatalf("a caller saw settings %s, want the creator's %s", s, creators[0])
		}
	}
	if len(seen) != 2*perStore {
		t.Fatalf("%d results, want %d", len(seen), 2*perStore)
	}
	rec, err := stores[1].Coordinator(actx(t), "chat", "room-1")
	if err != nil || string(rec.Settings) != creators[0] {
		t.Fatalf("Coordinator = %s, %v", rec.Settings, err)
	}
}

func kvKey(t *testing.T, s string) []byte {
	t.Helper()
	k, err := kv.EncodeKey(kv.Key{s})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testCoordinatorRecord(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	before := time.Now().Add(-time.Second)
	rec, created, err := s.EnsureCoordinator(ctx, "chat", "room-b", nil)
	if err != nil || !created {
		t.Fatalf("EnsureCoordinator = %v, %v", created, err)
	}
	if rec.Project != "chat" || rec.Instance != "room-b" || rec.Settings != nil || rec.Epoch != 0 || rec.Owner != "" ||
		rec.StoredBytes != 0 || !rec.LastActive.IsZero() || rec.CreatedAt.Before(before) || rec.CreatedAt.After(time.Now()) {
		t.Fatalf("new record: %+v", rec)
	}
	if _, created, _ := s.EnsureCoordinator(ctx, "chat", "room-b", []byte(`{"late":true}`)); created {
		t.Fatal("created twice")
	}
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "room-a", []byte(`{"max":4}`)); err != nil {
		t.Fatal(err)
	}
	epoch, err := s.Activate(ctx, "chat", "room-b", "node-1")
	if err != nil {
		t.Fatal(err)
	}
	sc := kv.Scope{Project: "chat", Instance: "room-b", Epoch: epoch}
	k1, k2 := kvKey(t, "a"), kvKey(t, "bb")
	if _, ok, err := s.Commit(ctx, sc, nil, []kv.Mutation{
		{Key: k1, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`"12345"`)}},
		{Key: k2, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindBytes, Data: make([]byte, 100)}},
	}); err != nil || !ok {
		t.Fatalf("commit: %v %v", ok, err)
	}
	// Rows of the shared store and of other instances are not its own.
	if _, _, err := s.Commit(ctx, kv.Scope{Project: "chat"}, nil, []kv.Mutation{{Key: k1, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`1`)}}}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Coordinators(ctx, "chat")
	if err != nil || len(list) != 2 {
		t.Fatalf("Coordinators = %+v, %v", list, err)
	}
	if list[0].Instance != "room-a" || string(list[0].Settings) != `{"max":4}` || list[0].StoredBytes != 0 {
		t.Errorf("room-a: %+v", list[0])
	}
	b := list[1]
	want := int64(len(k1) + len(`"12345"`) + len(k2) + 100)
	if b.Instance != "room-b" || b.Epoch != epoch || b.Owner != "node-1" || b.StoredBytes != want || b.Settings != nil {
		t.Errorf("room-b: %+v, want epoch %d owner node-1 stored %d", b, epoch, want)
	}
	if one, err := s.Coordinator(ctx, "chat", "room-b"); err != nil || !reflect.DeepEqual(one, b) {
		t.Errorf("Coordinator = %+v, %v; want %+v", one, err, b)
	}
}

func testTouchKeepsLatest(t *testing.T, open func(t *testing.T) adminStore) {
	s := open(t)
	ctx := actx(t)
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "room", nil); err != nil {
		t.Fatal(err)
	}
	t1 := time.UnixMilli(1_700_000_000_000)
	for _, at := range []time.Time{t1.Add(-time.Hour), t1, t1.Add(-time.Minute), {}} {
		if err := s.TouchCoordinator(ctx, "chat", "room", at); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := s.Coordinator(ctx, "chat", "room")
	if err != nil || !rec.LastActive.Equal(t1) {
		t.Fatalf("LastActive = %v, %v; want %v", rec.LastActive, err, t1)
	}
}

// mustFence fails unless a commit in sc is refused with kv.ErrFenced.
func mustFence(t *testing.T, s adminStore, sc kv.Scope) {
	t.Helper()
	_, _, err := s.Commit(actx(t), sc, nil, []kv.Mutation{{Key: kvKey(t, "late"), Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`1`)}}})
	if !errors.Is(err, kv.ErrFenced) {
		t.Fatalf("commit with epoch %d after the delete: %v, want kv.ErrFenced", sc.Epoch, err)
	}
}

func setIn(t *testing.T, s adminStore, sc kv.Scope, key string) {
	t.Helper()
	if _, ok, err := s.Commit(actx(t), sc, nil, []kv.Mutation{{Key: kvKey(t, key), Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`"v"`)}}}); err != nil || !ok {
		t.Fatalf("commit in %s: %v %v", sc, ok, err)
	}
}

func rowsIn(t *testing.T, s adminStore, sc kv.Scope) int {
	t.Helper()
	es, err := s.List(actx(t), kv.Scope{Project: sc.Project, Instance: sc.Instance}, kv.Range{Start: []byte{}, End: []byte{0xff}})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func testDeleteCoordinatorFences(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "room", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	e1 := activate(t, s, "chat", "room", "node-1")
	e2 := activate(t, s, "chat", "room", "node-2")
	old := kv.Scope{Project: "chat", Instance: "room", Epoch: e2}
	setIn(t, s, old, "a")
	neighbour := kv.Scope{Project: "chat", Instance: "other", Epoch: activate(t, s, "chat", "other", "node-1")}
	setIn(t, s, neighbour, "a")

	if err := other.DeleteCoordinator(ctx, "chat", "room"); err != nil {
		t.Fatal(err)
	}
	for _, st := range []adminStore{s, other} {
		mustFence(t, st, old)
		mustFence(t, st, kv.Scope{Project: "chat", Instance: "room", Epoch: e1})
	}
	if n := rowsIn(t, s, old); n != 0 {
		t.Fatalf("%d kv rows left", n)
	}
	if _, err := s.Coordinator(ctx, "chat", "room"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Coordinator after delete: %v", err)
	}
	if err := s.DeleteCoordinator(ctx, "chat", "room"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting again: %v, want ErrNotFound", err)
	}
	// The neighbour is untouched.
	setIn(t, s, neighbour, "b")
	if n := rowsIn(t, s, neighbour); n != 2 {
		t.Fatalf("neighbour has %d rows, want 2", n)
	}
	// A new activation gets a larger epoch and writes.
	e3, err := s.Activate(ctx, "chat", "room", "node-3")
	if err != nil || e3 <= e2 {
		t.Fatalf("Activate after delete = %d, %v; want > %d", e3, err, e2)
	}
	setIn(t, other, kv.Scope{Project: "chat", Instance: "room", Epoch: e3}, "fresh")
	mustFence(t, s, old)
	// Only kv rows, or only a live activation, are still something to delete.
	if err := s.DeleteCoordinator(ctx, "chat", "room"); err != nil {
		t.Fatalf("deleting a coordinator with rows but no directory entry: %v", err)
	}
	if _, err := s.Activate(ctx, "chat", "ghost", "node-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCoordinator(ctx, "chat", "ghost"); err != nil {
		t.Fatalf("deleting a live activation without an entry: %v", err)
	}
}

func activate(t *testing.T, s adminStore, project, instance, owner string) int64 {
	t.Helper()
	e, err := s.Activate(actx(t), project, instance, owner)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func testDeleteProject(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	deploy(t, s, Deployment{Project: "chat", Account: "acme", Kind: "coordinator", Source: "x", Domains: []string{"chat.example.com"}})
	deploy(t, s, Deployment{Project: "chat", Account: "acme", Kind: "coordinator", Source: "y", Domains: []string{"chat.example.com"}})
	deploy(t, s, worker("keep", "acme"))
	var scopes []kv.Scope
	for _, inst := range []string{"r1", "r2"} {
		if _, _, err := s.EnsureCoordinator(ctx, "chat", inst, nil); err != nil {
			t.Fatal(err)
		}
		sc := kv.Scope{Project: "chat", Instance: inst, Epoch: activate(t, s, "chat", inst, "node-1")}
		setIn(t, s, sc, "k")
		scopes = append(scopes, sc)
	}
	// An instance with rows but no directory entry, and the shared store.
	stray := kv.Scope{Project: "chat", Instance: "stray", Epoch: activate(t, s, "chat", "stray", "node-1")}
	setIn(t, s, stray, "k")
	scopes = append(scopes, stray)
	setIn(t, s, kv.Scope{Project: "chat"}, "shared")
	kept := kv.Scope{Project: "keep", Instance: "x", Epoch: activate(t, s, "keep", "x", "node-1")}
	setIn(t, s, kept, "k")

	// SQLite signals only its own process's watchers: watch the deleting store.
	ch, stop := other.Changes(kv.Scope{Project: "chat"})
	defer stop()
	if err := other.DeleteProject(ctx, "chat"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatal("watchers of the shared store were not told it was emptied")
	}
	for _, sc := range scopes {
		mustFence(t, s, sc)
		if n := rowsIn(t, other, sc); n != 0 {
			t.Errorf("%s: %d rows left", sc, n)
		}
	}
	if n := rowsIn(t, s, kv.Scope{Project: "chat"}); n != 0 {
		t.Errorf("shared store: %d rows left", n)
	}
	for what, err := range map[string]error{
		"Project":     second(s.Project(ctx, "chat")),
		"Deployments": second(s.Deployments(ctx, "chat")),
		"Deployment":  second(s.Deployment(ctx, "chat", 1)),
		"again":       s.DeleteProject(ctx, "chat"),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s after delete: %v, want ErrNotFound", what, err)
		}
	}
	if cs, err := s.Coordinators(ctx, "chat"); err != nil || len(cs) != 0 {
		t.Errorf("Coordinators after delete: %+v, %v", cs, err)
	}
	// Other projects are untouched.
	setIn(t, s, kept, "k2")
	if ps, _ := s.Projects(ctx); len(ps) != 1 || ps[0].Project != "keep" {
		t.Errorf("Projects after delete: %+v", ps)
	}
	// The project starts again at version 1, its domain is free, and new
	// activations get larger epochs.
	if d := deploy(t, s, Deployment{Project: "chat", Account: "acme", Kind: "coordinator", Domains: []string{"chat.example.com"}}); d.Version != 1 {
		t.Errorf("first version after delete: %d", d.Version)
	}
	for _, sc := range scopes {
		e, err := s.Activate(ctx, sc.Project, sc.Instance, "node-2")
		if err != nil || e <= sc.Epoch {
			t.Fatalf("Activate %s after delete = %d, %v; want > %d", sc, e, err, sc.Epoch)
		}
		setIn(t, other, kv.Scope{Project: sc.Project, Instance: sc.Instance, Epoch: e}, "new")
	}
}

// A database made before deployments existed opens and gains their tables.
func TestSQLiteOldDatabaseGainsTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edge.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE activations (project TEXT NOT NULL, instance TEXT NOT NULL, epoch INTEGER NOT NULL,
	owner TEXT NOT NULL, since_ms INTEGER NOT NULL, PRIMARY KEY (project, instance));
INSERT INTO activations VALUES ('chat', 'room', 4, 'node-1', 0);`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := OpenSQLite(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := actx(t)
	deploy(t, s, worker("shop", "acme"))
	if err := s.DeleteCoordinator(ctx, "chat", "room"); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Activate(ctx, "chat", "room", "node-2"); e <= 4 {
		t.Fatalf("epoch %d after delete, want > 4", e)
	}
}

// Commits racing with DeleteCoordinator: each one either committed before
// the delete (and its rows are gone) or is fenced; none leaves a row
// behind. On Postgres this holds because the delete locks kv_meta first,
// as commit groups do.
func testDeleteUnderLoad(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	sc := kv.Scope{Project: "chat", Instance: "room", Epoch: activate(t, s, "chat", "room", "node-1")}
	if _, _, err := s.EnsureCoordinator(ctx, "chat", "room", nil); err != nil {
		t.Fatal(err)
	}
	const writers = 4
	committed := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				_, ok, err := s.Commit(ctx, sc, nil, []kv.Mutation{{Key: kvKey(t, fmt.Sprintf("w%d-%d", w, i)), Op: kv.OpSet,
					Value: kv.Value{Kind: kv.KindJSON, Data: []byte(`1`)}}})
				if errors.Is(err, kv.ErrFenced) {
					return
				}
				if err != nil || !ok {
					t.Errorf("commit: %v %v", ok, err)
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
	if err := other.DeleteCoordinator(ctx, "chat", "room"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if n := rowsIn(t, other, sc); n != 0 {
		t.Fatalf("%d rows left after the delete", n)
	}
}

// CurrentVersions is what another handle sees of deploys, rollbacks and
// deletes.
func testCurrentVersions(t *testing.T, open func(t *testing.T) adminStore) {
	a, b := open(t), open(t)
	ctx := actx(t)
	if got, err := b.CurrentVersions(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty database: %v, %v", got, err)
	}
	deploy(t, a, worker("shop", "acme"))
	deploy(t, a, workerWith("shop", "acme", "export default {} // v2"))
	deploy(t, a, worker("cart", "acme"))
	if _, err := a.SetCurrent(ctx, "shop", 1); err != nil {
		t.Fatal(err)
	}
	got, err := b.CurrentVersions(ctx)
	if err != nil || !reflect.DeepEqual(got, map[string]int64{"shop": 1, "cart": 1}) {
		t.Fatalf("after deploys and a rollback: %v, %v", got, err)
	}
	if err := a.DeleteProject(ctx, "cart"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.CurrentVersions(ctx); err != nil || !reflect.DeepEqual(got, map[string]int64{"shop": 1}) {
		t.Fatalf("after a delete: %v, %v", got, err)
	}
}

// atOnce calls f for each of perStore goroutines on each store (si is the
// store's index, g the goroutine's), releasing them all at the same moment,
// and returns when every call has.
func atOnce(stores []adminStore, perStore int, f func(s adminStore, si, g int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for si, s := range stores {
		for g := range perStore {
			wg.Go(func() {
				<-start
				f(s, si, g)
			})
		}
	}
	close(start)
	wg.Wait()
}
