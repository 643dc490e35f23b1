package jsvm

import "testing"

func TestUnsupportedAPIsSayWhy(t *testing.T) {
	runJSCases(t, []jsCase{
		{"WebSocket", `return new WebSocket("wss://x.example")`, "throws TypeError: WebSocket is not supported by edge: instances serve HTTP only; stream server-sent events from a Response body instead"},
		{"MessageChannel", `return new MessageChannel()`, "throws TypeError: MessageChannel is not supported by edge: there is one JavaScript realm per instance"},
		{"localStorage", `localStorage.setItem("a", "b")`, "throws TypeError: localStorage.setItem is not supported by edge: keep state in a coordinator's Deno.storage"},
		{"caches", `return caches.open("x")`, "throws TypeError: caches.open is not supported by edge: there is no Cache API; keep responses in a coordinator's Deno.storage"},
		{"not enumerable", `return Object.keys(globalThis).includes("WebSocket")`, "false"},
	})
}
