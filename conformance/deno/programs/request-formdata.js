// request.formData() on urlencoded and multipart bodies, and on a bad one.
Deno.serve(async (req) => {
  try {
    const fd = await req.formData();
    const out = [];
    for (const [k, v] of fd) {
      if (typeof v === "string") out.push([k, v]);
      else out.push([k, { file: v instanceof File, name: v.name, type: v.type, size: v.size, text: await v.text() }]);
    }
    return new Response(JSON.stringify(out), { headers: { "content-type": "application/json" } });
  } catch (e) {
    return new Response(JSON.stringify({ threw: e.name }), { status: 400, headers: { "content-type": "application/json" } });
  }
});
