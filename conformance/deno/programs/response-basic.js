// Response: default properties.
Deno.serve(() => {
  const a = new Response("body");
  const b = new Response(null, { status: 404, statusText: "Nope", headers: { "x-a": "1" } });
  const c = new Response();
  return new Response(JSON.stringify({
    a: [a.status, a.statusText, a.ok, a.type, a.redirected, a.url, a.bodyUsed, a.headers.get("content-type"), a.body instanceof ReadableStream],
    b: [b.status, b.statusText, b.ok, b.headers.get("x-a"), b.body],
    c: [c.status, c.body, c.headers.get("content-type"), [...c.headers]],
    tag: Object.prototype.toString.call(a),
  }), { headers: { "content-type": "application/json" } });
});
