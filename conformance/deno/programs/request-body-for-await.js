// request.body read with for await.
Deno.serve(async (req) => {
  let total = 0;
  let text = "";
  const dec = new TextDecoder();
  for await (const chunk of req.body) {
    total += chunk.byteLength;
    text += dec.decode(chunk, { stream: true });
  }
  text += dec.decode();
  return new Response(JSON.stringify({ total, text, bodyUsed: req.bodyUsed }), { headers: { "content-type": "application/json" } });
});
