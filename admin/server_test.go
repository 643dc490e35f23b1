package admin_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/persistence"
)

// nopDeployRuntime is deploy.Runtime doing nothing.
type nopDeployRuntime struct{}

func (nopDeployRuntime) Deployed(context.Context, *deploy.Project, *deploy.Project) error { return nil }
func (nopDeployRuntime) Removed(context.Context, *deploy.Project)                         {}

// fakeDirectory is a kv.Memory plus canned coordinator records.
type fakeDirectory struct {
	*kv.Memory
	mu     sync.Mutex
	coords map[string][]persistence.CoordinatorRecord // by project
}

var _ admin.Directory = (*fakeDirectory)(nil)

func (d *fakeDirectory) Coordinators(_ context.Context, project string) ([]persistence.CoordinatorRecord, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.coords[project]), nil
}

func (d *fakeDirectory) Coordinator(_ context.Context, project, instance string) (persistence.CoordinatorRecord, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.coords[project] {
		if r.Instance == instance {
			return r, nil
		}
	}
	return persistence.CoordinatorRecord{}, fmt.Errorf("coordinator %s of %s: %w", instance, project, persistence.ErrNotFound)
}

func (d *fakeDirectory) DeleteCoordinator(_ context.Context, project, instance string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	recs := d.coords[project]
	for i, r := range recs {
		if r.Instance == instance {
			d.coords[project] = slices.Delete(recs, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("coordinator %s of %s: %w", instance, project, persistence.ErrNotFound)
}

// fakeRuntime reports canned active coordinators and records stops.
type fakeRuntime struct {
	mu      sync.Mutex
	active  map[string][]admin.ActiveCoordinator
	stopped []string
}

func (r *fakeRuntime) ActiveCoordinators(project string) []admin.ActiveCoordinator {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.active[project])
}

func (r *fakeRuntime) StopCoordinator(project, instance string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = append(r.stopped, project+"/"+instance)
}

// fakeLogs answers Tail with canned lines and Follow with the same lines,
// then whatever is sent on live, until the request's context ends.
type fakeLogs struct {
	lines    []admin.LogLine
	live     chan admin.LogLine
	mu       sync.Mutex
	tailAsks []int
	ended    chan struct{} // closed when a Follow's context ended
}

func (l *fakeLogs) Tail(project string, n int) []admin.LogLine {
	l.mu.Lock()
	l.tailAsks = append(l.tailAsks, n)
	l.mu.Unlock()
	var out []admin.LogLine
	for _, x := range l.lines {
		if x.Project == project {
			out = append(out, x)
		}
	}
	return out[max(0, len(out)-n):]
}

func (l *fakeLogs) Follow(ctx context.Context, project string, tail int) <-chan admin.LogLine {
	out := make(chan admin.LogLine)
	first := l.Tail(project, tail)
	go func() {
		defer close(out)
		defer close(l.ended)
		for _, x := range first {
			select {
			case out <- x:
			case <-ctx.Done():
				return
			}
		}
		for {
			select {
			case x := <-l.live:
				select {
				case out <- x:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

const (
	tokAcme  = "tok-acme"
	tokOther = "tok-other"
)

type env struct {
	srv   *httptest.Server
	dir   *fakeDirectory
	rt    *fakeRuntime
	logs  *fakeLogs
	reg   *deploy.Registry
	srcA  string
	srcB  string
	t0    time.Time
	admin *admin.Server
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

// newEnv serves the admin API with accounts acme and other. acme has
// "shop" (a worker) and "room" (a coordinator with instances _default and
// dup-1); other has "blog" (a worker).
func newEnv(t *testing.T) *env {
	t.Helper()
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	e := &env{
		dir: &fakeDirectory{Memory: kv.NewMemory(time.Now), coords: map[string][]persistence.CoordinatorRecord{
			"room": {
				{Project: "room", Instance: "_default", CreatedAt: t0, LastActive: t0.Add(time.Minute), Epoch: 3, Owner: "node-b", StoredBytes: 10},
				{Project: "room", Instance: "dup-1", CreatedAt: t0, LastActive: t0.Add(time.Hour), Epoch: 4, Owner: "node-b",
					Settings: []byte(`{"size":2}`)},
				{Project: "room", Instance: "dup-2", CreatedAt: t0, LastActive: t0.Add(time.Hour), Epoch: 1, Owner: "node-b"},
			},
		}},
		rt: &fakeRuntime{active: map[string][]admin.ActiveCoordinator{
			"room": {
				{Instance: "dup-1", Epoch: 5, LastActivity: t0.Add(2 * time.Hour)},
				{Instance: "dup-2", Epoch: 2, LastActivity: t0}, // older than the stored last activity
				// A superseded activation still held by node-c (it was
				// paused): the directory gives _default to node-b.
				{Instance: "_default", Node: "node-c", Epoch: 2, LastActivity: t0.Add(3 * time.Hour)},
			},
		}},
		logs: &fakeLogs{live: make(chan admin.LogLine), ended: make(chan struct{}), lines: []admin.LogLine{
			{Time: t0, Project: "shop", Instance: "worker-0", Level: "info", Message: "one"},
			{Time: t0.Add(time.Second), Project: "blog", Instance: "worker-0", Level: "info", Message: "not shop's"},
			{Time: t0.Add(2 * time.Second), Project: "shop", Instance: "worker-1", Level: "error", Message: "two"},
			{Time: t0.Add(3 * time.Second), Project: "shop", Instance: "worker-0", Level: "warn", Message: "three"},
		}},
		reg:  deploy.NewRegistry(),
		srcA: bundle(t, "A"),
		srcB: bundle(t, "B"),
		t0:   t0,
	}
	log := slog.New(slog.DiscardHandler)
	store, err := persistence.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "edge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := &deploy.Service{Store: store, Registry: e.reg, Runtime: nopDeployRuntime{}, Domain: "edge.test", Log: log}
	e.admin = &admin.Server{Deploy: svc, Registry: e.reg, Directory: e.dir, Runtime: e.rt, Logs: e.logs,
		Tokens: map[string]string{tokAcme: "acme", tokOther: "other"}, Domain: "edge.test", NodeID: "node-a", Log: log}
	e.srv = httptest.NewServer(e.admin.Handler())
	t.Cleanup(e.srv.Close)

	for _, d := range []struct {
		token string
		req   admin.DeployRequest
	}{
		{tokAcme, admin.DeployRequest{Project: "shop", Kind: "worker", Source: e.srcA}},
		{tokAcme, admin.DeployRequest{Project: "room", Kind: "coordinator", Source: e.srcA}},
		{tokOther, admin.DeployRequest{Project: "blog", Kind: "worker", Source: e.srcA}},
	} {
		if st, body := e.do(t, "POST", admin.PathDeployments, d.token, d.req); st != http.StatusOK {
			t.Fatalf("deploying %s: %d %s", d.req.Project, st, body)
		}
	}
	return e
}

// do sends a request (body: a string is sent as is, anything else as JSON)
// and returns the status and body.
func (e *env) do(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	// A deadline, so that an endpoint that wrongly streams forever (a
	// follow another account should not see) fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// get decodes a 200 answer into v.
func (e *env) get(t *testing.T, path string, v any) {
	t.Helper()
	st, body := e.do(t, "GET", path, tokAcme, nil)
	if st != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, st, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// compact is JSON the server indented, without the indentation.
func compact(t *testing.T, raw []byte) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}
	return b.String()
}

func errorOf(t *testing.T, body []byte) string {
	t.Helper()
	var e admin.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Fatalf("the body is not a JSON error: %s", body)
	}
	return e.Error
}

func TestServerAuth(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		header string
		want   string
	}{
		{"no header", "", "missing bearer token"},
		{"empty bearer", "Bearer ", "missing bearer token"},
		{"basic auth", "Basic dG9rLWFjbWU=", "missing bearer token"},
		{"lowercase scheme", "bearer " + tokAcme, "missing bearer token"},
		{"unknown token", "Bearer nope", "unknown token"},
		{"a token's prefix", "Bearer tok-", "unknown token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{admin.PathProjects, "/v1/projects/shop", "/v1/projects/shop/kv"} {
				req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				resp, err := e.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("GET %s = %d, want 401", path, resp.StatusCode)
				}
				msg := errorOf(t, body)
				if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "tokens") {
					t.Errorf("GET %s: %q does not say %q and name tokens", path, msg, tt.want)
				}
			}
		})
	}
	t.Run("health needs no token", func(t *testing.T) {
		if st, body := e.do(t, "GET", admin.PathHealth, "", nil); st != http.StatusOK || string(body) != "ok\n" {
			t.Errorf("health = %d %q", st, body)
		}
	})
	t.Run("an unauthorized deploy stores nothing", func(t *testing.T) {
		e.do(t, "POST", admin.PathDeployments, "bad", admin.DeployRequest{Project: "sneaky", Kind: "worker", Source: e.srcA})
		if _, ok := e.reg.Get("sneaky"); ok {
			t.Error("a deploy with an unknown token was deployed")
		}
	})
}

// TestServerOtherAccountIsNotFound: every project endpoint answers for
// another account's project exactly as for a project that does not exist
// (docs/ADMIN-API.md: "another account's project answers exactly as a
// project that does not exist").
func TestServerOtherAccountIsNotFound(t *testing.T) {
	e := newEnv(t)
	endpoints := []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/projects/%s", nil},
		{"GET", "/v1/projects/%s/versions", nil},
		{"POST", "/v1/projects/%s/rollback", nil},
		{"POST", "/v1/projects/%s/rollback", admin.RollbackRequest{Version: 1}},
		{"GET", "/v1/projects/%s/coordinators", nil},
		{"DELETE", "/v1/projects/%s/coordinators/_default", nil},
		{"GET", "/v1/projects/%s/kv", nil},
		{"GET", "/v1/projects/%s/kv?instance=_default", nil},
		{"GET", `/v1/projects/%s/kv/get?key=["a"]`, nil},
		{"GET", "/v1/projects/%s/logs", nil},
		{"GET", "/v1/projects/%s/logs?follow=1", nil},
		{"DELETE", "/v1/projects/%s", nil}, // last: it would delete
	}
	for _, ep := range endpoints {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			for _, victim := range []string{"shop", "room"} {
				st, body := e.do(t, ep.method, fmt.Sprintf(ep.path, victim), tokOther, ep.body)
				stMissing, bodyMissing := e.do(t, ep.method, fmt.Sprintf(ep.path, "ghost"), tokOther, ep.body)
				if st != http.StatusNotFound || stMissing != http.StatusNotFound {
					t.Fatalf("%s: another account's project = %d %s, a missing one = %d %s; want 404 for both",
						victim, st, body, stMissing, bodyMissing)
				}
				if got, want := strings.ReplaceAll(errorOf(t, body), victim, "ghost"), errorOf(t, bodyMissing); got != want {
					t.Errorf("%s: the answers differ:\n  other account's: %s\n  missing:         %s", victim, got, want)
				}
			}
		})
	}
	// Nothing happened to acme's projects.
	for _, name := range []string{"shop", "room"} {
		if p, ok := e.reg.Get(name); !ok || p.Account != "acme" {
			t.Errorf("%s after another account's requests: %v, %v", name, p, ok)
		}
	}
	if len(e.rt.stopped) != 0 {
		t.Errorf("another account stopped coordinators: %v", e.rt.stopped)
	}
	var ps []admin.Project
	st, body := e.do(t, "GET", admin.PathProjects, tokOther, nil)
	if err := json.Unmarshal(body, &ps); st != http.StatusOK || err != nil || len(ps) != 1 || ps[0].Name != "blog" {
		t.Errorf("other's projects = %d %s; want only blog", st, body)
	}
}

