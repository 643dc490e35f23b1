package jsvm

import "testing"

func TestURL(t *testing.T) {
	runJSCases(t, []jsCase{
		{"components", `const u = new URL("https://user:pw@Example.COM:8443/a/../b/%7e?q=1#frag");
return [u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin].join("|");`,
			"https:|user|pw|example.com:8443|example.com|8443|/b/%7e|?q=1|#frag|https://example.com:8443"},
		{"relative with base", `return new URL("../x?y#z", "https://a.example/b/c/d").href;`, "https://a.example/b/x?y#z"},
		{"default port dropped", `return new URL("https://a.example:443/").href;`, "https://a.example/"},
		{"idna", `return new URL("https://bücher.example/").hostname;`, "xn--bcher-kva.example"},
		{"invalid throws TypeError", `return new URL("not a url");`, "throws TypeError: Invalid URL: 'not a url'"},
		{"canParse", `return [URL.canParse("https://x"), URL.canParse("nope"), URL.canParse("/p", "https://x")].join();`, "true,false,true"},
		{"setters", `const u = new URL("https://a.example/p?x=1");
u.pathname = "/q r"; u.hash = "h"; u.port = "8080"; u.protocol = "http";
return u.href;`, "http://a.example:8080/q%20r?x=1#h"},
		{"opaque origin", `return new URL("data:text/plain,hi").origin;`, "null"},
		{"toJSON and toString", `const u = new URL("https://a.example/"); return JSON.stringify({u}) + String(u);`, `{"u":"https://a.example/"}https://a.example/`},
	})
}

func TestURLSearchParams(t *testing.T) {
	runJSCases(t, []jsCase{
		{"parse and get", `const p = new URLSearchParams("?a=1&b=x+y&a=2&c=%zz&d=%F0%9F%98%80");
return [p.get("a"), p.getAll("a").join(), p.get("b"), p.get("c"), p.get("d"), String(p.get("none")), p.size].join("|");`,
			"1|1,2|x y|%zz|😀|null|5"},
		{"serialize", `return new URLSearchParams({ "a b": "c&d", e: "é*-._~" }).toString();`, "a+b=c%26d&e=%C3%A9*-._%7E"},
		{"pairs and sort", `const p = new URLSearchParams([["z", "1"], ["a", "2"], ["z", "0"]]); p.sort(); return p.toString();`, "a=2&z=1&z=0"},
		{"set delete has", `const p = new URLSearchParams("a=1&a=2&b=3"); p.set("a", "9"); p.delete("b"); return p.toString() + " " + p.has("a") + p.has("b") + p.has("a", "9");`, "a=9 truefalsetrue"},
		{"linked to URL", `const u = new URL("https://x.example/?a=1"); u.searchParams.append("b", "2 3"); u.search = "?c=4"; return u.href + " " + u.searchParams.get("c");`,
			"https://x.example/?c=4 4"},
		{"appending updates the URL", `const u = new URL("https://x.example/?a=1"); u.searchParams.append("b", "2 3"); return u.href;`, "https://x.example/?a=1&b=2+3"},
		{"emptying drops the ?", `const u = new URL("https://x.example/?a=1"); u.searchParams.delete("a"); return u.href;`, "https://x.example/"},
		{"iteration", `const out = []; for (const [k, v] of new URLSearchParams("a=1&b=2")) out.push(k + v); return out.join();`, "a1,b2"},
	})
}

// Hosts of special URLs follow the current URL Standard's "domain to ASCII"
// (see urlhost.go), not the parser library's older take on it.
func TestURLHosts(t *testing.T) {
	host := func(input string) string {
		return `return new URL(` + "`https://" + input + "/x`" + `).hostname;`
	}
	runJSCases(t, []jsCase{
		// An all-ASCII domain is lowercased and kept: no IDNA validation, so
		// bad Punycode, a lone joiner in Punycode, or hyphens are fine.
		{"ascii xn-- with bad punycode kept", host("xn--a"), "xn--a"},
		{"ascii bare xn-- kept", host("xn--"), "xn--"},
		{"ascii joiner punycode kept", host("XN--1ug.Example"), "xn--1ug.example"},
		{"ascii xn-- last label is no number", `return new URL("http://10.0.0.Xn--pokxncvks").href;`, "http://10.0.0.xn--pokxncvks/"},
		{"ascii '=' allowed", host("xn--ls8h="), "xn--ls8h="},
		// A non-ASCII domain goes through UTS #46 in full, so the same bad
		// Punycode label then fails.
		{"bad punycode next to non-ascii", host("xn--a.\u00df"), "throws TypeError: Invalid URL: 'https://xn--a.\u00df/x'"},
		{"idna maps and punycodes", host("B\u00fccher.example"), "xn--bcher-kva.example"},
		// UseSTD3ASCIIRules is off: "≠" is allowed, and "=" + U+0338
		// composes to it, even with an ignored soft hyphen in between.
		{"no STD3 rules", host("\u2260"), "xn--1ch"},
		{"NFC composes", host("=\u00ad\u0338"), "xn--1ch"},
		// Mappings newer than golang.org/x/net/idna's Unicode 15 tables.
		{"capital sharp s maps to sharp s", host("\u1e9e.com"), "xn--zca.com"},
		{"U+04C0 maps to U+04CF", host("\u04c0.com"), "xn--s5a.com"},
		{"U+2183 maps to U+2184", host("\u2183.com"), "xn--r5g.com"},
		{"U+180E and U+206B are ignored", `return [new URL("https://look\u180eout.net").hostname, new URL("https://look\u206bout.net").hostname].join();`, "lookout.net,lookout.net"},
		// Forbidden domain code points are checked after mapping: a
		// fullwidth "<" maps to "<".
		{"forbidden after mapping", `return URL.canParse("https://a\uff1cb/") + "," + URL.canParse("https://a<b/");`, "false,false"},
		{"disallowed code point", `return URL.canParse("https://a\u2025b/");`, "false"},
		// Hosts that end in a number are IPv4 addresses or failures.
		{"ipv4 hex and short forms", `return new URL("http://0x7F.1").hostname;`, "127.0.0.1"},
		{"ipv4 from fullwidth digits", `return new URL("http://\uff11\uff12\uff17.0.0.1").hostname;`, "127.0.0.1"},
		{"ends in a number but not ipv4", `return URL.canParse("http://a.09");`, "false"},
		// The stand-in the parser library sees never leaks out or collides.
		{"host that looks like the stand-in", host("EDGEHOST41"), "edgehost41"},
		// Opaque hosts of non-special URLs are not domains.
		{"opaque host keeps case", `return new URL("sc://XN--A/").host;`, "XN--A"},
		{"ipv6", `return new URL("http://[::1]/").host;`, "[::1]"},
		{"file localhost", `return new URL("file://LOCALHOST/p").href;`, "file:///p"},
		// Setters use the same host parser; an invalid host is ignored.
		{"host setter", `const u = new URL("https://example.com/"); u.host = "xn--"; const a = u.href; u.hostname = "\u2260"; const b = u.href; u.hostname = "a<b"; return [a, b, u.href].join(" ");`,
			"https://xn--/ https://xn--1ch/ https://xn--1ch/"},
	})
}

