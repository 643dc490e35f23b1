package jsvm

import "testing"

// RequestInit validation and the attributes Request exposes (Fetch Standard).
func TestRequestInit(t *testing.T) {
	const u = `"https://x.example/"`
	runJSCases(t, []jsCase{
		{"defaults", `const r = new Request(` + u + `);
return [r.mode, r.credentials, r.cache, r.integrity, r.keepalive, r.referrer, r.referrerPolicy, r.destination,
  r.isReloadNavigation, r.isHistoryNavigation, r.duplex, r.redirect].join("|");`,
			"cors|same-origin|default||false|about:client|||false|false|half|follow"},
		{"init values", `const r = new Request(` + u + `, { mode: "same-origin", credentials: "omit", cache: "only-if-cached",
  integrity: "sha256-x", keepalive: true, referrer: "", referrerPolicy: "no-referrer", redirect: "manual" });
return [r.mode, r.credentials, r.cache, r.integrity, r.keepalive, JSON.stringify(r.referrer), r.referrerPolicy, r.redirect].join("|");`,
			`same-origin|omit|only-if-cached|sha256-x|true|""|no-referrer|manual`},
		{"attributes are read-only", `const r = new Request(` + u + `);
try { r.mode = "no-cors"; } catch (e) { return e.name + " " + r.mode; }`, "TypeError cors"},
		{"copied from input request", `const a = new Request(` + u + `, { mode: "same-origin", cache: "no-store" }); const b = new Request(a);
return b.mode + " " + b.cache;`, "same-origin no-store"},
		{"window not null", `new Request(` + u + `, { window: {} });`,
			"throws TypeError: RequestInit: window can only be null (there is no window here)"},
		{"window null", `return new Request(` + u + `, { window: null }).url;`, "https://x.example/"},
		{"mode navigate", `new Request(` + u + `, { mode: "navigate" });`,
			`throws TypeError: RequestInit: mode "navigate" cannot be set by a script`},
		{"bad mode", `new Request(` + u + `, { mode: "BAD" });`,
			`throws TypeError: RequestInit: 'BAD' is not a valid mode (expected one of: "navigate", "same-origin", "no-cors", "cors")`},
		{"bad credentials", `new Request(` + u + `, { credentials: "BAD" });`,
			`throws TypeError: RequestInit: 'BAD' is not a valid credentials (expected one of: "omit", "same-origin", "include")`},
		{"bad cache", `try { new Request(` + u + `, { cache: "BAD" }); } catch (e) { return e.name; }`, "TypeError"},
		{"bad referrerPolicy", `try { new Request(` + u + `, { referrerPolicy: "BAD" }); } catch (e) { return e.name; }`, "TypeError"},
		{"duplex full", `try { new Request(` + u + `, { method: "POST", body: "x", duplex: "full" }); } catch (e) { return e.name; }`, "TypeError"},
		{"invalid referrer", `new Request(` + u + `, { referrer: "http://:not a valid URL" });`,
			`throws TypeError: RequestInit: referrer "http://:not a valid URL" is not a valid URL; pass an absolute URL, "about:client" or ""`},
		{"cross-origin referrer is the client", `return new Request(` + u + `, { referrer: "https://y.example/" }).referrer;`, "about:client"},
		{"no-cors needs a simple method", `new Request(` + u + `, { mode: "no-cors", method: "PUT" });`,
			`throws TypeError: RequestInit: mode "no-cors" allows only the methods GET, HEAD and POST, not PUT`},
		{"only-if-cached needs same-origin", `new Request(` + u + `, { cache: "only-if-cached" });`,
			`throws TypeError: RequestInit: cache "only-if-cached" needs mode "same-origin"`},
		{"init must be an object", `new Request(` + u + `, 5);`,
			"throws TypeError: Request: the second argument (init) must be an object (a RequestInit dictionary) or undefined"},
		{"members read in order", `const seen = []; const init = {};
for (const k of ["window", "signal", "referrerPolicy", "referrer", "redirect", "priority", "mode", "method", "keepalive", "integrity", "headers", "duplex", "credentials", "cache", "body"])
  Object.defineProperty(init, k, { get() { seen.push(k); return undefined; } });
new Request(` + u + `, init); return seen.join(",");`,
			"body,cache,credentials,duplex,headers,integrity,keepalive,method,mode,priority,redirect,referrer,referrerPolicy,signal,window"},
		{"without new", `Request(` + u + `);`, "throws TypeError: Class constructor cannot be invoked without 'new'"},
	})
}

