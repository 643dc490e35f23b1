package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/protos"
)

// instanceActor owns one jsvm.Instance: a worker VM (a child of its
// project's pool) or a coordinator activation (a cluster grain). The actor's
// mailbox is where requests queue while the VM starts; once it runs, each
// request is handed to the VM's event loop, which runs one JavaScript turn
// at a time, and the reply is sent from the goroutine that waited for it, so
// a slow handler never blocks the mailbox.
type instanceActor struct {
	plat        *Platform
	project     string
	instance    string
	coordinator bool
	log         *slog.Logger

	inst  *jsvm.Instance
	kv    *kvView // the activation's store: its own (coordinators) or its project's
	epoch int64

	// inflight counts requests handed to the VM and not yet answered; an
	// activation with requests in flight is never passivated.
	inflight atomic.Int64
}

// discard asks the actor to drop an activation whose storage can no longer
// be trusted (a failed or fenced commit). It is local to this process.
type discard struct {
	inst  *jsvm.Instance
	cause error
}

func (a *instanceActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.onStarted()
	case *pcluster.ClusterInit:
		a.onClusterInit(m)
	case *protos.Activate:
		a.onActivate(ctx)
	case *protos.HttpRequest:
		a.onRequest(ctx, m)
	case *discard:
		a.onDiscard(m)
	case *actor.ReceiveTimeout:
		a.onIdle(ctx)
	case *actor.Stopping:
		a.onStopping()
	}
}

func (a *instanceActor) onStarted() {
	if !a.coordinator {
		// Worker VMs start eagerly so the first request does not pay for it.
		// A failure is logged here and retried on the next request.
		_ = a.activate()
	}
}

// onClusterInit learns the grain's identity: the coordinator instance name.
func (a *instanceActor) onClusterInit(m *pcluster.ClusterInit) {
	a.instance = m.Identity.Identity
	a.log = a.log.With(slog.String("instance", a.instance))
}

func (a *instanceActor) onActivate(ctx actor.Context) {
	reply := &protos.Activated{}
	if err := a.activate(); err != nil {
		reply.Error = &protos.InstanceError{Reason: protos.InstanceError_ACTIVATION_FAILED, Message: err.Error()}
	} else {
		a.armIdle(ctx)
	}
	ctx.Respond(reply)
}

// armIdle (re)starts the idle timer of a coordinator activation. Proto.Actor
// resets it on every message, so it fires only after IdleTimeout of silence.
func (a *instanceActor) armIdle(ctx actor.Context) {
	if a.coordinator && a.plat.idleTimeout > 0 {
		ctx.SetReceiveTimeout(a.plat.idleTimeout)
	}
}

// onIdle passivates an activation that received nothing for IdleTimeout:
// its VM is closed and dropped, so an idle coordinator costs only its actor
// (a few kilobytes) and its rows on disk. Its in-memory state and pending
// timers are gone; the next message activates it again (with a new epoch)
// from storage. While requests or writes are in flight it waits another
// period.
//
// Why the actor itself keeps running: Proto.Actor drops, without a dead
// letter, the messages already in a stopping actor's mailbox, so a stopped
// grain would silently lose a request that raced with its passivation.
func (a *instanceActor) onIdle(ctx actor.Context) {
	if a.inst == nil {
		return
	}
	if a.inflight.Load() > 0 || (a.kv != nil && !a.kv.gate.idle()) {
		a.armIdle(ctx)
		return
	}
	a.log.Debug("passivating idle activation", slog.Int64("epoch", a.epoch))
	a.inst.Close()
	a.inst, a.kv = nil, nil
}

