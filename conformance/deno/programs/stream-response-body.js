// A buffered response's body read as a stream.
Deno.serve(async () => {
  const res = new Response("stream of a buffered body");
  const reader = res.body.getReader();
  let text = "";
  const dec = new TextDecoder();
  let chunksAreBytes = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunksAreBytes &&= value instanceof Uint8Array;
    text += dec.decode(value, { stream: true });
  }
  return new Response(JSON.stringify({ text, chunksAreBytes, bodyUsed: res.bodyUsed }), { headers: { "content-type": "application/json" } });
});
