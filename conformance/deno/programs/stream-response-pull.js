// A pull-based stream body with highWaterMark 0, and async pulls.
Deno.serve(() => {
  let n = 0;
  const body = new ReadableStream({
    async pull(c) {
      await Promise.resolve();
      n++;
      if (n > 5) c.close();
      else c.enqueue(new TextEncoder().encode(`pull ${n};`));
    },
  }, { highWaterMark: 0 });
  return new Response(body);
});
