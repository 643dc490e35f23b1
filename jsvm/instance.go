package jsvm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/edge-platform/edge/kv"
)

// Request is an HTTP request handed to an instance (or to a Fetcher). Its
// body is either buffered in Body or streamed from BodyStream, which the
// receiver closes.
type Request struct {
	Method     string
	URL        string
	Header     http.Header
	Body       []byte
	BodyStream io.ReadCloser
	RemoteAddr string
	// Redirect is fetch's redirect mode: "follow" (or empty), "manual" or "error".
	Redirect string
	// Hops: for a request served, how many internal fetches led to it; for
	// a fetch() the instance makes, the hops of the request it was made for
	// (work started by top-level code or its timers has 0).
	Hops int
}

// Response is an HTTP response. Its body is either buffered in Body or
// streamed from BodyStream, which the receiver must read to the end or
// close (closing early cancels the producer).
type Response struct {
	Status     int
	StatusText string
	Header     http.Header
	Body       []byte
	BodyStream io.ReadCloser
	// URL and Redirected describe a fetched response (after redirects).
	URL        string
	Redirected bool
}

// Fetcher performs fetch() for an instance. The platform's implementation
// routes hosts under the platform's domain inside the process and sends the
// rest out; tests use fakes. Fetch is called on its own goroutine.
type Fetcher interface {
	Fetch(ctx context.Context, req *Request) (*Response, error)
}

// Durable blocks until a write accepted by Storage is committed, or returns
// the reason it never will be.
type Durable func(ctx context.Context) error

// Storage is an instance's Deno.storage: string keys over the instance's
// key-value store (Deno.storage key k is the Deno KV key [k]). Its methods
// are called on the instance's event loop, in program order: a Get or List
// sees every Put and Delete made before it, committed or not. Put and Delete
// accept the write at once and return a Durable that the runtime waits on
// (on another goroutine) before resolving the JS promise.
type Storage interface {
	Get(ctx context.Context, key string) (value kv.Value, found bool, err error)
	Put(ctx context.Context, key string, value kv.Value) (Durable, error)
	Delete(ctx context.Context, key string) (existed bool, d Durable, err error)
	List(ctx context.Context, o StorageList) ([]StorageItem, error)
}

// StorageList selects Deno.storage entries: keys starting with Prefix, at
// or after Start and before End when given, in key order (Reverse:
// descending), at most Limit of them (0: no limit).
type StorageList struct {
	Prefix     string
	Start, End *string
	Reverse    bool
	Limit      int
}