// peersMissing is a cluster whose listed members never confirm a change.
type peersMissing []string

func (p peersMissing) RefreshPeers(context.Context) []string { return p }

// Deploy, rollback and delete answer which cluster nodes did not confirm
// they serve the change, and say nothing when all did.
func TestServerReportsNodesThatDidNotConfirm(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name   string
		peers  peersMissing
		method string
		path   string
		body   any
	}{
		{"deploy", peersMissing{"node-c"}, "POST", admin.PathDeployments, admin.DeployRequest{Project: "shop", Kind: "worker", Source: e.srcB}},
		{"rollback", peersMissing{"node-b", "node-c"}, "POST", "/v1/projects/shop/rollback", nil},
		{"deploy confirmed by all", nil, "POST", admin.PathDeployments, admin.DeployRequest{Project: "shop", Kind: "worker", Source: e.srcB}},
		{"delete", peersMissing{"node-c"}, "DELETE", "/v1/projects/shop", nil},
	} {
		e.admin.Deploy.Peers = tc.peers
		st, body := e.do(t, tc.method, tc.path, tokAcme, tc.body)
		var got struct {
			Version        int64    `json:"version"`
			Unacknowledged []string `json:"unacknowledged"`
		}
		if err := json.Unmarshal(body, &got); st != http.StatusOK || err != nil {
			t.Fatalf("%s = %d %s (%v)", tc.name, st, body, err)
		}
		if !slices.Equal(got.Unacknowledged, tc.peers) || (tc.peers == nil && strings.Contains(string(body), "unacknowledged")) {
			t.Errorf("%s answered %s, want unacknowledged %v", tc.name, body, []string(tc.peers))
		}
	}
}

