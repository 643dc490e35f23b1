package deploy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/persistence"
)

// fakeStore keeps versions in memory with persistence's rules: versions
// 1, 2, 3... per project, a project owned by the account that first
// deployed it, a domain served by at most one project's current version.
type fakeStore struct {
	mu       sync.Mutex
	projects map[string]*fakeProject
	domains  map[string]string // domain -> project
	creates  int               // CreateDeployment calls that stored a version
	deleted  []string
	// failDelete, if set, is what DeleteProject returns.
	failDelete error
}

type fakeProject struct {
	account  string
	current  int64
	versions []persistence.Deployment // index i is version i+1
}

var _ deploy.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{projects: map[string]*fakeProject{}, domains: map[string]string{}}
}

func (s *fakeStore) claim(project string, domains []string) error {
	for _, d := range domains {
		if h, ok := s.domains[d]; ok && h != project {
			return fmt.Errorf("domain %s of %s: %w: %s", d, project, persistence.ErrDomainTaken, h)
		}
	}
	for d, h := range s.domains {
		if h == project {
			delete(s.domains, d)
		}
	}
	for _, d := range domains {
		s.domains[d] = project
	}
	return nil
}

func (s *fakeStore) CreateDeployment(_ context.Context, d persistence.Deployment) (persistence.Deployment, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.Project == "" || d.Account == "" || !slices.Contains([]string{"worker", "coordinator", "assistant", "greeter"}, d.Kind) {
		return persistence.Deployment{}, false, fmt.Errorf("storing %q: %w", d.Project, persistence.ErrInvalid)
	}
	var doms []string
	for _, dom := range d.Domains {
		dom = strings.ToLower(dom)
		if !slices.Contains(doms, dom) {
			doms = append(doms, dom)
		}
	}
	d.Domains = doms
	p := s.projects[d.Project]
	if p != nil && p.account != d.Account {
		return persistence.Deployment{}, false, fmt.Errorf("deploying %s: %w", d.Project, persistence.ErrProjectOwned)
	}
	if p != nil {
		if cur := p.versions[p.current-1]; cur.Kind == d.Kind && cur.Source == d.Source && maps.Equal(cur.Env, d.Env) && slices.Equal(cur.Domains, d.Domains) {
			return cur, false, nil
		}
	}
	if err := s.claim(d.Project, d.Domains); err != nil {
		return persistence.Deployment{}, false, err
	}
	if p == nil {
		p = &fakeProject{account: d.Account}
		s.projects[d.Project] = p
	}
	d.Version = int64(len(p.versions)) + 1
	d.Size = len(d.Source)
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	p.versions = append(p.versions, d)
	p.current = d.Version
	s.creates++
	return d, true, nil
}

func (s *fakeStore) Projects(context.Context) ([]persistence.Deployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []persistence.Deployment{}
	for _, p := range s.projects {
		out = append(out, p.versions[p.current-1])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Project < out[j].Project })
	return out, nil
}

func (s *fakeStore) Deployments(_ context.Context, project string) ([]persistence.Deployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[project]
	if p == nil {
		return nil, fmt.Errorf("project %s: %w", project, persistence.ErrNotFound)
	}
	var out []persistence.Deployment
	for i := len(p.versions) - 1; i >= 0; i-- {
		d := p.versions[i]
		d.Source = ""
		out = append(out, d)
	}
	return out, nil
}

func (s *fakeStore) Deployment(_ context.Context, project string, version int64) (persistence.Deployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[project]
	if p == nil || version < 1 || version > int64(len(p.versions)) {
		return persistence.Deployment{}, fmt.Errorf("version %d of %s: %w", version, project, persistence.ErrNotFound)
	}
	return p.versions[version-1], nil
}

func (s *fakeStore) SetCurrent(_ context.Context, project string, version int64) (persistence.Deployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[project]
	if p == nil || version < 1 || version > int64(len(p.versions)) {
		return persistence.Deployment{}, fmt.Errorf("version %d of %s: %w", version, project, persistence.ErrNotFound)
	}
	d := p.versions[version-1]
	if err := s.claim(project, d.Domains); err != nil {
		return persistence.Deployment{}, err
	}
	p.current = version
	return d, nil
}

func (s *fakeStore) DeleteProject(_ context.Context, project string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failDelete != nil {
		return s.failDelete
	}
	if s.projects[project] == nil {
		return fmt.Errorf("project %s: %w", project, persistence.ErrNotFound)
	}
	delete(s.projects, project)
	for d, h := range s.domains {
		if h == project {
			delete(s.domains, d)
		}
	}
	s.deleted = append(s.deleted, project)
	return nil
}

func (s *fakeStore) CurrentVersions(context.Context) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for name, p := range s.projects {
		out[name] = p.current
	}
	return out, nil
}

func (s *fakeStore) current(project string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.projects[project]; p != nil {
		return p.current
	}
	return 0
}

