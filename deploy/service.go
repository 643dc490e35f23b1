package deploy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/persistence"
)

// Errors of the Service, for the admin API's statuses.
var (
	// ErrNotFound: no such project (or version) in the caller's account. A
	// project of another account is not found either.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the request is malformed (bad name, kind, domain, code).
	ErrInvalid = errors.New("invalid deployment")
	// ErrConflict: the name or a domain belongs to another account's project.
	ErrConflict = errors.New("conflict")
	// ErrStartFailed: the new version's module did not start (its
	// top-level code threw, for example); the previous version stays
	// current.
	ErrStartFailed = errors.New("the new version did not start")
)

// Store keeps every version durably (package persistence).
type Store interface {
	// CreateDeployment stores d as a new current version (created true),
	// or returns the current version unchanged if it has d's kind,
	// source, env and domains (created false), deciding atomically.
	CreateDeployment(ctx context.Context, d persistence.Deployment) (_ persistence.Deployment, created bool, _ error)
	Projects(ctx context.Context) ([]persistence.Deployment, error)
	Deployments(ctx context.Context, project string) ([]persistence.Deployment, error)
	Deployment(ctx context.Context, project string, version int64) (persistence.Deployment, error)
	SetCurrent(ctx context.Context, project string, version int64) (persistence.Deployment, error)
	DeleteProject(ctx context.Context, project string) error
}

// Runtime runs what is deployed (actors.Platform).
type Runtime interface {
	// Deployed is told after p became current (prev is what it replaced,
	// nil for a new project): it starts what p needs (a worker pool, the
	// default coordinator) and makes running instances move to p's code
	// once their in-flight requests finish.
	Deployed(ctx context.Context, p, prev *Project) error
	// Removed stops every instance of p.
	Removed(ctx context.Context, p *Project)
}

// Peers are the other nodes that share the store (actors.Platform).
type Peers interface {
	// RefreshPeers asks every other live member of the cluster to load
	// the current deployments from the store now, waits until each says
	// it has or ctx ends, and returns the members that did not.
	RefreshPeers(ctx context.Context) []string
}

// AckTimeout bounds how long a deploy, rollback or delete waits for the
// other live members to confirm they serve the change.
const AckTimeout = 5 * time.Second

// Service changes what is deployed. Changes to one project are serialized
// on this node (a deploy, rollback or delete, and a Refresh's load of that
// project, never interleave); changes to different projects are not. A
// single lock for all of them let two nodes stall each other until the
// request timeout: node A, deploying P, waits while it starts P's default
// coordinator on node B, which must first load P (Refresh); B, deploying Q
// at the same moment, holds its lock while it waits for A to load Q.
type Service struct {
	locks projectLocks

	Store    Store
	Registry *Registry
	Runtime  Runtime
	// Peers, when set, are told about every change made here before the
	// change returns (see Result); nil for a node alone on its store.
	Peers Peers
	// AckTimeout bounds the wait for Peers (0: AckTimeout).
	AckTimeout time.Duration
	// Domain is the platform's domain; custom domains must lie outside it.
	Domain string
	Log    *slog.Logger
	// OnDeployed and OnDeleted are told about each change (metrics, logs).
	OnDeployed []func(project string)
	OnDeleted  []func(project string)
}

// Result is what Deploy, Rollback and Delete changed.
type Result struct {
	// Project is the version now current (Deploy, Rollback), or the one
	// that was current before Delete.
	*Project
	// Unacknowledged names the live cluster members that did not confirm,
	// within AckTimeout, that they serve the change (they did not answer,
	// or failed to load it). They pick it up at their next refresh
	// (RefreshInterval). Every other live member serves it already.
	Unacknowledged []string
}

// tellPeers makes the other members load a change made here (project's,
// for the log) and returns those that did not confirm they have. It is
// called without the project's lock held: a member's refresh may wait for a
// deploy of its own that is waiting for this node.
func (s *Service) tellPeers(ctx context.Context, change, project string) []string {
	if s.Peers == nil {
		return nil
	}
	// The change is made: a caller that gives up does not cut the telling
	// short (it is bounded anyway).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(s.AckTimeout, AckTimeout))
	defer cancel()
	missing := s.Peers.RefreshPeers(ctx)
	if len(missing) > 0 {
		s.Log.Warn("cluster members did not confirm they serve a change; they pick it up at their next refresh",
			slog.String("change", change), slog.String("project", project), slog.Any("members", missing),
			slog.Duration("refresh_interval", RefreshInterval))
	}
	return missing
}

