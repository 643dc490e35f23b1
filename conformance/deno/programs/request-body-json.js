// request.json(): good bodies, and the error for bad and empty ones.
Deno.serve(async (req) => {
  try {
    const v = await req.json();
    return new Response(JSON.stringify({ ok: true, value: v }), { headers: { "content-type": "application/json" } });
  } catch (e) {
    return new Response(JSON.stringify({ ok: false, threw: e.name, isSyntaxError: e instanceof SyntaxError }), { status: 400, headers: { "content-type": "application/json" } });
  }
});
