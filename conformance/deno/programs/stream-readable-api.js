// ReadableStream API: readers, tee, cancel, async iteration, ReadableStream.from.
Deno.serve(async () => {
  const r = {};
  const make = () => new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.enqueue(3); c.close(); } });
  const s = make();
  const reader = s.getReader();
  r.locked = s.locked;
  r.reads = [await reader.read(), await reader.read(), await reader.read(), await reader.read()];
  reader.releaseLock();
  r.unlocked = s.locked;
  const [a, b] = make().tee();
  const all = async (st) => { const out = []; for await (const v of st) out.push(v); return out; };
  r.tee = [await all(a), await all(b)];
  let cancelReason;
  const c = new ReadableStream({ cancel(reason) { cancelReason = reason; } });
  await c.cancel("why");
  r.cancel = cancelReason;
  r.from = await all(ReadableStream.from([4, 5, 6]));
  r.fromAsync = await all(ReadableStream.from((async function* () { yield "x"; yield "y"; })()));
  const early = make();
  for await (const v of early) {
    r.earlyBreak = v;
    break;
  }
  r.earlyLocked = early.locked;
  r.desiredSize = await new Promise((res) => new ReadableStream({ start(c) { res(c.desiredSize); } }, { highWaterMark: 3 }));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
