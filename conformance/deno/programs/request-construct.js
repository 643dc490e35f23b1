// Request: constructor, properties and method normalisation.
Deno.serve(() => {
  const r = {};
  const a = new Request("https://example.com/a?b#c", { method: "post", headers: { "X-A": "1" }, body: "hi" });
  r.a = [a.method, a.url, a.headers.get("x-a"), a.headers.get("content-type"), a.bodyUsed, a.redirect, a.body instanceof ReadableStream];
  r.get = [new Request("https://example.com").method, new Request("https://example.com").body];
  r.methods = ["get", "head", "options", "put", "delete", "patch", "Custom"].map((m) => new Request("https://example.com", { method: m }).method);
  r.signal = new Request("https://example.com").signal instanceof AbortSignal;
  const base = new Request("https://example.com/x", { method: "PUT", headers: { a: "1" }, body: "data" });
  const copy = new Request(base, { headers: { b: "2" } });
  r.copy = [copy.method, copy.url, [...copy.headers], base.bodyUsed];
  r.fromURL = new Request(new URL("https://example.com/u")).url;
  r.tag = Object.prototype.toString.call(a);
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