// StorageItem is one Deno.storage entry.
type StorageItem struct {
	Key   string
	Value kv.Value
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Limits bound what an instance may hand to or take from the host.
type Limits struct {
	// MaxBodyBytes bounds request and response bodies crossing the host.
	MaxBodyBytes int64
	// CPUTime bounds the JavaScript execution time one request may use,
	// counting the work it leaves running after it responds (see cpu.go).
	CPUTime time.Duration
	// MaxTurn bounds one uninterrupted JavaScript turn that belongs to no
	// request (top-level module code, its timers).
	MaxTurn time.Duration
	// MaxTimers bounds the timers an instance may have pending.
	MaxTimers int
	// MaxStorageValueBytes bounds one Deno.storage value (encoded).
	MaxStorageValueBytes int
	// MaxStorageKeyBytes bounds one Deno.storage key (UTF-8).
	MaxStorageKeyBytes int
}

// DefaultLimits are the limits used when a Config leaves them zero.
var DefaultLimits = Limits{
	MaxBodyBytes:         32 << 20,
	CPUTime:              30 * time.Second,
	MaxTurn:              30 * time.Second,
	MaxTimers:            10_000,
	MaxStorageValueBytes: 128 << 10,
	MaxStorageKeyBytes:   2 << 10,
}

// Config is what an instance is told about itself and the host.
type Config struct {
	Project  string
	Instance string
	Logger   *slog.Logger
	Fetcher  Fetcher
	// Storage is Deno.storage; nil where there is no store.
	Storage Storage
	// KV is the store behind Deno.openKv: the project's shared store for a
	// worker, the coordinator's own for an activation. nil: openKv rejects.
	KV KV
	// Now is the wall clock (KV's expireIn); nil means time.Now.
	Now func() time.Time
	// Env is what Deno.env exposes: only the project's configured variables.
	Env    map[string]string
	Limits Limits
}

// ScriptError is an exception thrown by user code, with its stack mapped to
// the user's source files.
type ScriptError struct {
	// Phase is "module" for top-level code, "handler" for a request and
	// "script" for a classic script run by RunScript.
	Phase   string
	Message string
	Stack   string
}

func (e *ScriptError) Error() string {
	return fmt.Sprintf("uncaught exception in %s: %s", e.Phase, e.Message)
}

var (
	// ErrClosed is returned for requests to an instance that has stopped.
	ErrClosed = errors.New("instance closed")
	// ErrNoHandler means the module finished without registering a handler.
	ErrNoHandler = errors.New("module does not serve HTTP: call Deno.serve(handler), std's serve(handler), or export default { fetch(request) { ... } }")
	// ErrTurnTooLong means one JavaScript turn ran past Limits.MaxTurn and was interrupted.
	ErrTurnTooLong = errors.New("a JavaScript turn ran too long and was interrupted (limit MaxTurn)")
)

// Instance is one running goja VM with its event loop: a worker instance or
// the one live activation of a coordinator. Its methods are safe for
// concurrent use; all JavaScript runs on the loop goroutine.
type Instance struct {
	cfg      Config
	vm       *goja.Runtime
	loop     *loop
	internal *goja.Object
	dispatch goja.Callable
	noop     goja.Callable

	ctx    context.Context // cancelled by Close; host operations use it
	cancel context.CancelFunc

	// Loop-owned state (touched only on the loop goroutine).
	timers     map[int64]*timer // by id
	timerQueue timerHeap
	timerSeq   uint64
	// timerMu guards the Go timer: the loop arms it, Close stops it.
	timerMu       sync.Mutex
	wake          *time.Timer
	wakeAt        time.Time
	timersStopped bool
	exports       goja.Value
	// unhandled holds promises rejected with no handler yet; whatever is
	// still here after a job's microtasks ran is reported.
	unhandled map[*goja.Promise]struct{}
	// current is the CPU budget of the job running now (nil: no request's).
	current *budget
	// watchdog interrupts the job running now when it runs too long.
	watchdog watchdog
	// failed holds why the instance was discarded (a turn interrupted).
	failed atomic.Pointer[error]
	// Streamed bodies in flight (loop-owned; see bodystream.go).
	pipes      map[int64]*bodyPipe
	readers    map[int64]io.ReadCloser
	nextStream int64
	// responders wait for handlers' responses, by request id (loop-owned).
	responders map[int64]func(*Response, error)
	// awaiting are handlers' promises the loop watches (see
	// settleResponses), oldest first; finishDispatch answers for them.
	awaiting       []awaitedResponse
	finishDispatch goja.Callable
	// newResponse is internal.newResponse, looked up on the first fetch
	// that resolves its promise in Go (see fetched).
	newResponse  goja.Callable
	nextResponse atomic.Int64
	// fetches in flight, by id, for AbortSignal (loop-owned).
	fetches   map[int64]context.CancelFunc
	nextFetch int64
	// hostPending counts Deno.openKv and Deno.storage calls whose result
	// has not come back to the loop; watches the KV watches still open
	// (loop-owned; see quiescent.go).
	hostPending int
	watches     int

	closeOnce sync.Once
}

// Start creates an instance of prog, runs its top-level code (including
// top-level await) and returns once a handler is registered. An exception in
// top-level code comes back as a *ScriptError.
func Start(ctx context.Context, prog *Program, cfg Config) (*Instance, error) {
	in := newInstance(cfg)
	type startResult struct{ err error }
	started := make(chan startResult, 1)
	ok := in.post(func() {
		if err := in.setup(); err != nil {
			started <- startResult{err}
			return
		}
		in.evaluate(prog, func(err error) { started <- startResult{err} })
	})
	if !ok {
		return nil, ErrClosed
	}
	select {
	case r := <-started:
		if r.err != nil {
			in.Close()
			return nil, r.err
		}
		return in, nil
	case <-ctx.Done():
		in.vm.Interrupt(ctx.Err())
		in.Close()
		return nil, fmt.Errorf("starting %s: top-level code did not finish: %w", prog.Entry, ctx.Err())
	}
}

// newInstance makes an instance with its runtime and a running event loop;
// the caller sets it up on the loop.
func newInstance(cfg Config) *Instance {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.withDefaults()
	ictx, cancel := context.WithCancel(context.Background())
	in := &Instance{cfg: cfg, vm: goja.New(), ctx: ictx, cancel: cancel, timers: map[int64]*timer{},
		unhandled: map[*goja.Promise]struct{}{}, pipes: map[int64]*bodyPipe{}, readers: map[int64]io.ReadCloser{},
		fetches: map[int64]context.CancelFunc{}, responders: map[int64]func(*Response, error){}}
	in.vm.SetPromiseRejectionTracker(in.trackRejection)
	in.loop = newLoop()
	return in
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = DefaultLimits.MaxBodyBytes
	}
	if l.MaxTurn == 0 {
		l.MaxTurn = DefaultLimits.MaxTurn
	}
	if l.CPUTime == 0 {
		l.CPUTime = DefaultLimits.CPUTime
	}
	if l.MaxTimers == 0 {
		l.MaxTimers = DefaultLimits.MaxTimers
	}
	if l.MaxStorageKeyBytes == 0 {
		l.MaxStorageKeyBytes = DefaultLimits.MaxStorageKeyBytes
	}
	if l.MaxStorageValueBytes == 0 {
		l.MaxStorageValueBytes = DefaultLimits.MaxStorageValueBytes
	}
	return l
}

