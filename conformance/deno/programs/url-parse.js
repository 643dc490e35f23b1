// URL: the components of several absolute URLs.
const parts = (u) => {
  const x = new URL(u);
  return [x.href, x.protocol, x.username, x.password, x.host, x.hostname, x.port, x.pathname, x.search, x.hash, x.origin];
};
Deno.serve(() => {
  const r = {};
  for (const u of [
    "https://user:pa%20ss@Example.COM:8080/a/./b/../c?x=1#frag",
    "http://example.com:80/",
    "https://example.com:443",
    "file:///tmp/a%20b.txt",
    "data:text/plain,hello",
    "mailto:someone@example.com",
    "http://[::1]:3000/x",
    "ws://example.com/socket",
    "blob:https://example.com/uuid",
    "HTTP://EXAMPLE.com/%7Efoo/",
    "https://example.com/a b?c d#e f",
  ]) {
    try {
      r[u] = parts(u);
    } catch (e) {
      r[u] = "threw " + e.name;
    }
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
