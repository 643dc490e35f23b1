// URL: relative references resolved against a base.
Deno.serve(() => {
  const base = "http://a/b/c/d;p?q";
  const refs = ["g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "..", "../g", "../..", "../../../g", ".", "", "g;x?y#s", "http:g", "https://other/x"];
  const r = {};
  for (const ref of refs) {
    try {
      r[JSON.stringify(ref)] = new URL(ref, base).href;
    } catch (e) {
      r[JSON.stringify(ref)] = "threw " + e.name;
    }
  }
  r.baseURLObject = new URL("x/y", new URL("https://example.com/dir/")).href;
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
