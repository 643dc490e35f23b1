// Package deploy owns what is deployed: each project's current version
// (account, kind, compiled program, env, custom domains), kept in memory in
// a Registry that the router and the actors read on every request, and
// changed only through a Service that stores every version durably first
// (deploy, rollback, delete) and then tells the runtime. It never routes a
// request and never runs user code.
package deploy

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/jsvm"
)

// Project is one deployed version of a project. It is immutable: a
// redeploy replaces it in the Registry.
type Project struct {
	Name      string
	Account   string
	Kind      configs.Kind
	Version   int64
	Program   *jsvm.Program
	Env       map[string]string
	Domains   []string
	Message   string
	UpdatedAt time.Time
}

// Registry is the set of current versions. Reads are lock-free (an atomic
// snapshot); writes copy the snapshot.
type Registry struct {
	mu   sync.Mutex // serializes writers
	snap atomic.Pointer[snapshot]
}

type snapshot struct {
	byName   map[string]*Project
	byDomain map[string]*Project
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{}
	r.snap.Store(&snapshot{byName: map[string]*Project{}, byDomain: map[string]*Project{}})
	return r
}

// Get returns the current version of the named project.
func (r *Registry) Get(name string) (*Project, bool) {
	p, ok := r.snap.Load().byName[name]
	return p, ok
}

// ByDomain returns the project that serves a custom domain (lower-case,
// without port).
func (r *Registry) ByDomain(host string) (*Project, bool) {
	p, ok := r.snap.Load().byDomain[host]
	return p, ok
}

// All returns every current project, ordered by name.
func (r *Registry) All() []*Project {
	s := r.snap.Load()
	out := make([]*Project, 0, len(s.byName))
	for _, p := range s.byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Put makes p the current version of its project and returns the version
// it replaced (nil if none).
func (r *Registry) Put(p *Project) *Project {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snap.Load()
	prev := old.byName[p.Name]
	next := old.clone()
	if prev != nil {
		next.drop(prev)
	}
	next.byName[p.Name] = p
	for _, d := range p.Domains {
		next.byDomain[d] = p
	}
	r.snap.Store(next)
	return prev
}

// Remove drops a project and returns what it was (nil if none).
func (r *Registry) Remove(name string) *Project {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snap.Load()
	prev := old.byName[name]
	if prev == nil {
		return nil
	}
	next := old.clone()
	next.drop(prev)
	r.snap.Store(next)
	return prev
}

func (s *snapshot) clone() *snapshot {
	c := &snapshot{byName: make(map[string]*Project, len(s.byName)+1), byDomain: make(map[string]*Project, len(s.byDomain)+1)}
	for k, v := range s.byName {
		c.byName[k] = v
	}
	for k, v := range s.byDomain {
		c.byDomain[k] = v
	}
	return c
}

func (s *snapshot) drop(p *Project) {
	delete(s.byName, p.Name)
	for _, d := range p.Domains {
		if s.byDomain[d] == p {
			delete(s.byDomain, d)
		}
	}
}

// sameCode reports whether a redeploy would change nothing.
func sameCode(p *Project, kind configs.Kind, account, source string, env map[string]string, domains []string) bool {
	if p == nil || p.Kind != kind || p.Account != account || p.Program.Source != source || len(p.Env) != len(env) || !slices.Equal(p.Domains, domains) {
		return false
	}
	for k, v := range env {
		if pv, ok := p.Env[k]; !ok || pv != v {
			return false
		}
	}
	return true
}
