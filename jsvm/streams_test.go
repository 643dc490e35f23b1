package jsvm

import "testing"

// evalJSInternal is evalJS with the prelude's internal object reachable as
// globalThis.__internal, for testing the hooks other prelude files use.
func evalJSInternal(t *testing.T, body string) string {
	t.Helper()
	src := "Deno.serve(async () => {\n  try {\n    const internal = globalThis.__internal;\n    const v = await (async () => {\n" + body +
		"\n    })();\n    return new Response(String(v));\n  } catch (e) {\n    return new Response(\"throws \" + e.name + \": \" + e.message);\n  }\n});\n"
	in := startModule(t, "mod.js", src, Config{})
	done := make(chan struct{})
	in.post(func() {
		_ = in.vm.Set("__internal", in.internal)
		close(done)
	})
	<-done
	return string(serve(t, in, "GET", "https://test.example/", "").Body)
}

// A helper prepended to cases: reads a stream to an array.
const collect = `
async function collect(rs) {
  const r = rs.getReader(); const out = [];
  for (;;) { const {value, done} = await r.read(); if (done) break; out.push(value); }
  return out;
}
const tick = () => new Promise((r) => setTimeout(r, 0));
`

func streamCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for i := range cases {
		cases[i].body = collect + cases[i].body
	}
	runJSCases(t, cases)
}

