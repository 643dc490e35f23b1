package jsvm

import "testing"

func TestHeaders(t *testing.T) {
	runJSCases(t, []jsCase{
		{"case-insensitive and combined", `const h = new Headers({ "Content-Type": "text/plain" }); h.append("X-A", "1"); h.append("x-a", " 2 ");
return [h.get("content-type"), h.get("X-A"), h.has("x-A"), String(h.get("missing"))].join("|");`, "text/plain|1, 2|true|null"},
		{"sorted iteration", `const h = new Headers([["b", "2"], ["A", "1"], ["c", "3"]]); return [...h].map((p) => p.join("=")).join("&");`, "a=1&b=2&c=3"},
		{"set-cookie stays separate", `const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2");
return JSON.stringify([h.getSetCookie(), [...h]]);`, `[["a=1","b=2"],[["set-cookie","a=1"],["set-cookie","b=2"]]]`},
		{"set replaces all", `const h = new Headers([["x", "1"], ["x", "2"]]); h.set("X", "3"); return h.get("x");`, "3"},
		{"delete", `const h = new Headers({ x: "1" }); h.delete("X"); return h.has("x");`, "false"},
		{"invalid name", `new Headers({ "bad name": "x" });`, `throws TypeError: Header name is not valid: "bad name"`},
		{"invalid value", `new Headers().set("x", "a\nb");`, `throws TypeError: Header value is not valid for "x"`},
		{"request headers are immutable", `const r = await fetchSelfHeaders(); return r;
async function fetchSelfHeaders() { const req = new Request("https://x.example/"); req.headers.set("a", "b"); return req.headers.get("a"); }`, "b"},
	})
}
