// AbortSignal.any: follows the first of its signals to abort.
Deno.serve(async () => {
  const r = {};
  const a = new AbortController();
  const b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  let fired = 0;
  any.addEventListener("abort", () => fired++);
  r.before = any.aborted;
  b.abort("from b");
  a.abort("from a");
  r.after = [any.aborted, any.reason, fired];
  r.alreadyAborted = AbortSignal.any([new AbortController().signal, AbortSignal.abort("early")]).reason;
  r.empty = AbortSignal.any([]).aborted;
  const timed = AbortSignal.any([AbortSignal.timeout(5)]);
  await new Promise((res) => timed.addEventListener("abort", res));
  r.timeout = timed.reason.name;
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