func TestURLPathsAndParams(t *testing.T) {
	runJSCases(t, []jsCase{
		// "^" is in the path percent-encode set (not the query's).
		{"caret in path", `return new URL("foo://host/a^b?c^d").href;`, "foo://host/a%5Eb?c^d"},
		{"caret via pathname setter", `const u = new URL("a:/"); u.pathname = "^"; return u.href;`, "a:/%5E"},
		// The last space of an opaque path before "?" or "#" is "%20", so
		// emptying the query or fragment keeps the path as it was.
		{"opaque path trailing space", `return new URL("sc:opaque  ?hi").href + "|" + new URL("sc:opaque \t #hi").href;`, "sc:opaque %20?hi|sc:opaque %20#hi"},
		{"clearing search keeps spaces", `const u = new URL("data:space  ?query#fragment"); u.search = ""; return u.href;`, "data:space %20#fragment"},
		{"clearing hash keeps spaces", `const u = new URL("sc:space ?q#f"); u.hash = ""; u.search = ""; return u.href;`, "sc:space%20"},
		{"searchParams delete keeps spaces", `const u = new URL("sc:space    ?a=1"); u.searchParams.delete("a"); return u.pathname + "|" + u.href;`, "space   %20|sc:space   %20"},
		{"relative against an opaque base", `return new URL("#x", "sc:a ?q").href;`, "sc:a%20?q#x"},
		// URLSearchParams init: any object, functions included; an own
		// @@iterator wins even on a URLSearchParams; lone surrogates become
		// U+FFFD (USVString).
		{"function as record", `function F() {} F.a = "1"; F.b = 2; return new URLSearchParams(F).toString();`, "a=1&b=2"},
		{"own iterator on URLSearchParams", `const p = new URLSearchParams("x=1"); p[Symbol.iterator] = function* () { yield ["a", "b"]; }; return new URLSearchParams(p).toString();`, "a=b"},
		{"copying URLSearchParams", `return new URLSearchParams(new URLSearchParams("x=1&y=2")).toString();`, "x=1&y=2"},
		{"lone surrogates", `const p = new URLSearchParams([["\ud835x", "1"]]); p.append("y\udc53", "\ud800"); return JSON.stringify([...p.keys(), p.get("y\ufffd")]);`, `["�x","y�","�"]`},
		{"record keys colliding after USV conversion", `return new URLSearchParams({ "a\ud800": "1", "a\udc00": "2" }).toString();`, "a%EF%BF%BD=2"},
		{"non-sequence pair throws", `return new URLSearchParams([1]);`, "throws TypeError: URLSearchParams: each init pair must be a sequence"},
	})
}

func TestHostEndsInANumber(t *testing.T) {
	for in, want := range map[string]bool{
		"1.2.3.4": true, "a.1": true, "a.1.": true, "a.0x": true, "a.0xAf": true, "a.0x1g": false,
		"a.b": false, "1.a": false, ".": false, "": false, "a..": false, "xn--a.09": true,
	} {
		if got := hostEndsInANumber(in); got != want {
			t.Errorf("hostEndsInANumber(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestURLSearchParamsIterator(t *testing.T) {
	runJSCases(t, []jsCase{
		{"tag and prototype", `const it = new URLSearchParams("a=1").entries(); return [Object.prototype.toString.call(it), Object.getPrototypeOf(Object.getPrototypeOf(it)) === Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())), typeof it[Symbol.iterator]].join();`, "[object URLSearchParams Iterator],true,function"},
		{"live", `const p = new URLSearchParams("a=1&b=2&c=3"); const seen = []; for (const [k] of p) { seen.push(k); if (k === "a") { p.delete("b"); p.append("d", "4"); } } return seen.join();`, "a,c,d"},
	})
}
