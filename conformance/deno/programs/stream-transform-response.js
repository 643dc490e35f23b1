// A response body piped through a TransformStream (upper-casing text).
Deno.serve(() => {
  const src = new ReadableStream({
    start(c) {
      c.enqueue("abc ");
      c.enqueue("déf ");
      c.enqueue("ghi");
      c.close();
    },
  });
  const upper = new TransformStream({
    transform(chunk, c) {
      c.enqueue(chunk.toUpperCase());
    },
    flush(c) {
      c.enqueue(" [end]");
    },
  });
  return new Response(src.pipeThrough(upper).pipeThrough(new TextEncoderStream()), {
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
});
