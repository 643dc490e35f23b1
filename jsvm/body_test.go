package jsvm

import "testing"

func TestRequestAndResponse(t *testing.T) {
	runJSCases(t, []jsCase{
		{"response defaults", `const r = new Response("hi"); return [r.status, r.ok, r.statusText, r.headers.get("content-type"), await r.text()].join("|");`,
			"200|true||text/plain;charset=UTF-8|hi"},
		{"number body", `return await new Response(42).text();`, "42"},
		// body.js makes its regular expressions and TextEncoder on first use;
		// these are the paths that use them.
		{"text of a string body replaces lone surrogates", `return [await new Response("a\uD800b").text(), await new Request("https://x.example/", { method: "POST", body: "\uDC00" }).text()].map((s) => Array.from(s, (c) => c.charCodeAt(0).toString(16)).join(" ")).join("|");`,
			"61 fffd 62|fffd"},
		{"bytes of a string body", `return Array.from(await new Response("é").bytes()).join(",");`, "195,169"},
		{"bad statusText and method", `const t = (f) => { try { f(); return "ok"; } catch (e) { return e.name; } }; return [t(() => new Response("", { statusText: "a\nb" })), t(() => new Request("https://x.example/", { method: "GE T" })), new Request("https://x.example/", { method: "patch" }).method].join("|");`,
			"TypeError|TypeError|patch"},
		{"null body", `const r = new Response(null, { status: 204 }); return [r.status, await r.text()].join("|");`, "204|"},
		{"body used once", `const r = new Response("x"); await r.text(); return r.bodyUsed + " " + await r.text().catch((e) => e.name);`, "true TypeError"},
		{"clone", `const r = new Response("x"); const c = r.clone(); return await r.text() + await c.text();`, "xx"},
		{"json", `const r = Response.json({ a: [1] }, { status: 201 }); return r.status + " " + r.headers.get("content-type") + " " + JSON.stringify(await r.json());`,
			`201 application/json {"a":[1]}`},
		{"redirect", `const r = Response.redirect("https://x.example/a", 301); return r.status + " " + r.headers.get("location");`, "301 https://x.example/a"},
		{"redirect bad status", `Response.redirect("https://x.example/", 200);`, "throws RangeError: Invalid redirect status code: 200"},
		{"error", `const r = Response.error(); return r.type + " " + r.status;`, "error 0"},
		{"status out of range", `new Response("x", { status: 99 });`, "throws RangeError: The status provided (99) is outside the range [200, 599]"},
		{"null-body status with body", `new Response("x", { status: 204 });`, "throws TypeError: Response with null body status (204) cannot have body"},
		{"bytes and arrayBuffer", `const r = new Response(new Uint8Array([104, 105])); const c = r.clone(); return new TextDecoder().decode(await r.arrayBuffer()) + (await c.bytes()).length;`, "hi2"},
		{"request", `const q = new Request("https://x.example/p", { method: "post", body: "b", headers: { "x-a": "1" } });
return [q.method, q.url, q.headers.get("x-a"), q.headers.get("content-type"), await q.text()].join("|");`, "POST|https://x.example/p|1|text/plain;charset=UTF-8|b"},
		{"request GET with body", `new Request("https://x.example/", { body: "x" });`, "throws TypeError: Request with GET/HEAD method cannot have body"},
		{"request relative URL", `new Request("/relative");`, "throws TypeError: Invalid URL: '/relative'"},
		{"request from request", `const a = new Request("https://x.example/", { method: "PUT", body: "z" }); const b = new Request(a, { headers: { y: "2" } });
return b.method + " " + b.headers.get("y") + " " + await b.text();`, "PUT 2 z"},
		{"URLSearchParams body", `const r = new Request("https://x.example/", { method: "POST", body: new URLSearchParams({ a: "1 2" }) });
return r.headers.get("content-type") + " " + await r.text();`, "application/x-www-form-urlencoded;charset=UTF-8 a=1+2"},
	})
}
