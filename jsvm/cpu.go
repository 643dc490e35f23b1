package jsvm

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// CPU accounting.
//
// Every job on an instance's loop is charged to a budget: the budget of the
// request whose work it is, or none for work that belongs to no request
// (top-level module code, timers armed by it). A job inherits the budget
// that was current when the host operation behind it started: a fetch
// completion, a storage commit or a timer set while handling request R is
// R's work, so background promises a handler leaves running keep counting
// against it. Promise reactions run inside the job that resolved them.
//
// What is counted is the time the loop goroutine spends running JavaScript
// (including the microtasks it drains), measured on the wall clock; on a
// loaded machine that slightly over-counts. A job is interrupted when its
// budget runs out; goja stops at the next instruction, so the VM is left in
// an unknown state and the instance is discarded. The request gets
// ErrCPUTime; other requests in flight on the same instance get ErrClosed.

// ErrCPUTime means a request used more JavaScript execution time than
// Limits.CPUTime allows.
var ErrCPUTime = errors.New("the request exceeded its CPU time limit")

// budget is one request's allowance of JavaScript execution time. used is
// touched only on the loop; exceeded is set by the watchdog goroutine.
type budget struct {
	limit    time.Duration
	used     time.Duration
	exceeded atomic.Bool
	// hops is how many internal fetches led to the request (Request.Hops);
	// fetch() calls made for it carry it on, so a loop of internal fetches
	// can be cut off however the code passes its requests around.
	hops int
}

func newBudget(limit time.Duration) *budget { return &budget{limit: limit} }

// err is what the request is told when its budget ran out.
func (b *budget) err() error {
	return fmt.Errorf("%w (limits.cpu_time = %s); the instance was replaced", ErrCPUTime, b.limit)
}

// postAs runs f on the loop charged to b (nil: unattributed, bounded by
// MaxTurn). It reports false if the instance has stopped.
func (in *Instance) postAs(b *budget, f func()) bool {
	return in.loop.post(func() { in.runJob(b, f) })
}

// post runs f on the loop charged to no request.
func (in *Instance) post(f func()) bool { return in.postAs(nil, f) }

// poster returns a function that posts jobs charged to the budget current
// now. Host operations call it on the loop when they start and use the
// result from their own goroutine when they complete.
func (in *Instance) poster() func(func()) bool {
	b := in.current
	return func(f func()) bool { return in.postAs(b, f) }
}

// runJob runs one job and the microtasks it queued under the watchdog. Runs
// on the loop.
func (in *Instance) runJob(b *budget, f func()) {
	if in.failed.Load() != nil {
		return
	}
	allow := in.cfg.Limits.MaxTurn
	if b != nil {
		if b.exceeded.Load() {
			return
		}
		allow = b.limit - b.used
	}
	in.current = b
	start := time.Now()
	in.watchdog.arm(in, b, start, allow)
	f()
	in.drainMicrotasks()
	cause := in.watchdog.disarm()
	in.current = nil
	if b != nil {
		b.used += time.Since(start)
	}
	if cause == nil {
		return
	}
	// The turn was interrupted (or the interrupt landed just after it); the
	// instance is already failed and closing.
	in.vm.ClearInterrupt()
	in.cfg.Logger.Error("JavaScript turn interrupted; discarding the instance",
		"project", in.cfg.Project, "instance", in.cfg.Instance, "cause", cause.Error())
}

// fail records why the instance can no longer run and closes it (on another
// goroutine: Close waits for the loop, and fail may be called from it).
func (in *Instance) fail(cause error) {
	if in.failed.CompareAndSwap(nil, &cause) {
		in.cancel()
		go in.Close()
	}
}

// Err reports why the instance stopped running JavaScript, or nil while it
// is healthy. A closed instance reports ErrClosed.
func (in *Instance) Err() error {
	if p := in.failed.Load(); p != nil {
		return *p
	}
	if in.ctx.Err() != nil {
		return ErrClosed
	}
	return nil
}

// watchdog interrupts a job's turn when it runs past its allowance. An
// instance has one, re-armed for every job: a time.AfterFunc per job (a
// timer, a closure and a watchdog each time) was a measurable part of a
// small request.
type watchdog struct {
	mu       sync.Mutex
	timer    *time.Timer
	running  bool      // a job is running
	deadline time.Time // when the running job's allowance ends
	b        *budget   // the running job's budget (nil: bounded by MaxTurn)
	cause    error     // why the running job was interrupted, once it was
}

// arm starts watching a job that started at start and may run for allow.
func (w *watchdog) arm(in *Instance, b *budget, start time.Time, allow time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running, w.deadline, w.b, w.cause = true, start.Add(allow), b, nil
	if w.timer == nil {
		w.timer = time.AfterFunc(allow, func() { w.fire(in) })
	} else {
		w.timer.Reset(allow)
	}
}

// fire interrupts the running job if its allowance is spent. It marks the
// budget spent and the instance failed before interrupting, so whoever sees
// the interrupted turn also sees why.
func (w *watchdog) fire(in *Instance) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// The timer may have expired for an earlier job just as it finished: the
	// job running now has its own deadline (and the timer was re-armed for it).
	if !w.running || w.cause != nil || time.Now().Before(w.deadline) {
		return
	}
	if w.b != nil {
		w.b.exceeded.Store(true)
		w.cause = w.b.err()
	} else {
		w.cause = ErrTurnTooLong
	}
	in.fail(w.cause)
	in.vm.Interrupt(w.cause)
}

// disarm stops watching the job and reports why it was interrupted, or nil
// if it was not.
func (w *watchdog) disarm() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running, w.b = false, nil
	w.timer.Stop()
	return w.cause
}

// stop stops the timer for good (the instance is closing).
func (w *watchdog) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = false
	if w.timer != nil {
		w.timer.Stop()
	}
}