func TestServerDeployAndList(t *testing.T) {
	e := newEnv(t)
	st, body := e.do(t, "POST", admin.PathDeployments, tokAcme, admin.DeployRequest{Project: "shop", Kind: "worker",
		Entry: "/home/me/shop/mod.js", Source: e.srcB, Domains: []string{"Shop.Example.com"}, Message: "second"})
	if st != http.StatusOK {
		t.Fatalf("deploy = %d %s", st, body)
	}
	var dr admin.DeployResponse
	if err := json.Unmarshal(body, &dr); err != nil {
		t.Fatal(err)
	}
	want := admin.DeployResponse{Project: "shop", Version: 2, Kind: "worker", URL: "https://shop.edge.test/", Public: true,
		Domains: []string{"shop.example.com"}}
	if !slices.Equal(dr.Domains, want.Domains) || dr.Project != want.Project || dr.Version != want.Version ||
		dr.Kind != want.Kind || dr.URL != want.URL || dr.Public != want.Public {
		t.Errorf("deploy answered %+v, want %+v", dr, want)
	}

	var ps []admin.Project
	e.get(t, admin.PathProjects, &ps)
	if len(ps) != 2 || ps[0].Name != "room" || ps[1].Name != "shop" {
		t.Fatalf("projects = %+v, want room and shop", ps)
	}
	if ps[0].Public || ps[0].Kind != "coordinator" || ps[1].Version != 2 || ps[1].Account != "acme" {
		t.Errorf("projects = %+v", ps)
	}

	var p admin.Project
	e.get(t, "/v1/projects/shop", &p)
	if p.Version != 2 || p.URL != "https://shop.edge.test/" {
		t.Errorf("project = %+v", p)
	}

	var vs []admin.Version
	e.get(t, "/v1/projects/shop/versions", &vs)
	if len(vs) != 2 || vs[0].Version != 2 || !vs[0].Current || vs[1].Current || vs[0].Message != "second" ||
		vs[0].Entry != "/home/me/shop/mod.js" || vs[0].Bytes != len(e.srcB) || vs[1].Bytes != len(e.srcA) {
		t.Errorf("versions = %+v", vs)
	}

	t.Run("rollback without a body goes to the previous version", func(t *testing.T) {
		st, body := e.do(t, "POST", "/v1/projects/shop/rollback", tokAcme, nil)
		if st != http.StatusOK {
			t.Fatalf("rollback = %d %s", st, body)
		}
		e.get(t, "/v1/projects/shop/versions", &vs)
		if !vs[1].Current || vs[0].Current {
			t.Errorf("after rollback, versions = %+v", vs)
		}
	})
	t.Run("delete", func(t *testing.T) {
		st, body := e.do(t, "DELETE", "/v1/projects/shop", tokAcme, nil)
		if st != http.StatusOK || !strings.Contains(string(body), `"project shop"`) {
			t.Fatalf("delete = %d %s", st, body)
		}
		if st, _ := e.do(t, "GET", "/v1/projects/shop", tokAcme, nil); st != http.StatusNotFound {
			t.Errorf("GET after delete = %d", st)
		}
	})
}

