// Module state between requests on one instance, and an async handler that
// awaits several kinds of work (a resolved value, a timer, the body) before
// answering.
let count = 0;
Deno.serve(async (req) => {
  count++;
  const steps = [];
  steps.push(await null);
  steps.push(await new Promise((r) => setTimeout(() => r("timer"), 1)));
  steps.push(await Promise.all([Promise.resolve(1), new Promise((r) => queueMicrotask(() => r(2)))]));
  const body = req.method === "POST" ? await req.text() : "";
  return new Response(JSON.stringify({ count, body, steps }), { headers: { "content-type": "application/json" } });
});
