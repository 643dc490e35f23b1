// Package actors runs user programs as actors: coordinator instances are
// Proto.Actor cluster grains (one grain kind per coordinator project, the
// instance name as identity) and worker projects are pools of VM actors on
// every node. It owns activation, the output gate and a coordinator's view
// of its storage. It never parses HTTP and never decides which project a
// host names; the frontend and the router do that.
package actors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/protos"
)

// DefaultInstance is the grain identity of a coordinator project's default
// instance (https://<project>.<domain>). Duplicate names are DNS labels,
// which cannot contain "_", so it never collides with one.
const DefaultInstance = "_default"

// Options wire a Platform.
type Options struct {
	Config   *configs.Config
	Programs map[string]*jsvm.Program
	Store    Store
	// NodeID names this node as the owner of the activations it runs.
	NodeID string
	Logger *slog.Logger
	// FetcherFor returns the fetch() implementation for a project's
	// instances; the caller's identity is the project.
	FetcherFor func(project string) jsvm.Fetcher
	Limits     jsvm.Limits
}

// Platform hosts every project's instances on this node.
type Platform struct {
	Options
	// requestTimeout bounds a request and, as well, an activation (a module's
	// top-level code runs inside its first request's time).
	requestTimeout time.Duration
	idleTimeout    time.Duration

	node  *cluster.Node
	pools map[string]*actor.PID
	// bodies holds streamed bodies travelling between actors on this node.
	bodies *BodyStreams
}

// PutBody holds a streamed body for a message and returns its id.
func (p *Platform) PutBody(r io.ReadCloser) uint64 { return p.bodies.Put(r) }

// TakeBody claims the streamed body a message names (nil if it is gone).
func (p *Platform) TakeBody(id uint64) io.ReadCloser { return p.bodies.Take(id) }

// ErrUnknownProject is returned for a project that is not deployed, or not
// of the kind the call needs.
var ErrUnknownProject = errors.New("unknown project")

// NewPlatform prepares the platform; Start runs it on a cluster node.
func NewPlatform(o Options) (*Platform, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	timeout, err := o.Config.RequestTimeout()
	if err != nil {
		return nil, err
	}
	idle, err := o.Config.IdleTimeout()
	if err != nil {
		return nil, err
	}
	for _, p := range o.Config.Projects {
		if _, ok := o.Programs[p.Name]; !ok {
			return nil, fmt.Errorf("project %s: no bundled program", p.Name)
		}
	}
	return &Platform{Options: o, requestTimeout: timeout, idleTimeout: idle, pools: map[string]*actor.PID{},
		bodies: NewBodyStreams(timeout)}, nil
}

// Kinds returns one grain kind per coordinator project, for the cluster
// configuration.
func (p *Platform) Kinds() []*pcluster.Kind {
	var kinds []*pcluster.Kind
	for _, proj := range p.Config.Projects {
		if proj.Kind != configs.KindCoordinator {
			continue
		}
		name := proj.Name
		props := actor.PropsFromProducer(func() actor.Actor {
			return &instanceActor{plat: p, project: name, coordinator: true,
				log: p.Logger.With(slog.String("project", name))}
		})
		kinds = append(kinds, pcluster.NewKind(name, props))
	}
	return kinds
}

// Start spawns the worker pools and activates every default coordinator (a
// default coordinator exists from deploy time, so its first request pays no
// creation cost). A module that fails to start is logged and retried on its
// next request; it does not stop the others.
func (p *Platform) Start(ctx context.Context, node *cluster.Node) {
	p.node = node
	size := p.Config.Workers.Instances
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	root := node.System.Root
	for _, proj := range p.Config.Projects {
		if proj.Kind != configs.KindWorker {
			continue
		}
		pool := &workerPool{plat: p, project: proj.Name, size: size}
		pid, err := root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return pool }), "pool-"+proj.Name)
		if err != nil {
			p.Logger.Error("spawning worker pool", slog.String("project", proj.Name), slog.Any("err", err))
			continue
		}
		p.pools[proj.Name] = pid
	}
	for _, proj := range p.Config.Projects {
		var reply any
		var err error
		switch proj.Kind {
		case configs.KindWorker:
			pid, ok := p.pools[proj.Name]
			if !ok {
				continue // spawning failed and was logged above
			}
			reply, err = root.RequestFuture(pid, &protos.Activate{}, p.requestTimeout).Result()
		case configs.KindCoordinator:
			reply, err = node.Request(ctx, proj.Name, DefaultInstance, &protos.Activate{})
		}
		if err == nil {
			if a, ok := reply.(*protos.Activated); ok && a.GetError() != nil {
				err = errors.New(a.GetError().GetMessage())
			}
		}
		if err != nil {
			p.Logger.Error("project failed to start; requests to it will retry", slog.String("project", proj.Name), slog.Any("err", err))
		}
	}
}

// Worker sends req to a worker project's pool on this node.
func (p *Platform) Worker(ctx context.Context, project string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	pid, ok := p.pools[project]
	if !ok {
		return nil, fmt.Errorf("%w: no worker project %q", ErrUnknownProject, project)
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

// Coordinator sends req to the coordinator instance (project, instance),
// activating it on its first request.
func (p *Platform) Coordinator(ctx context.Context, project, instance string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	proj, ok := p.Config.Project(project)
	if !ok || proj.Kind != configs.KindCoordinator {
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
	v, err := p.node.Request(ctx, project, instance, req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return protos.NewError(protos.InstanceError_TIMEOUT, "the coordinator did not respond in time"), nil
		}
		return nil, err
	}
	return asResponse(v)
}

func asResponse(v any) (*protos.HttpResponse, error) {
	resp, ok := v.(*protos.HttpResponse)
	if !ok {
		return nil, fmt.Errorf("instance replied with %T, want *protos.HttpResponse", v)
	}
	return resp, nil
}
