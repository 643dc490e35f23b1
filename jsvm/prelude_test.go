package jsvm

import "testing"

// The prelude is installed lazily: a file runs the first time a program
// names what it defines. These tests pin what that must not change.

// A handler that answers text and bytes never loads the streams (the
// largest prelude file, about half of an active instance's heap); its
// globals become own properties of globalThis only once streams.js ran.
func TestTextResponsesDoNotLoadStreams(t *testing.T) {
	in := startModule(t, "mod.js", `
const has = (k) => Object.prototype.hasOwnProperty.call(globalThis, k);
Deno.serve(async (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/bytes") return new Response(new Uint8Array([104, 105]));
  if (path === "/clone") { const r = new Response("a"); const c = r.clone(); return new Response(await c.text() + await r.text()); }
  if (path === "/loaded") return new Response(String(has("ReadableStream")));
  if (path === "/stream") { const b = new Response("x").body; return new Response(String(has("ReadableStream")) + " " + (b instanceof ReadableStream)); }
  return new Response(await req.text() + "|" + (await new Request("https://x.example/", { method: "POST", body: "p" }).text()));
});`, Config{})
	if got := string(serve(t, in, "POST", "https://t.example/", "body").Body); got != "body|p" {
		t.Fatalf("text: %q", got)
	}
	if got := string(serve(t, in, "GET", "https://t.example/bytes", "").Body); got != "hi" {
		t.Fatalf("bytes: %q", got)
	}
	if got := string(serve(t, in, "GET", "https://t.example/clone", "").Body); got != "aa" {
		t.Fatalf("clone: %q", got)
	}
	if got := string(serve(t, in, "GET", "https://t.example/loaded", "").Body); got != "false" {
		t.Fatalf("streams.js was installed by text and byte bodies: ReadableStream is own = %q", got)
	}
	if got := string(serve(t, in, "GET", "https://t.example/stream", "").Body); got != "true true" {
		t.Fatalf("asking for .body must load the streams: %q", got)
	}
}

func TestLazyGlobals(t *testing.T) {
	runJSCases(t, []jsCase{
		{"a name not yet installed is in globalThis", `return ["ReadableStream" in globalThis, typeof URLPattern, typeof globalThis.Blob];`, "true,function,function"},
		{"a global the program assigns first is kept", `globalThis.fetch = () => "mine"; void Request; void Response; return fetch();`, "mine"},
		{"a global the program assigns before its file loads is kept", `globalThis.TextEncoder = 1; void new Response("x").status; return TextEncoder;`, "1"},
		{"the global object is an EventTarget", `let n = 0; addEventListener("x", () => n++); dispatchEvent(new Event("x")); return n;`, "1"},
		{"an unknown name is still a ReferenceError", `try { return notAGlobal; } catch (e) { return e.name; }`, "ReferenceError"},
	})
}
