package jsvm

import "testing"

// These cases restate, in this project's words, what the WPT encoding tests
// (/work/shared/conformance/wpt/encoding) check, plus the legacy decoders
// those tests leave to other files.

// hex is a JS helper the cases share: the UTF-16 code units of a string.
const codeUnitsJS = `const hex = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16)).join(" ");
const bytes = (...b) => new Uint8Array(b);
`

func runEncodingCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for i := range cases {
		cases[i].body = codeUnitsJS + cases[i].body
	}
	runJSCases(t, cases)
}

func TestTextEncoder(t *testing.T) {
	runEncodingCases(t, []jsCase{
		{"round trip", `const b = new TextEncoder().encode("héllo 😀"); return b.length + " " + new TextDecoder().decode(b);`, "11 héllo 😀"},
		{"always utf-8", `return new TextEncoder().encoding + " " + new TextEncoder("latin1").encoding;`, "utf-8 utf-8"},
		{"default input", `return new TextEncoder().encode().length + " " + new TextEncoder().encode(undefined).length;`, "0 0"},
		{"lone surrogates become U+FFFD", `return Array.from(new TextEncoder().encode("\ud800a\udc00")).join();`, "239,191,189,97,239,191,189"},
		{"swapped pair is two U+FFFD", `return new TextDecoder().decode(new TextEncoder().encode("\udc00\ud800")) === "\ufffd\ufffd";`, "true"},
		{"toStringTag and global", `return Object.prototype.toString.call(new TextEncoder()) + " " + Object.keys(globalThis).includes("TextEncoder");`, "[object TextEncoder] false"},
		{"encodeInto fits whole string", `const d = new Uint8Array(10); const r = new TextEncoder().encodeInto("A¥", d); return r.read + " " + r.written + " " + Array.from(d.subarray(0, 3));`, "2 3 65,194,165"},
		{"encodeInto never splits a pair", `const r = new TextEncoder().encodeInto("\u{1D306}A", new Uint8Array(3)); return r.read + " " + r.written;`, "0 0"},
		{"encodeInto counts a pair as two units", `const r = new TextEncoder().encodeInto("\u{1D306}", new Uint8Array(4)); return r.read + " " + r.written;`, "2 4"},
		{"encodeInto lone surrogates", `const d = new Uint8Array(10); const r = new TextEncoder().encodeInto("\uD834A\uDF06A¥Hi", d); return r.read + " " + r.written + " " + Array.from(d);`, "5 10 239,191,189,65,239,191,189,65,194,165"},
		{"encodeInto stops at a character that does not fit", `const r = new TextEncoder().encodeInto("¥¥", new Uint8Array(3)); return r.read + " " + r.written;`, "1 2"},
		{"encodeInto writes only into its view", `const buf = new Uint8Array(8).fill(7); new TextEncoder().encodeInto("AB", new Uint8Array(buf.buffer, 4, 1)); return Array.from(buf).join(",");`, "7,7,7,7,65,7,7,7"},
		{"encodeInto refuses other views", `for (const d of [new Int8Array(2), new Uint8ClampedArray(2), new DataView(new ArrayBuffer(2)), new ArrayBuffer(2)]) { try { new TextEncoder().encodeInto("", d); return "no throw"; } catch (e) { if (!(e instanceof TypeError)) throw e; } } return "ok";`, "ok"},
	})
}