func TestServerBadRequests(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
		want         string
	}{
		{"deploy: not JSON", "POST", admin.PathDeployments, tokAcme, `{"project":`, 400, "not a deployment"},
		{"deploy: wrong JSON type", "POST", admin.PathDeployments, tokAcme, `["shop"]`, 400, "not a deployment"},
		{"deploy: bad name", "POST", admin.PathDeployments, tokAcme, admin.DeployRequest{Project: "Shop", Kind: "worker", Source: "x"}, 400, "not a valid project name"},
		{"deploy: code that does not compile", "POST", admin.PathDeployments, tokAcme, admin.DeployRequest{Project: "x", Kind: "worker", Source: "nope"}, 400, "not a bundle"},
		{"deploy: another account's name", "POST", admin.PathDeployments, tokAcme, admin.DeployRequest{Project: "blog", Kind: "worker", Source: "x"}, 409, "another account"},
		{"rollback: not JSON", "POST", "/v1/projects/shop/rollback", tokAcme, `{`, 400, `{"version": N}`},
		{"rollback: negative", "POST", "/v1/projects/shop/rollback", tokAcme, admin.RollbackRequest{Version: -1}, 400, "positive"},
		{"rollback: no earlier version", "POST", "/v1/projects/shop/rollback", tokAcme, nil, 404, "no version before"},
		{"rollback: missing version", "POST", "/v1/projects/shop/rollback", tokAcme, admin.RollbackRequest{Version: 7}, 404, "no version 7"},
		{"coordinators of a worker", "GET", "/v1/projects/shop/coordinators", tokAcme, nil, 400, "only coordinators and greeters"},
		{"delete a coordinator of a worker", "DELETE", "/v1/projects/shop/coordinators/x", tokAcme, nil, 400, "no coordinator instances"},
		{"delete a missing coordinator", "DELETE", "/v1/projects/room/coordinators/nope", tokAcme, nil, 404, "not found"},
		{"kv of a worker with an instance", "GET", "/v1/projects/shop/kv?instance=_default", tokAcme, nil, 400, "leave the instance out"},
		{"kv get of a worker with an instance", "GET", `/v1/projects/shop/kv/get?instance=x&key="a"`, tokAcme, nil, 400, "leave the instance out"},
		{"kv of a missing coordinator instance", "GET", "/v1/projects/room/kv?instance=nope", tokAcme, nil, 404, "not found"},
		{"kv: limit 0", "GET", "/v1/projects/shop/kv?limit=0", tokAcme, nil, 400, "limit"},
		{"kv: limit 1001", "GET", "/v1/projects/shop/kv?limit=1001", tokAcme, nil, 400, "limit"},
		{"kv: limit not a number", "GET", "/v1/projects/shop/kv?limit=ten", tokAcme, nil, 400, "limit"},
		{"kv: prefix not a key", "GET", "/v1/projects/shop/kv?prefix=" + url.QueryEscape(`[null]`), tokAcme, nil, 400, "prefix"},
		{"kv: prefix not JSON", "GET", "/v1/projects/shop/kv?prefix=users", tokAcme, nil, 400, "prefix"},
		{"kv: cursor not base64", "GET", "/v1/projects/shop/kv?cursor=***", tokAcme, nil, 400, "cursor"},
		{"kv: cursor outside the prefix", "GET", "/v1/projects/shop/kv?prefix=" + url.QueryEscape(`["b"]`) + "&cursor=" + cursorOf(kv.Key{"a", 1.0}), tokAcme, nil, 400, "cursor"},
		{"kv get: no key", "GET", "/v1/projects/shop/kv/get", tokAcme, nil, 400, "give a key"},
		{"kv get: empty key", "GET", "/v1/projects/shop/kv/get?key=[]", tokAcme, nil, 400, "give a key"},
		{"kv get: bad key", "GET", "/v1/projects/shop/kv/get?key=" + url.QueryEscape(`[{"x":1}]`), tokAcme, nil, 400, "key"},
		{"kv get: missing", "GET", "/v1/projects/shop/kv/get?key=" + url.QueryEscape(`["nope"]`), tokAcme, nil, 404, `no entry at key ["nope"]`},
		{"logs: bad tail", "GET", "/v1/projects/shop/logs?tail=-1", tokAcme, nil, 400, "tail"},
		{"unknown path", "GET", "/v2/projects", tokAcme, nil, 404, "no admin API endpoint GET /v2/projects"},
		{"unknown path without a token", "GET", "/nope", "", nil, 404, "no admin API endpoint"},
		{"unknown project subpath", "GET", "/v1/projects/shop/secrets", tokAcme, nil, 404, "no admin API endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := e.do(t, tt.method, tt.path, tt.token, tt.body)
			if st != tt.status {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, st, body, tt.status)
			}
			if msg := errorOf(t, body); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
		})
	}
	if vs := e.reg.All(); len(vs) != 3 {
		t.Errorf("bad requests changed the projects: %d", len(vs))
	}
}

