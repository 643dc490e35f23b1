// request.json() on a bad body, not caught: the handler rejects (500).
Deno.serve(async (req) => {
  const v = await req.json();
  return new Response("parsed " + JSON.stringify(v));
});
