// URL: what invalid input throws, URL.canParse and URL.parse.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name + (e instanceof TypeError ? " (TypeError)" : "");
  }
};
Deno.serve(() => {
  const r = {};
  t(r, "relativeNoBase", () => new URL("foo").href);
  t(r, "badBase", () => new URL("foo", "bar").href);
  t(r, "emptyString", () => new URL("").href);
  t(r, "badPort", () => new URL("http://example.com:99999/").href);
  t(r, "badHost", () => new URL("http://exa mple.com/").href);
  t(r, "badIPv6", () => new URL("http://[::1/").href);
  t(r, "noArgs", () => new URL().href);
  t(r, "canParseGood", () => URL.canParse("https://example.com"));
  t(r, "canParseBad", () => URL.canParse("nope"));
  t(r, "canParseBase", () => URL.canParse("/x", "https://example.com"));
  t(r, "parseGood", () => URL.parse("/x", "https://example.com")?.href);
  t(r, "parseBad", () => URL.parse("nope"));
  t(r, "toJSON", () => JSON.stringify({ u: new URL("https://example.com/a?b") }));
  t(r, "toStringTag", () => Object.prototype.toString.call(new URL("https://example.com")));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
