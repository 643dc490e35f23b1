package jsvm

import "testing"

const textStreamHelpers = `
async function pipeChunks(ts, chunks) {
  const w = ts.writable.getWriter();
  for (const c of chunks) w.write(c).catch(() => {});
  w.close().catch(() => {});
  const r = ts.readable.getReader(); const out = [];
  for (;;) { const {value, done} = await r.read(); if (done) break; out.push(value); }
  return out;
}
const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
`

func TestTextStreams(t *testing.T) {
	cases := []jsCase{
		{"encoder basics", `
const ts = new TextEncoderStream();
const out = await pipeChunks(ts, ["hé", "", "llo"]);
return [ts.encoding, out.length, out.map(hex).join("|"), out[0] instanceof Uint8Array, Object.prototype.toString.call(ts)].join();`,
			"utf-8,2,68c3a9|6c6c6f,true,[object TextEncoderStream]"},
		{"encoder surrogate pair split across chunks", `
const out = await pipeChunks(new TextEncoderStream(), ["a\uD83D", "\uDE00b"]);
return out.map(hex).join("|");`, "61|f09f988062"},
		{"encoder lone high surrogate at end", `
const out = await pipeChunks(new TextEncoderStream(), ["\uD83D"]);
return out.map(hex).join("|");`, "efbfbd"},
		{"encoder high surrogate then non-low", `
const out = await pipeChunks(new TextEncoderStream(), ["\uD83D", "x"]);
return out.map(hex).join("|");`, "efbfbd78"},
		{"encoder converts to string", `
const out = await pipeChunks(new TextEncoderStream(), [12, null]);
return out.map(hex).join("|");`, "3132|6e756c6c"},
		{"decoder basics", `
const ts = new TextDecoderStream();
const out = await pipeChunks(ts, [new Uint8Array([104, 105]), new Uint8Array([33]).buffer]);
return [ts.encoding, ts.fatal, ts.ignoreBOM, out.join("|"), Object.prototype.toString.call(ts)].join();`,
			"utf-8,false,false,hi|!,[object TextDecoderStream]"},
		// Multi-byte characters split across chunks. encoding.js's TextDecoder
		// gains decode(chunk, {stream: true}) in another branch; until then
		// text_streams.js splits UTF-8 at character boundaries itself, and
		// this passes either way.
		{"decoder multi-byte split across chunks", `
const bytes = new TextEncoder().encode("é€😀");
const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
const out = await pipeChunks(new TextDecoderStream(), chunks);
return out.join("");`, "é€😀"},
		{"decoder BOM only at start", `
const out = await pipeChunks(new TextDecoderStream(), [new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf, 0x61, 0xef, 0xbb, 0xbf])]);
return JSON.stringify(out.join(""));`, "\"a\ufeff\""},
		{"decoder ignoreBOM", `
const out = await pipeChunks(new TextDecoderStream("utf-8", { ignoreBOM: true }), [new Uint8Array([0xef, 0xbb, 0xbf, 0x61])]);
return JSON.stringify(out.join(""));`, "\"\ufeffa\""},
		{"decoder truncated at end", `
const out = await pipeChunks(new TextDecoderStream(), [new Uint8Array([0x61, 0xe2, 0x82])]);
return JSON.stringify(out.join(""));`, "\"a\ufffd\""},
		{"decoder fatal errors the stream", `
const ts = new TextDecoderStream("utf-8", { fatal: true });
return pipeChunks(ts, [new Uint8Array([0x61, 0xe2])]).then(() => "no", (e) => e.name);`, "TypeError"},
		{"decoder rejects non-buffer chunks", `
return pipeChunks(new TextDecoderStream(), ["text"]).then(() => "no", (e) => e.name);`, "TypeError"},
		{"decoder bad label", `try { new TextDecoderStream("nope"); } catch (e) { return e.name; }`, "RangeError"},
		{"round trip through pipes", `
const src = ReadableStream.from(["x😀", "y"]);
const text = await src.pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream());
let s = ""; for await (const c of text) s += c;
return s;`, "x😀y"},
		{"brand checks", `
const g = Object.getOwnPropertyDescriptor(TextDecoderStream.prototype, "readable").get;
try { g.call({}); } catch (e) { return e.name + " " + Object.keys(globalThis).includes("TextEncoderStream"); }`, "TypeError false"},
	}
	for i := range cases {
		cases[i].body = textStreamHelpers + cases[i].body
	}
	runJSCases(t, cases)
}