func (s *fakeStore) stored() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates
}

// fakeRuntime records what the Service tells it.
type fakeRuntime struct {
	mu       sync.Mutex
	deployed []string // "name@version<-prevVersion" (prev 0: none)
	removed  []string
	fail     error // returned by Deployed
	// during, if set, runs inside Deployed (the node is starting p).
	during func(p *deploy.Project)
}

func (r *fakeRuntime) Deployed(_ context.Context, p, prev *deploy.Project) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	pv := int64(0)
	if prev != nil {
		pv = prev.Version
	}
	r.deployed = append(r.deployed, fmt.Sprintf("%s@%d<-%d", p.Name, p.Version, pv))
	if r.during != nil {
		r.during(p)
	}
	return r.fail
}

func (r *fakeRuntime) Removed(_ context.Context, p *deploy.Project) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removed = append(r.removed, fmt.Sprintf("%s@%d", p.Name, p.Version))
}

func (r *fakeRuntime) calls() (deployed, removed []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.deployed), slices.Clone(r.removed)
}

// bundle builds a real bundle of a module that answers text.
func bundle(t *testing.T, text string) string {
	t.Helper()
	entry := filepath.Join(t.TempDir(), "mod.js")
	src := fmt.Sprintf("export default { fetch() { return new Response(%q); } };\n", text)
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, err := jsvm.Bundle(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	return prog.Source
}

// broken is a bundle's frame around code that does not parse.
func broken(t *testing.T) string {
	t.Helper()
	src := bundle(t, "x")
	i := strings.Index(src, "{\"use strict\";") + len("{\"use strict\";")
	return src[:i] + "function ( {" + src[i:]
}

type fixture struct {
	store   *fakeStore
	rt      *fakeRuntime
	svc     *deploy.Service
	logs    *bytes.Buffer
	hooked  []string // "deployed:x", "deleted:x"
	hookMu  sync.Mutex
	bundleA string
	bundleB string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: newFakeStore(), rt: &fakeRuntime{}, logs: &bytes.Buffer{}}
	f.svc = &deploy.Service{
		Store: f.store, Registry: deploy.NewRegistry(), Runtime: f.rt, Domain: "edge.test",
		Log:        slog.New(slog.NewTextHandler(f.logs, nil)),
		OnDeployed: []func(string){func(p string) { f.hook("deployed:" + p) }},
		OnDeleted:  []func(string){func(p string) { f.hook("deleted:" + p) }},
	}
	f.bundleA, f.bundleB = bundle(t, "A"), bundle(t, "B")
	return f
}

func (f *fixture) hook(s string) {
	f.hookMu.Lock()
	f.hooked = append(f.hooked, s)
	f.hookMu.Unlock()
}

func (f *fixture) hooks() []string {
	f.hookMu.Lock()
	defer f.hookMu.Unlock()
	return slices.Clone(f.hooked)
}

func (f *fixture) deploy(t *testing.T, account string, req deploy.Request) *deploy.Project {
	t.Helper()
	p, err := f.svc.Deploy(context.Background(), account, req)
	if err != nil {
		t.Fatalf("deploying %s as %s: %v", req.Project, account, err)
	}
	return p.Project
}

func TestDeployRefusesBadRequestsAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	good := deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA}
	tests := []struct {
		name string
		edit func(r *deploy.Request)
		want string // in the error
	}{
		{"uppercase name", func(r *deploy.Request) { r.Project = "Shop" }, "not a valid project name"},
		{"name with a dot", func(r *deploy.Request) { r.Project = "a.b" }, "not a valid project name"},
		{"empty name", func(r *deploy.Request) { r.Project = "" }, "not a valid project name"},
		{"name ending in a hyphen", func(r *deploy.Request) { r.Project = "shop-" }, "not a valid project name"},
		{"unknown kind", func(r *deploy.Request) { r.Kind = "lambda" }, `unknown kind "lambda"`},
		{"empty kind", func(r *deploy.Request) { r.Kind = "" }, "unknown kind"},
		{"empty source", func(r *deploy.Request) { r.Source = "" }, "no code"},
		{"blank source", func(r *deploy.Request) { r.Source = " \n\t" }, "no code"},
		{"the platform's domain", func(r *deploy.Request) { r.Domains = []string{"edge.test"} }, "under the platform's domain"},
		{"under the platform's domain", func(r *deploy.Request) { r.Domains = []string{"api.shop.EDGE.test."} }, "under the platform's domain"},
		{"not a host name", func(r *deploy.Request) { r.Domains = []string{"localhost"} }, "not a valid host name"},
		{"a URL, not a host name", func(r *deploy.Request) { r.Domains = []string{"https://api.example.com/"} }, "not a valid host name"},
		{"empty domain", func(r *deploy.Request) { r.Domains = []string{""} }, "not a valid host name"},
		{"not a bundle", func(r *deploy.Request) { r.Source = "export default {}" }, "not a bundle made by edge"},
		{"does not compile", func(r *deploy.Request) { r.Source = broken(t) }, "compiling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := good
			tt.edit(&req)
			p, err := f.svc.Deploy(context.Background(), "acme", req)
			if !errors.Is(err, deploy.ErrInvalid) {
				t.Fatalf("Deploy = %v, %v; want ErrInvalid", p, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
	if n := f.store.stored(); n != 0 {
		t.Errorf("bad requests stored %d versions", n)
	}
	if d, _ := f.rt.calls(); len(d) != 0 {
		t.Errorf("bad requests reached the runtime: %v", d)
	}
	if got := f.svc.Registry.All(); len(got) != 0 {
		t.Errorf("bad requests made projects current: %v", names(got))
	}
}

func TestDeployVersions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v1 := f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA,
		Env: map[string]string{"K": "1"}, Domains: []string{"Shop.Example.com."}})
	if v1.Version != 1 || v1.Account != "acme" || v1.Program == nil {
		t.Fatalf("first deploy = %+v", v1)
	}
	if !slices.Equal(v1.Domains, []string{"shop.example.com"}) {
		t.Errorf("domains = %v, want them normalized", v1.Domains)
	}
	if p, ok := f.svc.Registry.ByDomain("shop.example.com"); !ok || p != v1 {
		t.Errorf("ByDomain after deploy = %v, %v", p, ok)
	}

	// Identical: nothing new.
	same := f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA,
		Env: map[string]string{"K": "1"}, Domains: []string{"shop.example.com"}, Message: "again"})
	if same != v1 {
		t.Errorf("identical redeploy returned %+v, want the current version", same)
	}
	if n := f.store.stored(); n != 1 {
		t.Errorf("identical redeploy stored a version: %d stored", n)
	}

	// Each change is a new version, and the runtime hears (new, prev).
	changes := []struct {
		name string
		req  deploy.Request
	}{
		{"code", deploy.Request{Source: f.bundleB, Env: map[string]string{"K": "1"}, Domains: []string{"shop.example.com"}}},
		{"env value", deploy.Request{Source: f.bundleB, Env: map[string]string{"K": "2"}, Domains: []string{"shop.example.com"}}},
		{"env key", deploy.Request{Source: f.bundleB, Env: map[string]string{"L": "2"}, Domains: []string{"shop.example.com"}}},
		{"domains", deploy.Request{Source: f.bundleB, Env: map[string]string{"L": "2"}}},
		{"kind", deploy.Request{Source: f.bundleB, Env: map[string]string{"L": "2"}, Kind: "assistant"}},
	}
	for i, c := range changes {
		req := c.req
		req.Project = "shop"
		if req.Kind == "" {
			req.Kind = "worker"
		}
		p := f.deploy(t, "acme", req)
		if want := int64(i + 2); p.Version != want {
			t.Errorf("changing the %s: version %d, want %d", c.name, p.Version, want)
		}
		if cur, _ := f.svc.Registry.Get("shop"); cur != p {
			t.Errorf("changing the %s: the registry's current version is %d", c.name, cur.Version)
		}
	}
	if _, ok := f.svc.Registry.ByDomain("shop.example.com"); ok {
		t.Error("a domain the redeploy dropped still resolves")
	}
	deployed, _ := f.rt.calls()
	want := []string{"shop@1<-0", "shop@2<-1", "shop@3<-2", "shop@4<-3", "shop@5<-4", "shop@6<-5"}
	if !slices.Equal(deployed, want) {
		t.Errorf("runtime was told %v, want %v", deployed, want)
	}
	if got := f.hooks(); len(got) != 6 || got[0] != "deployed:shop" {
		t.Errorf("OnDeployed hooks: %v", got)
	}
	ds, cur, err := f.svc.Versions(ctx, "acme", "shop")
	if err != nil || len(ds) != 6 || ds[0].Version != 6 || cur.Version != 6 {
		t.Errorf("Versions = %d versions (first %v), current %v, %v", len(ds), ds, cur, err)
	}
}

func TestDeployDuplicateDomainsAreOneDomain(t *testing.T) {
	f := newFixture(t)
	req := deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA, Domains: []string{"a.example.com", "A.example.com"}}
	v1 := f.deploy(t, "acme", req)
	if !slices.Equal(v1.Domains, []string{"a.example.com"}) {
		t.Errorf("domains = %v, want one", v1.Domains)
	}
	if again := f.deploy(t, "acme", req); again.Version != 1 {
		t.Errorf("redeploying the same request made version %d", again.Version)
	}
}

func TestDeployStartFailureStillDeploys(t *testing.T) {
	f := newFixture(t)
	f.rt.fail = errors.New("module threw")
	p := f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA})
	if cur, ok := f.svc.Registry.Get("shop"); !ok || cur != p {
		t.Errorf("a version that failed to start is not current: %v", cur)
	}
	if !strings.Contains(f.logs.String(), "module threw") {
		t.Errorf("the start failure was not logged: %s", f.logs)
	}
}

