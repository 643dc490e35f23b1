package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
)

// fakeToken is the one token the fake admin API accepts.
const fakeToken = "tok-good"

// t0 is the fake's clock: every time it reports is t0 or after.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeAdmin is an in-memory admin API that follows the contract of
// admin/api.go, for testing the CLI in-process.
type fakeAdmin struct {
	t *testing.T

	mu       sync.Mutex
	projects map[string]*fakeProject
	deploys  []admin.DeployRequest
	kv       map[string][]admin.KVEntry // by "project/instance"
	kvQuery  []string                   // raw queries of the kv list calls
	logs     []admin.LogLine
	// kvPage bounds a kv page, so that listings need several pages.
	kvPage int
	// lagging are the cluster nodes that deploys, rollbacks and project
	// deletions report as not having confirmed.
	lagging []string
}

type fakeProject struct {
	admin.Project
	versions []admin.Version
	coords   []admin.Coordinator
}

// newFakeAdmin serves a fake admin API until the test ends.
func newFakeAdmin(t *testing.T) (*fakeAdmin, *httptest.Server) {
	f := &fakeAdmin{t: t, projects: map[string]*fakeProject{}, kv: map[string][]admin.KVEntry{}, kvPage: 2}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+admin.PathDeployments, f.deploy)
	mux.HandleFunc("GET "+admin.PathProjects, f.list)
	mux.HandleFunc("GET "+admin.PathProject, f.withProject(func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		reply(w, p.Project)
	}))
	mux.HandleFunc("DELETE "+admin.PathProject, f.withProject(func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		delete(f.projects, p.Name)
		reply(w, admin.Deleted{Deleted: "project " + p.Name, Unacknowledged: f.lagging})
	}))
	mux.HandleFunc("GET "+admin.PathVersions, f.withProject(func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		reply(w, p.versions)
	}))
	mux.HandleFunc("POST "+admin.PathRollback, f.withProject(f.rollback))
	mux.HandleFunc("GET "+admin.PathCoordinators, f.withProject(func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		reply(w, p.coords)
	}))
	mux.HandleFunc("DELETE "+admin.PathCoordinator, f.withProject(func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		name := r.PathValue("name")
		for i, c := range p.coords {
			if c.Name == name {
				p.coords = append(p.coords[:i], p.coords[i+1:]...)
				reply(w, admin.Deleted{Deleted: "coordinator " + name + " of " + p.Name})
				return
			}
		}
		fail(w, http.StatusNotFound, "no coordinator "+name+" in "+p.Name)
	}))
	mux.HandleFunc("GET "+admin.PathKV, f.withProject(f.kvList))
	mux.HandleFunc("GET "+admin.PathKVGet, f.withProject(f.kvGet))
	mux.HandleFunc("GET "+admin.PathLogs, f.withProject(f.logLines))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeToken {
			fail(w, http.StatusUnauthorized, "unknown token")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(admin.Error{Error: msg})
}

// addProject seeds a project with versions 1..n, the last one current.
func (f *fakeAdmin) addProject(name, kind string, n int) *fakeProject {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &fakeProject{Project: admin.Project{Name: name, Account: "acme", Kind: kind, Version: int64(n),
		URL: "https://" + name + ".deno.dev/", Public: kind == admin.KindWorker || kind == admin.KindGreeter, UpdatedAt: t0}}
	for v := 1; v <= n; v++ {
		p.versions = append(p.versions, admin.Version{Version: int64(v), Kind: kind, Entry: "/src/" + name + "/mod.js",
			Message: "v" + strconv.Itoa(v), CreatedAt: t0.Add(time.Duration(v) * time.Hour), Current: v == n, Bytes: 1000 * v})
	}
	f.projects[name] = p
	return p
}

func (f *fakeAdmin) withProject(h func(http.ResponseWriter, *http.Request, *fakeProject)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		p, ok := f.projects[r.PathValue("project")]
		if !ok {
			f.mu.Unlock()
			fail(w, http.StatusNotFound, "no project "+r.PathValue("project"))
			return
		}
		if strings.HasSuffix(r.URL.Path, "/logs") {
			f.mu.Unlock() // the log stream may block
			h(w, r, p)
			return
		}
		defer f.mu.Unlock()
		h(w, r, p)
	}
}