func TestTextDecoderLabels(t *testing.T) {
	runEncodingCases(t, []jsCase{
		{"default", `return new TextDecoder().encoding;`, "utf-8"},
		{"canonical names", `return ["latin1", "ascii", "ISO-8859-1", "utf-16", "UTF-16BE", "unicode11utf8", "sjis", "x-gbk", "gb2312", "csbig5", "cseuckr", "x-euc-jp", "csiso2022jp", "koi8-ru", "x-mac-cyrillic", "iso-8859-8-i", "x-user-defined", "dos-874"].map((l) => new TextDecoder(l).encoding).join();`,
			"windows-1252,windows-1252,windows-1252,utf-16le,utf-16be,utf-8,shift_jis,gbk,gbk,big5,euc-kr,euc-jp,iso-2022-jp,koi8-u,x-mac-cyrillic,iso-8859-8-i,x-user-defined,windows-874"},
		{"ASCII whitespace and case are ignored", `return new TextDecoder(" \t\n\f\rUtF-8\r\n").encoding;`, "utf-8"},
		{"other whitespace is not", `for (const ws of ["\u0000", "\u000b", "\u00a0", "\u2028"]) { try { new TextDecoder(ws + "utf-8"); return "accepted " + escape(ws); } catch (e) { if (!(e instanceof RangeError)) throw e; } } return "ok";`, "ok"},
		{"non-ASCII case folding is not", `try { new TextDecoder("\u212Aoi8-r"); return "accepted"; } catch (e) { return e.name; }`, "RangeError"},
		{"unknown label", `new TextDecoder("utf-9");`, `throws RangeError: TextDecoder: "utf-9" is not a known encoding label; use a label of the WHATWG Encoding Standard such as "utf-8", "utf-16le" or "windows-1252"`},
		{"replacement labels are refused", `const out = []; for (const l of ["replacement", "iso-2022-kr", "hz-gb-2312", "csiso2022kr", "iso-2022-cn", "iso-2022-cn-ext"]) { try { new TextDecoder(l); out.push("accepted " + l); } catch (e) { out.push(e.name); } } return out.join();`,
			"RangeError,RangeError,RangeError,RangeError,RangeError,RangeError"},
		{"attributes", `const d = new TextDecoder("utf-8", { fatal: 1, ignoreBOM: "yes" }); const e = new TextDecoder(); return [d.fatal, d.ignoreBOM, e.fatal, e.ignoreBOM, typeof e.fatal].join();`, "true,true,false,false,boolean"},
		{"options must be an object", `new TextDecoder("utf-8", 5);`, "throws TypeError: TextDecoder: the options argument must be an object"},
	})
}

