package jsvm

import (
	"time"

	"github.com/dop251/goja"
)

// timer is a pending setTimeout/setInterval. gen tells a stale firing (from a
// timer that was cleared or re-armed) from the current one.
type timer struct {
	t   *time.Timer
	gen uint64
}

// timerOps arm Go timers whose firings run internal.fireTimer on the loop.
func (in *Instance) timerOps() map[string]any {
	var gen uint64
	return map[string]any{
		"setTimer": func(id int64, ms float64) {
			if _, exists := in.timers[id]; !exists && len(in.timers) >= in.cfg.Limits.MaxTimers {
				panic(in.vm.NewTypeError("too many pending timers (limit MaxTimers)"))
			}
			gen++
			my := gen
			in.timerMu.Lock()
			if old, ok := in.timers[id]; ok {
				old.t.Stop()
			}
			tm := &timer{gen: my}
			in.timers[id] = tm
			post := in.poster()
			tm.t = time.AfterFunc(time.Duration(ms*float64(time.Millisecond)), func() {
				post(func() { in.fireTimer(id, my) })
			})
			in.timerMu.Unlock()
		},
		"clearTimer": func(id int64) {
			in.timerMu.Lock()
			if old, ok := in.timers[id]; ok {
				old.t.Stop()
				delete(in.timers, id)
			}
			in.timerMu.Unlock()
		},
	}
}

// fireTimer runs on the loop. The JS side re-arms intervals.
func (in *Instance) fireTimer(id int64, gen uint64) {
	in.timerMu.Lock()
	tm, ok := in.timers[id]
	if !ok || tm.gen != gen {
		in.timerMu.Unlock()
		return
	}
	delete(in.timers, id)
	in.timerMu.Unlock()
	fire, ok := goja.AssertFunction(in.internal.Get("fireTimer"))
	if !ok {
		return
	}
	if _, err := fire(goja.Undefined(), in.vm.ToValue(id)); err != nil {
		in.reportUncaught(err)
	}
}

func (in *Instance) stopTimers() {
	in.timerMu.Lock()
	defer in.timerMu.Unlock()
	for id, tm := range in.timers {
		tm.t.Stop()
		delete(in.timers, id)
	}
}
