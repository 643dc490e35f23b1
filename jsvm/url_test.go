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