// Request is one project's code to deploy (the admin API's DeployRequest).
type Request struct {
	Project string
	Kind    string
	Entry   string // the entry path it was bundled from
	Source  string // the bundle (jsvm.Program.Source)
	Env     map[string]string
	Domains []string
	Message string
	// RequireStart makes the deploy fail, and the previous version stay
	// current, when the new version's module does not start. Without it a
	// version that fails to start stays current and its requests retry
	// starting it (edge dev's start-up, so the error is visible).
	RequireStart bool
}

// Deploy stores req's code as the next version of its project under
// account, makes it current and starts it, then has every other live
// member load it (see Result). Deploying code, kind, env and domains
// identical to the current version in the store changes nothing and
// returns the current version; the store decides that atomically, so
// identical deploys racing through several nodes store one version.
func (s *Service) Deploy(ctx context.Context, account string, req Request) (Result, error) {
	p, err := s.deployHere(ctx, account, req)
	if errors.Is(err, ErrStartFailed) {
		// Reverted in the store: a member that loaded the version while
		// it was being started (the one holding its default coordinator)
		// goes back too.
		s.tellPeers(ctx, "revert", req.Project)
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Project: p, Unacknowledged: s.tellPeers(ctx, "deploy", p.Name)}, nil
}

// deployHere is Deploy on this node.
func (s *Service) deployHere(ctx context.Context, account string, req Request) (*Project, error) {
	defer s.locks.lock(req.Project)()
	kind := configs.Kind(req.Kind)
	if !configs.IsLabel(req.Project) {
		return nil, fmt.Errorf("%w: %q is not a valid project name: use 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen", ErrInvalid, req.Project)
	}
	if !kind.Valid() {
		return nil, fmt.Errorf("%w: unknown kind %q: use worker, coordinator, assistant or greeter", ErrInvalid, req.Kind)
	}
	domains, err := s.checkDomains(req.Domains)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Source) == "" {
		return nil, fmt.Errorf("%w: project %s: no code (source is empty)", ErrInvalid, req.Project)
	}
	cur, exists := s.Registry.Get(req.Project)
	if exists && cur.Account != account {
		return nil, fmt.Errorf("%w: project name %q is taken by another account; pick another name", ErrConflict, req.Project)
	}
	entry := req.Entry
	if entry == "" {
		entry = "/" + req.Project + "/mod.js"
	}
	prog, err := jsvm.Compile(entry, req.Source)
	if err != nil {
		return nil, fmt.Errorf("%w: project %s: %w", ErrInvalid, req.Project, err)
	}
	d, created, err := s.Store.CreateDeployment(ctx, persistence.Deployment{
		Project: req.Project, Account: account, Kind: string(kind), Entry: entry, Source: req.Source,
		Env: req.Env, Domains: domains, Message: req.Message,
	})
	switch {
	case errors.Is(err, persistence.ErrProjectOwned):
		return nil, fmt.Errorf("%w: project name %q is taken by another account; pick another name", ErrConflict, req.Project)
	case errors.Is(err, persistence.ErrDomainTaken):
		for _, d := range domains {
			if holder, ok := s.Registry.ByDomain(d); ok && holder.Name != req.Project && holder.Account != account {
				return nil, fmt.Errorf("%w: domain %s is served by a project of another account", ErrConflict, d)
			}
		}
		return nil, fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, persistence.ErrInvalid):
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	case err != nil:
		return nil, fmt.Errorf("storing project %s: %w", req.Project, err)
	}
	if !created {
		// The same as the current version in the store, which this node
		// may not have loaded yet (another node stored it).
		if cur, ok := s.Registry.Get(req.Project); ok && cur.Version == d.Version && sameCode(cur, kind, account, req.Source, req.Env, domains) {
			return cur, nil
		}
		p := fromStored(d, prog)
		return p, s.activate(ctx, p, false)
	}
	p := fromStored(d, prog)
	if err := s.activate(ctx, p, req.RequireStart); err != nil {
		return nil, err
	}
	return p, nil
}