// With RequireStart (the admin API, edge dev's redeploys, rollbacks) a
// version that does not start is refused and the previous one stays
// current; a new project that does not start is removed.
func TestDeployRequireStartRevertsAVersionThatDoesNotStart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v1 := f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA, RequireStart: true})
	f.rt.fail = errors.New("module threw")
	_, err := f.svc.Deploy(ctx, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleB, RequireStart: true})
	if !errors.Is(err, deploy.ErrStartFailed) || !strings.Contains(err.Error(), "module threw") {
		t.Fatalf("deploy of a version that does not start = %v", err)
	}
	if cur, _ := f.svc.Registry.Get("shop"); cur != v1 {
		t.Fatalf("current after the failed deploy = %+v, want v1", cur)
	}
	if n := f.store.current("shop"); n != 1 {
		t.Fatalf("store's current version = %d, want 1", n)
	}
	_, err = f.svc.Deploy(ctx, "acme", deploy.Request{Project: "fresh", Kind: "worker", Source: f.bundleA, RequireStart: true})
	if !errors.Is(err, deploy.ErrStartFailed) {
		t.Fatalf("new project that does not start = %v", err)
	}
	if _, ok := f.svc.Registry.Get("fresh"); ok {
		t.Fatal("a new project that did not start is still deployed")
	}
	if _, removed := f.rt.calls(); !slices.Contains(removed, "fresh@1") {
		t.Fatalf("removed %v, want fresh", removed)
	}
}

// A version that does not start is reverted on the members too: one that
// loaded it while it was being started (as the node holding a default
// coordinator does when asked to) goes back to the previous version, and
// a new project that did not start is gone from every member.
func TestDeployRevertReachesPeers(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	b.svc.Store = a.store
	a.svc.Peers = &fakePeers{nodes: map[string]*fixture{"b": b}}
	ctx := context.Background()
	a.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleA})
	a.rt.fail = errors.New("module threw")
	a.rt.during = func(*deploy.Project) {
		if err := b.svc.Refresh(ctx); err != nil {
			t.Error(err)
		}
	}
	if _, err := a.svc.Deploy(ctx, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleB, RequireStart: true}); !errors.Is(err, deploy.ErrStartFailed) {
		t.Fatalf("deploying shop v2 that does not start = %v", err)
	}
	if p, ok := b.svc.Registry.Get("shop"); !ok || p.Version != 1 {
		t.Errorf("b serves shop %+v after the failed deploy, want v1", p)
	}
	if _, err := a.svc.Deploy(ctx, "acme", deploy.Request{Project: "fresh", Kind: "worker", Source: a.bundleA, RequireStart: true}); !errors.Is(err, deploy.ErrStartFailed) {
		t.Fatalf("deploying fresh that does not start = %v", err)
	}
	if p, ok := b.svc.Registry.Get("fresh"); ok {
		t.Errorf("b serves fresh v%d, a new project that did not start", p.Version)
	}
}

func TestDeployConflicts(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture)
		req   func(f *fixture) deploy.Request
		want  string
	}{
		{
			name: "another account's current project",
			setup: func(t *testing.T, f *fixture) {
				f.deploy(t, "other", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA})
			},
			req: func(f *fixture) deploy.Request {
				return deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA}
			},
			want: "taken by another account",
		},
		{
			name: "another account's stored project the registry does not hold",
			setup: func(t *testing.T, f *fixture) {
				if _, _, err := f.store.CreateDeployment(context.Background(), persistence.Deployment{
					Project: "shop", Account: "other", Kind: "worker", Source: "x"}); err != nil {
					t.Fatal(err)
				}
			},
			req: func(f *fixture) deploy.Request {
				return deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleB}
			},
			want: "taken by another account",
		},
		{
			name: "a domain of another account's project",
			setup: func(t *testing.T, f *fixture) {
				f.deploy(t, "other", deploy.Request{Project: "blog", Kind: "worker", Source: f.bundleA, Domains: []string{"x.example.com"}})
			},
			req: func(f *fixture) deploy.Request {
				return deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA, Domains: []string{"x.example.com"}}
			},
			want: "domain x.example.com is served by a project of another account",
		},
		{
			name: "a domain of the same account's other project",
			setup: func(t *testing.T, f *fixture) {
				f.deploy(t, "acme", deploy.Request{Project: "blog", Kind: "worker", Source: f.bundleA, Domains: []string{"x.example.com"}})
			},
			req: func(f *fixture) deploy.Request {
				return deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA, Domains: []string{"x.example.com"}}
			},
			want: "x.example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.setup(t, f)
			before := f.store.stored()
			p, err := f.svc.Deploy(context.Background(), "acme", tt.req(f))
			if !errors.Is(err, deploy.ErrConflict) {
				t.Fatalf("Deploy = %v, %v; want ErrConflict", p, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if f.store.stored() != before {
				t.Error("a refused deployment was stored")
			}
		})
	}
}

