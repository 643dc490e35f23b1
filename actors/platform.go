// Package actors runs user programs as actors: coordinator instances are
// Proto.Actor cluster grains (one grain kind for every single-instance
// project, identity "<project>/<instance>") and worker projects are pools of
// VM actors on every node. It owns activation, the output gate, a
// coordinator's view of its storage, and the lifecycle of VMs (redeploy,
// passivation, the bound on active coordinators, pool sizes). It never
// parses HTTP and never decides which project a host names; the frontend
// and the router do that.
package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/protos"
)

// DefaultInstance is the instance name of a coordinator project's default
// instance (https://<project>.<domain>). Duplicate names are DNS labels,
// which cannot contain "_", so it never collides with one.
const DefaultInstance = "_default"

// GrainKind is the cluster kind of every coordinator (and greeter) instance;
// the grain identity names the project and the instance.
const GrainKind = "coordinator"

// Identity is the grain identity of a coordinator instance.
func Identity(project, instance string) string { return project + "/" + instance }

// SplitIdentity is the inverse of Identity.
func SplitIdentity(id string) (project, instance string) {
	project, instance, _ = strings.Cut(id, "/")
	return project, instance
}

// Observer records lifecycle events (package metrics); nil records nothing.
type Observer interface {
	Activation(project string, ok bool)
	Passivation(project, reason string)
	Overloaded(project string)
}

// Options wire a Platform.
type Options struct {
	Config   *configs.Config
	Registry *deploy.Registry
	Store    Store
	// NodeID names this node as the owner of the activations it runs.
	NodeID string
	Logger *slog.Logger
	// FetcherFor returns the fetch() implementation for a project's
	// instances; the caller's identity is the project.
	FetcherFor func(project string) jsvm.Fetcher
	Limits     jsvm.Limits
	Observer   Observer
}

// Platform hosts every project's instances on this node.
type Platform struct {
	Options
	// requestTimeout bounds a request and, as well, an activation (a module's
	// top-level code runs inside its first request's time).
	requestTimeout time.Duration
	idleTimeout    time.Duration
	hibernateAfter time.Duration
	workerIdle     time.Duration
	queueLimit     int
	observer       Observer

	node *cluster.Node
	// bodies holds the streamed bodies this node produced until their
	// readers claim them (bodies.go).
	bodies *BodyStreams

	mu         sync.Mutex
	pools      map[string]*actor.PID
	poolSerial int
	// active: the coordinator activations on this node, least recently
	// used first.
	active *lru
	// passivations and requests since releaseMemory last looked.
	passivations atomic.Int64
	requests     atomic.Int64
	// refresher loads the current deployments from the store (see
	// SetRefresher).
	refresher atomic.Pointer[func(context.Context) error]
	// logs answers other members' asks for this node's log lines (see
	// SetLogs).
	logs atomic.Pointer[func(*protos.LogsSince) *protos.LogBatch]
}

// SetLogs installs what answers another member's ask for this node's log
// lines of a project (logbook.Book.Answer), for `edge logs` through any
// node.
func (p *Platform) SetLogs(f func(*protos.LogsSince) *protos.LogBatch) { p.logs.Store(&f) }

// SetRefresher installs what loads the current deployments from the store
// (deploy.Service.Refresh), which another node asks for when it deployed a
// version this node must run.
func (p *Platform) SetRefresher(f func(context.Context) error) { p.refresher.Store(&f) }

// ErrUnknownProject is returned for a project that is not deployed, or not
// of the kind the call needs.
var ErrUnknownProject = errors.New("unknown project")