// setup installs the host operations and the prelude. Runs on the loop.
func (in *Instance) setup() error {
	vm := in.vm
	host := newHostObject(vm, in.hostOps())
	internal, err := installPrelude(vm, host)
	if err != nil {
		return err
	}
	in.internal = internal
	dispatch, ok := goja.AssertFunction(internal.Get("dispatch"))
	if !ok {
		return errors.New("prelude did not define internal.dispatch")
	}
	in.dispatch = dispatch
	if in.finishDispatch, ok = goja.AssertFunction(internal.Get("finishDispatch")); !ok {
		return errors.New("prelude did not define internal.finishDispatch")
	}
	noop, err := vm.RunProgram(noopProgram)
	if err != nil {
		return err
	}
	in.noop, _ = goja.AssertFunction(noop)
	return nil
}

// hostOps lists every Go operation the prelude may call, by concern.
func (in *Instance) hostOps() map[string]any {
	ops := map[string]any{}
	for _, group := range []map[string]any{
		in.consoleOps(), encodingOps(in.vm), urlOps(in.vm), urlPatternOps(in.vm), in.fetchOps(), in.timerOps(),
		in.storageOps(), in.kvOps(), in.envOps(), in.streamOps(), in.errorOps(), cryptoOps(in.vm), formDataOps(in.vm),
		base64Ops(in.vm), bufferOps(in.vm), in.performanceOps(), navigatorOps(),
	} {
		for k, v := range group {
			ops[k] = v
		}
	}
	return ops
}

// evaluate runs the bundle and calls done once top-level code (including
// top-level await) has settled and a handler is known. Runs on the loop.
func (in *Instance) evaluate(prog *Program, done func(error)) {
	vm := in.vm
	fnVal, err := vm.RunProgram(prog.prg)
	if err != nil {
		done(in.scriptError("module", err))
		return
	}
	fn, ok := goja.AssertFunction(fnVal)
	if !ok {
		done(errors.New("bundle did not evaluate to a function"))
		return
	}
	hook := vm.ToValue(func(ns goja.Value) { in.exports = ns })
	p, err := fn(goja.Undefined(), hook)
	if err != nil {
		done(in.scriptError("module", err))
		return
	}
	onOK := vm.ToValue(func(goja.Value) {
		useModule, _ := goja.AssertFunction(in.internal.Get("useModule"))
		has, err := useModule(goja.Undefined(), in.exports)
		if err != nil {
			done(in.scriptError("module", err))
			return
		}
		if !has.ToBoolean() {
			done(fmt.Errorf("%s: %w", prog.Entry, ErrNoHandler))
			return
		}
		done(nil)
	})
	onErr := vm.ToValue(func(reason goja.Value) { done(in.thrown("module", reason)) })
	then, _ := goja.AssertFunction(p.ToObject(vm).Get("then"))
	if _, err := then(p, onOK, onErr); err != nil {
		done(in.scriptError("module", err))
	}
}

