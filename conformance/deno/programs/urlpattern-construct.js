// URLPattern: constructor forms, component getters and invalid patterns.
Deno.serve(() => {
  const r = {};
  const p = new URLPattern("https://example.com/a/:b?q=:v#h");
  r.components = [p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash];
  const withBase = new URLPattern("/x/:y", "https://example.org");
  r.withBase = [withBase.protocol, withBase.hostname, withBase.pathname];
  r.baseTest = withBase.test("/x/1", "https://example.org");
  r.empty = new URLPattern().pathname;
  for (const [k, f] of Object.entries({
    badRegexp: () => new URLPattern({ pathname: "/(" }),
    badType: () => new URLPattern(42, 42),
    relativeNoBase: () => new URLPattern("/x/:y"),
  })) {
    try {
      f();
      r[k] = "no error";
    } catch (e) {
      r[k] = "threw " + e.name;
    }
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
