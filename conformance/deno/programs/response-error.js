// Response.error(): its properties (it is not returned).
Deno.serve(() => {
  const e = Response.error();
  return new Response(JSON.stringify({
    type: e.type,
    status: e.status,
    statusText: e.statusText,
    ok: e.ok,
    body: e.body,
    headers: [...e.headers],
  }), { headers: { "content-type": "application/json" } });
});
