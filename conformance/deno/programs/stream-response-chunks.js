// A streamed response: chunks enqueued over several timer turns.
Deno.serve(() => {
  const enc = new TextEncoder();
  let i = 0;
  const body = new ReadableStream({
    start(c) {
      const tick = () => {
        i++;
        c.enqueue(enc.encode(`chunk ${i}\n`));
        if (i === 4) c.close();
        else setTimeout(tick, 5);
      };
      tick();
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
});
