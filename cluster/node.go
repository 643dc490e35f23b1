// Package cluster runs this process as a Proto.Actor cluster member: the
// actor system, remoting, membership and grain placement. It owns how a
// grain call reaches the member that hosts the grain; it never runs user
// code and never touches storage (correctness under split membership comes
// from fencing in persistence, not from here).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/remote"
)

// Config describes one member.
type Config struct {
	// Name is the cluster's name; members with different names never meet.
	Name string
	// Bind is the host:port remoting listens on; port 0 picks a free one.
	Bind string
	// Kinds are the grain kinds this member hosts.
	Kinds  []*pcluster.Kind
	Logger *slog.Logger
}

// Node is a running cluster member. Run one per process: Proto.Actor's
// remoting sets gRPC's global logger each time a member starts, which races
// with the goroutines of a member that is still shutting down.
type Node struct {
	System  *actor.ActorSystem
	Cluster *pcluster.Cluster
	log     *slog.Logger
}

// ErrGrainCall wraps failures to reach a grain (as opposed to errors the
// grain itself answered with).
var ErrGrainCall = errors.New("grain call failed")

// Start starts the actor system, remoting and cluster membership. Proto.Actor
// panics on some start-up failures (a port in use, for example); Start turns
// those into errors.
func Start(ctx context.Context, cfg Config) (n *Node, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	host, portStr, err := net.SplitHostPort(cfg.Bind)
	if err != nil {
		return nil, fmt.Errorf("cluster bind address %q: %w (want host:port)", cfg.Bind, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("cluster bind address %q: port %q is not a number", cfg.Bind, portStr)
	}
	// Proto.Actor logs a lot at Info; keep its warnings and errors only.
	actorLog := slog.New(levelFilter{cfg.Logger.Handler(), slog.LevelWarn}).With(slog.String("component", "protoactor"))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return actorLog }))
	provider := newStaticProvider()
	ccfg := pcluster.Configure(cfg.Name, provider, disthash.New(), remote.Configure(host, port),
		pcluster.WithKinds(cfg.Kinds...))
	c := pcluster.New(system, ccfg)

	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting cluster member on %s: %v", cfg.Bind, r)
		}
	}()
	c.StartMember()
	if err := ctx.Err(); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	cfg.Logger.Info("cluster member started", slog.String("address", system.Address()), slog.Int("kinds", len(cfg.Kinds)))
	return &Node{System: system, Cluster: c, log: cfg.Logger}, nil
}

// Request sends msg to the grain (kind, identity), activating it if needed,
// and waits for its reply. The caller's deadline becomes the call timeout,
// and the message is sent once: it is never retried after it may have been
// delivered, because a grain's handler is not assumed idempotent.
func (n *Node) Request(ctx context.Context, kind, identity string, msg any) (any, error) {
	timeout := 60 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
		if timeout <= 0 {
			return nil, fmt.Errorf("%w: %s/%s: %w", ErrGrainCall, kind, identity, context.DeadlineExceeded)
		}
	}
	f, err := n.Cluster.RequestFuture(identity, kind, msg, pcluster.WithTimeout(timeout))
	if err != nil {
		return nil, fmt.Errorf("%w: locating %s/%s: %w", ErrGrainCall, kind, identity, err)
	}
	type result struct {
		v   any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f.Result()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			if errors.Is(r.err, actor.ErrTimeout) {
				return nil, fmt.Errorf("%w: %s/%s: %w", ErrGrainCall, kind, identity, context.DeadlineExceeded)
			}
			return nil, fmt.Errorf("%w: %s/%s: %w", ErrGrainCall, kind, identity, r.err)
		}
		return r.v, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %s/%s: %w", ErrGrainCall, kind, identity, ctx.Err())
	}
}

// Stop leaves the cluster and stops every actor.
func (n *Node) Stop() {
	n.Cluster.Shutdown(false)
}

// levelFilter drops records below min before they reach the handler.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(a), f.min}
}

func (f levelFilter) WithGroup(g string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(g), f.min}
}