// Serve delivers one request to the handler and waits for its Response. A
// handler exception comes back as a *ScriptError. If ctx ends first, Serve
// returns ctx's error; the handler's work continues in the background.
func (in *Instance) Serve(ctx context.Context, req *Request) (*Response, error) {
	if int64(len(req.Body)) > in.cfg.Limits.MaxBodyBytes {
		return nil, fmt.Errorf("request body of %d bytes: %w", len(req.Body), ErrBodyTooLarge)
	}
	type result struct {
		resp *Response
		err  error
	}
	out := make(chan result, 1)
	b := newBudget(in.cfg.Limits.CPUTime)
	b.hops = req.Hops
	id := in.nextResponse.Add(1)
	ok := in.postAs(b, func() {
		vm := in.vm
		reqBody := req.Body
		if len(reqBody) == 0 && (req.Method == "GET" || req.Method == "HEAD") {
			reqBody = nil // a GET or HEAD has no body: request.body is null, as in Deno
		}
		body := in.bodyToJS(reqBody, req.BodyStream)
		in.responders[id] = func(resp *Response, err error) { out <- result{resp, err} }
		ret, err := in.dispatch(goja.Undefined(),
			vm.ToValue(req.Method), vm.ToValue(req.URL), headerPairs(vm, req.Header), body,
			vm.ToValue(req.RemoteAddr), vm.ToValue(id))
		if err != nil {
			delete(in.responders, id)
			out <- result{nil, in.scriptError("handler", err)}
			return
		}
		in.awaitResponse(id, ret)
	})
	if !ok {
		return nil, in.closedErr()
	}
	select {
	case r := <-out:
		if b.exceeded.Load() {
			return nil, b.err()
		}
		return r.resp, r.err
	case <-ctx.Done():
		in.post(func() { // nobody waits any more
			delete(in.responders, id)
			in.forgetResponse(id)
		})
		return nil, ctx.Err()
	case <-in.ctx.Done():
		if b.exceeded.Load() {
			return nil, b.err()
		}
		return nil, in.closedErr()
	}
}

// closedErr is what a request to a stopped instance is told: ErrClosed, with
// the reason the instance was discarded if it was.
func (in *Instance) closedErr() error {
	if p := in.failed.Load(); p != nil {
		return fmt.Errorf("%w: it was discarded because %v", ErrClosed, *p)
	}
	return ErrClosed
}

// bodyToJS hands a body from Go to the prelude: null, an ArrayBuffer, or
// the id of a streamed body (see bodystream.go). Runs on the loop.
func (in *Instance) bodyToJS(b []byte, stream io.ReadCloser) goja.Value {
	switch {
	case stream != nil:
		return in.vm.ToValue(in.newReader(stream))
	case b != nil:
		return in.vm.ToValue(in.vm.NewArrayBuffer(b))
	}
	return goja.Null()
}

// noopProgram evaluates to an empty function; calling it drains microtasks.
var noopProgram = goja.MustCompile("edge:noop", "(function () {})", true)

// ErrBodyTooLarge is returned when a body crossing the host exceeds MaxBodyBytes.
var ErrBodyTooLarge = errors.New("body too large (limit MaxBodyBytes)")

