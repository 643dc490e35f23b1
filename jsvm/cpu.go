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

// runJob runs one job and the microtasks it queued under a watchdog. Runs on
// the loop.
func (in *Instance) runJob(b *budget, f func()) {
	if in.failed.Load() != nil {
		return
	}
	allow, cause := in.cfg.Limits.MaxTurn, error(ErrTurnTooLong)
	if b != nil {
		if b.exceeded.Load() {
			return
		}
		allow, cause = b.limit-b.used, b.err()
	}
	in.current = b
	start := time.Now()
	w := &watchdog{}
	t := time.AfterFunc(allow, func() { w.fire(in, b, cause) })
	f()
	in.drainMicrotasks()
	t.Stop()
	fired := w.disarm()
	in.current = nil
	if b != nil {
		b.used += time.Since(start)
	}
	if !fired {
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

// watchdog interrupts one job's turn unless the job finished first.
type watchdog struct {
	mu       sync.Mutex
	finished bool
	fired    bool
}

// fire marks the budget spent and the instance failed before interrupting,
// so whoever sees the interrupted turn also sees why.
func (w *watchdog) fire(in *Instance, b *budget, cause error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.finished {
		w.fired = true
		if b != nil {
			b.exceeded.Store(true)
		}
		in.fail(cause)
		in.vm.Interrupt(cause)
	}
}

// disarm stops the watchdog and reports whether it fired.
func (w *watchdog) disarm() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.finished = true
	return w.fired
}
