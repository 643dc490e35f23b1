// Server-sent events: text/event-stream written over several turns.
Deno.serve(() => {
  const enc = new TextEncoder();
  const events = [
    "event: greeting\ndata: hello\n\n",
    "id: 2\ndata: {\"n\":2}\n\n",
    "data: line one\ndata: line two\n\n",
    ": comment\nretry: 1000\n\n",
  ];
  const body = new ReadableStream({
    async start(c) {
      for (const e of events) {
        c.enqueue(enc.encode(e));
        await new Promise((r) => setTimeout(r, 5));
      }
      c.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
});
