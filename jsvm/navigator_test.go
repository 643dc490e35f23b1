package jsvm

import (
	"runtime"
	"strconv"
	"testing"
)

func TestNavigator(t *testing.T) {
	runJSCases(t, []jsCase{
		{"userAgent", `return navigator.userAgent;`, "edge/" + Version},
		{"hardwareConcurrency", `return navigator.hardwareConcurrency;`, strconv.Itoa(runtime.NumCPU())},
		{"language", `return navigator.language + " " + JSON.stringify(navigator.languages) + " " + (navigator.languages === navigator.languages);`, `en-US ["en-US"] true`},
		{"class", `return [String(navigator), navigator instanceof Navigator, Object.keys(globalThis).includes("navigator"), Object.keys(Navigator.prototype).join()].join(" ");`,
			"[object Navigator] true false userAgent,hardwareConcurrency,language,languages"},
		{"not constructible", `new Navigator();`, "throws TypeError: Illegal constructor: use the global navigator object"},
		{"illegal invocation", `return Object.getOwnPropertyDescriptor(Navigator.prototype, "userAgent").get.call({});`, "throws TypeError: Navigator.userAgent: illegal invocation (read it from navigator)"},
	})
}