// NewPlatform prepares the platform; Start runs it on a cluster node.
func NewPlatform(o Options) (*Platform, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = deploy.NewRegistry()
	}
	timeout, err := o.Config.RequestTimeout()
	if err != nil {
		return nil, err
	}
	idle, err := o.Config.IdleTimeout()
	if err != nil {
		return nil, err
	}
	hibernate, err := o.Config.HibernateAfter()
	if err != nil {
		return nil, err
	}
	workerIdle, err := o.Config.WorkerIdleTimeout()
	if err != nil {
		workerIdle = 30 * time.Second
	}
	obs := o.Observer
	if obs == nil {
		obs = noObserver{}
	}
	return &Platform{Options: o, requestTimeout: timeout, idleTimeout: idle, hibernateAfter: hibernate, workerIdle: workerIdle,
		queueLimit: o.Config.Coordinators.QueueLimit, observer: obs,
		pools: map[string]*actor.PID{}, active: newLRU(),
		bodies: NewBodyStreams(timeout)}, nil
}

type noObserver struct{}

func (noObserver) Activation(string, bool)    {}
func (noObserver) Passivation(string, string) {}
func (noObserver) Overloaded(string)          {}

// Kinds returns the cluster kinds this node hosts: one for every
// coordinator instance of every project, so projects deployed later need
// no new kind.
func (p *Platform) Kinds() []*pcluster.Kind {
	props := actor.PropsFromProducer(func() actor.Actor {
		return &instanceActor{plat: p, coordinator: true, log: p.Logger}
	})
	return []*pcluster.Kind{pcluster.NewKind(GrainKind, props)}
}

// Start runs the platform on a cluster node; projects arrive through
// Deployed.
func (p *Platform) Start(ctx context.Context, node *cluster.Node) {
	p.node = node
	p.startBodyServer()
	node.SetControl(p.control)
	node.Members.OnDeath(func(dead []string) { p.reactivateDefaults(ctx, dead) })
	go p.releaseMemory(ctx, 10*time.Second, 64)
}

// reactivateDefaults moves the default coordinators of a member that died
// and activates them on their new owner without waiting for a request, as
// at deploy time: every node locates each default (the directory's
// compare-and-set lets one move it), and the node it lands on activates
// it. Duplicates move on their next request.
func (p *Platform) reactivateDefaults(ctx context.Context, dead []string) {
	ctx, cancel := context.WithTimeout(ctx, p.requestTimeout)
	defer cancel()
	self := p.node.Members.Self().ID
	for _, proj := range p.Registry.All() {
		if !proj.Kind.Single() {
			continue
		}
		key := cluster.KeyOf(Identity(proj.Name, DefaultInstance))
		before, _ := p.node.Directory.Cached(key)
		e, _, err := p.node.Directory.Locate(ctx, key, nil)
		if err != nil {
			p.Logger.Warn("relocating a default coordinator after a node died", slog.String("project", proj.Name), slog.Any("err", err))
			continue
		}
		if e.Owner != self || before.Owner == self {
			continue
		}
		if err := p.activateDefault(ctx, proj); err != nil {
			p.Logger.Warn("reactivating a default coordinator after a node died", slog.String("project", proj.Name), slog.Any("err", err))
			continue
		}
		p.Logger.Info("default coordinator reactivated here after its node died", slog.String("project", proj.Name), slog.Any("dead", dead))
	}
}

// releaseMemory returns the memory of passivated VMs to the operating
// system after a wave of passivations. An idle coordinator keeps a few
// kilobytes live, but the heap its VM used stays with the process: Go
// collects it only when the heap grows again (an idle node allocates
// nothing, so that is at the 2-minute forced GC) and gives free pages back
// slowly. A full collection and release (debug.FreeOSMemory) brings RSS
// down to about what is live; memoryRelease decides when (see there).
func (p *Platform) releaseMemory(ctx context.Context, period time.Duration, min int64) {
	t := time.NewTicker(period)
	defer t.Stop()
	m := memoryRelease{min: min}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if passivated, ok := m.tick(p.passivations.Swap(0), p.requests.Swap(0)); ok {
			debug.FreeOSMemory()
			p.Logger.Debug("released the memory of passivated VMs", slog.Int64("passivations", passivated))
		}
	}
}

