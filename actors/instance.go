package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/protos"
)

// instanceActor owns the VM of one instance: a worker VM (a child of its
// project's pool) or a coordinator activation (a cluster grain). The actor's
// mailbox is where requests queue while the VM starts; once it runs, each
// request is handed to the VM's event loop, which runs one JavaScript turn
// at a time, and the reply is sent from the goroutine that waited for it, so
// a slow handler never blocks the mailbox.
//
// A redeploy does not stop the actor: the next request finds a newer
// version in the registry and starts a VM with the new code (a coordinator
// keeps its store view, epoch and output gate, so its writes stay in order
// and nothing stored is lost), while the requests already running finish on
// the old VM, which is closed when the last of them is answered.
type instanceActor struct {
	plat        *Platform
	project     string
	instance    string
	coordinator bool
	log         *slog.Logger
	self        *actor.PID

	vm    *vm
	kv    *kvView      // the activation's store: its own (coordinators) or its project's
	epoch atomic.Int64 // of the current activation (read by the platform and serving goroutines)
	// leaseGen is the node's lease generation the activation started
	// under; after the node's lease lapsed it must start again.
	leaseGen uint64

	// inflight counts requests handed to a VM and not yet answered; an
	// activation with requests in flight is never passivated, and past
	// coordinators.queue_limit new requests are refused.
	inflight atomic.Int64
	// lastActive is when the last request arrived (Unix ns).
	lastActive atomic.Int64
	// activeAt is when the activation last started or got a request
	// (actor-owned): the start of its silence.
	activeAt time.Time
	// served tells whether the activation has had a request (actor-owned).
	// One activated at deploy, to spare the first request the start, does
	// not hibernate before it has served one: it waits for idle_timeout.
	served bool
}

// vm is one VM running one version of a project's code.
type vm struct {
	inst     *jsvm.Instance
	version  int64
	inflight atomic.Int64
	retired  atomic.Bool
	once     sync.Once
}

// retire closes the VM once its in-flight requests are answered; it gets no
// new ones.
func (v *vm) retire() {
	v.retired.Store(true)
	if v.inflight.Load() == 0 {
		v.close()
	}
}

// done marks one request answered.
func (v *vm) done() {
	if v.inflight.Add(-1) == 0 && v.retired.Load() {
		v.close()
	}
}

func (v *vm) close() { v.once.Do(v.inst.Close) }

// discard asks the actor to drop an activation whose storage can no longer
// be trusted (a failed or fenced commit). It is local to this process.
type discard struct {
	vm    *vm
	cause error
}

// errMoved means this node does not hold the instance (the directory names
// another owner, or this node's lease lapsed): the request did not run and
// the caller routes it again.
var errMoved = errors.New("the instance is not held by this node")

// passivate asks the actor to free its VM (reason: "lru", "deleted",
// "removed"); it waits for in-flight requests when the reason allows.
type passivate struct{ reason string }

func (a *instanceActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.onStarted(ctx)
	case *pcluster.ClusterInit:
		a.onClusterInit(m)
	case *protos.Activate:
		a.onActivate(ctx, m)
	case *protos.HttpRequest:
		a.onRequest(ctx, m)
	case *discard:
		a.onDiscard(m)
	case *passivate:
		a.onPassivate(ctx, m)
	case *actor.ReceiveTimeout:
		a.onIdle(ctx)
	case *actor.Stopping:
		a.onStopping()
	}
}

func (a *instanceActor) onStarted(ctx actor.Context) {
	a.self = ctx.Self()
	if !a.coordinator {
		// Worker VMs start eagerly so the first request does not pay for it.
		// A failure is logged here and retried on the next request.
		_ = a.activate()
	}
}

// onClusterInit learns the grain's identity: "<project>/<instance>".
func (a *instanceActor) onClusterInit(m *pcluster.ClusterInit) {
	a.project, a.instance = SplitIdentity(m.Identity.Identity)
	a.log = a.plat.Logger.With(slog.String("project", a.project), slog.String("instance", a.instance))
}

func (a *instanceActor) onActivate(ctx actor.Context, m *protos.Activate) {
	reply := &protos.Activated{}
	if proj, ok := a.plat.Registry.Get(a.project); m.GetVersion() > 0 && (!ok || proj.Version < m.GetVersion()) {
		// Deployed through another node, which asks for the version it
		// stored; this node loads it from the store shortly.
		reply.Error = &protos.InstanceError{Reason: protos.InstanceError_BEHIND,
			Message: fmt.Sprintf("version %d of %s is not loaded on this node yet", m.GetVersion(), a.project)}
		ctx.Respond(reply)
		return
	}
	if err := a.activate(); errors.Is(err, errMoved) {
		reply.Error = &protos.InstanceError{Reason: protos.InstanceError_MOVED, Message: err.Error()}
	} else if err != nil {
		reply.Error = &protos.InstanceError{Reason: protos.InstanceError_ACTIVATION_FAILED, Message: err.Error()}
	} else {
		a.activeAt = time.Now()
		a.armIdle(ctx)
	}
	ctx.Respond(reply)
}