func TestRollback(t *testing.T) {
	ctx := context.Background()
	// Three versions: A (v1), B (v2), A with a domain (v3).
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA})
		f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleB})
		f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA, Domains: []string{"shop.example.com"}})
		return f
	}
	t.Run("0 twice walks back one version at a time", func(t *testing.T) {
		f := setup(t)
		p, err := f.svc.Rollback(ctx, "acme", "shop", 0)
		if err != nil || p.Version != 2 {
			t.Fatalf("Rollback(0) = %v, %v; want v2", p, err)
		}
		if p.Program.Source != f.bundleB {
			t.Error("v2's program is not v2's code")
		}
		if _, ok := f.svc.Registry.ByDomain("shop.example.com"); ok {
			t.Error("rolling back to a version without the domain left it resolving")
		}
		if p, err = f.svc.Rollback(ctx, "acme", "shop", 0); err != nil || p.Version != 1 {
			t.Fatalf("second Rollback(0) = %v, %v; want v1", p, err)
		}
		if _, err = f.svc.Rollback(ctx, "acme", "shop", 0); !errors.Is(err, deploy.ErrNotFound) {
			t.Fatalf("Rollback(0) at v1 = %v, want ErrNotFound", err)
		}
		if f.store.current("shop") != 1 {
			t.Errorf("stored current version = %d, want 1", f.store.current("shop"))
		}
		deployed, _ := f.rt.calls()
		if want := []string{"shop@1<-0", "shop@2<-1", "shop@3<-2", "shop@2<-3", "shop@1<-2"}; !slices.Equal(deployed, want) {
			t.Errorf("runtime was told %v, want %v", deployed, want)
		}
	})
	t.Run("N makes exactly N current", func(t *testing.T) {
		f := setup(t)
		p, err := f.svc.Rollback(ctx, "acme", "shop", 1)
		if err != nil || p.Version != 1 {
			t.Fatalf("Rollback(1) = %v, %v", p, err)
		}
		if cur, _ := f.svc.Registry.Get("shop"); cur.Version != 1 {
			t.Errorf("current = v%d", cur.Version)
		}
		// Forward again, to the newest, restores its domain.
		if p, err = f.svc.Rollback(ctx, "acme", "shop", 3); err != nil || p.Version != 3 {
			t.Fatalf("Rollback(3) = %v, %v", p, err)
		}
		if got, ok := f.svc.Registry.ByDomain("shop.example.com"); !ok || got.Version != 3 {
			t.Errorf("ByDomain after rolling forward = %v, %v", got, ok)
		}
	})
	for _, tt := range []struct {
		name    string
		account string
		project string
		version int64
	}{
		{"a missing version", "acme", "shop", 9},
		{"another account's project", "other", "shop", 1},
		{"another account's project, version 0", "other", "shop", 0},
		{"a missing project", "acme", "nope", 1},
	} {
		t.Run(tt.name+" is not found", func(t *testing.T) {
			f := setup(t)
			if _, err := f.svc.Rollback(ctx, tt.account, tt.project, tt.version); !errors.Is(err, deploy.ErrNotFound) {
				t.Fatalf("Rollback = %v, want ErrNotFound", err)
			}
			if cur, _ := f.svc.Registry.Get("shop"); cur.Version != 3 {
				t.Errorf("current changed to v%d", cur.Version)
			}
			if f.store.current("shop") != 3 {
				t.Errorf("stored current changed to v%d", f.store.current("shop"))
			}
		})
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleA, Domains: []string{"shop.example.com"}})
	f.deploy(t, "acme", deploy.Request{Project: "blog", Kind: "worker", Source: f.bundleA})

	if _, err := f.svc.Delete(ctx, "other", "shop"); !errors.Is(err, deploy.ErrNotFound) {
		t.Fatalf("Delete by another account = %v, want ErrNotFound", err)
	}
	if _, ok := f.svc.Registry.Get("shop"); !ok {
		t.Fatal("another account's Delete removed the project")
	}

	if _, err := f.svc.Delete(ctx, "acme", "shop"); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.svc.Registry.Get("shop"); ok {
		t.Error("deleted project is still current")
	}
	if _, ok := f.svc.Registry.ByDomain("shop.example.com"); ok {
		t.Error("deleted project's domain still resolves")
	}
	if _, removed := f.rt.calls(); !slices.Equal(removed, []string{"shop@1"}) {
		t.Errorf("runtime removed %v", removed)
	}
	if !slices.Equal(f.store.deleted, []string{"shop"}) {
		t.Errorf("store deleted %v", f.store.deleted)
	}
	if h := f.hooks(); h[len(h)-1] != "deleted:shop" {
		t.Errorf("hooks: %v", h)
	}
	if _, err := f.svc.Delete(ctx, "acme", "shop"); !errors.Is(err, deploy.ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
	// The name is free again: deploying it starts over at version 1.
	if p := f.deploy(t, "other", deploy.Request{Project: "shop", Kind: "worker", Source: f.bundleB}); p.Version != 1 {
		t.Errorf("redeploying a deleted name made version %d", p.Version)
	}

	f.store.failDelete = errors.New("disk full")
	if _, err := f.svc.Delete(ctx, "acme", "blog"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Delete with a failing store = %v", err)
	}
}