// memoryRelease is releaseMemory's decision, once a period: release after
// at least min passivations (counted since the last release), but only in
// a period in which the node served fewer than min requests. A busy node
// reuses the freed heap at once: handing it to the OS would cost a full
// collection plus the page faults of taking it back, every period, and
// with coordinators hibernating 10 s after their last request a node that
// keeps meeting new ones passivates all the time.
type memoryRelease struct {
	min     int64
	pending int64 // passivations since the last release
}

// tick takes the passivations and requests of the period that ended and
// reports whether to release now, with the passivations it covers.
func (m *memoryRelease) tick(passivations, requests int64) (int64, bool) {
	m.pending += passivations
	if m.pending < m.min || requests >= m.min {
		return 0, false
	}
	n := m.pending
	m.pending = 0
	return n, true
}

// Deployed starts what a newly current project version needs: its worker
// pool, or its default coordinator (which exists from deploy time, so its
// first request pays no creation cost). Running instances move to the new
// code on their next request.
func (p *Platform) Deployed(ctx context.Context, proj, prev *deploy.Project) error {
	if prev != nil && prev.Kind.Single() != proj.Kind.Single() {
		p.Removed(ctx, prev)
	}
	if !proj.Kind.Single() {
		pid, err := p.pool(proj.Name)
		if err != nil {
			return err
		}
		reply, err := p.node.System.Root.RequestFuture(pid, &protos.Activate{}, p.requestTimeout).Result()
		return activationError(reply, err)
	}
	if _, err := p.ensure(ctx, proj.Name, DefaultInstance, ""); err != nil {
		return fmt.Errorf("locating the default coordinator of %s: %w", proj.Name, err)
	}
	return p.activateDefault(ctx, proj)
}

// activateDefault starts the default coordinator of proj's version on the
// node that holds it and reports whether its module started. That node may
// not have loaded the version yet (nodes pick deployments up from the
// store): it is asked to refresh now, and the activation is retried until
// it has, within the request timeout.
func (p *Platform) activateDefault(ctx context.Context, proj *deploy.Project) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.requestTimeout)
		defer cancel()
	}
	id := Identity(proj.Name, DefaultInstance)
	asked := false
	for {
		reply, err := p.node.Request(ctx, GrainKind, id, &protos.Activate{Version: proj.Version})
		a, ok := reply.(*protos.Activated)
		if err != nil || !ok || a.GetError().GetReason() != protos.InstanceError_BEHIND {
			return activationError(reply, err)
		}
		if !asked {
			asked = true
			if e, ok := p.node.Directory.Cached(cluster.KeyOf(id)); ok {
				if _, err := p.node.Ask(ctx, e.Owner, &protos.RefreshDeployments{}); err != nil {
					p.Logger.Warn("asking a node to load a deployment", slog.String("node", e.Owner), slog.Any("err", err))
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the node running the default coordinator of %s did not load version %d in time: %w", proj.Name, proj.Version, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func activationError(reply any, err error) error {
	if err != nil {
		return err
	}
	if a, ok := reply.(*protos.Activated); ok && a.GetError() != nil {
		return errors.New(a.GetError().GetMessage())
	}
	return nil
}

// pool returns the worker pool of a project, spawning it if needed.
func (p *Platform) pool(project string) (*actor.PID, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pid, ok := p.pools[project]; ok {
		return pid, nil
	}
	max := p.Config.Workers.Instances
	if max <= 0 {
		max = runtime.GOMAXPROCS(0)
	}
	wp := &workerPool{plat: p, project: project, max: max}
	// A serial in the name: a removed project's pool may still be stopping
	// when the project is deployed again.
	p.poolSerial++
	pid, err := p.node.System.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return wp }), fmt.Sprintf("pool-%s-%d", project, p.poolSerial))
	if err != nil {
		return nil, fmt.Errorf("spawning the worker pool of %s: %w", project, err)
	}
	p.pools[project] = pid
	return pid, nil
}