func (f *fakeAdmin) deploy(w http.ResponseWriter, r *http.Request) {
	var req admin.DeployRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	if req.Source == "" || req.Entry == "" {
		fail(w, http.StatusBadRequest, "source and entry are required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deploys = append(f.deploys, req)
	p, ok := f.projects[req.Project]
	if !ok {
		p = &fakeProject{Project: admin.Project{Name: req.Project, Account: "acme", URL: "https://" + req.Project + ".deno.dev/"}}
		f.projects[req.Project] = p
	}
	for i := range p.versions {
		p.versions[i].Current = false
	}
	p.Version++
	p.Kind = req.Kind
	p.Public = req.Kind == admin.KindWorker || req.Kind == admin.KindGreeter
	p.versions = append(p.versions, admin.Version{Version: p.Version, Kind: req.Kind, Entry: req.Entry, Message: req.Message,
		CreatedAt: t0, Current: true, Bytes: len(req.Source)})
	reply(w, admin.DeployResponse{Project: p.Name, Version: p.Version, Kind: p.Kind, URL: p.URL, Public: p.Public, Domains: req.Domains,
		Unacknowledged: f.lagging})
}

func (f *fakeAdmin) list(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []admin.Project{}
	for _, p := range f.projects {
		out = append(out, p.Project)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	reply(w, out)
}

func (f *fakeAdmin) rollback(w http.ResponseWriter, r *http.Request, p *fakeProject) {
	var req admin.RollbackRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	target := req.Version
	if target == 0 {
		target = p.Version - 1
	}
	found := false
	for i := range p.versions {
		p.versions[i].Current = p.versions[i].Version == target
		found = found || p.versions[i].Current
	}
	if !found {
		fail(w, http.StatusNotFound, fmt.Sprintf("%s has no version %d", p.Name, target))
		return
	}
	p.Version = target
	reply(w, admin.RollbackResponse{Project: p.Project, Unacknowledged: f.lagging})
}

// hasPrefix reports whether the JSON key array key starts with prefix.
func hasPrefix(t *testing.T, key, prefix json.RawMessage) bool {
	var k, p []json.RawMessage
	if err := json.Unmarshal(key, &k); err != nil {
		t.Errorf("fake: key %s: %v", key, err)
	}
	if err := json.Unmarshal(prefix, &p); err != nil {
		return false
	}
	if len(p) > len(k) {
		return false
	}
	for i := range p {
		if compact(p[i]) != compact(k[i]) {
			return false
		}
	}
	return true
}

func (f *fakeAdmin) kvList(w http.ResponseWriter, r *http.Request, p *fakeProject) {
	q := r.URL.Query()
	f.kvQuery = append(f.kvQuery, r.URL.RawQuery)
	var matched []admin.KVEntry
	for _, e := range f.kv[p.Name+"/"+q.Get("instance")] {
		if q.Get("prefix") == "" || hasPrefix(f.t, e.Key, json.RawMessage(q.Get("prefix"))) {
			matched = append(matched, e)
		}
	}
	start := 0
	if c := q.Get("cursor"); c != "" {
		start, _ = strconv.Atoi(c)
	}
	n := f.kvPage
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < n {
		n = l
	}
	end := min(start+n, len(matched))
	out := admin.KVList{Entries: matched[start:end]}
	if end < len(matched) {
		out.Cursor = strconv.Itoa(end)
	}
	reply(w, out)
}

func (f *fakeAdmin) kvGet(w http.ResponseWriter, r *http.Request, p *fakeProject) {
	q := r.URL.Query()
	for _, e := range f.kv[p.Name+"/"+q.Get("instance")] {
		if compact(e.Key) == q.Get("key") {
			reply(w, e)
			return
		}
	}
	fail(w, http.StatusNotFound, "no key "+q.Get("key"))
}

func (f *fakeAdmin) logLines(w http.ResponseWriter, r *http.Request, p *fakeProject) {
	f.mu.Lock()
	lines := append([]admin.LogLine(nil), f.logs...)
	f.mu.Unlock()
	if n, err := strconv.Atoi(r.URL.Query().Get("tail")); err == nil && n < len(lines) {
		lines = lines[len(lines)-n:]
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for _, l := range lines {
		enc.Encode(l)
	}
	if r.URL.Query().Get("follow") == "1" {
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a follower's stream ends only when the client goes
	}
}

// locked runs fn with the fake's lock held, for a test to change its state.
func (f *fakeAdmin) locked(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// deployed returns the deploy requests received so far.
func (f *fakeAdmin) deployed() []admin.DeployRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]admin.DeployRequest(nil), f.deploys...)
}

// syncBuffer is an output buffer that calls onWrite (under its lock) after
// each write; the follow test uses it to interrupt once the lines are out.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	onWrite func(string)
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.onWrite != nil {
		s.onWrite(s.b.String())
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