// TestServerDeployTooLarge sends a body just over MaxDeployBytes, streamed
// so the test holds none of it.
func TestServerDeployTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 64 MiB (about 1s, 6s with -race)")
	}
	e := newEnv(t)
	body := io.MultiReader(strings.NewReader(`{"project":"big","kind":"worker","source":"`),
		io.LimitReader(repeatReader('a'), admin.MaxDeployBytes), strings.NewReader(`"}`))
	req, _ := http.NewRequest("POST", e.srv.URL+admin.PathDeployments, body)
	req.Header.Set("Authorization", "Bearer "+tokAcme)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("deploy of %d bytes = %d %s, want 413", admin.MaxDeployBytes+45, resp.StatusCode, out)
	}
	if msg := errorOf(t, out); !strings.Contains(msg, "64 MiB") {
		t.Errorf("error %q does not name the limit", msg)
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func cursorOf(k kv.Key) string {
	b, err := kv.EncodeKey(k)
	if err != nil {
		panic(err)
	}
	// The API's cursor is the last key of a page, base64url without padding.
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestServerCoordinators(t *testing.T) {
	e := newEnv(t)
	var cs []admin.Coordinator
	e.get(t, "/v1/projects/room/coordinators", &cs)
	byName := map[string]admin.Coordinator{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	if len(cs) != 3 {
		t.Fatalf("coordinators = %+v", cs)
	}
	tests := []struct {
		name, state, node string
		epoch             int64
		last              time.Time
		settings          string
	}{
		{"_default", "idle", "node-b", 3, e.t0.Add(time.Minute), ""},
		// Active here: this node, the running epoch, the later activity.
		{"dup-1", "active", "node-a", 5, e.t0.Add(2 * time.Hour), `{"size":2}`},
		// Active, but the stored last activity is later: it is kept.
		{"dup-2", "active", "node-a", 2, e.t0.Add(time.Hour), ""},
	}
	for _, tt := range tests {
		c := byName[tt.name]
		if c.State != tt.state || c.Node != tt.node || c.Epoch != tt.epoch || !c.LastActivity.Equal(tt.last) ||
			compact(t, c.Settings) != tt.settings || !c.CreatedAt.Equal(e.t0) {
			t.Errorf("%s = %+v; want state %s node %s epoch %d last %v settings %q", tt.name, c, tt.state, tt.node, tt.epoch, tt.last, tt.settings)
		}
	}
	if byName["_default"].StoredBytes != 10 {
		t.Errorf("stored bytes = %d", byName["_default"].StoredBytes)
	}

	st, body := e.do(t, "DELETE", "/v1/projects/room/coordinators/dup-1", tokAcme, nil)
	if st != http.StatusOK || !strings.Contains(string(body), "coordinator dup-1 of room") {
		t.Fatalf("delete coordinator = %d %s", st, body)
	}
	if !slices.Equal(e.rt.stopped, []string{"room/dup-1"}) {
		t.Errorf("stopped %v, want room/dup-1 stopped before its deletion", e.rt.stopped)
	}
	e.get(t, "/v1/projects/room/coordinators", &cs)
	if len(cs) != 2 {
		t.Errorf("after delete, coordinators = %+v", cs)
	}
}

// put stores entries in a scope.
func (e *env) put(t *testing.T, sc kv.Scope, entries map[string]kv.Key, value func(i int) kv.Value) {
	t.Helper()
	var muts []kv.Mutation
	i := 0
	for _, k := range entries {
		muts = append(muts, kv.Mutation{Key: encode(t, k), Op: kv.OpSet, Value: value(i)})
		i++
	}
	if _, ok, err := e.dir.Commit(context.Background(), sc, nil, muts); err != nil || !ok {
		t.Fatalf("seeding %v: %v %v", sc, ok, err)
	}
}

func TestServerKVListPaging(t *testing.T) {
	e := newEnv(t)
	// room's default instance: 23 keys under "k" of mixed part types, two
	// outside it; dup-1 and shop's store have keys that must not show.
	inK := map[string]kv.Key{}
	for i := range 20 {
		inK[fmt.Sprint("n", i)] = kv.Key{"k", float64(i)}
	}
	inK["s"] = kv.Key{"k", "str"}
	inK["b"] = kv.Key{"k", []byte{0, 1}}
	inK["t"] = kv.Key{"k", true, "deeper"}
	e.put(t, kv.Scope{Project: "room", Instance: "_default"}, inK, func(i int) kv.Value {
		return kv.Value{Kind: kv.KindJSON, Data: fmt.Appendf(nil, `{"i":%d}`, i)}
	})
	outside := map[string]kv.Key{"a": {"a"}, "z": {"z", 1.0}, "k itself": {"k"}}
	e.put(t, kv.Scope{Project: "room", Instance: "_default"}, outside, func(int) kv.Value { return kv.Value{Kind: kv.KindBytes, Data: []byte("x")} })
	e.put(t, kv.Scope{Project: "room", Instance: "dup-1"}, map[string]kv.Key{"d": {"k", "dup"}}, func(int) kv.Value { return kv.Value{Kind: kv.KindJSON, Data: []byte("1")} })
	e.put(t, kv.Scope{Project: "shop"}, map[string]kv.Key{"w": {"k", "shop"}}, func(int) kv.Value { return kv.Value{Kind: kv.KindJSON, Data: []byte("2")} })

	sorted := func(m map[string]kv.Key) []string {
		var out []string
		for _, k := range m {
			out = append(out, string(encode(t, k)))
		}
		slices.Sort(out)
		return out
	}
	all := map[string]kv.Key{}
	for n, k := range inK {
		all[n] = k
	}
	for n, k := range outside {
		all[n] = k
	}

	tests := []struct {
		name   string
		query  url.Values
		limits []int
		want   []string // encoded keys, in order
	}{
		{"everything", url.Values{}, []int{1, 3, 7, 25, 26, 1000}, sorted(all)},
		{"everything, explicit instance", url.Values{"instance": {"_default"}}, []int{4}, sorted(all)},
		{"a prefix", url.Values{"prefix": {`["k"]`}}, []int{1, 5, 23, 24}, sorted(inK)},
		{"a bare string prefix", url.Values{"prefix": {`"k"`}}, []int{6}, sorted(inK)},
		{"a duplicate", url.Values{"instance": {"dup-1"}}, []int{1}, []string{string(encode(t, kv.Key{"k", "dup"}))}},
		{"a prefix with nothing under it", url.Values{"prefix": {`["nothing"]`}}, []int{2}, nil},
	}
	for _, tt := range tests {
		for _, limit := range tt.limits {
			t.Run(fmt.Sprintf("%s, limit %d", tt.name, limit), func(t *testing.T) {
				var got []string
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > len(tt.want)+1 {
						t.Fatalf("more pages than entries: %d", pages)
					}
					q := url.Values{}
					for k, v := range tt.query {
						q[k] = v
					}
					q.Set("limit", fmt.Sprint(limit))
					if cursor != "" {
						q.Set("cursor", cursor)
					}
					var page admin.KVList
					e.get(t, "/v1/projects/room/kv?"+q.Encode(), &page)
					if len(page.Entries) > limit {
						t.Fatalf("page of %d entries, limit %d", len(page.Entries), limit)
					}
					if page.Cursor != "" && len(page.Entries) != limit {
						t.Fatalf("a short page (%d of %d) with a cursor", len(page.Entries), limit)
					}
					for _, en := range page.Entries {
						k, err := admin.KeyFromJSON(en.Key)
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, string(encode(t, k)))
						if len(en.Versionstamp) != 20 {
							t.Errorf("versionstamp %q", en.Versionstamp)
						}
					}
					if page.Cursor == "" {
						break
					}
					cursor = page.Cursor
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("listed %d keys, want %d, each once in key order:\n got %q\nwant %q", len(got), len(tt.want), got, tt.want)
				}
			})
		}
	}
	t.Run("the shared store of a worker", func(t *testing.T) {
		var page admin.KVList
		e.get(t, "/v1/projects/shop/kv", &page)
		if len(page.Entries) != 1 || compact(t, page.Entries[0].Key) != `["k","shop"]` || compact(t, page.Entries[0].Value) != "2" {
			t.Errorf("shop's kv = %+v", page)
		}
	})
	t.Run("get", func(t *testing.T) {
		var en admin.KVEntry
		e.get(t, "/v1/projects/room/kv/get?key="+url.QueryEscape(`["k",{"bytes":"AAE="}]`), &en)
		if compact(t, en.Key) != `["k",{"bytes":"AAE="}]` || !strings.HasPrefix(compact(t, en.Value), `{"i":`) || en.ExpiresAt != nil {
			t.Errorf("get = %+v", en)
		}
		e.get(t, "/v1/projects/room/kv/get?key="+url.QueryEscape(`"a"`), &en)
		if compact(t, en.Value) != `{"bytes":"eA=="}` {
			t.Errorf("get a = %+v", en)
		}
		e.get(t, "/v1/projects/room/kv/get?instance=dup-1&key="+url.QueryEscape(`["k","dup"]`), &en)
		if compact(t, en.Value) != "1" {
			t.Errorf("get in dup-1 = %+v", en)
		}
	})
}

func TestServerKVExpiry(t *testing.T) {
	e := newEnv(t)
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	k := encode(t, kv.Key{"ttl"})
	if _, _, err := e.dir.Commit(context.Background(), kv.Scope{Project: "shop"}, nil,
		[]kv.Mutation{{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindU64, Data: u64(9)}, ExpireAt: exp}}); err != nil {
		t.Fatal(err)
	}
	var en admin.KVEntry
	e.get(t, "/v1/projects/shop/kv/get?key="+url.QueryEscape(`["ttl"]`), &en)
	if en.ExpiresAt == nil || !en.ExpiresAt.Equal(exp) || compact(t, en.Value) != `{"u64":"9"}` {
		t.Errorf("entry = %+v, want it to expire at %v", en, exp)
	}
}

