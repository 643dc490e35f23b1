// URL: setters and the normalisation they apply.
Deno.serve(() => {
  const r = {};
  const u = new URL("https://example.com/path?q=1#h");
  u.pathname = "/a b/ä";
  r.pathname = u.href;
  u.search = "x=1 2";
  r.search = u.href;
  u.search = "";
  r.searchEmpty = u.href;
  u.hash = "frag ment";
  r.hash = u.href;
  u.hash = "";
  r.hashEmpty = u.href;
  u.port = "443";
  r.defaultPort = [u.port, u.host];
  u.port = "8443";
  r.port = [u.port, u.host];
  u.port = "99999";
  r.badPortIgnored = u.port;
  u.hostname = "Other.Example";
  r.hostname = u.href;
  u.protocol = "http";
  r.protocol = u.href;
  u.protocol = "foo";
  r.specialToNonSpecialIgnored = u.protocol;
  u.username = "us er";
  u.password = "p@ss";
  r.credentials = u.href;
  u.href = "https://new.example/";
  r.href = u.href;
  try {
    u.href = "not a url";
    r.badHref = u.href;
  } catch (e) {
    r.badHref = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