// Removed stops every instance of a project on this node: its pool, or its
// active coordinators (their in-flight requests finish first).
func (p *Platform) Removed(_ context.Context, proj *deploy.Project) {
	p.mu.Lock()
	pid, ok := p.pools[proj.Name]
	delete(p.pools, proj.Name)
	p.mu.Unlock()
	p.node.Directory.InvalidateProject(proj.Name)
	if ok {
		p.node.System.Root.Poison(pid)
	}
	for _, a := range p.active.ofProject(proj.Name) {
		p.passivateNow(a, "removed")
	}
}

// passivateNow asks an activation to passivate and waits until it has (its
// in-flight requests then finish on the retired VM), so that nothing is
// served from its memory after this returns.
func (p *Platform) passivateNow(a *instanceActor, reason string) {
	_, _ = p.node.System.Root.RequestFuture(a.self, &passivate{reason: reason}, p.requestTimeout).Result()
}

// StopCoordinator passivates one coordinator instance wherever it runs in
// the cluster (before its storage is deleted) and forgets where it was.
func (p *Platform) StopCoordinator(project, instance string) {
	ctx, cancel := context.WithTimeout(context.Background(), p.requestTimeout)
	defer cancel()
	p.node.Broadcast(ctx, &protos.StopGrain{Project: project, Instance: instance})
}

// stopLocal passivates one coordinator instance on this node.
func (p *Platform) stopLocal(project, instance string) {
	p.node.Directory.Invalidate(cluster.KeyOf(Identity(project, instance)))
	for _, a := range p.active.ofProject(project) {
		if a.instance == instance {
			p.passivateNow(a, "deleted")
		}
	}
}

// ActiveCoordinator describes a coordinator activation.
type ActiveCoordinator struct {
	Instance     string
	Node         string
	Epoch        int64
	LastActivity time.Time
}

// ActiveCoordinators lists the coordinator activations of a project on
// every live node of the cluster (nodes that do not answer in time are
// left out).
func (p *Platform) ActiveCoordinators(project string) []ActiveCoordinator {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out []ActiveCoordinator
	for _, r := range p.node.Broadcast(ctx, &protos.ListActive{Project: project}) {
		list, ok := r.(*protos.ActiveList)
		if !ok {
			continue
		}
		for _, a := range list.GetActive() {
			out = append(out, ActiveCoordinator{Instance: a.GetInstance(), Node: list.GetNode(), Epoch: a.GetEpoch(),
				LastActivity: time.UnixMilli(a.GetLastActivityMs())})
		}
	}
	return out
}

// control answers the node-level messages of other members.
func (p *Platform) control(_ context.Context, msg any) any {
	switch m := msg.(type) {
	case *protos.ListActive:
		list := &protos.ActiveList{Node: p.NodeID}
		for _, a := range p.active.ofProject(m.GetProject()) {
			list.Active = append(list.Active, &protos.ActiveList_Active{Instance: a.instance, Epoch: a.epoch.Load(),
				LastActivityMs: time.Unix(0, a.lastActive.Load()).UnixMilli()})
		}
		return list
	case *protos.StopGrain:
		p.stopLocal(m.GetProject(), m.GetInstance())
		return &protos.Activated{}
	case *protos.LogsSince:
		if f := p.logs.Load(); f != nil {
			return (*f)(m)
		}
		return &protos.LogBatch{}
	case *protos.RefreshDeployments:
		r := p.refresher.Load()
		if r == nil {
			// Still starting: the deployments are loaded from the store
			// before this node serves anything.
			return &protos.Activated{}
		}
		refresh := func() error {
			ctx, cancel := context.WithTimeout(context.Background(), p.requestTimeout)
			defer cancel()
			err := (*r)(ctx)
			if err != nil {
				p.Logger.Warn("refreshing deployments on request", slog.Any("err", err))
			}
			return err
		}
		if m.GetWait() {
			// The asker holds no lock (see RefreshPeers): answer once this
			// node serves what the store says.
			if err := refresh(); err != nil {
				return &protos.Activated{Error: &protos.InstanceError{Reason: protos.InstanceError_STORAGE_FAILED, Message: err.Error()}}
			}
			return &protos.Activated{}
		}
		// After the answer: the asking node may hold its own deploy lock
		// while it waits, and this node's refresh may need it.
		go func() { _ = refresh() }()
		return &protos.Activated{}
	}
	return nil
}

