package main

import (
	"fmt"
	"strconv"

	"github.com/edge-platform/edge/gctune"
)

// tuneGC starts gctune's collector tuning unless GOGC is set in the
// environment (then Go's runtime has already applied it, and it wins).
// EDGE_GC_HEADROOM, a whole number of MiB, replaces gctune's default
// headroom. stop is nil when nothing was started.
func tuneGC(getenv func(string) string) (stop func(), err error) {
	if getenv("GOGC") != "" {
		return nil, nil
	}
	var headroom uint64
	if v := getenv("EDGE_GC_HEADROOM"); v != "" {
		mib, err := strconv.ParseUint(v, 10, 32)
		if err != nil || mib == 0 {
			return nil, fmt.Errorf("EDGE_GC_HEADROOM=%q: want a whole number of MiB above 0, such as 256 (unset it for the default, %d)", v, gctune.Headroom>>20)
		}
		headroom = mib << 20
	}
	return gctune.Start(headroom), nil
}
