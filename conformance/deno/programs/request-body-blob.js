// request.blob(): size, and type from the request's content-type.
Deno.serve(async (req) => {
  const b = await req.blob();
  return new Response(JSON.stringify({
    isBlob: b instanceof Blob,
    size: b.size,
    type: b.type,
    text: await b.text(),
  }), { headers: { "content-type": "application/json" } });
});