func TestLoadSkipsCodeThatDoesNotCompile(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, d := range []persistence.Deployment{
		{Project: "alpha", Account: "acme", Kind: "worker", Entry: "/a/mod.js", Source: f.bundleA},
		{Project: "beta", Account: "acme", Kind: "worker", Entry: "/b/mod.js", Source: broken(t)},
		{Project: "gamma", Account: "acme", Kind: "coordinator", Entry: "/g/mod.js", Source: f.bundleA, Domains: []string{"g.example.com"}},
		{Project: "gamma", Account: "acme", Kind: "coordinator", Entry: "/g/mod.js", Source: f.bundleB, Domains: []string{"g.example.com"}},
	} {
		if _, _, err := f.store.CreateDeployment(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names(f.svc.Registry.All()); !slices.Equal(got, []string{"alpha", "gamma"}) {
		t.Errorf("loaded %v, want alpha and gamma", got)
	}
	if g, _ := f.svc.Registry.Get("gamma"); g.Version != 2 || g.Program.Source != f.bundleB || g.Program.Entry != "/g/mod.js" {
		t.Errorf("gamma loaded as %+v, want its current version 2", g)
	}
	if g, ok := f.svc.Registry.ByDomain("g.example.com"); !ok || g.Name != "gamma" {
		t.Error("a loaded project's domain does not resolve")
	}
	if deployed, _ := f.rt.calls(); !slices.Equal(deployed, []string{"alpha@1<-0", "gamma@2<-0"}) {
		t.Errorf("runtime was told %v", deployed)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "does not compile") || !strings.Contains(logs, "project=beta") {
		t.Errorf("the skipped project was not logged: %s", logs)
	}
}

// Two nodes sharing one store: what is deployed, rolled back or deleted
// through one becomes current (or goes) on the other at its next Refresh.
func TestRefreshFollowsAnotherNode(t *testing.T) {
	a := newFixture(t)
	b := newFixture(t)
	b.svc.Store = a.store
	ctx := context.Background()
	a.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleA})
	a.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleB})
	if err := b.svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p, ok := b.svc.Registry.Get("shop"); !ok || p.Version != 2 || p.Account != "acme" {
		t.Fatalf("b after a's deploys: %+v", p)
	}
	if _, err := a.svc.Rollback(ctx, "acme", "shop", 1); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := b.svc.Registry.Get("shop"); p.Version != 1 {
		t.Fatalf("b after a's rollback: v%d", p.Version)
	}
	deployed, _ := b.rt.calls()
	if want := []string{"shop@2<-0", "shop@1<-2"}; !slices.Equal(deployed, want) {
		t.Fatalf("b's runtime saw %v, want %v", deployed, want)
	}
	if err := b.svc.Refresh(ctx); err != nil { // nothing changed: nothing happens
		t.Fatal(err)
	}
	if deployed, _ := b.rt.calls(); len(deployed) != 2 {
		t.Fatalf("an idle refresh redeployed: %v", deployed)
	}
	if _, err := a.svc.Delete(ctx, "acme", "shop"); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.svc.Registry.Get("shop"); ok {
		t.Fatal("b still serves a project deleted through a")
	}
	if _, removed := b.rt.calls(); !slices.Equal(removed, []string{"shop@1"}) {
		t.Fatalf("b's runtime removed %v", removed)
	}
	if !slices.Contains(b.hooks(), "deleted:shop") {
		t.Fatalf("b's hooks %v", b.hooks())
	}
}

// fakePeers stands for the cluster: RefreshPeers refreshes the other
// nodes' services (as their control handlers do), each off the caller's
// goroutine and waiting at most until ctx ends; a stuck node never
// answers.
type fakePeers struct {
	nodes map[string]*fixture
	stuck map[string]bool
}

func (p *fakePeers) RefreshPeers(ctx context.Context) []string {
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(p.nodes)) {
		done := make(chan error, 1)
		if !p.stuck[name] {
			go func() { done <- p.nodes[name].svc.Refresh(ctx) }()
		}
		select {
		case err := <-done:
			if err == nil {
				continue
			}
		case <-ctx.Done():
		}
		missing = append(missing, name)
	}
	return missing
}

