// AbortSignal.timeout: aborts later with a TimeoutError.
Deno.serve(async () => {
  const s = AbortSignal.timeout(10);
  const before = s.aborted;
  const event = await new Promise((resolve) => s.addEventListener("abort", (e) => resolve(e.type)));
  let thrown;
  try {
    s.throwIfAborted();
  } catch (e) {
    thrown = e.name;
  }
  return new Response(JSON.stringify({
    before,
    event,
    after: s.aborted,
    reason: [s.reason instanceof DOMException, s.reason.name],
    thrown,
  }), { headers: { "content-type": "application/json" } });
});
