// Request: what invalid construction throws.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(() => {
  const r = {};
  t(r, "getWithBody", () => new Request("https://example.com", { method: "GET", body: "x" }));
  t(r, "headWithBody", () => new Request("https://example.com", { method: "HEAD", body: "x" }));
  t(r, "connect", () => new Request("https://example.com", { method: "CONNECT" }));
  t(r, "trace", () => new Request("https://example.com", { method: "TRACE" }));
  t(r, "badToken", () => new Request("https://example.com", { method: "A B" }));
  t(r, "relativeURL", () => new Request("/relative").url);
  t(r, "badURL", () => new Request("http://exa mple.com"));
  t(r, "badRedirect", () => new Request("https://example.com", { redirect: "nope" }));
  t(r, "noArgs", () => new Request());
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