// responseFromJS reads a handler's Response as response.js hands it over:
// status, headers (a list of [name, value] pairs, a lone Content-Type value,
// or null), body and type.
func (in *Instance) responseFromJS(status, headers, bodyVal, typ goja.Value) (*Response, error) {
	if typ != nil && typ.String() == "error" {
		return nil, &ScriptError{Phase: "handler", Message: "the handler returned Response.error()"}
	}
	var header http.Header
	switch {
	case headers == nil || goja.IsNull(headers) || goja.IsUndefined(headers):
		header = http.Header{}
	case goja.IsString(headers):
		header = http.Header{"Content-Type": {headers.String()}}
	default:
		var err error
		if header, err = exportHeaderPairs(in.vm, headers); err != nil {
			return nil, err
		}
	}
	code := int(status.ToInteger())
	if id, ok := bodyVal.Export().(int64); ok {
		p := in.pipes[id]
		if p == nil {
			return nil, errors.New("reading the handler's response: its body stream is gone")
		}
		return &Response{Status: code, Header: header, BodyStream: p}, nil
	}
	body, ok := bodyFromJS(bodyVal)
	if !ok {
		return nil, errors.New("reading the handler's response: body is neither text nor bytes")
	}
	if int64(len(body)) > in.cfg.Limits.MaxBodyBytes {
		return nil, fmt.Errorf("response body of %d bytes: %w", len(body), ErrBodyTooLarge)
	}
	return &Response{Status: code, Header: header, Body: body}, nil
}

// Close stops the instance: pending timers are cancelled, queued work is
// dropped and in-flight Serve calls return ErrClosed. It is idempotent.
func (in *Instance) Close() {
	in.closeOnce.Do(func() {
		in.cancel()
		in.vm.Interrupt(ErrClosed)
		in.loop.stop()
		in.watchdog.stop()
		in.stopTimers()
		in.closeStreams()
	})
}

// drainMicrotasks drains goja's job queue at the end of each loop job: goja
// runs promise reactions when control returns from a top-level call, so
// calling an empty function is enough.
func (in *Instance) drainMicrotasks() {
	if in.noop != nil {
		_, _ = in.noop(goja.Undefined())
	}
	in.settleResponses()
	for p := range in.unhandled {
		delete(in.unhandled, p)
		err := in.thrown("promise", p.Result())
		stack := err.Error()
		var se *ScriptError
		if errors.As(err, &se) {
			stack = se.Stack
		}
		in.cfg.Logger.Error("unhandled promise rejection", slog.String("project", in.cfg.Project),
			slog.String("instance", in.cfg.Instance), slog.String("stack", stack))
	}
}

// Handlers' promises.
//
// An async handler returns a promise, and its response is sent once the
// promise settles. Attaching reactions to it (Promise.prototype.then) costs
// a derived promise with its two resolving functions and two closures,
// about a tenth of the allocations of a worker-to-coordinator request.
// Instead dispatch hands a native promise back, and the loop looks at the
// promises it watches after each job's microtasks have run: whichever
// settled is answered then (finishDispatch), in the same turn in which a
// reaction would have run. Looking is a state read per promise; past
// maxAwaiting watched promises new ones get reactions instead, so a turn's
// cost stays bounded however many requests are pending.

// maxAwaiting bounds how many handler promises the loop watches itself.
const maxAwaiting = 64

type awaitedResponse struct {
	id int64
	p  *goja.Promise
}

// awaitResponse takes what dispatch returned for request id: undefined
// once the request is answered or has reactions attached, or else the
// handler's promise. Runs on the loop.
func (in *Instance) awaitResponse(id int64, ret goja.Value) {
	obj, ok := ret.(*goja.Object)
	if !ok {
		return
	}
	p, ok := obj.Export().(*goja.Promise)
	if !ok {
		return
	}
	if p.State() == goja.PromiseStatePending && len(in.awaiting) < maxAwaiting {
		in.awaiting = append(in.awaiting, awaitedResponse{id: id, p: p})
		return
	}
	in.finishResponse(id, p)
}

// finishResponse answers request id from its handler's promise p if p has
// settled, or attaches reactions that will.
func (in *Instance) finishResponse(id int64, p *goja.Promise) {
	fulfilled, v := goja.Undefined(), goja.Undefined() // undefined: attach reactions
	switch p.State() {
	case goja.PromiseStateFulfilled:
		fulfilled, v = in.vm.ToValue(true), p.Result()
	case goja.PromiseStateRejected:
		delete(in.unhandled, p) // the response reports the rejection
		fulfilled, v = in.vm.ToValue(false), p.Result()
	}
	if _, err := in.finishDispatch(goja.Undefined(), in.vm.ToValue(id), fulfilled, v, in.vm.ToValue(p)); err != nil {
		if f := in.responders[id]; f != nil {
			delete(in.responders, id)
			f(nil, in.scriptError("handler", err))
		}
	}
}

