package jsvm

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestURLPattern(t *testing.T) {
	runJSCases(t, []jsCase{
		// Globals are installed on first use (see prelude.go); once named,
		// the global has the standard shape.
		{"global shape", `URLPattern; const d = Object.getOwnPropertyDescriptor(globalThis, "URLPattern");
return [typeof URLPattern, d.enumerable, d.writable, Object.prototype.toString.call(new URLPattern()), URLPattern.length].join();`,
			"function,false,true,[object URLPattern],0"},
		{"routing exec groups", `const p = new URLPattern({ pathname: "/books/:id" });
const m = p.exec("https://example.com/books/123?x=1");
return [p.test("https://example.com/books/123"), p.test("https://example.com/books/"), p.test("https://example.com/books/1/2"),
  m.pathname.input, m.pathname.groups.id, JSON.stringify(m.inputs), m.protocol.groups[0], m.search.input].join("|");`,
			`true|false|false|/books/123|123|["https://example.com/books/123?x=1"]|https|x=1`},
		{"component getters", `const p = new URLPattern({ pathname: "/books/:id" });
return [p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash, p.hasRegExpGroups].join("|");`,
			"*|*|*|*|*|/books/:id|*|*|false"},
		{"constructor string", `const p = new URLPattern("https://example.com/api/:version/*");
const m = p.exec("https://example.com/api/v2/users/7");
return [p.protocol, p.hostname, p.port, p.pathname, p.search, m.pathname.groups.version, m.pathname.groups[0],
  p.test("https://example.com:8443/api/v2/x"), p.test("http://example.com/api/v2/x")].join("|");`,
			"https|example.com||/api/:version/*|*|v2|users/7|false|false"},
		{"relative string with base", `const p = new URLPattern("/users/:id", "https://example.com");
return [p.protocol, p.hostname, p.pathname, p.test("https://example.com/users/5"), p.test({ pathname: "/users/5" })].join("|");`,
			"https|example.com|/users/:id|true|false"},
		{"wildcards and modifiers", `const p = new URLPattern({ pathname: "/files/*" });
const q = new URLPattern({ pathname: "/post/:slug?" });
const r = new URLPattern({ pathname: "/tags/:tag+" });
return [p.exec({ pathname: "/files/a/b.txt" }).pathname.groups[0], q.test({ pathname: "/post" }), q.test({ pathname: "/post/x" }),
  String(q.exec({ pathname: "/post" }).pathname.groups.slug), r.exec({ pathname: "/tags/a/b" }).pathname.groups.tag,
  r.test({ pathname: "/tags" })].join("|");`,
			"a/b.txt|true|true|undefined|a/b|false"},
		{"regexp groups", `const p = new URLPattern({ pathname: "/items/:id(\\d+)" });
return [p.test({ pathname: "/items/42" }), p.test({ pathname: "/items/abc" }), p.hasRegExpGroups, p.pathname].join("|");`,
			`true|false|true|/items/:id(\d+)`},
		{"ignoreCase", `const p = new URLPattern({ pathname: "/Books/:id" }, { ignoreCase: true });
const q = new URLPattern({ pathname: "/Books/:id" });
return [p.test({ pathname: "/books/1" }), q.test({ pathname: "/books/1" }), p.exec({ pathname: "/BOOKS/Ab" }).pathname.groups.id].join("|");`,
			"true|false|Ab"},
		{"baseURL with a dictionary input throws", `return new URLPattern({ pathname: "/x" }, "https://example.com");`,
			"throws TypeError: A baseURL argument is only allowed with a constructor string; put baseURL in the URLPatternInit instead"},
		{"relative string without base throws", `return new URLPattern("/x");`,
			"throws TypeError: Relative constructor string '/x' needs a baseURL"},
		{"duplicate name", `return new URLPattern({ pathname: "/:id/:id" });`,
			"throws TypeError: Invalid pathname pattern '/:id/:id': duplicate group name 'id'"},
		{"unbalanced group", `return new URLPattern({ pathname: "/a{b" });`,
			"throws TypeError: Invalid pathname pattern '/a{b': unexpected end of pattern, expected '}'"},
		{"capturing group inside regexp", `return new URLPattern({ pathname: "/(a(b))" });`,
			"throws TypeError: Invalid pathname pattern '/(a(b))': capturing groups are not allowed inside a regexp group (use '(?:...)') at position 1"},
		{"bad regexp", `return new URLPattern({ search: "(a|[)" });`,
			"throws TypeError: Invalid search pattern '(a|[)': regexp group 'a|[': unterminated character class"},
		{"regexp the runtime rejects", `return new URLPattern({ pathname: "/((?R))" });`,
			"throws TypeError: Invalid pathname pattern '/((?R))': Invalid group"},
		{"bad protocol regexp in a constructor string", `return new URLPattern("((?R)):");`,
			"throws TypeError: Invalid protocol pattern: Invalid group"},
		{"v-mode class set operations", `const p = new URLPattern({ pathname: "/([[a-z]--[aeiou]])" });
return [p.test({ pathname: "/b" }), p.test({ pathname: "/a" }), p.test({ pathname: "/B" })].join("|");`, "true|false|false"},
		{"invalid hostname", `return new URLPattern({ hostname: "bad host" });`,
			"throws TypeError: Invalid hostname pattern 'bad host': invalid hostname 'bad host'"},
		{"unsupported property escape", `return new URLPattern({ pathname: "/(\\p{L}+)" });`,
			`throws TypeError: Invalid pathname pattern '/(\p{L}+)': regexp group '\p{L}+': Unicode property escapes ('\p{...}') are not supported by this runtime`},
		{"test with dictionary and baseURL throws", `return new URLPattern({}).test({}, "https://example.com");`,
			"throws TypeError: A baseURL argument is only allowed with a URL string; put baseURL in the URLPatternInit instead"},
		{"unparsable input does not match", `return [new URLPattern({}).test("not a url"), new URLPattern({}).exec("x", "bad base")].join("|");`, "false|"},
		{"canonicalization", `const p = new URLPattern({ hostname: "Café.example", pathname: "/a b/../c" });
return [p.hostname, p.pathname, p.test("https://xn--caf-dma.example/c")].join("|");`, "xn--caf-dma.example|/c|true"},
		{"default port", `const p = new URLPattern({ protocol: "https", port: "443" });
return [p.port, p.test("https://a.example/"), p.test("https://a.example:8443/")].join("|");`, "|true|false"},
		{"ipv6 hostname", `const p = new URLPattern({ hostname: "[\\:\\:1]" });
return [p.hostname, p.test("http://[::1]/")].join("|");`, `[\:\:1]|true`},
		{"brand check", `try { Object.getOwnPropertyDescriptor(URLPattern.prototype, "pathname").get.call({}); } catch (e) { return e.name; }`,
			"TypeError"},
		{"optional wildcard that matches nothing is undefined", `const m = new URLPattern({ pathname: "/a/*?" }).exec({ pathname: "/a/" });
return String(m.pathname.groups[0]) + "|" + String(new URLPattern({ pathname: "*{}**?" }).exec({ pathname: "x" }).pathname.groups[1]);`,
			"|undefined"},
	})
}