// activate starts the VM if it is not running: a coordinator first takes a
// new fencing epoch, so from this moment any older activation can no longer
// write. Runs in the mailbox; requests wait behind it.
func (a *instanceActor) activate() error {
	if a.inst != nil {
		if err := a.inst.Err(); err == nil {
			return nil
		}
		// Discarded (a turn was interrupted): start a fresh VM.
		a.inst.Close()
		a.inst, a.kv = nil, nil
	}
	prog, ok := a.plat.Programs[a.project]
	if !ok {
		return fmt.Errorf("project %q has no program", a.project)
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.plat.requestTimeout)
	defer cancel()
	proj, _ := a.plat.Config.Project(a.project)
	cfg := jsvm.Config{
		Project:  a.project,
		Instance: a.instance,
		Logger:   a.plat.Logger,
		Fetcher:  a.plat.FetcherFor(a.project),
		Env:      proj.Env,
		Limits:   a.plat.Limits,
	}
	// A worker uses its project's shared store (not fenced, not cached);
	// a coordinator its own, under a new epoch.
	scope := kv.Scope{Project: a.project}
	if a.coordinator {
		epoch, err := a.plat.Store.Activate(ctx, a.project, a.instance, a.plat.NodeID)
		if err != nil {
			a.log.Error("activation failed", slog.String("op", "epoch"), slog.Any("err", err))
			return fmt.Errorf("taking ownership of %s: %w", a.instance, err)
		}
		scope = kv.Scope{Project: a.project, Instance: a.instance, Epoch: epoch}
	}
	view := newKVView(a.plat.Store, scope, a.coordinator)
	cfg.KV = view
	cfg.Storage = &storageView{kv: view}
	inst, err := jsvm.Start(ctx, prog, cfg)
	if err != nil {
		a.logScriptError("module failed to start", err)
		return fmt.Errorf("starting %s: %w", a.project, err)
	}
	a.inst, a.kv, a.epoch = inst, view, scope.Epoch
	a.log.Debug("activated", slog.Int64("epoch", scope.Epoch))
	return nil
}

func (a *instanceActor) onRequest(ctx actor.Context, req *protos.HttpRequest) {
	sender := ctx.Sender()
	if err := a.activate(); err != nil {
		ctx.Respond(protos.NewError(protos.InstanceError_ACTIVATION_FAILED, activationMessage(err)))
		return
	}
	a.armIdle(ctx)
	inst, view := a.inst, a.kv
	root, self := ctx.ActorSystem().Root, ctx.Self()
	a.inflight.Add(1)
	timeout := time.Duration(req.GetTimeoutMs()) * time.Millisecond
	if timeout <= 0 {
		timeout = a.plat.requestTimeout
	}
	go func() {
		rctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		resp := a.serve(rctx, inst, view, req)
		switch resp.GetError().GetReason() {
		case protos.InstanceError_STORAGE_FAILED, protos.InstanceError_FENCED, protos.InstanceError_CPU_LIMIT:
			root.Send(self, &discard{inst: inst, cause: errors.New(resp.GetError().GetMessage())})
		}
		if sender != nil {
			root.Send(sender, resp)
		}
		a.inflight.Add(-1)
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
	}
	if id := req.GetBodyStream(); id != 0 {
		if jreq.BodyStream = a.plat.TakeBody(id); jreq.BodyStream == nil {
			return protos.NewError(protos.InstanceError_HANDLER_FAILED, "the request's streamed body is gone (its sender gave up)")
		}
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
		out.BodyStream = a.plat.PutBody(resp.BodyStream)
	}
	return out
}

func (a *instanceActor) storageFailure(err error) *protos.HttpResponse {
	if errors.Is(err, context.DeadlineExceeded) {
		return protos.NewError(protos.InstanceError_TIMEOUT, "the response timed out waiting for its writes to commit")
	}
	a.log.Error("storage commit failed; discarding activation", slog.Int64("epoch", a.epoch), slog.Any("err", err))
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
	if a.inst != m.inst || a.inst == nil {
		return // already replaced
	}
	a.log.Warn("activation discarded", slog.Int64("epoch", a.epoch), slog.Any("err", m.cause))
	a.inst.Close()
	a.inst, a.kv = nil, nil
}

func (a *instanceActor) onStopping() {
	if a.inst != nil {
		a.inst.Close()
		a.inst, a.kv = nil, nil
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
