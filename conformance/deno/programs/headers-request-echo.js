// The request's headers as the handler sees them (only those the case sends:
// each runtime's HTTP server may add others).
Deno.serve((req) => {
  const h = req.headers;
  return new Response(JSON.stringify({
    custom: h.get("x-custom"),
    upper: h.get("X-CUSTOM"),
    multi: h.get("x-multi"),
    accept: h.get("accept"),
    contentType: h.get("content-type"),
    missing: h.get("x-missing"),
    has: h.has("x-custom"),
  }), { headers: { "content-type": "application/json", "x-echo": h.get("x-custom") ?? "none" } });
});
