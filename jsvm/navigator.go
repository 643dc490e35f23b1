package jsvm

import "runtime"

// Version is edge's version, as navigator.userAgent ("edge/<Version>") reports it.
const Version = "0.1.0"

// navigatorOps are the host facts navigator exposes.
func navigatorOps() map[string]any {
	return map[string]any{
		"navigatorUserAgent":           func() string { return "edge/" + Version },
		"navigatorHardwareConcurrency": func() int { return runtime.NumCPU() },
	}
}
