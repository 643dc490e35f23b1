package jsvm

import "testing"

func TestTextEncoding(t *testing.T) {
	runJSCases(t, []jsCase{
		{"round trip", `const b = new TextEncoder().encode("héllo 😀"); return b.length + " " + new TextDecoder().decode(b);`, "11 héllo 😀"},
		{"lone surrogate becomes U+FFFD", `return Array.from(new TextEncoder().encode("\ud800")).join();`, "239,191,189"},
		{"BOM stripped", `return new TextDecoder().decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x61])).length;`, "1"},
		{"invalid bytes replaced", `return new TextDecoder().decode(new Uint8Array([0x61, 0xF0, 0x9F, 0x62]));`, "a\uFFFDb"},
		{"fatal throws", `new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xFF]));`, "throws TypeError: The encoded data is not valid UTF-8"},
		{"unsupported label", `new TextDecoder("latin1");`, `throws RangeError: TextDecoder: encoding "latin1" is not supported (only utf-8)`},
	})
}