// armIdle (re)starts the idle timer of a coordinator activation. Proto.Actor
// resets it on every message, so it fires only after a step of silence:
// hibernate_after when that comes before idle_timeout, else idle_timeout.
func (a *instanceActor) armIdle(ctx actor.Context) {
	if !a.coordinator {
		return
	}
	step, idle := a.plat.hibernateAfter, a.plat.idleTimeout
	if step <= 0 || (idle > 0 && idle < step) {
		step = idle
	}
	if step > 0 {
		ctx.SetReceiveTimeout(step)
	}
}

// quiescentWait bounds how long the idle check waits for a busy event loop
// to say whether anything is pending (a loop that does not answer is busy).
const quiescentWait = 100 * time.Millisecond

// onIdle passivates an activation that has been silent long enough:
//   - for coordinators.idle_timeout, whatever its VM still has pending
//     (timers, a KV watch): it is evicted;
//   - for coordinators.hibernate_after, if it has served a request and
//     nothing is pending in its VM (jsvm.Instance.Quiescent): it
//     hibernates, as a Durable Object does, and loses only in-memory state
//     that no callback was going to use. (An activation made at deploy, so
//     that the first request finds it running, waits for idle_timeout.)
//
// Either way its VM is closed and dropped, so an idle coordinator costs only
// its actor (a few kilobytes) and its rows on disk, and the next message
// activates it again (with a new epoch) from storage. While requests or
// writes are in flight it waits another step.
//
// Why the actor itself keeps running: Proto.Actor drops, without a dead
// letter, the messages already in a stopping actor's mailbox, so a stopped
// grain would silently lose a request that raced with its passivation.
func (a *instanceActor) onIdle(ctx actor.Context) {
	if a.vm == nil {
		return
	}
	if a.quiet() {
		silent := time.Since(a.activeAt)
		if idle := a.plat.idleTimeout; idle > 0 && silent >= idle {
			a.drop("idle")
			return
		}
		if h := a.plat.hibernateAfter; h > 0 && a.served && silent >= h && a.vm.inst.Quiescent(quiescentWait) {
			a.drop("hibernated")
			return
		}
	}
	a.armIdle(ctx)
}

// quiet reports whether nothing is in flight: no request, no write.
func (a *instanceActor) quiet() bool {
	return a.inflight.Load() == 0 && (a.kv == nil || a.kv.gate.idle())
}

// drop passivates the activation now.
func (a *instanceActor) drop(reason string) {
	if a.vm == nil {
		return
	}
	a.log.Debug("passivating activation", slog.Int64("epoch", a.epoch.Load()), slog.String("reason", reason))
	a.vm.retire()
	a.vm, a.kv = nil, nil
	if a.coordinator {
		a.plat.deactivated(a, reason)
	}
}

// onPassivate frees the VM on the platform's request: the least recently
// used activation when a node holds too many ("lru"; skipped while busy),
// or a project or coordinator being removed (in-flight requests finish on
// the old VM, which is then closed).
func (a *instanceActor) onPassivate(ctx actor.Context, m *passivate) {
	defer func() {
		if ctx.Sender() != nil {
			ctx.Respond(&protos.Activated{})
		}
	}()
	if a.vm == nil {
		return
	}
	if m.reason == "lru" && !a.quiet() {
		return
	}
	a.drop(m.reason)
}

