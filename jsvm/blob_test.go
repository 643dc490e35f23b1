package jsvm

import "testing"

func TestBlob(t *testing.T) {
	runJSCases(t, []jsCase{
		{"empty", `const b = new Blob(); return [b.size, JSON.stringify(b.type), await b.text()].join("|");`, `0|""|`},
		{"parts", `const b = new Blob(["ab", new Uint8Array([99, 100]), new Blob(["e"]), new Uint16Array([0x6766]).buffer, new DataView(new Uint8Array([0, 104, 0]).buffer, 1, 1)]);
return b.size + " " + await b.text();`, "8 abcdefgh"},
		{"string part is USVString", `const b = new Blob(["\uD800x", "\uD83D", "\uDE00"]); return Array.from(await b.bytes()).join(",");`,
			"239,191,189,120,239,191,189,239,191,189"},
		{"objects become strings", `return await new Blob([{}, 1, null]).text();`, "[object Object]1null"},
		{"buffers are copied", `const u = new Uint8Array([97]); const b = new Blob([u]); u[0] = 98; return await b.text();`, "a"},
		{"type lowercased", `return new Blob([], { type: "Text/PLAIN;Charset=UTF-8" }).type;`, "text/plain;charset=utf-8"},
		{"type with bad chars", `return JSON.stringify(new Blob([], { type: "a\u00e9b" }).type) + JSON.stringify(new Blob([], { type: "a\nb" }).type);`, `""""`},
		{"endings native", `return JSON.stringify(await new Blob(["a\r\nb\rc\n"], { endings: "native" }).text());`, `"a\nb\nc\n"`},
		{"endings transparent", `return JSON.stringify(await new Blob(["a\r\nb"], { endings: "transparent" }).text());`, `"a\r\nb"`},
		{"bad endings", `new Blob([], { endings: "unix" });`, `throws TypeError: Blob: options.endings must be "transparent" or "native", got "unix"`},
		{"parts not a sequence", `new Blob("abc");`, "throws TypeError: Blob: the parts argument must be a sequence (for example an array) of strings, ArrayBuffers, views or Blobs"},
		{"parts not iterable", `new Blob({});`, "throws TypeError: Blob: the parts argument is not iterable; pass an array of strings, ArrayBuffers, views or Blobs"},
		{"null parts", `new Blob(null);`, "throws TypeError: Blob: the parts argument must be a sequence (for example an array) of strings, ArrayBuffers, views or Blobs"},
		{"options not an object", `new Blob([], 5);`, "throws TypeError: Blob: the options argument must be an object"},
		{"symbol part", `new Blob([Symbol()]);`, "throws TypeError: Cannot convert a Symbol value to a string"},
		{"conversion order", `const log = [];
new Blob([{ toString() { log.push("part"); return ""; } }], { get endings() { log.push("endings"); }, get type() { log.push("type"); return ""; } });
return log.join(",");`, "part,endings,type"},
		{"call without new", `Blob([]);`, "throws TypeError: Class constructor cannot be invoked without 'new'"},
		{"iterable parts", `function* g() { yield "a"; yield "b"; } return await new Blob(g()).text();`, "ab"},
		{"slice", `const b = new Blob(["abc", "def", "ghi"]);
const r = [];
for (const args of [[], [1], [-2], [2, 7], [-5, -1], [4, 2], [0, 100], [3, 6], [NaN, Infinity]]) r.push(await b.slice(...args).text());
return r.join("|");`, "abcdefghi|bcdefghi|hi|cdefg|efgh||abcdefghi|def|"},
		{"slice of slice", `const b = new Blob(["0123", new Uint8Array([52, 53, 54]), "789"]);
const s = b.slice(2, 9).slice(1, -1); return s.size + " " + await s.text();`, "5 34567"},
		{"slice type", `const b = new Blob(["x"], { type: "a/b" }); return JSON.stringify([b.slice().type, b.slice(0, 1, "Text/HTML").type, b.slice(0, 1, "\u0100").type]);`,
			`["","text/html",""]`},
		{"slice shares no state", `const b = new Blob(["abc"]); const s = b.slice(1); await b.text(); return await s.text() + s.size;`, "bc2"},
		{"text decodes UTF-8 and strips BOM", `return await new Blob([new Uint8Array([0xEF, 0xBB, 0xBF, 0x68, 0xFF])]).text();`, "h\uFFFD"},
		{"arrayBuffer is fresh", `const b = new Blob(["ab"]); const a = await b.arrayBuffer(); new Uint8Array(a)[0] = 0; return (a instanceof ArrayBuffer) + " " + await b.text();`, "true ab"},
		{"bytes is fresh", `const b = new Blob(["ab", "cd"]); const u = await b.bytes(); u[0] = 0; return (u instanceof Uint8Array) + " " + u.length + " " + await b.text();`, "true 4 abcd"},
		{"nested blobs", `let b = new Blob(["x"]); for (let i = 0; i < 10; i++) b = new Blob([b, b]); return b.size + " " + (await b.text()).length;`, "1024 1024"},
		{"brand checks", `const r = [];
try { Object.getOwnPropertyDescriptor(Blob.prototype, "size").get.call({}); } catch (e) { r.push(e.name); }
r.push(await Blob.prototype.text.call({}).catch((e) => e.name));
return r.join(",");`, "TypeError,TypeError"},
		{"toStringTag", `return [Object.prototype.toString.call(new Blob()), Object.prototype.toString.call(new File([], "f")), String(new Blob())].join(",");`,
			"[object Blob],[object File],[object Blob]"},
		{"globals not enumerable", `return Object.keys(globalThis).filter((k) => k === "Blob" || k === "File").length + " " + typeof Blob + " " + typeof File;`, "0 function function"},
		{"prototype members enumerable", `const k = []; for (const x in Blob.prototype) k.push(x); return k.sort().join(",");`, "arrayBuffer,bytes,size,slice,stream,text,type"},
		{"subclass", `class B extends Blob { hi() { return "hi" } } const b = new B(["x"]); return b.hi() + b.size + (b instanceof Blob) + await b.text();`, "hi1truex"},
	})
}