// checkDomains normalizes custom domains and refuses those under the
// platform's domain.
func (s *Service) checkDomains(in []string) ([]string, error) {
	var out []string
	for _, d := range in {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if !configs.IsHostname(d) {
			return nil, fmt.Errorf("%w: %q is not a valid host name (e.g. api.example.com)", ErrInvalid, d)
		}
		if d == s.Domain || strings.HasSuffix(d, "."+s.Domain) {
			return nil, fmt.Errorf("%w: %q is under the platform's domain %s, which already routes by project name", ErrInvalid, d, s.Domain)
		}
		if !slices.Contains(out, d) { // as the store keeps them, so sameCode compares like with like
			out = append(out, d)
		}
	}
	return out, nil
}

// activate makes p current in memory and starts it.
func (s *Service) activate(ctx context.Context, p *Project, requireStart bool) error {
	return s.start(ctx, p, s.Registry.Put(p), requireStart)
}

// start starts p, which replaced prev in the registry.
func (s *Service) start(ctx context.Context, p, prev *Project, requireStart bool) error {
	if err := s.Runtime.Deployed(ctx, p, prev); err != nil {
		if requireStart {
			s.revert(ctx, p, prev)
			return fmt.Errorf("%w: project %s v%d: %w", ErrStartFailed, p.Name, p.Version, err)
		}
		// Stored and current: requests will retry starting it.
		s.Log.Error("project deployed but failed to start; requests to it will retry", slog.String("project", p.Name), slog.Int64("version", p.Version), slog.Any("err", err))
	}
	for _, f := range s.OnDeployed {
		f(p.Name)
	}
	s.Log.Info("deployed", slog.String("project", p.Name), slog.String("account", p.Account), slog.String("kind", string(p.Kind)), slog.Int64("version", p.Version))
	return nil
}

// revert undoes a version that did not start: the previous version is
// current again (in memory and in the store); a new project is removed.
// Instances never moved to p's code, since it did not start.
func (s *Service) revert(ctx context.Context, p, prev *Project) {
	if prev == nil {
		s.Registry.Remove(p.Name)
		s.Runtime.Removed(ctx, p)
		if err := s.Store.DeleteProject(ctx, p.Name); err != nil {
			s.Log.Error("removing a new project that did not start", slog.String("project", p.Name), slog.Any("err", err))
		}
		return
	}
	s.Registry.Put(prev)
	if _, err := s.Store.SetCurrent(ctx, p.Name, prev.Version); err != nil {
		s.Log.Error("restoring the previous version as current", slog.String("project", p.Name), slog.Int64("version", prev.Version), slog.Any("err", err))
	}
}

func fromStored(d persistence.Deployment, prog *jsvm.Program) *Project {
	return &Project{Name: d.Project, Account: d.Account, Kind: configs.Kind(d.Kind), Version: d.Version, Program: prog,
		Env: d.Env, Domains: d.Domains, Message: d.Message, UpdatedAt: d.CreatedAt}
}

// Load makes every stored project current, at start-up. A project whose
// code no longer compiles is logged and skipped; the others start.
func (s *Service) Load(ctx context.Context) error {
	ds, err := s.Store.Projects(ctx)
	if err != nil {
		return fmt.Errorf("loading deployed projects: %w", err)
	}
	for _, d := range ds {
		prog, err := jsvm.Compile(d.Entry, d.Source)
		if err != nil {
			s.Log.Error("stored project does not compile; skipped (deploy it again)", slog.String("project", d.Project), slog.Int64("version", d.Version), slog.Any("err", err))
			continue
		}
		unlock := s.locks.lock(d.Project)
		_ = s.activate(ctx, fromStored(d, prog), false)
		unlock()
	}
	return nil
}

// owned returns the current version of project if account owns it.
func (s *Service) owned(account, project string) (*Project, error) {
	p, ok := s.Registry.Get(project)
	if !ok || p.Account != account {
		return nil, fmt.Errorf("%w: no project %q in account %s", ErrNotFound, project, account)
	}
	return p, nil
}

// Versions lists a project's stored versions, newest first.
func (s *Service) Versions(ctx context.Context, account, project string) ([]persistence.Deployment, *Project, error) {
	cur, err := s.owned(account, project)
	if err != nil {
		return nil, nil, err
	}
	ds, err := s.Store.Deployments(ctx, project)
	if err != nil {
		return nil, nil, fmt.Errorf("listing versions of %s: %w", project, err)
	}
	return ds, cur, nil
}

