package jsvm

import (
	"sync"
)

// loop is an instance's event loop. goja runtimes are not safe for concurrent
// use, so everything that touches the runtime runs as a job on the loop's one
// goroutine: request turns, host-operation completions, timers. Host
// operations (fetch, storage reads) run on their own goroutines and post
// their completion back here, which is what makes "one JS turn at a time"
// true without blocking the caller.
//
// The queue is unbounded on purpose: a bounded one could deadlock when a job
// posts another job. What bounds it is the instance's limits on concurrent
// requests, timers and host operations.
type loop struct {
	mu     sync.Mutex
	jobs   []func()
	wake   chan struct{}
	closed bool
	done   chan struct{}
}

func newLoop() *loop {
	l := &loop{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.run()
	return l
}

// post queues f to run on the loop. It reports false if the loop has stopped,
// in which case f will never run.
func (l *loop) post(f func()) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.jobs = append(l.jobs, f)
	// Signal under the lock: stop closes wake under the same lock.
	select {
	case l.wake <- struct{}{}:
	default:
	}
	l.mu.Unlock()
	return true
}

// stop ends the loop after the job that is running, if any. Queued jobs are
// dropped. stop waits until the loop goroutine has exited, so it must not be
// called from a job.
func (l *loop) stop() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		l.jobs = nil
		close(l.wake)
	}
	l.mu.Unlock()
	<-l.done
}

func (l *loop) run() {
	defer close(l.done)
	for range l.wake {
		for {
			l.mu.Lock()
			if l.closed || len(l.jobs) == 0 {
				l.mu.Unlock()
				break
			}
			batch := l.jobs
			l.jobs = nil
			l.mu.Unlock()
			for _, job := range batch {
				job()
				if l.isClosed() {
					return
				}
			}
		}
	}
}

func (l *loop) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}
