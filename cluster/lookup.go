package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/protos"
)

// ActivatorName is the name of the actor every member runs to spawn the
// local actor of a grain it owns, on request of the member that routes to
// it: actor.NewPID(<member address>, ActivatorName).
const ActivatorName = "edge-activator"

// lookupTimeout bounds one lookup: a directory read or write and, for a
// grain owned elsewhere, one round trip to its owner's activator.
const lookupTimeout = 5 * time.Second

// directoryLookup is Proto.Actor's IdentityLookup backed by the directory:
// the grain identity "<project>/<instance>" is located (created or moved if
// needed) in the shared directory, and the actor is spawned on the owner
// the directory names, by that member's activator. Unlike Proto.Actor's
// hash-based lookups, placement does not change when membership changes:
// an instance stays where it is while its owner lives.
type directoryLookup struct {
	dir     *Directory
	members *Members
	log     *slog.Logger

	cluster *pcluster.Cluster

	mu sync.Mutex
	// local: the grain actors spawned on this member, by kind and identity.
	local map[string]*actor.PID
	// control answers the node-level messages other members send to the
	// activator (see Node.SetControl).
	control func(ctx context.Context, msg any) any
}

var _ pcluster.IdentityLookup = (*directoryLookup)(nil)

func newDirectoryLookup(dir *Directory, members *Members, log *slog.Logger) *directoryLookup {
	return &directoryLookup{dir: dir, members: members, log: log, local: map[string]*actor.PID{}}
}

// KeyOf returns the directory key of a grain identity "<project>/<instance>".
func KeyOf(identity string) placement.Key {
	p, i, _ := strings.Cut(identity, "/")
	return placement.Key{Project: p, Instance: i}
}

func (l *directoryLookup) Setup(c *pcluster.Cluster, _ []string, _ bool) {
	l.cluster = c
	props := actor.PropsFromFunc(l.receiveActivate)
	if _, err := c.ActorSystem.Root.SpawnNamed(props, ActivatorName); err != nil {
		l.log.Error("starting the grain activator", slog.Any("err", err))
	}
}

// receiveActivate is the activator: it spawns (or finds) the local actor of
// a grain another member routed here. Whether this member may really run
// it is checked when the grain activates (a claim on the directory entry),
// so the activator trusts the caller's lookup.
func (l *directoryLookup) receiveActivate(ctx actor.Context) {
	m, ok := ctx.Message().(*protos.GrainActivate)
	if !ok {
		l.receiveControl(ctx)
		return
	}
	pid, err := l.spawnLocal(m.GetKind(), m.GetIdentity())
	if err != nil {
		ctx.Respond(&protos.GrainActivated{Error: err.Error()})
		return
	}
	ctx.Respond(&protos.GrainActivated{Address: pid.GetAddress(), Id: pid.GetId()})
}

// receiveControl runs a node-level message through the control handler,
// off the activator's mailbox (it may wait on grains), and replies.
func (l *directoryLookup) receiveControl(ctx actor.Context) {
	msg, sender := ctx.Message(), ctx.Sender()
	l.mu.Lock()
	control := l.control
	l.mu.Unlock()
	if control == nil || sender == nil {
		return
	}
	if _, system := msg.(actor.SystemMessage); system {
		return
	}
	switch msg.(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
		return
	}
	root := ctx.ActorSystem().Root
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
		defer cancel()
		if reply := control(cctx, msg); reply != nil {
			root.Send(sender, reply)
		}
	}()
}