// wptURLPatternDriver runs the WPT urlpatterntestdata.json entries (bound to
// DATA) the way WPT's harness reads them, and returns a JSON report.
const wptURLPatternDriver = `
const KEYS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];
// Components that, when given in a dictionary pattern, make a missing later component "*".
const EARLIER = {
  protocol: [], username: [], password: [], hostname: ["protocol"], port: ["protocol", "hostname"],
  pathname: ["protocol", "hostname", "port"], search: ["protocol", "hostname", "port", "pathname"],
  hash: ["protocol", "hostname", "port", "pathname", "search"],
};
const show = (v) => v === undefined ? "undefined" : JSON.stringify(v);
function throwsTypeError(fn) {
  try { fn(); } catch (e) { return e instanceof TypeError ? null : "threw " + e.name + ": " + e.message; }
  return "did not throw";
}
// The pattern string each component should have, filling what the entry leaves out.
function expectedPattern(entry, key) {
  const given = (entry.expected_obj || {})[key];
  if (given !== undefined) return given;
  const pat = entry.pattern;
  const dict = typeof pat[0] === "object" ? pat[0] : null;
  if ((entry.exactly_empty_components || []).includes(key)) return "";
  if (dict && dict[key]) return dict[key];
  if (dict && EARLIER[key].some((c) => dict[c] !== undefined)) return "*";
  let base = null;
  if (dict && dict.baseURL) base = new URL(dict.baseURL);
  else if (pat.length > 1 && typeof pat[1] === "string") base = new URL(pat[1]);
  if (base && key !== "username" && key !== "password") {
    const v = base[key];
    if (key === "protocol") return v.slice(0, -1);
    if (key === "search" || key === "hash") return v.slice(1);
    return v;
  }
  return "*";
}
function checkEntry(entry) {
  if (entry.expected_obj === "error") {
    const why = throwsTypeError(() => new URLPattern(...entry.pattern));
    return why && "constructor " + why;
  }
  let p;
  try { p = new URLPattern(...entry.pattern); } catch (e) { return "constructor threw " + e.name + ": " + e.message; }
  for (const k of KEYS) {
    const want = expectedPattern(entry, k);
    if (p[k] !== want) return "pattern." + k + " is " + show(p[k]) + ", want " + show(want);
  }
  const inputs = entry.inputs || [];
  const want = entry.expected_match;
  if (want === "error") {
    const why = throwsTypeError(() => p.test(...inputs)) || throwsTypeError(() => p.exec(...inputs));
    return why && "test/exec " + why;
  }
  let tested, got;
  try { tested = p.test(...inputs); got = p.exec(...inputs); } catch (e) { return "test/exec threw " + e.name + ": " + e.message; }
  if (tested !== !!want) return "test() returned " + tested;
  if (!want || typeof want !== "object") return got === want ? null : "exec() returned " + show(got) + ", want " + show(want);
  const wantInputs = want.inputs || inputs;
  if (got.inputs.length !== wantInputs.length) return "exec().inputs has " + got.inputs.length + " entries, want " + wantInputs.length;
  for (let i = 0; i < wantInputs.length; i++) {
    const a = got.inputs[i], b = wantInputs[i];
    if (typeof a === "string" || typeof b === "string") {
      if (a !== b) return "exec().inputs[" + i + "] is " + show(a) + ", want " + show(b);
      continue;
    }
    for (const k of KEYS) if (a[k] !== b[k]) return "exec().inputs[" + i + "]." + k + " is " + show(a[k]) + ", want " + show(b[k]);
  }
  for (const k of KEYS) {
    let exp = want[k];
    if (!exp) {
      // Absent from the expectation: the component input was empty, and it
      // matched a default "*" (one group "0") unless listed as exactly empty.
      exp = { input: "", groups: {} };
      if (!(entry.exactly_empty_components || []).includes(k)) exp.groups["0"] = "";
    }
    const c = got[k];
    if (!c || c.input !== exp.input) return "exec()." + k + ".input is " + show(c && c.input) + ", want " + show(exp.input);
    const gk = Object.keys(c.groups).sort(), ek = Object.keys(exp.groups).sort();
    if (JSON.stringify(gk) !== JSON.stringify(ek)) return "exec()." + k + ".groups keys are " + show(gk) + ", want " + show(ek);
    for (const g of ek) {
      const ev = exp.groups[g] === null ? undefined : exp.groups[g];
      if (c.groups[g] !== ev) return "exec()." + k + ".groups[" + show(g) + "] is " + show(c.groups[g]) + ", want " + show(ev);
    }
  }
  return null;
}
const failures = [];
DATA.forEach((entry, index) => {
  let why;
  try { why = checkEntry(entry); } catch (e) { why = "harness error: " + e; }
  if (why) failures.push({ index, pattern: JSON.stringify(entry.pattern), reason: why });
});
return JSON.stringify({ total: DATA.length, failures });
`