func TestTextDecoderUnicode(t *testing.T) {
	runEncodingCases(t, []jsCase{
		{"utf-8 sample from an ArrayBuffer, a view and a DataView", `const b = bytes(0x7A, 0xC2, 0xA2, 0xE6, 0xB0, 0xB4, 0xF0, 0x9D, 0x84, 0x9E, 0xEF, 0xBF, 0xBE); const d = new TextDecoder(); return [d.decode(b), d.decode(b.buffer), d.decode(new DataView(b.buffer))].map(hex).join(" | ");`,
			"7a a2 6c34 1d11e fffe | 7a a2 6c34 1d11e fffe | 7a a2 6c34 1d11e fffe"},
		{"view with an offset", `const b = bytes(0xFF, 0x61, 0x62, 0xFF); return new TextDecoder().decode(new Uint8Array(b.buffer, 1, 2)) + new TextDecoder().decode(new Int16Array(b.buffer, 2, 1)).length;`, "ab2"},
		{"utf-16le and utf-16be", `return hex(new TextDecoder("utf-16le").decode(bytes(0x7A, 0x00, 0x34, 0xD8, 0x1E, 0xDD))) + " | " + hex(new TextDecoder("utf-16be").decode(bytes(0x00, 0x7A, 0xD8, 0x34, 0xDD, 0x1E)));`, "7a 1d11e | 7a 1d11e"},
		{"utf-16 lone and swapped surrogates", `const d = new TextDecoder("utf-16le"); return [[0x00, 0xD8], [0x00, 0xDC], [0x00, 0xD8, 0x00, 0x00], [0x00, 0xDC, 0x00, 0xD8]].map((b) => hex(d.decode(bytes(...b)))).join(" | ");`, "fffd | fffd | fffd 0 | fffd fffd"},
		{"utf-16 odd byte at the end", `return hex(new TextDecoder("utf-16be").decode(bytes(0x00, 0x61, 0x00)));`, "61 fffd"},
		{"utf-8 maximal subparts", `const d = new TextDecoder(); return [[0xF0], [0xF0, 0x9F, 0x41], [0xF0, 0x41, 0xF0], [0xF0, 0x8F, 0x92], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x61, 0xF0, 0x9F, 0x62]].map((b) => hex(d.decode(bytes(...b)))).join(" | ");`,
			"fffd | fffd 41 | fffd 41 fffd | fffd fffd fffd | fffd fffd | fffd fffd fffd | 61 fffd 62"},
		{"undefined input flushes", `const d = new TextDecoder(); d.decode(bytes(0xC9), { stream: true }); return hex(d.decode(undefined, {})) + "|" + d.decode() + "|";`, "fffd||"},
		{"null input is refused", `new TextDecoder().decode(null);`, "throws TypeError: TextDecoder.decode: the input must be an ArrayBuffer, a SharedArrayBuffer or a view of one (a typed array or DataView), not null"},
		{"utf-8 streamed a byte at a time", `const d = new TextDecoder(); let s = ""; for (const b of new TextEncoder().encode("a¢水𝄞")) s += d.decode(bytes(b), { stream: true }); return s + d.decode();`, "a¢水𝄞"},
		{"streaming keeps errors in place", `const d = new TextDecoder(); const out = [d.decode(bytes(0xF0), { stream: true }), d.decode(bytes(0xC2), { stream: true }), d.decode(bytes(0x80), { stream: true }), d.decode(bytes(0x2A), { stream: true }), d.decode()]; return out.map(hex).join("|");`, "|fffd|80|2a|"},
		{"utf-16 streamed in odd windows", `for (const name of ["utf-16le", "utf-16be"]) { const le = name === "utf-16le"; const units = [0x61, 0xD834, 0xDD1E, 0x6C34]; const all = []; for (const u of units) all.push(...(le ? [u & 0xFF, u >> 8] : [u >> 8, u & 0xFF])); for (let w = 1; w <= 5; w++) { const d = new TextDecoder(name); let s = ""; for (let i = 0; i < all.length; i += w) s += d.decode(new Uint8Array(all.slice(i, i + w)), { stream: true }); s += d.decode(); if (s !== "a\u{1D11E}\u6C34") return name + " window " + w + ": " + hex(s); } } return "ok";`, "ok"},
		{"input copied before the next call", `const a = bytes(0xEF, 0xBB), d = new TextDecoder(); const first = d.decode(a, { stream: true }); a[0] = 1; a[1] = 2; return first + "|" + d.decode(bytes(0xBF, 0x40));`, "|@"},
	})
}

func TestTextDecoderBOM(t *testing.T) {
	runEncodingCases(t, []jsCase{
		{"stripped for the matching encoding only", `return [new TextDecoder().decode(bytes(0xEF, 0xBB, 0xBF, 0x61)), new TextDecoder("utf-16le").decode(bytes(0xFF, 0xFE, 0x61, 0x00)), new TextDecoder("utf-16be").decode(bytes(0xFE, 0xFF, 0x00, 0x61))].map(hex).join(" | ");`, "61 | 61 | 61"},
		{"a mismatched BOM is data", `return hex(new TextDecoder("utf-16le").decode(bytes(0xFE, 0xFF, 0x61, 0x00))) + " | " + hex(new TextDecoder("utf-8").decode(bytes(0xFF, 0xFE, 0x61)));`, "fffe 61 | fffd fffd 61"},
		{"ignoreBOM keeps it, every call", `const d = new TextDecoder("utf-8", { ignoreBOM: true }); const b = bytes(0xEF, 0xBB, 0xBF, 0x61); return hex(d.decode(b)) + " | " + hex(d.decode(b));`, "feff 61 | feff 61"},
		{"stripped once per stream", `const d = new TextDecoder(); const b = bytes(0xEF, 0xBB, 0xBF, 0x61); return hex(d.decode(b, { stream: true })) + " | " + hex(d.decode(b)) + " | " + hex(d.decode(b));`, "61 | feff 61 | 61"},
		{"split across chunks", `const d = new TextDecoder("utf-16le"); return "[" + d.decode(bytes(0xFF), { stream: true }) + "][" + hex(d.decode(bytes(0xFE, 0x61), { stream: true })) + "][" + hex(d.decode(bytes(0x00))) + "]";`, "[][][61]"},
		{"not stripped for legacy encodings", `return hex(new TextDecoder("windows-1252").decode(bytes(0xEF, 0xBB, 0xBF)));`, "ef bb bf"},
	})
}

