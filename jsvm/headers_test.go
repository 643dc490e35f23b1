package jsvm

import "testing"

func TestHeaders(t *testing.T) {
	runJSCases(t, []jsCase{
		{"case-insensitive and combined", `const h = new Headers({ "Content-Type": "text/plain" }); h.append("X-A", "1"); h.append("x-a", " 2 ");
return [h.get("content-type"), h.get("X-A"), h.has("x-A"), String(h.get("missing"))].join("|");`, "text/plain|1, 2|true|null"},
		{"sorted iteration", `const h = new Headers([["b", "2"], ["A", "1"], ["c", "3"]]); return [...h].map((p) => p.join("=")).join("&");`, "a=1&b=2&c=3"},
		{"set-cookie stays separate", `const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2");
return JSON.stringify([h.getSetCookie(), [...h]]);`, `[["a=1","b=2"],[["set-cookie","a=1"],["set-cookie","b=2"]]]`},
		{"set-cookie sorted among other names", `const h = new Headers([["z", "1"], ["set-cookie", "b"], ["a", "2"], ["set-cookie", "a"]]);
return JSON.stringify([...h]);`, `[["a","2"],["set-cookie","b"],["set-cookie","a"],["z","1"]]`},
		{"set replaces all", `const h = new Headers([["x", "1"], ["x", "2"]]); h.set("X", "3"); return h.get("x");`, "3"},
		{"set keeps the first position", `const h = new Headers([["x", "1"], ["y", "2"], ["x", "3"]]); h.set("x", "4"); h.append("x", "5"); return h.get("x");`, "4, 5"},
		{"delete", `const h = new Headers({ x: "1" }); h.delete("X"); return h.has("x");`, "false"},
		{"value normalised", `const h = new Headers(); h.append("a", " \t\r\nv w\t "); h.set("b", "\n x"); return JSON.stringify([h.get("a"), h.get("b")]);`, `["v w","x"]`},
		{"invalid name", `new Headers({ "bad name": "x" });`, `throws TypeError: Headers constructor: "bad name" is not a valid header name`},
		{"invalid value", `new Headers().set("x", "a\nb");`, `throws TypeError: Headers.set: "a\nb" is not a valid header value`},
		{"NUL value", `new Headers().append("x", "a\0b");`, `throws TypeError: Headers.append: "a\u0000b" is not a valid header value`},
		{"value beyond a byte", `new Headers().append("x", "x\u0100");`, `throws TypeError: Headers.append: "xĀ" is not a valid header value (U+0100 is not a byte)`},
		{"name beyond a byte", `new Headers().get("x\uFFFF");`, "throws TypeError: Headers.get: \"x\uffff\" is not a valid header name (U+FFFF is not a byte)"},
		{"latin-1 value allowed", `const h = new Headers(); h.set("x", "caf\u00e9"); return h.get("x").charCodeAt(3);`, "233"},
		{"null init", `new Headers(null);`, `throws TypeError: Headers constructor: init must be an object (a record or an iterable of pairs), got null`},
		{"number init", `new Headers(1);`, `throws TypeError: Headers constructor: init must be an object (a record or an iterable of pairs), got number`},
		{"pair of three", `new Headers([["a", "b", "c"]]);`, `throws TypeError: Headers constructor: each header init pair must have exactly two elements, got 3`},
		{"pair not iterable", `new Headers([{ 0: "a", 1: "b", length: 2 }]);`, `throws TypeError: Headers constructor: each header init pair must be an iterable`},
		{"custom iterators", `const pair = { *[Symbol.iterator]() { yield "a"; yield "b"; } };
const h = new Headers({ *[Symbol.iterator]() { yield pair; yield new Set(["c", "d"]); } }); return JSON.stringify([...h]);`, `[["a","b"],["c","d"]]`},
		{"headers with custom iterator", `const h = new Headers({ a: "1" }); h[Symbol.iterator] = function* () { yield ["b", "2"]; };
return JSON.stringify([...new Headers(h).keys()]);`, `["b"]`},
		{"copy is independent", `const h = new Headers([["a", "1"], ["a", "2"]]); const c = new Headers(h); c.set("a", "3"); c.append("b", "4");
return JSON.stringify([[...h], [...c]]);`, `[[["a","1, 2"]],[["a","3"],["b","4"]]]`},
		{"record: enumerable own string keys only", `const proto = { p: "x" }; const o = Object.create(proto, { a: { value: "1", enumerable: true }, h: { value: "2", enumerable: false } });
o[Symbol("s")] = "3"; Object.defineProperty(o, Symbol("t"), { value: "4", enumerable: false });
try { new Headers(o); } catch (e) { return e.message; }`, "Headers constructor: a Symbol cannot be a header name"},
		{"record conversion order", `const log = []; const target = { a: { toString() { log.push("toString a"); return "1"; } }, b: "2" };
const p = new Proxy(target, { ownKeys(t) { log.push("ownKeys"); return Reflect.ownKeys(t); },
  getOwnPropertyDescriptor(t, k) { log.push("gopd " + String(k)); return Reflect.getOwnPropertyDescriptor(t, k); },
  get(t, k, r) { log.push("get " + String(k)); return Reflect.get(t, k, r); },
  getPrototypeOf(t) { log.push("getPrototypeOf"); return Reflect.getPrototypeOf(t); } });
new Headers(p); return log.join(", ");`, "get Symbol(Symbol.iterator), ownKeys, gopd a, get a, toString a, gopd b, get b"},
		{"iterator prototype", `const h = new Headers({ a: "1" }); const it = h.keys(); const proto = Object.getPrototypeOf(it);
const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
const d = Object.getOwnPropertyDescriptor(proto, "next");
return [Object.getPrototypeOf(proto) === iterProto, proto === Object.getPrototypeOf(h.entries()), d.enumerable, d.writable, d.configurable,
  Object.prototype.toString.call(it), Object.prototype.hasOwnProperty.call(proto, "constructor"), h[Symbol.iterator] === h.entries, it[Symbol.iterator]() === it].join(",");`,
			"true,true,true,true,true,[object Headers Iterator],false,true,true"},
		{"iterator kinds", `const h = new Headers({ b: "2", a: "1" });
return JSON.stringify([h.keys().next(), h.values().next(), h.entries().next(), [...h.values()]]);`,
			`[{"value":"a","done":false},{"value":"1","done":false},{"value":["a","1"],"done":false},["1","2"]]`},
		{"next on a foreign object", `const next = Object.getPrototypeOf(new Headers().keys()).next; next.call({});`,
			"throws TypeError: Headers Iterator.next: called on an object that is not a Headers iterator"},
		{"live iteration", `const h = new Headers({ foo: "2", baz: "1", BAR: "0", quux: "3" }); const seen = [];
for (const [k] of h) { seen.push(k); if (k === "baz") { h.append("abc", "-1"); h.append("x-yz", "4"); h.delete("quux"); } }
return seen.join(",");`, "bar,baz,baz,foo,x-yz"},
		{"live forEach", `const h = new Headers({ b: "1", c: "2" }); const seen = [];
h.forEach(function (v, k, o) { seen.push(k + "=" + v + (o === h) + this.tag); if (k === "b") h.append("d", "3"); }, { tag: "!" });
return seen.join(",");`, "b=1true!,c=2true!,d=3true!"},
		{"forEach needs a function", `new Headers().forEach(1);`, "throws TypeError: Headers.forEach: the callback is not a function"},
		{"returned pairs are copies", `const h = new Headers({ a: "1" }); const [p] = h; p[1] = "x"; return JSON.stringify([...h]);`, `[["a","1"]]`},
		{"request headers are mutable", `const req = new Request("https://x.example/"); req.headers.set("a", "b"); return req.headers.get("a");`, "b"},
		{"Response.error headers are immutable", `Response.error().headers.set("a", "b");`, "throws TypeError: Headers.set: the headers are immutable"},
		{"Response set-cookie allowed", `const r = new Response("x", { headers: { "set-cookie": "a=1" } }); r.headers.append("Set-Cookie", "b=2");
return r.headers.getSetCookie().join(";");`, "a=1;b=2"},
	})
}