// RefreshPeers asks every other live member to load the current
// deployments from the store (deploy.Service calls it after a deploy,
// rollback or delete made here) and waits until each has, or ctx ends. It
// returns the members that did not confirm, sorted; each is logged with
// the reason. The caller must not hold its deploy lock: a member's refresh
// may wait for a deploy of its own that is waiting for this node.
func (p *Platform) RefreshPeers(ctx context.Context) []string {
	var (
		mu      sync.Mutex
		missing []string
		wg      sync.WaitGroup
	)
	for _, m := range p.node.Others() {
		wg.Go(func() {
			reply, err := p.node.Ask(ctx, m, &protos.RefreshDeployments{Wait: true})
			if err == nil {
				if _, ok := reply.(*protos.Activated); !ok {
					err = fmt.Errorf("member %s answered %T", m, reply)
				} else {
					err = activationError(reply, nil)
				}
			}
			if err != nil {
				p.Logger.Warn("a member did not confirm it loaded the deployments", slog.String("member", m), slog.Any("err", err))
				mu.Lock()
				missing = append(missing, m)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(missing)
	return missing
}

// CoordinatorStates counts the coordinator instances this node knows: those
// with a VM running here (active) and the others it has routed to since it
// started (idle).
func (p *Platform) CoordinatorStates() (active, idle int) {
	active = p.active.len()
	return active, max(p.node.Directory.Len()-active, 0)
}

// activated records a new coordinator activation and, past
// coordinators.max_active, asks the least recently used one to passivate.
func (p *Platform) activated(a *instanceActor) {
	n := p.active.add(a)
	if max := p.Config.Coordinators.MaxActive; max > 0 && n > max {
		for _, victim := range p.active.oldest(n - max) {
			if victim != a {
				p.node.System.Root.Send(victim.self, &passivate{reason: "lru"})
			}
		}
	}
}

// deactivated records a passivation and when the instance was last used.
func (p *Platform) deactivated(a *instanceActor, reason string) {
	p.active.remove(a)
	p.passivations.Add(1)
	p.observer.Passivation(a.project, reason)
	if last := a.lastActive.Load(); last > 0 && reason != "deleted" && reason != "removed" {
		ctx, cancel := context.WithTimeout(context.Background(), p.requestTimeout)
		defer cancel()
		if err := p.Store.TouchCoordinator(ctx, a.project, a.instance, time.Unix(0, last)); err != nil {
			a.log.Warn("recording the last activity of a passivated coordinator", slog.Any("err", err))
		}
	}
}

func (p *Platform) touch(a *instanceActor) { p.active.touch(a) }

// Worker sends req to a worker project's pool on this node.
func (p *Platform) Worker(ctx context.Context, project string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	p.mu.Lock()
	pid, ok := p.pools[project]
	p.mu.Unlock()
	if !ok {
		proj, deployed := p.Registry.Get(project)
		if !deployed || proj.Kind.Single() {
			return nil, fmt.Errorf("%w: no worker project %q", ErrUnknownProject, project)
		}
		var err error
		if pid, err = p.pool(project); err != nil {
			return nil, err
		}
	}
	timeout := p.requestTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	req.TimeoutMs = timeout.Milliseconds()
	v, err := p.node.System.Root.RequestFuture(pid, req, timeout).Result()
	if err != nil {
		if errors.Is(err, actor.ErrTimeout) {
			return protos.NewError(protos.InstanceError_TIMEOUT, "the worker did not respond in time"), nil
		}
		return nil, fmt.Errorf("calling worker %s: %w", project, err)
	}
	return asResponse(v)
}

// SettingsIgnoredHeader is set on the response to a request that carried
// creation settings for a coordinator that already existed.
const SettingsIgnoredHeader = "Edge-Coordinator-Settings-Ignored"

// Coordinator sends req to the coordinator instance (project, instance). A
// duplicate is created in the directory on its first request, with the
// creation settings the request carries (req.Settings); settings sent to an
// instance that already exists are ignored, and the response says so.
func (p *Platform) Coordinator(ctx context.Context, project, instance string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	proj, ok := p.Registry.Get(project)
	if !ok || !proj.Kind.Single() {
		return nil, fmt.Errorf("%w: no coordinator project %q", ErrUnknownProject, project)
	}
	if dl, ok := ctx.Deadline(); ok {
		req.TimeoutMs = time.Until(dl).Milliseconds()
	} else {
		req.TimeoutMs = p.requestTimeout.Milliseconds()
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.requestTimeout)
		defer cancel()
	}
	settings := req.GetSettings()
	created, err := p.ensure(ctx, project, instance, settings)
	if err != nil {
		return locateFailure(project, instance, err), nil
	}
	v, err := p.node.Request(ctx, GrainKind, Identity(project, instance), req)
	if err != nil {
		return callFailure(project, instance, err)
	}
	resp, err := asResponse(v)
	if err == nil && settings != "" && !created && resp.GetError() == nil {
		resp.Headers = append(resp.Headers, &protos.Header{Name: SettingsIgnoredHeader,
			Value: "the coordinator already exists; creation settings apply only to its first request"})
	}
	return resp, err
}

// ensure locates a coordinator instance in the cluster's directory,
// creating it (with the request's creation settings) if it is new, and
// reports whether this call created it. Instances this node routed to
// before are answered from its directory cache.
func (p *Platform) ensure(ctx context.Context, project, instance, settings string) (created bool, err error) {
	var raw []byte
	if settings != "" {
		raw = []byte(settings)
	}
	_, created, err = p.node.Directory.Locate(ctx, cluster.KeyOf(Identity(project, instance)), raw)
	if err != nil && !errors.Is(err, cluster.ErrUnavailable) {
		p.Logger.Error("directory lookup failed", slog.String("project", project), slog.String("instance", instance), slog.Any("err", err))
	}
	return created, err
}

// locateFailure answers a request whose coordinator could not be located.
func locateFailure(project, instance string, err error) *protos.HttpResponse {
	if errors.Is(err, cluster.ErrUnavailable) {
		return protos.NewError(protos.InstanceError_UNAVAILABLE, fmt.Sprintf(
			"coordinator %s of project %s cannot run now: %v", instance, project, err))
	}
	if errors.Is(err, cluster.ErrBadSettings) {
		return protos.NewError(protos.InstanceError_BAD_REQUEST, err.Error())
	}
	return protos.NewError(protos.InstanceError_STORAGE_FAILED, "could not look the coordinator up in the directory; retry")
}

// callFailure answers a request whose grain call failed: the deadline, a
// member that failed with the request in flight, or nobody to run it on.
func callFailure(project, instance string, err error) (*protos.HttpResponse, error) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return protos.NewError(protos.InstanceError_TIMEOUT, "the coordinator did not respond in time"), nil
	case errors.Is(err, cluster.ErrOwnerLost):
		return protos.NewError(protos.InstanceError_UNAVAILABLE, fmt.Sprintf(
			"the node running coordinator %s of project %s failed while the request was in flight; it may or may not have run; it moves to a live node, retry", instance, project)), nil
	case errors.Is(err, cluster.ErrUnavailable):
		return locateFailure(project, instance, err), nil
	}
	return nil, err
}

func asResponse(v any) (*protos.HttpResponse, error) {
	resp, ok := v.(*protos.HttpResponse)
	if !ok {
		return nil, fmt.Errorf("instance replied with %T, want *protos.HttpResponse", v)
	}
	return resp, nil
}
