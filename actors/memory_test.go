package actors

import "testing"

// After a wave of passivations the freed heap goes back to the OS, but not
// while the node is busy: it would take it back at once.
func TestMemoryReleaseWaitsForAQuietPeriod(t *testing.T) {
	m := memoryRelease{min: 64}
	steps := []struct {
		passivations, requests int64
		want                   int64 // passivations released; 0: no release
	}{
		{10, 0, 0},     // too few passivations
		{100, 5000, 0}, // a wave, but the node is busy: 110 pending
		{30, 2000, 0},  // still busy: 140 pending
		{0, 3, 140},    // quiet: everything since the last release
		{0, 0, 0},      // nothing new
		{40, 10, 0},    // 40 pending, below min
		{30, 63, 70},   // 70 pending, 63 requests is quiet
		{64, 64, 0},    // 64 requests is busy
		{0, 0, 64},
	}
	for i, s := range steps {
		n, ok := m.tick(s.passivations, s.requests)
		if ok != (s.want > 0) || n != s.want {
			t.Fatalf("step %d (%d passivations, %d requests): released %d, %v; want %d", i, s.passivations, s.requests, n, ok, s.want)
		}
	}
}
