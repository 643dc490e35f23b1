package jsvm

import "time"

// performanceOps back performance.now() and performance.timeOrigin: time is
// measured on Go's monotonic clock from when the instance was set up.
func (in *Instance) performanceOps() map[string]any {
	origin := time.Now()
	return map[string]any{
		// performanceNow is milliseconds since the time origin, at microsecond
		// resolution (coarser than the clock, as High Resolution Time advises).
		"performanceNow": func() float64 {
			return float64(time.Since(origin).Microseconds()) / 1000
		},
		"performanceTimeOrigin": func() float64 {
			return float64(origin.UnixMicro()) / 1000
		},
	}
}