// A deploy, rollback or delete through one node is what the other nodes
// serve when it returns, without their periodic refresh; the deploying
// node's own lock is free meanwhile (a peer's refresh may need to wait
// for this node, here the deploying node itself).
func TestChangesReachPeersBeforeReturning(t *testing.T) {
	a, b, c := newFixture(t), newFixture(t), newFixture(t)
	b.svc.Store, c.svc.Store = a.store, a.store
	a.svc.Peers = &fakePeers{nodes: map[string]*fixture{"a": a, "b": b, "c": c}}
	a.svc.AckTimeout = time.Minute // a deadlock fails the test instead of hanging it
	ctx := context.Background()
	serves := func(what string, version int64) {
		t.Helper()
		for name, f := range map[string]*fixture{"b": b, "c": c} {
			p, ok := f.svc.Registry.Get("shop")
			switch {
			case version == 0 && ok:
				t.Fatalf("after %s: %s still serves v%d", what, name, p.Version)
			case version != 0 && (!ok || p.Version != version):
				t.Fatalf("after %s: %s serves %+v, want v%d", what, name, p, version)
			}
		}
	}
	check := func(what string, r deploy.Result, err error) {
		t.Helper()
		if err != nil || len(r.Unacknowledged) != 0 {
			t.Fatalf("%s: unacknowledged %v, %v", what, r.Unacknowledged, err)
		}
	}
	r, err := a.svc.Deploy(ctx, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleA})
	check("deploying v1", r, err)
	serves("deploying v1", 1)
	r, err = a.svc.Deploy(ctx, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleB})
	check("deploying v2", r, err)
	serves("deploying v2", 2)
	r, err = a.svc.Rollback(ctx, "acme", "shop", 1)
	check("rolling back", r, err)
	serves("rolling back", 1)
	r, err = a.svc.Delete(ctx, "acme", "shop")
	check("deleting", r, err)
	if r.Project == nil || r.Version != 1 {
		t.Errorf("Delete's result names %+v, want the deleted v1", r.Project)
	}
	serves("deleting", 0)
}

// A member that never answers does not hold a deploy beyond AckTimeout:
// the deploy is made, and the member is reported and logged.
func TestDeployReportsAMemberThatDoesNotAnswer(t *testing.T) {
	a, b, c := newFixture(t), newFixture(t), newFixture(t)
	b.svc.Store, c.svc.Store = a.store, a.store
	a.svc.Peers = &fakePeers{nodes: map[string]*fixture{"b": b, "c": c}, stuck: map[string]bool{"c": true}}
	a.svc.AckTimeout = 50 * time.Millisecond
	r, err := a.svc.Deploy(context.Background(), "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleA})
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 1 || !slices.Equal(r.Unacknowledged, []string{"c"}) {
		t.Fatalf("deploy = v%d, unacknowledged %v; want v1 and [c]", r.Version, r.Unacknowledged)
	}
	if p, ok := b.svc.Registry.Get("shop"); !ok || p.Version != 1 {
		t.Errorf("b, which answered, serves %+v", p)
	}
	if a.store.current("shop") != 1 {
		t.Errorf("the deploy was not stored")
	}
	if logs := a.logs.String(); !strings.Contains(logs, "did not confirm") || !strings.Contains(logs, "members=[c]") {
		t.Errorf("the silent member was not logged: %s", logs)
	}
}

// A node that has not loaded the current version yet (another node
// stored it) deploying the same code stores nothing and makes the stored
// version current here: the store decides what is new, not this node's
// registry.
func TestDeployIdenticalThroughALaggingNode(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	b.svc.Store = a.store
	req := deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleA, Env: map[string]string{"K": "1"}}
	v1 := a.deploy(t, "acme", req)
	got := b.deploy(t, "acme", req)
	if n := a.store.stored(); n != 1 || got.Version != v1.Version {
		t.Fatalf("identical deploy through b: v%d, %d versions stored; want v1, 1", got.Version, n)
	}
	if p, _ := b.svc.Registry.Get("shop"); p != got {
		t.Errorf("b's registry holds %+v, want what the deploy returned", p)
	}
	if deployed, _ := b.rt.calls(); !slices.Equal(deployed, []string{"shop@1<-0"}) {
		t.Errorf("b's runtime was told %v", deployed)
	}
	// Now current on b: again changes nothing anywhere.
	if again := b.deploy(t, "acme", req); again != got {
		t.Errorf("identical deploy on b again = %+v", again)
	}
	if deployed, _ := b.rt.calls(); len(deployed) != 1 {
		t.Errorf("b's runtime was told again: %v", deployed)
	}
	// A node whose registry lags behind with the same code as an older
	// version still gets the store's current version compared: a's v2
	// differs, so b's deploy of v1's code is a new version.
	a.deploy(t, "acme", deploy.Request{Project: "shop", Kind: "worker", Source: a.bundleB, Env: map[string]string{"K": "1"}})
	if v3 := b.deploy(t, "acme", req); v3.Version != 3 {
		t.Errorf("deploying v1's code over a's v2 through b: v%d, want v3", v3.Version)
	}
}