// Constructing a Request from a Request: who gets the body, and when the
// input becomes disturbed.
func TestRequestFromRequestBody(t *testing.T) {
	const post = `new Request("https://x.example/", { method: "POST", body: "in" })`
	runJSCases(t, []jsCase{
		{"init body overrides a used body", `const a = ` + post + `; await a.text(); const b = new Request(a, { body: "new" }); return await b.text();`, "new"},
		{"init body disturbs the input", `const a = ` + post + `; const s = a.body; const b = new Request(a, { body: "new" });
return [a.bodyUsed, a.body === s, b.body !== s, await b.text()].join("|");`, "true|true|true|new"},
		{"moved body is a new stream", `const a = ` + post + `; const s = a.body; const b = new Request(a);
return [a.bodyUsed, a.body === s, b.body !== s, s.locked, await b.text()].join("|");`, "true|true|true|true|in"},
		{"moved buffered body", `const a = ` + post + `; const b = new Request(a); return a.bodyUsed + " " + await b.text() + " " + await a.text().catch((e) => e.name);`,
			"true in TypeError"},
		{"failed construction leaves the input usable", `const a = ` + post + `;
const errs = [];
for (const init of [{ method: "GET" }, { method: "HEAD" }, { method: "CONNECT" }, { mode: "BAD" }]) {
  try { new Request(a, init); } catch (e) { errs.push(e.name); }
}
return errs.join(",") + " " + a.bodyUsed + " " + await a.text();`, "TypeError,TypeError,TypeError,TypeError false in"},
		{"used input without new body", `const a = ` + post + `; await a.text(); new Request(a);`,
			"throws TypeError: Cannot construct a Request from one whose body was already used; clone() it before reading, or pass a new body in init"},
		{"locked input without new body", `const a = ` + post + `; a.body.getReader();
try { new Request(a); } catch (e) { return e.name + " " + await new Request(a, { body: "ok" }).text(); }`, "TypeError ok"},
		{"stream body from a request needs no duplex", `const a = new Request("https://x.example/", { method: "POST", duplex: "half",
  body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("st")); c.close(); } }) });
return await new Request(a).text();`, "st"},
		{"stream init body needs duplex", `new Request("https://x.example/", { method: "POST", body: new ReadableStream() });`,
			`throws TypeError: RequestInit: duplex: "half" is required when the body is a ReadableStream`},
		{"request as init", `const a = ` + post + `; const b = new Request("https://y.example/", a);
return b.method + " " + b.url + " " + await b.text();`, "POST https://y.example/ in"},
		{"clone keeps attributes", `const a = new Request("https://x.example/", { method: "POST", body: "c", mode: "same-origin" }); const b = a.clone();
return [b.mode, await a.text(), await b.text()].join("|");`, "same-origin|c|c"},
	})
}

// The host's incoming requests (built without RequestInit) have the
// default attributes.
func TestRequestIncomingDefaults(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve((req) => new Response([req.mode, req.credentials, req.cache,
  req.referrer, req.duplex, req.keepalive, req.clone().mode].join("|")));`, Config{})
	if got := string(serve(t, in, "GET", "https://test.example/", "").Body); got != "cors|same-origin|default|about:client|half|false|cors" {
		t.Fatalf("got %q", got)
	}
}

func TestRequestNoCorsHeadersGuard(t *testing.T) {
	runJSCases(t, []jsCase{
		{"only safelisted headers", `const r = new Request("https://x.example/", { mode: "no-cors", headers: { accept: "text/plain", "x-custom": "1", range: "bytes=0-" } }); r.headers.set("x-later", "2"); return [...r.headers].join("|");`, "accept,text/plain"},
		{"kept from the input request", `const a = new Request("https://x.example/", { mode: "no-cors" }); const b = new Request(a); b.headers.set("x-custom", "1"); return [b.mode, b.headers.has("x-custom")].join();`, "no-cors,false"},
	})
}
