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
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/etcd"
	"github.com/asynkron/protoactor-go/remote"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

// Config describes one member.
type Config struct {
	// Name is the cluster's name; members with different names never meet.
	Name string
	// Bind is the host:port remoting listens on; port 0 picks a free one.
	Bind string
	// Advertise is the host:port the other members dial ("": Bind).
	Advertise string
	// Peers are the automanaged membership addresses (host:port) of the
	// other members; empty for a single member.
	Peers []string
	// AutomanagedPort is the port this member serves automanaged
	// membership on (with Peers).
	AutomanagedPort int
	// EtcdEndpoints, when set, make members find each other through etcd
	// (Proto.Actor's etcd provider) instead of automanaged.
	EtcdEndpoints []string
	// Consul, when set, makes members find each other through a Consul
	// agent (Proto.Actor's consul provider).
	Consul *ConsulConfig
	// K8s, when set, makes members find each other through the Kubernetes
	// API (Proto.Actor's k8s provider). The member's host is its pod's IP:
	// Advertise must be empty (then it is the pod's IP with Bind's port)
	// or name that IP.
	K8s *K8sConfig
	// ProviderTimeout bounds how long Start waits for provider etcd's
	// server to report itself healthy, or for consul or k8s to answer, then
	// to register this member and start watching the others (default
	// DefaultProviderTimeout).
	ProviderTimeout time.Duration
	// Kinds are the grain kinds this member hosts.
	Kinds []*pcluster.Kind
	// Members and Directory place grains: every member heartbeats into the
	// shared members table and finds grains through the shared directory.
	Members   *Members
	Directory *Directory
	Logger    *slog.Logger
}

// Node is a running cluster member. Run one per process: Proto.Actor's
// remoting sets gRPC's global logger each time a member starts, which races
// with the goroutines of a member that is still shutting down.
type Node struct {
	System    *actor.ActorSystem
	Cluster   *pcluster.Cluster
	Members   *Members
	Directory *Directory
	lookup    *directoryLookup
	log       *slog.Logger
	// stopMembers ends Members.Run, which then leaves the members table;
	// membersDone is closed once it has.
	stopMembers context.CancelFunc
	membersDone chan struct{}
}

// ErrGrainCall wraps failures to reach a grain (as opposed to errors the
// grain itself answered with).
var ErrGrainCall = errors.New("grain call failed")

// ErrOwnerLost means the member holding a grain stopped being alive while a
// request to it was in flight: the request may or may not have run, so it
// is not retried here; the caller may retry (the grain moves to a live
// member).
var ErrOwnerLost = errors.New("the member holding the coordinator failed")

// DefaultProviderTimeout is Config.ProviderTimeout's default.
const DefaultProviderTimeout = 15 * time.Second