func TestStreamsReadable(t *testing.T) {
	streamCases(t, []jsCase{
		{"read chunks", `
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
return (await collect(rs)).join() + " " + Object.prototype.toString.call(rs);`, "1,2 [object ReadableStream]"},
		{"globals and prototypes", `
const names = ["ReadableStream","ReadableStreamDefaultReader","ReadableStreamDefaultController","WritableStream",
  "WritableStreamDefaultWriter","WritableStreamDefaultController","TransformStream","TransformStreamDefaultController",
  "CountQueuingStrategy","ByteLengthQueuingStrategy","ReadableByteStreamController","ReadableStreamBYOBReader","ReadableStreamBYOBRequest"];
const bad = names.filter((n) => typeof globalThis[n] !== "function" || Object.getOwnPropertyDescriptor(globalThis, n).enumerable);
const d = Object.getOwnPropertyDescriptor(ReadableStream.prototype, "getReader");
return bad.join() + "|" + d.enumerable + "|" + Object.keys(globalThis).includes("ReadableStream") + "|" +
  (ReadableStream.prototype[Symbol.asyncIterator] === ReadableStream.prototype.values);`, "|true|false|true"},
		{"pull on demand", `
let n = 0;
const rs = new ReadableStream({ pull(c) { n++; if (n > 3) c.close(); else c.enqueue(n); } }, { highWaterMark: 0 });
await tick();
const before = n;
const out = await collect(rs);
return before + ":" + out.join();`, "0:1,2,3"},
		{"pull fills to highWaterMark", `
let pulls = 0;
const rs = new ReadableStream({ pull(c) { pulls++; c.enqueue("x"); } }, { highWaterMark: 3 });
await tick();
return pulls;`, "3"},
		{"desiredSize and strategy size", `
let ctrl;
const rs = new ReadableStream({ start(c) { ctrl = c; } }, { highWaterMark: 10, size(ch) { return ch.length; } });
const a = ctrl.desiredSize; ctrl.enqueue("abcd"); const b = ctrl.desiredSize;
ctrl.close(); const r = rs.getReader(); await r.read(); 
return [a, b, ctrl.desiredSize].join();`, "10,6,0"},
		{"error rejects reads and closed", `
const err = new Error("boom");
const rs = new ReadableStream({ start(c) { c.error(err); } });
const r = rs.getReader();
const e1 = await r.read().catch((e) => e);
const e2 = await r.closed.catch((e) => e);
return (e1 === err) + " " + (e2 === err);`, "true true"},
		{"start rejection errors", `
const rs = new ReadableStream({ start() { return Promise.reject(new TypeError("nope")); } });
return rs.getReader().read().catch((e) => e.name + ":" + e.message);`, "TypeError:nope"},
		{"cancel calls source and closes", `
let reason;
const rs = new ReadableStream({ start(c) { c.enqueue(1); }, cancel(r) { reason = r; } });
const r = rs.getReader();
const v = await r.cancel("why");
const res = await r.read();
return [v, reason, res.done, await r.closed].join();`, ",why,true,"},
		{"locked and release", `
const rs = new ReadableStream();
const r = rs.getReader();
let threw = ""; try { rs.getReader(); } catch (e) { threw = e.name; }
const l1 = rs.locked;
const pending = r.read();
r.releaseLock();
const e = await pending.catch((e) => e.name);
const c = await r.closed.catch((e) => e.name);
return [l1, threw, rs.locked, e, c, await rs.cancel().then(() => "ok")].join();`, "true,TypeError,false,TypeError,TypeError,ok"},
		{"constructor validation", `
const out = [];
for (const f of [() => new ReadableStream(null), () => new ReadableStream({ type: "nope" }), () => new ReadableStream({ pull: 1 }),
  () => new ReadableStream({}, { highWaterMark: -1 }), () => new ReadableStream({}, { size: 1 }), () => new ReadableStream({}, 5),
  () => ReadableStreamDefaultController(), () => new ReadableStreamDefaultController(), () => new ReadableStream().getReader({ mode: "x" })]) {
  try { f(); out.push("ok"); } catch (e) { out.push(e.name); }
}
return out.join();`, "TypeError,TypeError,TypeError,RangeError,TypeError,TypeError,TypeError,TypeError,TypeError"},
		{"close then enqueue throws", `
let ctrl; new ReadableStream({ start(c) { ctrl = c; } });
ctrl.close();
try { ctrl.enqueue(1); } catch (e) { return e.name; }`, "TypeError"},
		{"size throwing errors the stream", `
let ctrl; const rs = new ReadableStream({ start(c) { ctrl = c; } }, { size() { throw new RangeError("sz"); } });
let t; try { ctrl.enqueue(1); } catch (e) { t = e.message; }
return t + " " + await rs.getReader().closed.catch((e) => e.message);`, "sz sz"},
		{"async iteration", `
const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
const out = [];
for await (const v of rs) out.push(v);
return out.join() + " " + rs.locked;`, "a,b false"},
		{"async iteration break cancels", `
let canceled = false;
const rs = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel() { canceled = true; } });
for await (const v of rs) break;
return canceled + " " + rs.locked;`, "true false"},
		{"values preventCancel", `
let canceled = false;
const rs = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel() { canceled = true; } });
for await (const v of rs.values({ preventCancel: true })) break;
const r = rs.getReader();
return canceled + " " + (await r.read()).value;`, "false 1"},
		{"async iterator shape", `
const it = new ReadableStream().values();
const proto = Object.getPrototypeOf(it);
return [typeof it.next, typeof it.return, it[Symbol.asyncIterator]() === it, Object.prototype.toString.call(it)].join();`,
			"function,function,true,[object ReadableStream AsyncIterator]"},
		{"async iteration error", `
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.error(new Error("bad")); } });
try { for await (const v of rs) {} } catch (e) { return e.message + " " + rs.locked; }`, "bad false"},
		{"from iterable", `
return (await collect(ReadableStream.from([1, Promise.resolve(2), 3]))).join();`, "1,2,3"},
		{"from async generator-like", `
const it = { i: 0, [Symbol.asyncIterator]() { return this; }, next() { return Promise.resolve(this.i < 3 ? { value: this.i++, done: false } : { done: true }); } };
return (await collect(ReadableStream.from(it))).join();`, "0,1,2"},
		{"from cancel calls return", `
let returned;
const it = { [Symbol.iterator]() { return this; }, next() { return { value: 1, done: false }; }, return(r) { returned = r; return {}; } };
const rs = ReadableStream.from(it);
await rs.cancel("stop");
return returned;`, "stop"},
		{"from non-iterable", `try { ReadableStream.from(5); } catch (e) { return e.name; }`, "TypeError"},
		{"tee", `
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
const [a, b] = rs.tee();
const [x, y] = await Promise.all([collect(a), collect(b)]);
return x.join() + "|" + y.join() + "|" + rs.locked;`, "1,2|1,2|true"},
		{"tee cancel both", `
let reason;
const rs = new ReadableStream({ cancel(r) { reason = r; } });
const [a, b] = rs.tee();
a.cancel("x"); await b.cancel("y");
return JSON.stringify(reason);`, `["x","y"]`},
		{"tee error", `
let ctrl;
const rs = new ReadableStream({ start(c) { ctrl = c; } });
const [a, b] = rs.tee();
ctrl.error(new Error("e"));
const r = await Promise.all([a.getReader().closed.catch((e) => e.message), b.getReader().closed.catch((e) => e.message)]);
return r.join();`, "e,e"},
		{"many chunks", `
const N = 5000;
const rs = new ReadableStream({ start(c) { for (let i = 0; i < N; i++) c.enqueue(i); c.close(); } });
let sum = 0;
for await (const v of rs) sum += v;
return sum;`, "12497500"},
		{"then injection does not affect internal reads", `
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } });
const it = rs.values();
const r = await it.next();
return r.value + " " + r.done;`, "1 false"},
	})
}