// settleResponses answers the watched handler promises that have settled.
// Answering runs JavaScript, which may settle more of them, so it repeats
// until a pass finds none. Runs on the loop, after a job's microtasks.
func (in *Instance) settleResponses() {
	for len(in.awaiting) > 0 {
		var done []awaitedResponse
		kept := in.awaiting[:0]
		for _, a := range in.awaiting {
			if a.p.State() == goja.PromiseStatePending {
				kept = append(kept, a)
			} else {
				done = append(done, a)
			}
		}
		clear(in.awaiting[len(kept):])
		in.awaiting = kept
		if len(done) == 0 {
			return
		}
		for _, a := range done {
			in.finishResponse(a.id, a.p)
		}
	}
}

// forgetResponse stops watching request id's promise (its caller is gone).
func (in *Instance) forgetResponse(id int64) {
	for i, a := range in.awaiting {
		if a.id == id {
			n := len(in.awaiting) - 1
			copy(in.awaiting[i:], in.awaiting[i+1:])
			in.awaiting[n] = awaitedResponse{}
			in.awaiting = in.awaiting[:n]
			return
		}
	}
}

// trackRejection follows promises rejected without a handler (Deno would
// end the isolate; edge logs them, since the instance may be serving other
// requests). Runs on the loop.
func (in *Instance) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		in.unhandled[p] = struct{}{}
	case goja.PromiseRejectionHandle:
		delete(in.unhandled, p)
	}
}

// scriptError converts an error returned by goja into a *ScriptError.
func (in *Instance) scriptError(phase string, err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return in.thrown(phase, ex.Value())
	}
	var intr *goja.InterruptedError
	if errors.As(err, &intr) {
		return &ScriptError{Phase: phase, Message: intr.Error(), Stack: intr.String()}
	}
	return &ScriptError{Phase: phase, Message: err.Error()}
}

// thrown describes a thrown JS value, keeping its stack when it has one.
func (in *Instance) thrown(phase string, v goja.Value) error {
	se := &ScriptError{Phase: phase}
	if obj, ok := v.(*goja.Object); ok {
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
			se.Stack = st.String()
		}
		name, msg := obj.Get("name"), obj.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			se.Message = name.String() + ": " + msg.String()
		}
	}
	if se.Message == "" {
		se.Message = v.String()
	}
	if se.Stack == "" {
		se.Stack = se.Message
	}
	se.Stack = strings.TrimSpace(se.Stack)
	return se
}

// errorOps report exceptions that reached no handler, and handlers'
// responses: respond(id, err) for a handler that failed, respond(id, null,
// status, headers, body, type) for its Response (see response.js), called
// once per request.
func (in *Instance) errorOps() map[string]any {
	return map[string]any{
		"respond": func(call goja.FunctionCall) goja.Value {
			id := call.Argument(0).ToInteger()
			f := in.responders[id]
			if f == nil {
				return goja.Undefined()
			}
			delete(in.responders, id)
			if errVal := call.Argument(1); !goja.IsNull(errVal) && !goja.IsUndefined(errVal) {
				f(nil, in.thrown("handler", errVal))
				return goja.Undefined()
			}
			f(in.responseFromJS(call.Argument(2), call.Argument(3), call.Argument(4), call.Argument(5)))
			return goja.Undefined()
		},
		"reportException": func(v goja.Value) { in.logUncaught(in.thrown("event loop", v)) },
	}
}

// reportUncaught logs an exception that escaped to the event loop (a timer
// callback, for example): there is no request to fail, so the log is where
// the user finds it.
func (in *Instance) reportUncaught(err error) {
	in.logUncaught(in.scriptError("event loop", err))
}

func (in *Instance) logUncaught(err error) {
	var s *ScriptError
	stack := err.Error()
	if ok := errors.As(err, &s); ok {
		stack = s.Stack
	}
	in.cfg.Logger.Error("uncaught exception", slog.String("project", in.cfg.Project),
		slog.String("instance", in.cfg.Instance), slog.String("stack", stack))
}