// Rollback makes an earlier version current again; version 0 means the
// newest version older than the current one. Every other live member
// then loads it, as after Deploy.
func (s *Service) Rollback(ctx context.Context, account, project string, version int64) (Result, error) {
	p, err := s.rollbackHere(ctx, account, project, version)
	if err != nil {
		return Result{}, err
	}
	return Result{Project: p, Unacknowledged: s.tellPeers(ctx, "rollback", p.Name)}, nil
}

// rollbackHere is Rollback on this node.
func (s *Service) rollbackHere(ctx context.Context, account, project string, version int64) (*Project, error) {
	defer s.locks.lock(project)()
	cur, err := s.owned(account, project)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		ds, err := s.Store.Deployments(ctx, project)
		if err != nil {
			return nil, fmt.Errorf("listing versions of %s: %w", project, err)
		}
		for _, d := range ds { // newest first
			if d.Version < cur.Version {
				version = d.Version
				break
			}
		}
		if version == 0 {
			return nil, fmt.Errorf("%w: project %s has no version before v%d to roll back to", ErrNotFound, project, cur.Version)
		}
	}
	d, err := s.Store.Deployment(ctx, project, version)
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, fmt.Errorf("%w: project %s has no version %d (see edge versions %s)", ErrNotFound, project, version, project)
	}
	if err != nil {
		return nil, err
	}
	prog, err := jsvm.Compile(d.Entry, d.Source)
	if err != nil {
		return nil, fmt.Errorf("%w: version %d of %s no longer compiles: %w", ErrInvalid, version, project, err)
	}
	d, err = s.Store.SetCurrent(ctx, project, version)
	if errors.Is(err, persistence.ErrDomainTaken) {
		return nil, fmt.Errorf("%w: %w", ErrConflict, err)
	}
	if err != nil {
		return nil, fmt.Errorf("rolling %s back to v%d: %w", project, version, err)
	}
	p := fromStored(d, prog)
	p.UpdatedAt = time.Now()
	if err := s.activate(ctx, p, true); err != nil {
		return nil, err
	}
	return p, nil
}

// Delete stops every instance of a project and deletes its versions and
// all its stored data; every other live member then stops serving it, as
// after Deploy. Result.Project is the version that was current.
func (s *Service) Delete(ctx context.Context, account, project string) (Result, error) {
	p, err := s.deleteHere(ctx, account, project)
	if err != nil {
		return Result{}, err
	}
	return Result{Project: p, Unacknowledged: s.tellPeers(ctx, "delete", project)}, nil
}

// deleteHere is Delete on this node.
func (s *Service) deleteHere(ctx context.Context, account, project string) (*Project, error) {
	defer s.locks.lock(project)()
	p, err := s.owned(account, project)
	if err != nil {
		return nil, err
	}
	s.Registry.Remove(project)
	s.Runtime.Removed(ctx, p)
	if err := s.Store.DeleteProject(ctx, project); err != nil && !errors.Is(err, persistence.ErrNotFound) {
		return nil, fmt.Errorf("deleting the data of %s: %w", project, err)
	}
	for _, f := range s.OnDeleted {
		f(project)
	}
	s.Log.Info("project deleted", slog.String("project", project), slog.String("account", account))
	return p, nil
}

// versionLister is how Refresh learns cheaply what changed in the store.
type versionLister interface {
	CurrentVersions(ctx context.Context) (map[string]int64, error)
}

