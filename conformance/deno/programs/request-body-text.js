// request.text(): the body, bodyUsed, and a second read.
Deno.serve(async (req) => {
  const r = { before: req.bodyUsed };
  r.text = await req.text();
  r.after = req.bodyUsed;
  try {
    await req.text();
    r.second = "no error";
  } catch (e) {
    r.second = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