func TestTextDecoderFatal(t *testing.T) {
	const msg = " (the decoder was created with fatal: true; without it, invalid data decodes to U+FFFD)"
	runEncodingCases(t, []jsCase{
		{"utf-8", `new TextDecoder("utf-8", { fatal: true }).decode(bytes(0xFF));`, "throws TypeError: TextDecoder.decode: the data is not valid utf-8" + msg},
		{"utf-8 overlong and surrogates", `const d = new TextDecoder("utf-8", { fatal: true }); let n = 0; for (const b of [[0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x80, 0x80, 0x80, 0x80], [0xE0]]) { try { d.decode(bytes(...b)); } catch (e) { if (e instanceof TypeError) n++; } } return n;`, "6"},
		{"utf-16le truncated", `new TextDecoder("utf-16le", { fatal: true }).decode(bytes(0x00));`, "throws TypeError: TextDecoder.decode: the data is not valid utf-16le" + msg},
		{"utf-16le lone surrogate", `new TextDecoder("utf-16le", { fatal: true }).decode(bytes(0x00, 0xDC, 0x61, 0x00));`, "throws TypeError: TextDecoder.decode: the data is not valid utf-16le" + msg},
		{"an error does not break later calls", `const d = new TextDecoder("utf-8", { fatal: true }); const b = bytes(226, 153, 165); const ok1 = d.decode(b); try { d.decode(new DataView(b.buffer, 0, 2)); return "no throw"; } catch (e) {} return ok1 + d.decode(b);`, "♥♥"},
		{"streaming: the end is checked only when flushing", `const d = new TextDecoder("utf-16le", { fatal: true }); const odd = bytes(0x00), even = bytes(0x00, 0x00); const a = d.decode(odd, { stream: true }) + d.decode(odd); let threw = false; try { d.decode(even, { stream: true }); d.decode(odd); } catch (e) { threw = e instanceof TypeError; } return hex(a) + " " + threw + " " + hex(d.decode(even, { stream: true }) + d.decode(even));`, "0 true 0 0"},
		{"single-byte hole", `new TextDecoder("iso-8859-3", { fatal: true }).decode(bytes(0xA5));`, "throws TypeError: TextDecoder.decode: the data is not valid iso-8859-3" + msg},
		{"single-byte C1 range is mapped", `const d = new TextDecoder("windows-1252", { fatal: true }); return hex(d.decode(bytes(0x80, 0x81, 0x8D, 0x9F))) + " " + hex(new TextDecoder("iso-8859-2", { fatal: true }).decode(bytes(0x80, 0xA1)));`, "20ac 81 8d 178 80 104"},
		{"legacy multi-byte", `new TextDecoder("shift_jis", { fatal: true }).decode(bytes(0x82));`, "throws TypeError: TextDecoder.decode: the data is not valid shift_jis" + msg},
		{"gb18030 encodes U+FFFD itself", `return hex(new TextDecoder("gb18030", { fatal: true }).decode(bytes(0x84, 0x31, 0xA4, 0x37)));`, "fffd"},
	})
}