func TestServerLogsTail(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		query string
		ask   int
		want  []string
	}{
		{"", 100, []string{"one", "two", "three"}},
		{"?tail=2", 2, []string{"two", "three"}},
		{"?tail=0", 0, nil},
		{"?follow=0&tail=1", 1, []string{"three"}},
		{"?follow=false&tail=1", 1, []string{"three"}},
	} {
		t.Run(tt.query, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/v1/projects/shop/logs"+tt.query, nil)
			req.Header.Set("Authorization", "Bearer "+tokAcme)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
				t.Fatalf("logs = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			var got []string
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				var l admin.LogLine
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				if l.Project != "shop" {
					t.Errorf("a line of %s", l.Project)
				}
				got = append(got, l.Message)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines = %q, want %q", got, tt.want)
			}
			e.logs.mu.Lock()
			ask := e.logs.tailAsks[len(e.logs.tailAsks)-1]
			e.logs.mu.Unlock()
			if ask != tt.ask {
				t.Errorf("asked Tail for %d lines, want %d", ask, tt.ask)
			}
		})
	}
}

func TestServerLogsFollowEndsWhenTheClientCancels(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/projects/shop/logs?follow=1&tail=1", nil)
	req.Header.Set("Authorization", "Bearer "+tokAcme)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("follow = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Lines are read on their own goroutine so that a line that never
	// comes (not flushed) fails the test at a deadline instead of hanging.
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() string {
		t.Helper()
		select {
		case text, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended")
			}
			var l admin.LogLine
			if err := json.Unmarshal([]byte(text), &l); err != nil {
				t.Fatalf("line %q: %v", text, err)
			}
			return l.Message
		case <-time.After(10 * time.Second):
			t.Fatal("no line within 10s: the stream is not flushed")
		}
		return ""
	}
	if got := next(); got != "three" {
		t.Errorf("first line = %q, want the tail's", got)
	}
	// A live line arrives as it is written (flushed, not buffered).
	select {
	case e.logs.live <- admin.LogLine{Project: "shop", Message: "live"}:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler does not read the follow channel")
	}
	if got := next(); got != "live" {
		t.Errorf("live line = %q", got)
	}
	cancel()
	select {
	case <-e.logs.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the follower's context did not end after the client went away")
	}
}

func TestServerMetricsOptional(t *testing.T) {
	e := newEnv(t)
	if st, _ := e.do(t, "GET", admin.PathMetrics, "", nil); st != http.StatusNotFound {
		t.Errorf("metrics without a handler = %d, want 404", st)
	}
	e.admin.Metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "m 1\n") })
	srv := httptest.NewServer(e.admin.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + admin.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "m 1\n" {
		t.Errorf("metrics = %d %q", resp.StatusCode, body)
	}
}