func TestBlobFile(t *testing.T) {
	runJSCases(t, []jsCase{
		{"file", `const before = Date.now(); const f = new File(["ab", "c"], "a.txt", { type: "Text/Plain" });
return [f.name, f.size, f.type, f.lastModified >= before && f.lastModified <= Date.now(), f.webkitRelativePath === "", f instanceof Blob, await f.text()].join("|");`,
			"a.txt|3|text/plain|true|true|true|abc"},
		{"lastModified", `return [new File([], "x", { lastModified: 42 }).lastModified, new File([], "x", { lastModified: -1.9 }).lastModified, new File([], "x", { lastModified: "12" }).lastModified].join(",");`, "42,-1,12"},
		{"name is USVString", `return new File([], "a/\uD800").name === "a/\uFFFD";`, "true"},
		{"requires two arguments", `new File(["x"]);`, "throws TypeError: File: 2 arguments required (bits and name), but only 1 present"},
		{"options order", `const log = [];
new File([], { toString() { log.push("name"); return "n"; } }, { get endings() { log.push("endings"); }, get lastModified() { log.push("lastModified"); }, get type() { log.push("type"); } });
return log.join(",");`, "name,endings,type,lastModified"},
		{"file slice is a Blob", `const s = new File(["abc"], "f").slice(1); return Object.prototype.toString.call(s) + " " + await s.text();`, "[object Blob] bc"},
		{"file of file", `const f = new File([new File(["x"], "a")], "b"); return f.name + await f.text();`, "bx"},
		{"file getters brand", `try { Object.getOwnPropertyDescriptor(File.prototype, "name").get.call(new Blob()); } catch (e) { return e.message; }`,
			"Illegal invocation: File.prototype.name must be called on a File"},
	})
}

// TestBlobStreamSource drives stream()'s underlying source through a
// stand-in ReadableStream that supports only default streams, so the source
// logic is checked whether or not the real streams are in the build.
func TestBlobStreamSource(t *testing.T) {
	runJSCases(t, []jsCase{
		{"chunks and close", `globalThis.ReadableStream = class {
  constructor(src) { if (src.type === "bytes") throw new RangeError("no bytes"); this.src = src; }
};
const big = new Uint8Array(150000).fill(7); big[0] = 1;
const s = new Blob([big, "xy"]).stream();
const out = []; let closed = false;
const c = { enqueue(u) { out.push(u); }, close() { closed = true; } };
while (!closed) s.src.pull(c);
const first = out[0];
return out.map((u) => u.length).join(",") + " " + first[0] + " " + (first.buffer.byteLength === first.length) + " " + closed;`,
			"65536,65536,18930 1 true true"},
		{"empty", `globalThis.ReadableStream = class { constructor(src) { this.src = src; } };
const s = new Blob().stream(); let closed = 0; s.src.pull({ enqueue() { throw new Error("enqueued"); }, close() { closed++; } }); return closed;`, "1"},
		{"no ReadableStream", `globalThis.ReadableStream = undefined; new Blob().stream();`,
			"throws TypeError: Blob.prototype.stream: ReadableStream is not available in this runtime"},
	})
}