// Start starts the actor system, remoting and cluster membership, joins the
// members table and begins heartbeating (until ctx ends). Proto.Actor
// panics on some start-up failures (a port in use, for example); Start
// turns those into errors. With provider consul or k8s it returns only once
// the provider has registered this member and watches the others, or fails
// within ProviderTimeout saying why.
func Start(ctx context.Context, cfg Config) (n *Node, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Members == nil || cfg.Directory == nil {
		return nil, errors.New("starting a cluster member: Members and Directory must be set")
	}
	host, port, err := splitBind(cfg.Bind)
	if err != nil {
		return nil, err
	}
	if cfg.ProviderTimeout <= 0 {
		cfg.ProviderTimeout = DefaultProviderTimeout
	}
	providerCtx, cancel := context.WithTimeout(ctx, cfg.ProviderTimeout)
	defer cancel()
	// consul and k8s are made first: their server must answer, and k8s
	// tells this member's address (its pod's IP).
	var (
		provider pcluster.ClusterProvider = newStaticProvider()
		reg      *registration
		explain  func(error) error
	)
	switch {
	case cfg.Consul != nil:
		if provider, reg, err = newConsulProvider(providerCtx, cfg.Consul, cfg.Name, cfg.Members.Lease()); err != nil {
			return nil, err
		}
		explain = func(err error) error {
			return fmt.Errorf("provider consul: the Consul agent at %s: %w (check cluster.consul.token: it needs service:write on the service %q and read on its health; raise cluster.provider_timeout if the agent is slow)",
				cfg.Consul.Address, err, cfg.Name)
		}
	case cfg.K8s != nil:
		var podIP string
		if provider, reg, podIP, err = newK8sProvider(providerCtx, cfg.K8s); err != nil {
			return nil, err
		}
		if cfg.Advertise, err = k8sAdvertise(cfg.Advertise, cfg.Bind, podIP); err != nil {
			return nil, err
		}
		explain = func(err error) error {
			return fmt.Errorf("provider k8s: labelling this pod and watching the pods: %w (the service account needs get, list, watch and patch on pods: see configs/k8s/edge.yaml; raise cluster.provider_timeout if the API is slow)", err)
		}
	}
	// Proto.Actor logs a lot at Info; keep its warnings and errors only.
	actorLog := slog.New(levelFilter{cfg.Logger.Handler(), slog.LevelWarn}).With(slog.String("component", "protoactor"))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return actorLog }))
	// gRPC refuses (and remoting then silently drops) a message over its
	// default 4 MiB: a buffered body up to limits.max_body_bytes, or a
	// batch of body chunks, is bigger. Members are trusted peers and each
	// body is bounded where it enters, so the limit only has to be out of
	// the way; and batches stay small so one send never builds a huge one.
	ropts := []remote.ConfigOption{
		remote.WithServerOptions(grpc.MaxRecvMsgSize(math.MaxInt32)),
		remote.WithEndpointWriterBatchSize(64),
	}
	if cfg.Advertise != "" && cfg.Advertise != cfg.Bind {
		ropts = append(ropts, remote.WithAdvertisedHost(cfg.Advertise))
	}
	rcfg := remote.Configure(host, port, ropts...)
	// A member that cannot be dialled fails the messages queued for it
	// after one attempt (not five, two seconds apart): the directory moves
	// its grains once its lease ends, and callers route again.
	rcfg.MaxRetryCount = 1
	switch {
	case reg != nil:
		// consul or k8s, made above.
	case len(cfg.EtcdEndpoints) > 0:
		if err := checkEtcd(providerCtx, cfg.EtcdEndpoints); err != nil {
			return nil, err
		}
		// Made when the member starts, after remoting: remoting replaces
		// gRPC's global logger as it starts, which races with the gRPC
		// goroutines of an etcd client that already runs.
		provider = &lateProvider{make: func() (pcluster.ClusterProvider, error) {
			p, err := etcd.NewWithConfig("/edge", clientv3.Config{Endpoints: cfg.EtcdEndpoints, DialTimeout: 5 * time.Second})
			if err != nil {
				return nil, fmt.Errorf("connecting to etcd at %s: %w (check cluster.etcd.endpoints)", strings.Join(cfg.EtcdEndpoints, ", "), err)
			}
			return p, nil
		}}
	case len(cfg.Peers) > 0:
		advHost, _, err := splitBind(cmpOr(cfg.Advertise, cfg.Bind))
		if err != nil {
			return nil, err
		}
		// automanaged serves on every interface and only logs when it
		// cannot: check the port first so a clash stops the start.
		probe, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.AutomanagedPort)))
		if err != nil {
			return nil, fmt.Errorf("cluster.automanaged_port %d cannot be used: %w (another process, or another node on this machine, has it; give each node its own)", cfg.AutomanagedPort, err)
		}
		_ = probe.Close()
		hosts := append([]string{net.JoinHostPort(advHost, strconv.Itoa(cfg.AutomanagedPort))}, cfg.Peers...)
		provider = automanaged.NewWithConfig(cfg.Members.Lease()/2, cfg.AutomanagedPort, hosts...)
	}
	lookup := newDirectoryLookup(cfg.Directory, cfg.Members, cfg.Logger)
	ccfg := pcluster.Configure(cfg.Name, provider, lookup, rcfg, pcluster.WithKinds(cfg.Kinds...))
	c := pcluster.New(system, ccfg)

	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting cluster member on %s: %v", cfg.Bind, r)
		}
	}()
	// Every change of Proto.Actor's member list (what the provider says)
	// is logged: it is how an operator sees the provider at work.
	system.EventStream.Subscribe(func(evt any) {
		if t, ok := evt.(*pcluster.ClusterTopology); ok {
			cfg.Logger.Info("cluster membership", slog.String("members", addresses(t.Members)),
				slog.String("joined", addresses(t.Joined)), slog.String("left", addresses(t.Left)))
		}
	})
	c.StartMember()
	if reg != nil {
		if err := reg.wait(providerCtx); err != nil {
			c.Shutdown(false)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, explain(fmt.Errorf("within cluster.provider_timeout (%v), %w", cfg.ProviderTimeout, err))
		}
	}
	if err := ctx.Err(); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	cfg.Members.setAddress(system.Address())
	if err := cfg.Members.Join(ctx); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	mctx, stopMembers := context.WithCancel(ctx)
	membersDone := make(chan struct{})
	go func() {
		defer close(membersDone)
		cfg.Members.Run(mctx)
	}()
	self := cfg.Members.Self()
	cfg.Logger.Info("cluster member started", slog.String("address", system.Address()), slog.String("member", self.ID),
		slog.String("region", self.Region), slog.Int("peers", len(cfg.Peers)), slog.Int("kinds", len(cfg.Kinds)))
	return &Node{System: system, Cluster: c, Members: cfg.Members, Directory: cfg.Directory, lookup: lookup, log: cfg.Logger,
		stopMembers: stopMembers, membersDone: membersDone}, nil
}

