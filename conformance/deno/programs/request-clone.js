// request.clone(): both copies readable; cloning a used request throws.
Deno.serve(async (req) => {
  const r = {};
  const c = req.clone();
  r.cloneProps = [c.method, c.url === req.url, c.headers.get("x-a")];
  r.original = await req.text();
  r.clone = await c.text();
  r.used = [req.bodyUsed, c.bodyUsed];
  try {
    req.clone();
    r.cloneUsed = "no error";
  } catch (e) {
    r.cloneUsed = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
