// Package gctune sets the Go collector's GOGC for a process whose heap is
// mostly short-lived request garbage over a small or large amount of live
// data.
//
// # Why not a fixed GOGC
//
// GOGC=p lets the heap grow to (1+p/100) times the live data before the
// next collection, so the cost of collecting (marking the live data) is
// paid once per p/100 × live bytes allocated. edge allocates tens of
// kilobytes per request. With little live data (a few worker VMs, some
// coordinators: tens of MB) a fixed GOGC=200 collects several times a
// second and marking, sweeping and write barriers took about a sixth of
// the CPU of a worker-to-coordinator read; GOGC=800 measured 19 % more
// requests per CPU-second (docs/BENCHMARKS.md). But with a thousand
// active coordinators (hundreds of MB live) a fixed GOGC=800 lets the heap
// reach gigabytes.
//
// # The rule
//
// After each collection, the tuner sets GOGC so that the heap may grow by
// a fixed headroom (Headroom, 256 MiB by default) past the live data, but
// never by less than MinPercent of it (the previous fixed setting), and
// never to more than MaxPercent: small live data gets a large GOGC, large
// live data gets MinPercent, as before. The memory a process may hold is
// then live + max(headroom, 2 × live), where it was 3 × live.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

const (
	// Headroom is the default growth past the live data allowed before a
	// collection.
	Headroom = 256 << 20
	// MinPercent is the smallest GOGC the tuner sets: a heap of large live
	// data may still grow to three times it (edge's fixed setting before).
	MinPercent = 200
	// MaxPercent bounds GOGC while the live data is tiny (a process that
	// just started): Go's collector never starts below 4 MB × GOGC/100.
	MaxPercent = 5000
)

// Percent is the GOGC that lets a heap holding live bytes of live data grow
// by headroom before its next collection, within [MinPercent, MaxPercent].
func Percent(live, headroom uint64) int {
	if live == 0 {
		return MaxPercent
	}
	p := headroom * 100 / live // headroom is below 2^53 (cmd/edge reads MiB into 32 bits)
	switch {
	case p < MinPercent:
		return MinPercent
	case p > MaxPercent:
		return MaxPercent
	}
	return int(p)
}

// tuner re-sets GOGC after every collection. It learns of a collection
// through a cleanup on an object nothing references (the collection that
// finds it unreachable runs the cleanup), which re-arms itself.
type tuner struct {
	headroom uint64
	stopped  atomic.Bool
	mu       sync.Mutex // serialises adjust with stop
	last     int
	sample   []metrics.Sample
	set      func(percent int) // debug.SetGCPercent; a recorder in tests
}

// sentinel is the unreferenced object whose cleanup marks a collection. It
// holds a pointer so that it is never batched into a tiny allocation block
// (whose objects are freed together, late).
type sentinel struct {
	_ *int
	_ [24]byte
}

// Start makes the tuner run for the rest of the process (or until stop is
// called) with headroom bytes of growth (0: Headroom), and sets GOGC at
// once from the live data measured so far. stop leaves GOGC as it was set
// last.
func Start(headroom uint64) (stop func()) {
	return start(headroom, func(p int) { debug.SetGCPercent(p) })
}

func start(headroom uint64, set func(int)) (stop func()) {
	if headroom == 0 {
		headroom = Headroom
	}
	t := &tuner{headroom: headroom, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, set: set}
	t.adjust()
	t.arm()
	return func() {
		t.mu.Lock()
		t.stopped.Store(true)
		t.mu.Unlock()
	}
}

func (t *tuner) arm() {
	runtime.AddCleanup(new(sentinel), func(t *tuner) {
		if t.stopped.Load() {
			return
		}
		t.adjust()
		t.arm()
	}, t)
}

// adjust sets GOGC from the live data the last collection left.
func (t *tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample)
	var live uint64
	if s := t.sample[0]; s.Value.Kind() == metrics.KindUint64 {
		live = s.Value.Uint64()
	}
	if p := Percent(live, t.headroom); p != t.last {
		t.set(p)
		t.last = p
	}
}