// activate starts the VM if it is not running, or starts the current
// version's VM after a redeploy: a coordinator's first activation takes a
// new fencing epoch, so from this moment any older activation can no longer
// write. Runs in the mailbox; requests wait behind it.
func (a *instanceActor) activate() error {
	proj, ok := a.plat.Registry.Get(a.project)
	if !ok || proj.Kind.Single() != a.coordinator {
		return fmt.Errorf("%w: project %q is not deployed", ErrUnknownProject, a.project)
	}
	var gen uint64
	if a.coordinator {
		var ok bool
		if gen, ok = a.plat.node.Members.Serving(); !ok {
			// This node could not heartbeat for a lease: another may hold
			// the instance by now. Serve nothing from memory until the
			// lease is renewed.
			a.drop("lease-lapsed")
			return fmt.Errorf("%w: this node's cluster lease lapsed (it could not heartbeat); the instance may have moved", errMoved)
		}
		if a.vm != nil && a.leaseGen != gen {
			a.drop("lease-lapsed")
		}
	}
	if a.vm != nil {
		if err := a.vm.inst.Err(); err != nil {
			// Discarded (a turn was interrupted): start afresh.
			a.vm.close()
			a.vm, a.kv = nil, nil
			if a.coordinator {
				a.plat.deactivated(a, "discarded")
			}
		} else if a.vm.version == proj.Version {
			return nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.plat.requestTimeout)
	defer cancel()
	cfg := jsvm.Config{
		Project:  a.project,
		Instance: a.instance,
		Logger:   a.plat.Logger,
		Fetcher:  a.plat.FetcherFor(a.project),
		Env:      proj.Env,
		Limits:   a.plat.Limits,
	}
	view := a.kv
	first := view == nil
	if first {
		// A worker uses its project's shared store (not fenced, not cached);
		// a coordinator its own, under a new epoch.
		scope := kv.Scope{Project: a.project}
		if a.coordinator {
			epoch, err := a.plat.Store.ActivateOwned(ctx, a.project, a.instance, a.plat.NodeID)
			if errors.Is(err, placement.ErrNotOwner) {
				// Routed here by a stale lookup, or moved away while this
				// node could not heartbeat: not ours to run.
				a.log.Debug("not the owner; the caller routes again", slog.Any("err", err))
				return fmt.Errorf("%w: %w", errMoved, err)
			}
			if err != nil {
				a.log.Error("activation failed", slog.String("op", "epoch"), slog.Any("err", err))
				a.plat.observer.Activation(a.project, false)
				return fmt.Errorf("taking ownership of %s: %w", a.instance, err)
			}
			scope = kv.Scope{Project: a.project, Instance: a.instance, Epoch: epoch}
		}
		view = newKVView(a.plat.Store, scope, a.coordinator)
	}
	cfg.KV = view
	cfg.Storage = &storageView{kv: view}
	inst, err := jsvm.Start(ctx, proj.Program, cfg)
	if err != nil {
		a.logScriptError("module failed to start", err)
		if a.coordinator {
			a.plat.observer.Activation(a.project, false)
		}
		return fmt.Errorf("starting %s: %w", a.project, err)
	}
	if old := a.vm; old != nil {
		a.log.Info("moved to the new version", slog.Int64("from", old.version), slog.Int64("to", proj.Version))
		old.retire()
	}
	a.vm, a.kv = &vm{inst: inst, version: proj.Version}, view
	if first {
		a.served = false
		a.leaseGen = gen
		a.epoch.Store(view.scope.Epoch)
		a.log.Debug("activated", slog.Int64("epoch", a.epoch.Load()), slog.Int64("version", proj.Version))
		if a.coordinator {
			a.plat.observer.Activation(a.project, true)
			a.plat.activated(a)
		}
	}
	return nil
}

func (a *instanceActor) onRequest(ctx actor.Context, req *protos.HttpRequest) {
	sender := ctx.Sender()
	a.plat.requests.Add(1)
	a.activeAt = time.Now()
	a.lastActive.Store(a.activeAt.UnixNano())
	if err := a.activate(); err != nil {
		if errors.Is(err, errMoved) {
			ctx.Respond(protos.NewError(protos.InstanceError_MOVED, err.Error()))
			return
		}
		if errors.Is(err, ErrUnknownProject) {
			ctx.Respond(protos.NewError(protos.InstanceError_GONE, "the project is not deployed"))
			return
		}
		ctx.Respond(protos.NewError(protos.InstanceError_ACTIVATION_FAILED, activationMessage(err)))
		return
	}
	a.armIdle(ctx)
	a.served = true
	if a.coordinator {
		if limit := a.plat.queueLimit; limit > 0 && a.inflight.Load() >= int64(limit) {
			a.plat.observer.Overloaded(a.project)
			ctx.Respond(protos.NewError(protos.InstanceError_OVERLOADED, fmt.Sprintf(
				"coordinator %s of project %s is overloaded: %d requests are in flight (coordinators.queue_limit); retry after a second", a.instance, a.project, limit)))
			return
		}
		a.plat.touch(a)
	}
	v, view := a.vm, a.kv
	root, self := ctx.ActorSystem().Root, ctx.Self()
	a.inflight.Add(1)
	v.inflight.Add(1)
	timeout := time.Duration(req.GetTimeoutMs()) * time.Millisecond
	if timeout <= 0 {
		timeout = a.plat.requestTimeout
	}
	go func() {
		rctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		resp := a.serve(rctx, v.inst, view, req)
		switch resp.GetError().GetReason() {
		case protos.InstanceError_STORAGE_FAILED, protos.InstanceError_FENCED, protos.InstanceError_CPU_LIMIT:
			root.Send(self, &discard{vm: v, cause: errors.New(resp.GetError().GetMessage())})
		}
		// Not in flight from before the reply leaves: a caller that sends
		// its next request on receiving this one must not find this
		// instance still busy (a worker pool would grow for it).
		a.inflight.Add(-1)
		if sender != nil {
			root.Send(sender, resp)
		}
		v.done()
	}()
}

// serve runs one request and holds the reply at the output gate.
func (a *instanceActor) serve(ctx context.Context, inst *jsvm.Instance, view *kvView, req *protos.HttpRequest) *protos.HttpResponse {
	jreq := &jsvm.Request{
		Method:     req.GetMethod(),
		URL:        req.GetUrl(),
		Header:     protos.HeadersToHTTP(req.GetHeaders()),
		Body:       req.GetBody(),
		RemoteAddr: req.GetRemoteAddr(),
		Hops:       int(req.GetHops()),
	}
	if id := req.GetBodyStream(); id != 0 {
		body, err := a.plat.TakeBody(id, req.GetBodyNode())
		if err != nil {
			a.log.Warn("the request's streamed body could not be claimed", slog.Any("err", err))
			return protos.NewError(protos.InstanceError_HANDLER_FAILED, "the request's streamed body is gone (its sender gave up, or its node is unreachable)")
		}
		jreq.BodyStream = body
	}
	resp, err := inst.Serve(ctx, jreq)
	if err == nil {
		err = view.gate.barrier().wait(ctx)
		if err != nil {
			return a.storageFailure(err)
		}
	}
	if err != nil {
		return a.requestFailure(err)
	}
	out := &protos.HttpResponse{Status: int32(resp.Status), Headers: protos.HeadersFromHTTP(resp.Header), Body: resp.Body}
	if resp.BodyStream != nil {
		out.BodyStream, out.BodyNode = a.plat.PutBody(resp.BodyStream)
	}
	return out
}

func (a *instanceActor) storageFailure(err error) *protos.HttpResponse {
	if errors.Is(err, context.DeadlineExceeded) {
		return protos.NewError(protos.InstanceError_TIMEOUT, "the response timed out waiting for its writes to commit")
	}
	a.log.Error("storage commit failed; discarding activation", slog.Int64("epoch", a.epoch.Load()), slog.Any("err", err))
	if errors.Is(err, kv.ErrFenced) {
		return protos.NewError(protos.InstanceError_FENCED, "this coordinator activation was superseded; retry the request")
	}
	return protos.NewError(protos.InstanceError_STORAGE_FAILED, "storage write failed; nothing after the last committed write was kept")
}

func (a *instanceActor) requestFailure(err error) *protos.HttpResponse {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return protos.NewError(protos.InstanceError_TIMEOUT, "the handler did not respond in time")
	case errors.Is(err, jsvm.ErrBodyTooLarge):
		return protos.NewError(protos.InstanceError_TOO_LARGE, err.Error())
	case errors.Is(err, jsvm.ErrCPUTime):
		a.log.Warn("request exceeded its CPU time limit", slog.Any("err", err))
		return protos.NewError(protos.InstanceError_CPU_LIMIT, err.Error())
	case errors.Is(err, jsvm.ErrClosed):
		return protos.NewError(protos.InstanceError_INSTANCE_RESTARTED, "the instance restarted while handling the request; retry it")
	}
	a.logScriptError("uncaught exception in handler", err)
	return protos.NewError(protos.InstanceError_HANDLER_FAILED, "the handler threw an exception; see the logs of "+a.project)
}