func TestHeadersInternalHooks(t *testing.T) {
	runInternalJSCases(t, []jsCase{
		{"headersFromPairs", `const pairs = [["b", "1"], ["a", "2"], ["b", "3"]]; const h = internal.headersFromPairs(pairs, "immutable");
let err = ""; try { h.append("c", "4"); } catch (e) { err = e.message; }
return [JSON.stringify([...h]), internal.headerPairs(h) === pairs, h[internal.headersGuard], err].join("|");`,
			`[["a","2"],["b","1, 3"]]|true|immutable|Headers.append: the headers are immutable`},
		{"guard can only be tightened through the symbol", `const h = new Headers(); h[internal.headersGuard] = "immutable";
try { h[internal.headersGuard] = "none"; } catch (e) { return e.message + " " + h[internal.headersGuard]; }`,
			`Headers: cannot set guard "none" this way immutable`},
		{"setHeadersGuard", `const h = internal.headersFromPairs([["a", "1"]], "immutable"); internal.setHeadersGuard(h, "none"); h.append("b", "2"); return h.get("b");`, "2"},
		{"no-cors filters names and values", `const h = internal.newHeaders({ accept: "text/html", "x-custom": "1", range: "bytes=0-1", "content-type": "text/html" }, "request-no-cors");
h.append("accept-language", "en-US"); h.append("content-language", "@"); h.set("content-type", "text/plain; charset=utf-8"); h.set("authorization", "x");
return JSON.stringify([...h]);`, `[["accept","text/html"],["accept-language","en-US"],["content-type","text/plain; charset=utf-8"]]`},
		{"no-cors combined value limit", `const h = internal.newHeaders(undefined, "request-no-cors"); const long = "s".repeat(127);
h.append("accept", long); h.append("accept", ""); h.append("accept", long); return h.get("accept").length;`, "127"},
		{"no-cors delete only safelisted names", `const h = internal.newHeaders(new Headers({ accept: "a" }), "request-no-cors"); h.delete("x-other"); h.delete("accept"); return h.has("accept");`, "false"},
		{"no-cors content-type essence", `const h = internal.newHeaders(undefined, "request-no-cors");
return ["text/plain", " Multipart/Form-Data ; boundary=x", "application/x-www-form-urlencoded", "text/html", "text/", "text/plain\u0001", "text/plain;a=\"b\""]
  .map((v) => { h.delete("content-type"); h.set("content-type", v); return h.has("content-type"); }).join(",");`, "true,true,true,false,false,false,false"},
	})
}