// spawnLocal returns this member's actor for (kind, identity), spawning it
// on first use. Grain actors are never stopped while the member runs (they
// passivate their VM instead), so the PID stays valid.
func (l *directoryLookup) spawnLocal(kind, identity string) (*actor.PID, error) {
	k := kind + "/" + identity
	l.mu.Lock()
	defer l.mu.Unlock()
	if pid, ok := l.local[k]; ok {
		return pid, nil
	}
	ak := l.cluster.GetClusterKind(kind)
	if ak == nil {
		return nil, fmt.Errorf("grain kind %q is not hosted by member %s", kind, l.members.Self().ID)
	}
	props := pcluster.WithClusterIdentity(ak.Props, pcluster.NewClusterIdentity(identity, kind))
	pid, err := l.cluster.ActorSystem.Root.SpawnNamed(props, "grain$"+k)
	if err != nil {
		return nil, fmt.Errorf("spawning grain %s: %w", k, err)
	}
	l.local[k] = pid
	return pid, nil
}

// Get is Proto.Actor's lookup: nil when the grain cannot be located now.
func (l *directoryLookup) Get(ci *pcluster.ClusterIdentity) *actor.PID {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	pid, _, err := l.resolve(ctx, ci.GetKind(), ci.GetIdentity())
	if err != nil {
		l.log.Warn("locating grain", slog.String("identity", ci.GetIdentity()), slog.Any("err", err))
		return nil
	}
	return pid
}

// resolve locates a grain and returns its actor and owning member.
func (l *directoryLookup) resolve(ctx context.Context, kind, identity string) (*actor.PID, string, error) {
	e, _, err := l.dir.Locate(ctx, KeyOf(identity), nil)
	if err != nil {
		return nil, "", err
	}
	self := l.members.Self()
	if e.Owner == self.ID {
		pid, err := l.spawnLocal(kind, identity)
		return pid, e.Owner, err
	}
	addr, ok := l.members.Address(e.Owner)
	if !ok {
		l.dir.Invalidate(e.Key())
		return nil, "", fmt.Errorf("%w: the owner %q of %s has no known address yet", errNotDelivered, e.Owner, identity)
	}
	timeout := lookupTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	f := l.cluster.ActorSystem.Root.RequestFuture(actor.NewPID(addr, ActivatorName),
		&protos.GrainActivate{Kind: kind, Identity: identity}, timeout)
	// Asking is idempotent, so a member that dies (or pauses past its
	// lease) while we wait is given up on at once: the entry moves and the
	// caller routes again.
	reply, err := await(ctx, f, l.members, e.Owner)
	if err != nil {
		// The owner did not answer: nothing was delivered to the grain, so
		// the caller may route again (the owner may be moving).
		l.dir.Invalidate(e.Key())
		return nil, "", fmt.Errorf("%w: asking %s (%s) for %s: %w", errNotDelivered, e.Owner, addr, identity, err)
	}
	ga, ok := reply.(*protos.GrainActivated)
	if !ok {
		return nil, "", fmt.Errorf("activator of %s answered %T", e.Owner, reply)
	}
	if ga.GetError() != "" {
		return nil, "", fmt.Errorf("activator of %s: %s", e.Owner, ga.GetError())
	}
	return actor.NewPID(ga.GetAddress(), ga.GetId()), e.Owner, nil
}

// errNotDelivered marks failures after which nothing reached the grain, so
// the request may be routed again.
var errNotDelivered = errors.New("not delivered")

func (l *directoryLookup) RemovePid(ci *pcluster.ClusterIdentity, _ *actor.PID) {
	l.dir.Invalidate(KeyOf(ci.GetIdentity()))
}

func (l *directoryLookup) Shutdown() {}

// await waits for f's result, ctx's end, or, when member is set, until
// member is no longer alive in this node's view (ErrOwnerLost).
func await(ctx context.Context, f *actor.Future, members *Members, member string) (any, error) {
	type result struct {
		v   any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f.Result()
		ch <- result{v, err}
	}()
	var dead <-chan struct{}
	if member != "" {
		dead = members.Dead(member)
		defer members.Forget(member, dead)
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-dead:
		return nil, fmt.Errorf("%w: %s stopped heartbeating while the request was in flight; retry it", ErrOwnerLost, member)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
