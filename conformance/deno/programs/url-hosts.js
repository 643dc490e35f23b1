// URL: host parsing: IDNA, IPv4 forms, IPv6 compression, percent-encoding.
Deno.serve(() => {
  const r = {};
  for (const u of [
    "http://münchen.de/",
    "http://EXAMPLE.com./",
    "http://0x7f.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[2001:db8:0:0:1:0:0:1]/",
    "http://[::ffff:192.168.0.1]/",
    "http://ex%41mple.com/",
    "http://example.com/%e2%82%ac/€?€=€#€",
    "non-special://Host/path",
    "http://example.com/a/%2e%2E/b",
  ]) {
    try {
      r[u] = new URL(u).href;
    } catch (e) {
      r[u] = "threw " + e.name;
    }
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