type urlPatternWPTFailure struct {
	Index   int    `json:"index"`
	Pattern string `json:"pattern"`
	Reason  string `json:"reason"`
}

// urlPatternWPTData is WPT's URLPattern data file: ../shared/... from the
// repository root, the conformance data shared beside the checkout.
var urlPatternWPTData = filepath.Join("..", "..", "shared", "conformance", "wpt", "url", "resources", "urlpatterntestdata.json")

const urlPatternExpectedFailures = "testdata/urlpattern_expected_failures.json"

// TestURLPatternWPTData runs WPT's URLPattern data file in one instance.
// Known failures are listed in testdata/urlpattern_expected_failures.json;
// any other failure, or a listed entry that now passes, fails the test.
func TestURLPatternWPTData(t *testing.T) {
	raw, err := os.ReadFile(urlPatternWPTData)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") != "" {
			t.Fatalf("WPT data file %s is missing", urlPatternWPTData)
		}
		t.Skipf("WPT data file %s is missing", urlPatternWPTData)
	}
	if err != nil {
		t.Fatal(err)
	}
	// The data goes in as a string literal and is parsed by JSON.parse, so
	// escaped lone surrogates reach the runtime intact.
	lit, err := json.Marshal(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := evalJS(t, "const DATA = JSON.parse("+string(lit)+");\n"+wptURLPatternDriver)
	var report struct {
		Total    int                    `json:"total"`
		Failures []urlPatternWPTFailure `json:"failures"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("driver returned %q: %v", out, err)
	}

	var known []urlPatternWPTFailure
	if b, err := os.ReadFile(urlPatternExpectedFailures); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &known); err != nil {
		t.Fatalf("%s: %v", urlPatternExpectedFailures, err)
	}
	expected := map[int]urlPatternWPTFailure{}
	for _, f := range known {
		expected[f.Index] = f
	}
	failed := map[int]bool{}
	for _, f := range report.Failures {
		failed[f.Index] = true
		if k, ok := expected[f.Index]; !ok || k.Pattern != f.Pattern {
			t.Errorf("entry %d %s: %s", f.Index, f.Pattern, f.Reason)
		}
	}
	for _, k := range known {
		if !failed[k.Index] {
			t.Errorf("entry %d %s is listed as a known failure (%s) but now passes; remove it from %s",
				k.Index, k.Pattern, k.Reason, urlPatternExpectedFailures)
		}
	}
	passed := report.Total - len(report.Failures)
	floor := report.Total - len(known)
	t.Logf("urlpatterntestdata.json: %d/%d entries pass (floor %d)", passed, report.Total, floor)
	if passed < floor {
		t.Errorf("pass count %d is below the recorded floor %d", passed, floor)
	}
}
