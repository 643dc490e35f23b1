package jsvm

import (
	"sync"
	"time"
)

// Host calls that block (fetch() through the platform, waiting for a
// write to become durable) run off the event loop, one goroutine each. A
// new goroutine starts with a small stack, and a fetch routed through the
// platform grows it several times (runtime.newstack was 1.5% of a hot
// increment's CPU and 4% of a spread one's), so finished goroutines wait a
// while for the next call instead of exiting: under load their stacks
// stay grown.

// hostIdle is how long a host goroutine waits for more work before it
// exits.
const hostIdle = 5 * time.Second

// hostWork hands a call to an idle host goroutine (unbuffered: a send
// succeeds only if one is waiting).
var hostWork = make(chan func())

// hostTimers are the idle timers of exited host goroutines, for reuse.
var hostTimers = sync.Pool{New: func() any { return time.NewTimer(hostIdle) }}

// goHost runs f on a host goroutine: an idle one if there is one, a new
// one otherwise. f must not assume it runs on a fresh goroutine (it may
// find another call's goroutine-local state, such as a grown stack).
func goHost(f func()) {
	select {
	case hostWork <- f:
	default:
		go hostLoop(f)
	}
}

func hostLoop(f func()) {
	t := hostTimers.Get().(*time.Timer)
	defer hostTimers.Put(t)
	for {
		f()
		f = nil
		t.Reset(hostIdle)
		select {
		case f = <-hostWork:
			t.Stop()
		case <-t.C:
			return
		}
	}
}