func TestTextDecoderLegacy(t *testing.T) {
	runEncodingCases(t, []jsCase{
		{"single-byte", `return [["windows-1251", [0xCF, 0xF0, 0xE8]], ["koi8-r", [0xF0, 0xD2, 0xC9]], ["ibm866", [0x8F, 0xE0, 0xA8]], ["x-user-defined", [0x61, 0x80, 0xFF]], ["latin1", [0xE9, 0x80]]].map(([l, b]) => new TextDecoder(l).decode(new Uint8Array(b))).map(hex).join(" | ");`,
			"41f 440 438 | 41f 440 438 | 41f 440 438 | 61 f780 f7ff | e9 20ac"},
		{"multi-byte", `return [["shift_jis", [0x93, 0xFA, 0x96, 0x7B, 0xB1]], ["euc-jp", [0xC6, 0xFC, 0xCB, 0xDC, 0x8E, 0xB1]], ["euc-kr", [0xC7, 0xD1, 0xB1, 0xB9]], ["gbk", [0xD6, 0xD0, 0xCE, 0xC4, 0x80]], ["gb18030", [0x81, 0x30, 0x81, 0x30, 0x90, 0x30, 0x81, 0x30]], ["big5", [0xA4, 0xA4, 0xA4, 0xE5]], ["iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42, 0x61]]].map(([l, b]) => new TextDecoder(l).decode(new Uint8Array(b))).join(" | ");`,
			"日本ｱ | 日本ｱ | 한국 | 中文€ | \u0080\U00010000 | 中文 | 日本a"},
		{"big5 two-code-point pointers", `return hex(new TextDecoder("big5").decode(bytes(0x88, 0x62, 0x88, 0x64, 0x88, 0xA3, 0x88, 0xA5)));`, "ca 304 ca 30c ea 304 ea 30c"},
		{"shift_jis private use", `return hex(new TextDecoder("shift_jis").decode(bytes(0xF0, 0x40)));`, "e000"},
		// gb18030 gives back the bytes after a broken four-byte sequence:
		// 81 30 81 41 is an error, "0", then the pair 81 41 (U+4E04).
		{"an ASCII trail byte after an error is decoded again", `return [["big5", [0x81, 0x40]], ["big5", [0x81, 0x81]], ["big5", [0x87, 0x87, 0x40]], ["euc-kr", [0x81, 0x41 - 1]], ["shift_jis", [0x81, 0x20]], ["gb18030", [0x81, 0x30, 0x41]], ["gb18030", [0x81, 0x30, 0x81, 0x41]]].map(([l, b]) => hex(new TextDecoder(l).decode(new Uint8Array(b)))).join(" | ");`,
			"fffd 40 | fffd | fffd 40 | fffd 40 | fffd 20 | fffd 30 41 | fffd 30 4e04"},
		{"truncated at the end", `return ["big5", "euc-kr", "shift_jis", "euc-jp", "gbk"].map((l) => hex(new TextDecoder(l).decode(bytes(0x61, 0x81)))).join(" | ") + " | " + hex(new TextDecoder("gb18030").decode(bytes(0x81, 0x30, 0x81)));`,
			"61 fffd | 61 fffd | 61 fffd | 61 fffd | 61 fffd | fffd"},
		{"streamed a byte at a time", `const cases = [["shift_jis", [0x93, 0xFA, 0x96, 0x7B]], ["euc-jp", [0x8F, 0xB0, 0xA1, 0xC6, 0xFC]], ["gb18030", [0x81, 0x30, 0x81, 0x30, 0xD6, 0xD0]], ["big5", [0x88, 0x62, 0xA4, 0xA4]], ["iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x1B, 0x28, 0x42]]]; return cases.map(([l, b]) => { const d = new TextDecoder(l); let s = ""; for (const x of b) s += d.decode(bytes(x), { stream: true }); return hex(s + d.decode()); }).join(" | ");`,
			"65e5 672c | 4e02 65e5 | 80 4e2d | ca 304 4e2d | 65e5"},
		{"big5 streaming end of queue", `const d = new TextDecoder("big5"); return hex(d.decode(bytes(0x81), { stream: true }) + d.decode(bytes(0x40), { stream: true }) + d.decode());`, "fffd 40"},
	})
}