func TestStreamsWritable(t *testing.T) {
	streamCases(t, []jsCase{
		{"write and close", `
const got = [];
let closed = false;
const ws = new WritableStream({ write(c) { got.push(c); }, close() { closed = true; } });
const w = ws.getWriter();
await w.write("a"); await w.write("b"); await w.close();
await w.closed;
return got.join() + " " + closed + " " + Object.prototype.toString.call(ws);`, "a,b true [object WritableStream]"},
		{"backpressure", `
let resolveWrite;
const ws = new WritableStream({ write() { return new Promise((r) => { resolveWrite = r; }); } }, { highWaterMark: 2 });
const w = ws.getWriter();
await tick();
const s = [w.desiredSize];
w.write(1); s.push(w.desiredSize);
w.write(2); s.push(w.desiredSize);
let ready = false; w.ready.then(() => { ready = true; });
w.write(3); s.push(w.desiredSize);
await tick(); s.push(ready);
resolveWrite(); await tick(); resolveWrite(); await tick();
s.push(ready, w.desiredSize);
return s.join();`, "2,1,0,-1,false,true,1"},
		{"write rejection errors the stream", `
const ws = new WritableStream({ write() { throw new Error("wf"); } });
const w = ws.getWriter();
const e1 = await w.write(1).catch((e) => e.message);
const e2 = await w.closed.catch((e) => e.message);
const e3 = await w.write(2).catch((e) => e.message);
return [e1, e2, e3].join();`, "wf,wf,wf"},
		{"abort", `
let reason;
const ws = new WritableStream({ abort(r) { reason = r; } });
const w = ws.getWriter();
await w.abort("stop");
const e = await w.closed.catch((e) => e);
return reason + " " + e + " " + await w.write(1).catch((e) => e);`, "stop stop stop"},
		{"abort waits for in-flight write", `
const log = [];
let resolveWrite;
const ws = new WritableStream({ write() { log.push("write"); return new Promise((r) => { resolveWrite = r; }); }, abort() { log.push("abort"); } });
const w = ws.getWriter();
w.write(1).then(() => log.push("written"));
await tick();
const p = w.abort("x").then(() => log.push("aborted"));
await tick(); log.push("tick");
resolveWrite(); await p;
return log.join();`, "write,tick,abort,written,aborted"},
		{"close locked rejects, releaseLock", `
const ws = new WritableStream();
const w = ws.getWriter();
const e = await ws.close().catch((e) => e.name);
w.releaseLock();
const c = await w.closed.catch((e) => e.name);
let dz; try { w.desiredSize; } catch (x) { dz = x.name; }
await ws.close();
return [e, c, dz, ws.locked].join();`, "TypeError,TypeError,TypeError,false"},
		{"controller error", `
let ctrl;
const ws = new WritableStream({ start(c) { ctrl = c; } });
const w = ws.getWriter();
ctrl.error(new Error("ce"));
return await w.closed.catch((e) => e.message) + " " + w.desiredSize;`, "ce null"},
		{"type must be undefined", `try { new WritableStream({ type: "bytes" }); } catch (e) { return e.name; }`, "RangeError"},
		{"strategies", `
const c = new CountQueuingStrategy({ highWaterMark: 4 });
const b = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
let t; try { new CountQueuingStrategy({}); } catch (e) { t = e.name; }
return [c.highWaterMark, c.size(), c.size.name, b.highWaterMark, b.size(new Uint8Array(5)), t, Object.prototype.toString.call(b),
  c.size === new CountQueuingStrategy({ highWaterMark: 1 }).size].join();`, "4,1,size,16,5,TypeError,[object ByteLengthQueuingStrategy],true"},
		{"start error", `
const ws = new WritableStream({ start() { throw new Error("s"); } });
return "no";`, "throws Error: s"},
	})
}