// crossRuntime is a node's runtime whose start of one project asks another
// node to load it first (as starting a default coordinator that lives on
// that node does), waiting at a barrier so that both nodes are inside
// their deploys at once. Unlike fakeRuntime it holds no lock while it
// waits.
type crossRuntime struct {
	project string        // the project whose start asks the peer
	peer    func() error  // the peer's Refresh
	ready   chan struct{} // closed by this node when it is inside its deploy
	other   chan struct{} // the peer's ready
	once    sync.Once
}

func (r *crossRuntime) Deployed(ctx context.Context, p, _ *deploy.Project) error {
	if p.Name != r.project {
		return nil
	}
	asked := false
	r.once.Do(func() { asked = true })
	if !asked {
		return nil
	}
	close(r.ready)
	<-r.other
	return r.peer()
}

func (r *crossRuntime) Removed(context.Context, *deploy.Project) {}

// TestDeploysThroughTwoNodesDoNotStallEachOther: node A deploys p, whose
// start needs node B to load p; node B deploys q at the same moment, whose
// start needs A to load q. With one lock per node for every change, each
// node's load waited for the other node's deploy. Each deploy must finish,
// and each node must serve both projects.
func TestDeploysThroughTwoNodesDoNotStallEachOther(t *testing.T) {
	store := newFakeStore()
	readyA, readyB := make(chan struct{}), make(chan struct{})
	var svcA, svcB *deploy.Service
	rtA := &crossRuntime{project: "p", ready: readyA, other: readyB}
	rtB := &crossRuntime{project: "q", ready: readyB, other: readyA}
	newSvc := func(rt deploy.Runtime) *deploy.Service {
		return &deploy.Service{Store: store, Registry: deploy.NewRegistry(), Runtime: rt, Domain: "edge.test",
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	svcA, svcB = newSvc(rtA), newSvc(rtB)
	ctx := context.Background()
	rtA.peer = func() error { return svcB.Refresh(ctx) }
	rtB.peer = func() error { return svcA.Refresh(ctx) }

	code := bundle(t, "A")
	errs := make(chan error, 2)
	go func() {
		_, err := svcA.Deploy(ctx, "acct", deploy.Request{Project: "p", Kind: "coordinator", Source: code, RequireStart: true})
		errs <- err
	}()
	go func() {
		_, err := svcB.Deploy(ctx, "acct", deploy.Request{Project: "q", Kind: "coordinator", Source: code, RequireStart: true})
		errs <- err
	}()
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatalf("deploy: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the two deploys are still waiting for each other after 10 s (each node's refresh waits for the other's deploy)")
		}
	}
	for name, svc := range map[string]*deploy.Service{"A": svcA, "B": svcB} {
		for _, project := range []string{"p", "q"} {
			if p, ok := svc.Registry.Get(project); !ok || p.Version != 1 {
				t.Errorf("node %s: project %s = %+v (found %v), want version 1", name, project, p, ok)
			}
		}
	}
}

// staleStore answers Refresh's first read of the current versions with
// what the store held before a change made through the same node, which
// it makes just after that read (as a deploy that lands between the read
// and the refresh's work does).
type staleStore struct {
	*fakeStore
	once   sync.Once
	change func()
}

func (s *staleStore) CurrentVersions(ctx context.Context) (map[string]int64, error) {
	before, err := s.fakeStore.CurrentVersions(ctx)
	s.once.Do(s.change)
	return before, err
}

// TestRefreshDoesNotUndoAChangeMadeMeanwhile: a refresh reads the current
// versions without the projects' locks, so a deploy through this node can
// land after that read. The refresh must read such a project again under
// its lock: a project deployed meanwhile is not removed as "deleted
// through another node", and one deployed again is not taken back to the
// version the first read saw.
func TestRefreshDoesNotUndoAChangeMadeMeanwhile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.deploy(t, "acct", deploy.Request{Project: "old", Kind: "coordinator", Source: f.bundleA})
	store := &staleStore{fakeStore: f.store}
	f.svc.Store = store
	store.change = func() {
		// New project, and a new version of an existing one.
		f.deploy(t, "acct", deploy.Request{Project: "fresh", Kind: "worker", Source: f.bundleA})
		f.deploy(t, "acct", deploy.Request{Project: "old", Kind: "coordinator", Source: f.bundleB})
	}
	// Make "old" look changed to the stale read, so the refresh takes its
	// lock and reads it again.
	f.svc.Registry.Remove("old")
	if err := f.svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p, ok := f.svc.Registry.Get("fresh"); !ok || p.Version != 1 {
		t.Errorf("fresh, deployed while the refresh ran: %+v (found %v), want version 1 still served", p, ok)
	}
	if p, ok := f.svc.Registry.Get("old"); !ok || p.Version != 2 {
		t.Errorf("old, deployed again while the refresh ran: %+v (found %v), want version 2", p, ok)
	}
	_, removed := f.rt.calls()
	if slices.Contains(removed, "fresh@1") {
		t.Errorf("the refresh stopped fresh: removed %v", removed)
	}
}