func TestBlobStream(t *testing.T) {
	if evalJS(t, `return typeof ReadableStream;`) != "function" {
		t.Skip("ReadableStream is not in this build yet; Blob.prototype.stream needs it")
	}
	runJSCases(t, []jsCase{
		{"stream", `const big = new Uint8Array(150000).fill(7); const b = new Blob(["ab", big]);
const reader = b.stream().getReader(); let total = 0, chunks = 0, first;
for (;;) { const { done, value } = await reader.read(); if (done) break; if (!first) first = value[0]; total += value.length; chunks++; }
return total + " " + (chunks > 1) + " " + first;`, "150002 true 97"},
		{"empty stream", `const r = new Blob().stream().getReader(); const x = await r.read(); return x.done;`, "true"},
	})
}

// evalInternalJS is evalJS with the prelude's internal object in scope as
// `internal`, for testing the hooks other prelude files use.
func evalInternalJS(t *testing.T, body string) string {
	t.Helper()
	src := "Deno.serve(async () => {\n  const internal = globalThis.__edgeInternal;\n  try {\n    const v = await (async () => {\n" + body +
		"\n    })();\n    return new Response(String(v));\n  } catch (e) {\n    return new Response(\"throws \" + e.name + \": \" + e.message);\n  }\n});\n"
	in := startModule(t, "mod.js", src, Config{})
	done := make(chan error, 1)
	if !in.post(func() { done <- in.vm.Set("__edgeInternal", in.internal) }) {
		t.Fatal("instance loop is closed")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return string(serve(t, in, "GET", "https://test.example/", "").Body)
}

func runInternalJSCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evalInternalJS(t, c.body); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestBlobInternalHooks(t *testing.T) {
	runInternalJSCases(t, []jsCase{
		{"isBlob", `return [internal.isBlob(new Blob()), internal.isBlob(new File([], "f")), internal.isBlob({}), internal.isBlob(null), internal.isFile(new Blob())].join(",");`,
			"true,true,false,false,false"},
		{"blobBytes", `const b = new Blob(["ab", new Uint8Array([99])]); const u = internal.blobBytes(b); return (u instanceof Uint8Array) + " " + Array.from(u).join(",") + " " + (internal.blobBytes(b) === u);`,
			"true 97,98,99 true"},
		{"blobBytes of slice shares memory", `const b = new Blob([new Uint8Array([1, 2, 3, 4])]); const s = b.slice(1, 3); return internal.blobBytes(s).buffer === internal.blobBytes(b).buffer;`, "true"},
		{"newBlob", `const u = new Uint8Array([104, 105]); const b = internal.newBlob(u, "Text/Plain"); return b.type + " " + await b.text() + " " + (internal.blobBytes(b) === u);`, "text/plain hi true"},
		{"newFile", `const f = internal.newFile(new Uint8Array([120]), "x.bin", "application/octet-stream", 7); return [f.name, f.type, f.lastModified, await f.text(), f instanceof File].join("|");`,
			"x.bin|application/octet-stream|7|x|true"},
		{"cloneBlob", `const f = new File(["abc"], "n", { type: "a/b", lastModified: 5 }); const c = internal.cloneBlob(f);
return [c !== f, c instanceof File, c.name, c.type, c.lastModified, await c.text(), Object.prototype.toString.call(internal.cloneBlob(new Blob(["z"])))].join("|");`,
			"true|true|n|a/b|5|abc|[object Blob]"},
		{"fileFromBlob", `const b = new Blob(["x"], { type: "t/x" }); const f = internal.fileFromBlob(b); const g = internal.fileFromBlob(f); const h = internal.fileFromBlob(new File([], "a", { lastModified: 3 }), "b");
return [f.name, f.type, g === f, h.name, h.lastModified].join("|");`, "blob|t/x|true|b|3"},
		{"blobChunks", `return internal.blobChunks(new Blob(["a", new Uint8Array(2), new Blob(["b"])])).length;`, "3"},
		{"inspect", `return internal.inspect(new Blob(["abc"], { type: "text/plain" })) + " " + internal.inspect(new File(["a"], "f.txt"));`,
			`Blob { size: 3, type: "text/plain" } File { name: "f.txt", size: 1, type: "" }`},
	})
}