// Refresh brings this node in line with the store, for nodes that share a
// database (Postgres): versions deployed, rolled back or deleted through
// another node become current (or go) here too. The node that made the
// change asks for it at once (Peers); RefreshEvery is the fallback for a
// member that missed that. It reads only each project's current version
// number unless one changed.
func (s *Service) Refresh(ctx context.Context) error {
	vl, ok := s.Store.(versionLister)
	if !ok {
		return nil
	}
	cur, err := vl.CurrentVersions(ctx)
	if err != nil {
		return fmt.Errorf("refreshing deployments: %w", err)
	}
	// Every changed project is current here before any starts: starting
	// a coordinator asks the node that holds it, which may be refreshing
	// at the same moment (a deploy asks every node at once) and answers
	// BEHIND until its registry has the version. Each changed project's
	// lock is held until it has started. (Deferred: what is in the
	// registry starts even when the refresh stops at an error.)
	type change struct {
		p, prev *Project
		unlock  func()
	}
	var changes []change
	defer func() {
		for _, c := range changes {
			_ = s.start(ctx, c.p, c.prev, false)
			c.unlock()
		}
	}()
	// cur was read without the projects' locks: a deploy, rollback or
	// delete made through this node meanwhile may have changed a project
	// since, so each one that looks changed is read again under its lock
	// (one more read per changed project; changes are rare).
	recheck := func() (map[string]int64, error) {
		now, err := vl.CurrentVersions(ctx)
		if err != nil {
			return nil, fmt.Errorf("refreshing deployments: %w", err)
		}
		return now, nil
	}
	// The locks of changed projects are taken in name order: two refreshes
	// running at once on this node (the timer's and a member's request)
	// must not each hold one the other waits for.
	for _, name := range slices.Sorted(maps.Keys(cur)) {
		if p, ok := s.Registry.Get(name); ok && p.Version == cur[name] {
			continue
		}
		unlock := s.locks.lock(name)
		p, err := s.load(ctx, name, recheck)
		if p == nil || err != nil {
			unlock()
			if err != nil {
				return err
			}
			continue
		}
		changes = append(changes, change{p, s.Registry.Put(p), unlock})
	}
	for _, p := range s.Registry.All() {
		if _, ok := cur[p.Name]; ok {
			continue
		}
		if err := s.removeDeleted(ctx, p.Name, recheck); err != nil {
			return err
		}
	}
	return nil
}

// load returns the current version of project in the store (as recheck
// reads it now, under the project's lock) if this node does not serve it
// yet, or nil: deleted, already current here, or not compiling here
// (logged).
func (s *Service) load(ctx context.Context, project string, recheck func() (map[string]int64, error)) (*Project, error) {
	now, err := recheck()
	if err != nil {
		return nil, err
	}
	version, ok := now[project]
	if !ok {
		return nil, nil // deleted since
	}
	if p, ok := s.Registry.Get(project); ok && p.Version == version {
		return nil, nil // made current through this node meanwhile
	}
	d, err := s.Store.Deployment(ctx, project, version)
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, nil // deleted since
	}
	if err != nil {
		return nil, fmt.Errorf("refreshing %s: %w", project, err)
	}
	prog, err := jsvm.Compile(d.Entry, d.Source)
	if err != nil {
		s.Log.Error("a version deployed through another node does not compile here; skipped", slog.String("project", project), slog.Int64("version", version), slog.Any("err", err))
		return nil, nil
	}
	return fromStored(d, prog), nil
}

// removeDeleted stops serving project if the store (read again by
// recheck, under the project's lock) no longer has it.
func (s *Service) removeDeleted(ctx context.Context, project string, recheck func() (map[string]int64, error)) error {
	defer s.locks.lock(project)()
	now, err := recheck()
	if err != nil {
		return err
	}
	p, ok := s.Registry.Get(project)
	if _, stored := now[project]; stored || !ok {
		return nil // deployed through this node meanwhile, or already gone
	}
	s.Registry.Remove(project)
	s.Runtime.Removed(ctx, p)
	for _, f := range s.OnDeleted {
		f(project)
	}
	s.Log.Info("project deleted through another node", slog.String("project", project))
	return nil
}

// projectLocks is one mutex per project name, made on first use and
// dropped when nobody holds or waits for it.
type projectLocks struct {
	mu sync.Mutex
	m  map[string]*projectLock
}

type projectLock struct {
	sync.Mutex
	users int // holders and waiters
}

// lock locks project's mutex and returns its unlock.
func (l *projectLocks) lock(project string) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*projectLock{}
	}
	pl := l.m[project]
	if pl == nil {
		pl = &projectLock{}
		l.m[project] = pl
	}
	pl.users++
	l.mu.Unlock()
	pl.Lock()
	return func() {
		pl.Unlock()
		l.mu.Lock()
		if pl.users--; pl.users == 0 {
			delete(l.m, project)
		}
		l.mu.Unlock()
	}
}

// RefreshInterval is how often a node on a shared database (Postgres)
// looks for deployments made through other nodes that it was not told
// about (see Peers).
const RefreshInterval = 2 * time.Second

// RefreshEvery runs Refresh every period until ctx ends, logging failures.
func (s *Service) RefreshEvery(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("refreshing deployments from the store", slog.Any("err", err))
		}
	}
}
