package jsvm

import (
	"container/heap"
	"time"

	"github.com/dop251/goja"
)

// Timers.
//
// Pending timers live in a min-heap ordered by deadline and then by the
// order they were set, with one Go timer armed for the earliest: timers
// due at the same time fire in the order they were set, as HTML requires
// (one Go timer per JS timer would race). Each firing runs as its own loop
// job, charged to the request that set the timer. All of this is
// loop-owned, except the Go timer, which Close stops.

// timer is a pending setTimeout/setInterval.
type timer struct {
	id       int64
	deadline time.Time
	seq      uint64
	budget   *budget
	index    int // position in the heap; -1 once popped
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].deadline.Equal(h[j].deadline) {
		return h[i].deadline.Before(h[j].deadline)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// timerOps arm timers whose firings run internal.fireTimer on the loop.
func (in *Instance) timerOps() map[string]any {
	return map[string]any{
		"setTimer": func(id int64, ms float64) {
			old, exists := in.timers[id]
			if !exists && len(in.timers) >= in.cfg.Limits.MaxTimers {
				panic(in.vm.NewTypeError("too many pending timers (limit MaxTimers)"))
			}
			if exists && old.index >= 0 {
				heap.Remove(&in.timerQueue, old.index)
			}
			in.timerSeq++
			t := &timer{id: id, deadline: time.Now().Add(time.Duration(ms * float64(time.Millisecond))),
				seq: in.timerSeq, budget: in.current}
			in.timers[id] = t
			heap.Push(&in.timerQueue, t)
			in.armTimers()
		},
		"clearTimer": func(id int64) {
			if t, ok := in.timers[id]; ok {
				delete(in.timers, id)
				if t.index >= 0 {
					heap.Remove(&in.timerQueue, t.index)
				}
				in.armTimers()
			}
		},
	}
}

// armTimers points the Go timer at the earliest deadline. Runs on the loop.
func (in *Instance) armTimers() {
	in.timerMu.Lock()
	defer in.timerMu.Unlock()
	if in.timersStopped {
		return
	}
	if len(in.timerQueue) == 0 {
		if in.wake != nil {
			in.wake.Stop()
			in.wake = nil
		}
		return
	}
	next := in.timerQueue[0].deadline
	if in.wake != nil && in.wakeAt.Equal(next) {
		return
	}
	if in.wake != nil {
		in.wake.Stop()
	}
	in.wakeAt = next
	in.wake = time.AfterFunc(time.Until(next), func() { in.post(in.runDueTimers) })
}

// runDueTimers queues a job for every timer that is due, in order, and
// re-arms for the rest. Runs on the loop.
func (in *Instance) runDueTimers() {
	now := time.Now()
	for len(in.timerQueue) > 0 && !in.timerQueue[0].deadline.After(now) {
		t := heap.Pop(&in.timerQueue).(*timer)
		in.postAs(t.budget, func() { in.fireTimer(t) })
	}
	in.timerMu.Lock()
	in.wake = nil
	in.timerMu.Unlock()
	in.armTimers()
}

// fireTimer runs on the loop. The JS side re-arms intervals.
func (in *Instance) fireTimer(t *timer) {
	if in.timers[t.id] != t {
		return // cleared or re-armed since it was due
	}
	delete(in.timers, t.id)
	fire, ok := goja.AssertFunction(in.internal.Get("fireTimer"))
	if !ok {
		return
	}
	if _, err := fire(goja.Undefined(), in.vm.ToValue(t.id)); err != nil {
		in.reportUncaught(err)
	}
}

func (in *Instance) stopTimers() {
	in.timerMu.Lock()
	defer in.timerMu.Unlock()
	in.timersStopped = true
	if in.wake != nil {
		in.wake.Stop()
		in.wake = nil
	}
}