func TestStreamsTransformAndPipe(t *testing.T) {
	streamCases(t, []jsCase{
		{"identity transform", `
const ts = new TransformStream();
const w = ts.writable.getWriter();
w.write("a"); w.write("b"); w.close();
return (await collect(ts.readable)).join();`, "a,b"},
		{"upper-case transform with flush", `
const ts = new TransformStream({ transform(ch, c) { c.enqueue(ch.toUpperCase()); }, flush(c) { c.enqueue("!"); } });
const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
return (await collect(rs.pipeThrough(ts))).join("");`, "AB!"},
		{"transform error propagates", `
const ts = new TransformStream({ transform() { throw new Error("te"); } });
const w = ts.writable.getWriter();
// The write waits for the readable side to want data (its highWaterMark is 0).
const [e1, e2] = await Promise.all([w.write(1).catch((e) => e.message), ts.readable.getReader().read().catch((e) => e.message)]);
return e1 + " " + e2;`, "te te"},
		{"terminate", `
const ts = new TransformStream({ transform(ch, c) { c.enqueue(ch); c.terminate(); } });
const w = ts.writable.getWriter();
w.write(1).catch(() => {});
const out = await collect(ts.readable);
return out.join() + " " + await w.closed.catch((e) => e.name);`, "1 TypeError"},
		{"readable cancel aborts writable and calls cancel", `
let reason;
const ts = new TransformStream({ cancel(r) { reason = r; } });
await ts.readable.cancel("rc");
const e = await ts.writable.getWriter().closed.catch((e) => e);
return reason + " " + e;`, "rc rc"},
		{"transform backpressure", `
const ts = new TransformStream({}, undefined, { highWaterMark: 1 });
const w = ts.writable.getWriter();
await tick();
const s = [w.desiredSize];
w.write(1); await tick(); s.push(w.desiredSize);
w.write(2); await tick(); s.push(w.desiredSize);
return s.join();`, "1,1,0"},
		{"pipeTo", `
const got = [];
const rs = new ReadableStream({ start(c) { for (let i = 0; i < 5; i++) c.enqueue(i); c.close(); } });
let closed = false;
await rs.pipeTo(new WritableStream({ write(c) { got.push(c); }, close() { closed = true; } }));
return got.join() + " " + closed + " " + rs.locked;`, "0,1,2,3,4 true false"},
		{"pipeTo many chunks through transforms", `
const N = 3000;
let i = 0;
const rs = new ReadableStream({ pull(c) { if (i < N) c.enqueue(i++); else c.close(); } });
let sum = 0;
await rs.pipeThrough(new TransformStream({ transform(ch, c) { c.enqueue(ch * 2); } }))
  .pipeThrough(new TransformStream())
  .pipeTo(new WritableStream({ write(c) { sum += c; } }));
return sum;`, "8997000"},
		{"pipeTo source error aborts dest", `
let abortReason;
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.error(new Error("src")); } });
const e = await rs.pipeTo(new WritableStream({ abort(r) { abortReason = r.message; } })).catch((e) => e.message);
return e + " " + abortReason;`, "src src"},
		{"pipeTo preventAbort", `
let aborted = false;
const rs = new ReadableStream({ start(c) { c.error(new Error("src")); } });
const ws = new WritableStream({ abort() { aborted = true; } });
const e = await rs.pipeTo(ws, { preventAbort: true }).catch((e) => e.message);
return e + " " + aborted + " " + ws.locked;`, "src false false"},
		{"pipeTo dest error cancels source", `
let cancelReason;
const rs = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel(r) { cancelReason = r.message; } });
const e = await rs.pipeTo(new WritableStream({ write() { throw new Error("dst"); } })).catch((e) => e.message);
return e + " " + cancelReason;`, "dst dst"},
		{"pipeTo preventClose", `
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } });
const ws = new WritableStream();
await rs.pipeTo(ws, { preventClose: true });
const w = ws.getWriter();
await w.write(2);
return "open";`, "open"},
		{"pipeTo to closed dest", `
const ws = new WritableStream(); await ws.close();
let canceled;
const rs = new ReadableStream({ cancel(r) { canceled = r.name; } });
const e = await rs.pipeTo(ws).catch((e) => e.name);
return e + " " + canceled;`, "TypeError TypeError"},
		{"pipeTo locked rejects", `
const rs = new ReadableStream(); rs.getReader();
return rs.pipeTo(new WritableStream()).catch((e) => e.name);`, "TypeError"},
		{"pipeTo bad dest rejects", `return new ReadableStream().pipeTo({}).catch((e) => e.name);`, "TypeError"},
		{"pipeTo disturbs synchronously", `
const rs = new ReadableStream();
rs.pipeTo(new WritableStream({}, { highWaterMark: 0 }));
return rs.locked;`, "true"},
		{"pipeTo with signal", `
// abort.js is written in another branch: use the real AbortController when
// it exists, else a minimal stand-in defined only for this test.
class Sig { aborted = false; reason; #l = []; addEventListener(t, f) { this.#l.push(f); } removeEventListener(t, f) { this.#l = this.#l.filter((x) => x !== f); }
  abort(r) { this.aborted = true; this.reason = r; for (const f of this.#l) f(); } }
const ac = typeof AbortController === "function" ? new AbortController() : null;
const sig = ac ? ac.signal : new Sig();
const abort = (r) => (ac ? ac.abort(r) : sig.abort(r));
let canceled, aborted;
const got = [];
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); }, cancel(r) { canceled = r; } });
const ws = new WritableStream({ write(c) { got.push(c); }, abort(r) { aborted = r; } });
const p = rs.pipeTo(ws, { signal: sig });
await tick();
abort("sigr");
const e = await p.catch((e) => e);
return [got.join(""), e, canceled, aborted, rs.locked, ws.locked].join();`, "12,sigr,sigr,sigr,false,false"},
		{"pipeTo already aborted signal", `
const sig = typeof AbortSignal === "function" && typeof AbortSignal.abort === "function" ? AbortSignal.abort("early")
  : { aborted: true, reason: "early", addEventListener() {}, removeEventListener() {} }; // stand-in until abort.js lands
const e = await new ReadableStream().pipeTo(new WritableStream(), { signal: sig, preventCancel: true }).catch((e) => e);
return e;`, "early"},
		{"pipeTo rejects a non-signal", `return new ReadableStream().pipeTo(new WritableStream(), { signal: {} }).catch((e) => e.name);`, "TypeError"},
		{"pipeThrough returns readable", `
const ts = new TransformStream();
const rs = new ReadableStream();
return rs.pipeThrough(ts) === ts.readable;`, "true"},
		{"pipeThrough bad argument", `try { new ReadableStream().pipeThrough({ readable: 1, writable: 2 }); } catch (e) { return e.name; }`, "TypeError"},
	})
}

