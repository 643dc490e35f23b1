package jsvm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestBase64(t *testing.T) {
	runJSCases(t, []jsCase{
		{"round trip", `return btoa("hello") + "," + atob("aGVsbG8=") + "," + atob(" aGVs\tbG8 ");`, "aGVsbG8=,hello,hello"},
		{"binary safe", `const s = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(""); return atob(btoa(s)) === s && btoa("\0a") === "AGE=" && btoa("\xff\xff\xc0") === "///A";`, "true"},
		{"btoa rejects non-Latin1", `btoa("עברית");`, "throws InvalidCharacterError: btoa: the string contains a character outside the Latin1 range (code unit 0x5E2 at index 0); encode it to bytes first, for example with TextEncoder"},
		{"btoa error is a DOMException", `try { btoa("\u0100"); } catch (e) { return [e instanceof DOMException, e.code].join(); }`, "true,5"},
		{"btoa rejects lone surrogates", `try { btoa("\ud800"); } catch (e) { return e.name; }`, "InvalidCharacterError"},
		{"btoa WebIDL conversions", `return [undefined, null, 7, 1.5, true, NaN, -Infinity, -0, { toString() { return "foo"; } }].map((v) => btoa(v)).join();`,
			"dW5kZWZpbmVk,bnVsbA==,Nw==,MS41,dHJ1ZQ==,TmFO,LUluZmluaXR5,MA==,Zm9v"},
		{"atob rejects invalid input", `atob("a");`, "throws InvalidCharacterError: atob: the string is not valid base64 (only A-Z, a-z, 0-9, '+', '/', whitespace and up to two trailing '=' are allowed, and the length without whitespace must fit base64 groups)"},
		{"missing argument", `atob();`, "throws TypeError: atob: 1 argument required, but only 0 present"},
		{"btoa missing argument", `btoa();`, "throws TypeError: btoa: 1 argument required, but only 0 present"},
		{"symbol", `btoa(Symbol());`, "throws TypeError: Cannot convert a Symbol value to a string"},
	})
}

// TestAtobWPTData feeds every case of WPT's forgiving-base64 data (used by
// html/webappapis/atob/base64.any.js), plus that test's WebIDL cases, through
// atob in one instance. The WPT data lives in ../shared/conformance/wpt
// beside the repository (EDGE_WPT_DIR overrides), so ../../shared from here.
func TestAtobWPTData(t *testing.T) {
	dir := os.Getenv("EDGE_WPT_DIR")
	if dir == "" {
		dir = "../../shared/conformance/wpt"
	}
	path := filepath.Join(dir, "fetch/data-urls/resources/base64.json")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("WPT data %s is missing: %v", path, err)
		}
		t.Skipf("WPT data %s is not present (%v); skipping", path, err)
	}
	var cases []json.RawMessage
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(cases) < 50 {
		t.Fatalf("%s has only %d cases", path, len(cases))
	}
	// The JSON is a JS expression as it stands: an array of [input, bytes or null].
	got := evalJS(t, `
	const cases = `+string(data)+`;
	// base64.any.js's WebIDL cases; like that test, they check only the
	// first bytes ("true" decodes to three bytes, the test lists two).
	const idl = [
	  [undefined, null], [null, [158, 233, 101]], [7, null], [12, [215]], [1.5, null], [true, [182, 187]],
	  [false, null], [NaN, [53, 163]], [Infinity, [34, 119, 226, 158, 43, 114]], [-Infinity, null],
	  [0, null], [-0, null], [{ toString() { return "foo"; } }, [126, 138]], [{ toString() { return "abcd"; } }, [105, 183, 29]],
	];
	const failures = [];
	for (const [input, want, prefix] of cases.concat(idl.map(([i, w]) => [i, w, true]))) {
	  let got;
	  try {
	    const s = atob(input);
	    got = Array.from(s, (c) => c.charCodeAt(0));
	  } catch (e) {
	    got = e instanceof DOMException && e.name === "InvalidCharacterError" ? null : "threw " + e;
	  }
	  if (prefix && Array.isArray(got) && want !== null) got = got.slice(0, want.length);
	  if (JSON.stringify(got) !== JSON.stringify(want)) {
	    failures.push(JSON.stringify(String(input)) + ": got " + JSON.stringify(got) + ", want " + JSON.stringify(want));
	  }
	}
	return failures.length === 0 ? "ok " + (cases.length + idl.length) : failures.join("\n");`)
	if want := "ok " + strconv.Itoa(len(cases)+14); got != want {
		t.Fatalf("atob disagrees with the WPT data:\n%s", got)
	}
}