// logScriptError logs an exception from user code with its stack and the
// project it came from.
func (a *instanceActor) logScriptError(msg string, err error) {
	var se *jsvm.ScriptError
	if errors.As(err, &se) {
		a.log.Error(msg, slog.String("error", se.Message), slog.String("stack", se.Stack))
		return
	}
	a.log.Error(msg, slog.Any("err", err))
}

func (a *instanceActor) onDiscard(m *discard) {
	if a.vm != m.vm || a.vm == nil {
		m.vm.close() // an old version's VM: close it too
		return
	}
	a.log.Warn("activation discarded", slog.Int64("epoch", a.epoch.Load()), slog.Any("err", m.cause))
	a.vm.close()
	a.vm, a.kv = nil, nil
	if a.coordinator {
		a.plat.deactivated(a, "discarded")
	}
}

// onStopping lets the requests in flight finish, then closes the VM.
func (a *instanceActor) onStopping() {
	if a.vm != nil {
		a.vm.retire()
		a.vm, a.kv = nil, nil
		if a.coordinator {
			a.plat.deactivated(a, "stopped")
		}
	}
}

// activationMessage is what a caller sees when a module cannot start: short,
// with the first line of the cause (the full stack is in the logs).
func activationMessage(err error) string {
	var se *jsvm.ScriptError
	if errors.As(err, &se) {
		return "the module failed to start: " + se.Message
	}
	return "the module failed to start: " + err.Error()
}
