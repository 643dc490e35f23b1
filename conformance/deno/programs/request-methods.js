// The method and body presence for each HTTP method; HEAD gets no body.
Deno.serve(async (req) => {
  const body = req.body === null ? null : await req.text();
  return new Response(JSON.stringify({ method: req.method, body }), {
    headers: { "content-type": "application/json", "x-method": req.method },
  });
});