func TestStreamsInternalHooks(t *testing.T) {
	cases := []jsCase{
		{"readAllBytes", `
let ctrl;
const rs = new ReadableStream({ start(c) { ctrl = c; c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); } });
const d0 = internal.isDisturbed(rs);
const p = internal.readAllBytes(rs);
const locked = internal.isLocked(rs);
ctrl.close();
const u8 = await p;
return [internal.isReadableStream(rs), internal.isReadableStream({}), d0, internal.isDisturbed(rs), locked, u8 instanceof Uint8Array, Array.from(u8).join("")].join();`,
			"true,false,false,true,true,true,123"},
		{"readAllBytes bad chunk", `
let canceled = false;
const rs = new ReadableStream({ start(c) { c.enqueue("str"); }, cancel() { canceled = true; } });
const e = await internal.readAllBytes(rs).catch((e) => e.name + ": " + e.message);
return e + " " + canceled;`, "TypeError: a ReadableStream body must yield Uint8Array chunks true"},
		{"readAllBytes limit", `
const rs = new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(10)); } });
return internal.readAllBytes(rs, 25).catch((e) => e.name);`, "RangeError"},
		{"readAllBytes error", `
const rs = new ReadableStream({ start(c) { c.error(new Error("x")); } });
return internal.readAllBytes(rs).catch((e) => e.message);`, "x"},
		{"readAllBytes ignores Object.prototype.then", `
const rs = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } });
Object.prototype.then = (f) => { delete Object.prototype.then; f({ done: false, value: new Uint8Array([1]) }); };
const text = await new Promise((res, rej) => internal.readAllBytesThen(rs, undefined, (u8) => res(new TextDecoder().decode(u8)), rej));
delete Object.prototype.then;
return text;`, "hi"},
		{"streamFromBytes", `
const rs = internal.streamFromBytes(new Uint8Array([7, 8]));
const r = rs.getReader();
const a = await r.read(); const b = await r.read();
const e = internal.streamFromBytes(new Uint8Array(0)).getReader();
return [Array.from(a.value).join(""), b.done, (await e.read()).done].join();`, "78,true,true"},
		{"inspect", `
const rs = new ReadableStream(); rs.getReader();
return internal.inspect(rs) + " " + internal.inspect(new WritableStream());`, "ReadableStream { locked: true } WritableStream { locked: false }"},
		{"markDisturbed", `
const rs = new ReadableStream(); internal.markDisturbed(rs); return internal.isDisturbed(rs);`, "true"},
		{"newHostStream", `
let n = 0, reason;
const rs = internal.newHostStream({ pull(c) { n++; if (n > 2) c.close(); else c.enqueue(new Uint8Array([n])); }, cancel(r) { reason = r; } });
await tick();
const before = n;
const bytes = await internal.readAllBytes(rs);
const rs2 = internal.newHostStream({ pull(c) { return new Promise(() => {}); }, cancel(r) { reason = r; } });
const rd = rs2.getReader(); rd.read(); await rd.cancel("gone");
return before + ":" + Array.from(bytes).join("") + ":" + reason;`, "0:12:gone"},
		{"streamReader", `
const rs = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } });
const r = internal.streamReader(rs);
Object.prototype.then = (f) => { delete Object.prototype.then; f({ done: true }); };
const a = await r.read();
delete Object.prototype.then;
const b = await r.read();
r.releaseLock();
return [a.done, a.value, b.done, rs.locked].join();`, "false,1,true,false"},
	}
	for i := range cases {
		cases[i].body = collect + cases[i].body
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evalJSInternal(t, c.body); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestStreamsBytes(t *testing.T) {
	streamCases(t, []jsCase{
		{"default reader on byte stream", `
const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3])); c.close(); } });
const out = await collect(rs);
return out.length + " " + (out[0] instanceof Uint8Array) + " " + Array.from(out[0]).join("");`, "1 true 123"},
		{"enqueue copies the chunk", `
const src = new Uint8Array([1, 2]);
let ctrl; const rs = new ReadableStream({ type: "bytes", start(c) { ctrl = c; } });
ctrl.enqueue(src); src[0] = 9;
const { value } = await rs.getReader().read();
return Array.from(value).join("");`, "12"},
		{"byob read from queue", `
const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3, 4, 5])); c.close(); } });
const r = rs.getReader({ mode: "byob" });
const a = await r.read(new Uint8Array(2));
const b = await r.read(new Uint8Array(8));
const c = await r.read(new Uint8Array(8));
return [Array.from(a.value).join(""), Array.from(b.value).join(""), c.done, c.value.length, Object.prototype.toString.call(r)].join();`,
			"12,345,true,0,[object ReadableStreamBYOBReader]"},
		{"byob request respond", `
const rs = new ReadableStream({ type: "bytes", pull(c) {
  const req = c.byobRequest; const v = req.view; v[0] = 42; v[1] = 43; req.respond(2);
} });
const r = rs.getReader({ mode: "byob" });
const { value, done } = await r.read(new Uint8Array(4));
return Array.from(value).join() + " " + done + " " + value.constructor.name;`, "42,43 false Uint8Array"},
		{"byob min and Uint16Array", `
let n = 0;
const rs = new ReadableStream({ type: "bytes", pull(c) { n++; c.enqueue(new Uint8Array([n, 0, n])); } });
const r = rs.getReader({ mode: "byob" });
const { value } = await r.read(new Uint16Array(3), { min: 3 });
return value.constructor.name + " " + Array.from(value).join() + " " + n;`, "Uint16Array 1,513,512 2"},
		{"autoAllocateChunkSize", `
const rs = new ReadableStream({ type: "bytes", autoAllocateChunkSize: 4, pull(c) {
  const v = c.byobRequest.view; v.set([5, 6]); c.byobRequest.respond(2); c.close();
} });
const out = await collect(rs);
return out.map((u) => Array.from(u).join("")).join("|");`, "56"},
		{"byob reader needs byte stream", `try { new ReadableStream().getReader({ mode: "byob" }); } catch (e) { return e.name; }`, "TypeError"},
		{"byte stream validation", `
const out = [];
for (const f of [() => new ReadableStream({ type: "bytes" }, { size() { return 1; } }), () => new ReadableStream({ type: "bytes", autoAllocateChunkSize: 0 })]) {
  try { f(); out.push("ok"); } catch (e) { out.push(e.name); }
}
let ctrl; new ReadableStream({ type: "bytes", start(c) { ctrl = c; } });
try { ctrl.enqueue("x"); } catch (e) { out.push(e.name); }
try { ctrl.enqueue(new Uint8Array(0)); } catch (e) { out.push(e.name); }
return out.join();`, "RangeError,TypeError,TypeError,TypeError"},
		{"byte tee", `
const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1])); c.enqueue(new Uint8Array([2])); c.close(); } });
const [a, b] = rs.tee();
const [x, y] = await Promise.all([collect(a), collect(b)]);
const r = b.getReader; 
return x.map((u) => u[0]).join() + "|" + y.map((u) => u[0]).join() + "|" + (x[0].buffer !== y[0].buffer);`, "1,2|1,2|true"},
		{"byte stream cancel with pending byob", `
let reason;
const rs = new ReadableStream({ type: "bytes", cancel(r) { reason = r; } });
const r = rs.getReader({ mode: "byob" });
const p = r.read(new Uint8Array(4));
await r.cancel("c");
const res = await p;
return reason + " " + res.done + " " + res.value;`, "c true undefined"},
		{"release with pending byob read", `
const rs = new ReadableStream({ type: "bytes" });
const r = rs.getReader({ mode: "byob" });
const p = r.read(new Uint8Array(4));
r.releaseLock();
return p.catch((e) => e.name);`, "TypeError"},
		{"pipe byte stream", `
const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } });
let s = "";
await rs.pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream({ write(c) { s += c; } }));
return s;`, "hi"},
	})
}