func splitBind(bind string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(bind)
	if err != nil {
		return "", 0, fmt.Errorf("cluster bind address %q: %w (want host:port)", bind, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return "", 0, fmt.Errorf("cluster bind address %q: port %q is not a number", bind, portStr)
	}
	return host, port, nil
}

// addresses lists members' host:port, sorted, comma-separated.
func addresses(ms []*pcluster.Member) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Address()
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Moved is implemented by replies that say the grain is not (or no longer)
// held by the member that answered, and that the request did not run: the
// request is routed again.
type Moved interface{ GrainMoved() bool }

// Request sends msg to the grain (kind, identity), locating it through the
// directory and activating it if needed, and waits for its reply. The
// caller's deadline becomes the call timeout. A message that may have been
// delivered is never sent again, because a grain's handler is not assumed
// idempotent; a message that certainly was not (the owner could not be
// reached, or answered that it no longer holds the grain) is routed again
// with a short backoff until the deadline, which is how requests find a
// grain that moved after a failure.
func (n *Node) Request(ctx context.Context, kind, identity string, msg any) (any, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
	}
	fail := func(err error) error { return fmt.Errorf("%w: %s/%s: %w", ErrGrainCall, kind, identity, err) }
	backoff := 10 * time.Millisecond
	for {
		pid, owner, err := n.pid(ctx, kind, identity)
		if err == nil {
			var reply any
			reply, err = n.send(ctx, pid, owner, msg)
			if err == nil {
				if m, ok := reply.(Moved); !ok || !m.GrainMoved() {
					return reply, nil
				}
				err = fmt.Errorf("%w: %s answered that it does not hold the grain", errNotDelivered, owner)
			}
		}
		if !errors.Is(err, errNotDelivered) {
			if errors.Is(err, ErrOwnerLost) {
				n.forget(kind, identity)
				return nil, fail(err)
			}
			if errors.Is(err, ErrUnavailable) {
				return nil, fail(err)
			}
			if ctx.Err() != nil {
				return nil, fail(context.DeadlineExceeded)
			}
			return nil, fail(err)
		}
		n.forget(kind, identity)
		n.log.Debug("routing a grain request again", slog.String("identity", identity), slog.Any("err", err))
		select {
		case <-ctx.Done():
			return nil, fail(fmt.Errorf("%w (last: %w)", context.DeadlineExceeded, err))
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// SetControl installs the handler of node-level messages (listing or
// stopping the grains of this node on another member's request); what it
// returns is the reply.
func (n *Node) SetControl(h func(ctx context.Context, msg any) any) {
	n.lookup.mu.Lock()
	n.lookup.control = h
	n.lookup.mu.Unlock()
}

// Ask sends msg to the control handler of member (this one's directly)
// and returns its reply.
func (n *Node) Ask(ctx context.Context, member string, msg any) (any, error) {
	if member == n.Members.Self().ID {
		n.lookup.mu.Lock()
		control := n.lookup.control
		n.lookup.mu.Unlock()
		if control == nil {
			return nil, fmt.Errorf("member %s has no control handler", member)
		}
		return control(ctx, msg), nil
	}
	addr, ok := n.Members.Address(member)
	if !ok {
		return nil, fmt.Errorf("member %s: no known address", member)
	}
	timeout := lookupTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	v, err := n.System.Root.RequestFuture(actor.NewPID(addr, ActivatorName), msg, timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("asking member %s (%s): %w", member, addr, err)
	}
	return v, nil
}

// Others lists the live members other than this one.
func (n *Node) Others() []string {
	view, now := n.Members.Snapshot()
	self := n.Members.Self().ID
	var out []string
	for _, m := range view.Live(now) {
		if m.ID != self {
			out = append(out, m.ID)
		}
	}
	return out
}

// Broadcast sends msg to the control handler of every live member (this
// one included) and returns the replies it got; members that do not answer
// in time are logged and left out.
func (n *Node) Broadcast(ctx context.Context, msg any) []any {
	view, now := n.Members.Snapshot()
	live := view.Live(now)
	replies := make([]any, len(live))
	var wg sync.WaitGroup
	for i, m := range live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := n.Ask(ctx, m.ID, msg)
			if err != nil {
				n.log.Warn("a member did not answer", slog.String("member", m.ID), slog.String("message", fmt.Sprintf("%T", msg)), slog.Any("err", err))
				return
			}
			replies[i] = v
		}()
	}
	wg.Wait()
	out := replies[:0]
	for _, r := range replies {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// pid returns the grain's actor from Proto.Actor's PID cache, or locates it.
func (n *Node) pid(ctx context.Context, kind, identity string) (*actor.PID, string, error) {
	if pid, ok := n.Cluster.PidCache.Get(identity, kind); ok {
		// The PID cache and the directory cache are separate: a cached PID
		// is used only while the directory entry (which Locate keeps
		// current with the membership view) still names its node, so a
		// grain that moved is never asked at its old place.
		if owner, addr, known := n.cachedOwner(identity); known && addr == pid.GetAddress() {
			return pid, owner, nil
		}
		n.Cluster.PidCache.Remove(identity, kind)
	}
	pid, owner, err := n.lookup.resolve(ctx, kind, identity)
	if err != nil {
		return nil, "", err
	}
	n.Cluster.PidCache.Set(identity, kind, pid)
	return pid, owner, nil
}

// cachedOwner names the member the directory cache gives a grain to and
// that member's remoting address.
func (n *Node) cachedOwner(identity string) (owner, addr string, ok bool) {
	e, ok := n.Directory.Cached(KeyOf(identity))
	if !ok {
		return "", "", false
	}
	if e.Owner == n.Members.Self().ID {
		return e.Owner, n.System.Address(), true
	}
	addr, ok = n.Members.Address(e.Owner)
	return e.Owner, addr, ok
}

// forget drops what this node cached about a grain's location.
func (n *Node) forget(kind, identity string) {
	n.Cluster.PidCache.Remove(identity, kind)
	n.Directory.Invalidate(KeyOf(identity))
}

// send delivers msg to pid and waits for the reply, the deadline, or the
// death of the owning member (a remote owner only).
func (n *Node) send(ctx context.Context, pid *actor.PID, owner string, msg any) (any, error) {
	dl, _ := ctx.Deadline()
	timeout := time.Until(dl)
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	f := n.System.Root.RequestFuture(pid, msg, timeout)
	if owner == n.Members.Self().ID {
		owner = ""
	}
	v, err := await(ctx, f, n.Members, owner)
	switch {
	case err == nil:
		if _, ok := v.(*actor.DeadLetterResponse); ok {
			return nil, fmt.Errorf("%w: dead letter", errNotDelivered)
		}
		return v, nil
	case errors.Is(err, actor.ErrDeadLetter) || errors.Is(err, remote.ErrDeadLetter):
		return nil, fmt.Errorf("%w: %w", errNotDelivered, err)
	case errors.Is(err, actor.ErrTimeout) || errors.Is(err, remote.ErrTimeout):
		return nil, context.DeadlineExceeded
	}
	return nil, err
}

// leaveWait bounds how long Stop waits for this member to leave the members
// table (Members.Run gives the delete 2 s).
const leaveWait = 5 * time.Second

// Stop leaves the cluster and stops every actor. It leaves the members
// table first and waits for that, so that the others move this node's
// coordinators at once instead of after a lease, and so that the caller can
// close the store afterwards: before, a shutdown that closed the store
// while the delete was still on its way left the row behind ("database is
// closed").
func (n *Node) Stop() {
	if n.stopMembers != nil {
		n.stopMembers()
		select {
		case <-n.membersDone:
		case <-time.After(leaveWait):
			n.log.Warn("leaving the members table took too long; the others will see this node's lease run out", slog.Duration("waited", leaveWait))
		}
	}
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
