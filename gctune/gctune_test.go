package gctune

import (
	"runtime"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, Headroom, MaxPercent},         // nothing measured yet
		{1 * mib, Headroom, MaxPercent},   // tiny live data: capped
		{32 * mib, Headroom, 800},         // a few VMs: 256 MiB of growth
		{100 * mib, Headroom, 256},        // 256 MiB past 100 MiB
		{128 * mib, Headroom, MinPercent}, // 2 × live is already 256 MiB
		{500 * mib, Headroom, MinPercent}, // many coordinators: as before
		{3 * mib, 64 * mib, 2133},         // 64/3 = 21.33…: rounded down
		{1 << 40, 1 << 20, MinPercent},    // huge live data
		{7, 5 * 1 << 40, MaxPercent},      // no overflow on huge headroom
	} {
		if got := Percent(c.live, c.headroom); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.headroom, got, c.want)
		}
	}
}

// TestStartFollowsCollections runs the tuner against the runtime: it sets
// GOGC at once, brings it down to MinPercent after a collection that finds
// more live data than the headroom, raises it again once that data is
// garbage (so the cleanup that reports collections re-arms itself), and
// sets nothing after stop.
func TestStartFollowsCollections(t *testing.T) {
	set := make(chan int, 100)
	stop := start(64<<20, func(p int) { set <- p })
	first := <-set
	if first <= MinPercent {
		t.Fatalf("first GOGC = %d with little live data, want more than %d", first, MinPercent)
	}

	live := make([]byte, 128<<20)
	for i := range live {
		live[i] = 1
	}
	waitFor(t, set, func(p int) bool { return p == MinPercent })
	runtime.KeepAlive(live)
	live = nil

	waitFor(t, set, func(p int) bool { return p > MinPercent })

	stop()
	for len(set) > 0 {
		<-set
	}
	runtime.GC()
	runtime.GC()
	select {
	case p := <-set:
		t.Fatalf("GOGC set to %d after stop", p)
	case <-time.After(100 * time.Millisecond):
	}
}

// waitFor collects until a GOGC the tuner set satisfies ok, forcing
// collections meanwhile.
func waitFor(t *testing.T, set chan int, ok func(int) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		runtime.GC()
		select {
		case p := <-set:
			if ok(p) {
				return
			}
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatal("the tuner set no such GOGC within 10 s of collections")
		}
	}
}
