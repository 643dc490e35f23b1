// Stream errors: locked streams, enqueue after close, errored streams.
const t = async (r, k, f) => {
  try {
    r[k] = await f();
  } catch (e) {
    r[k] = "threw " + e.name + (e.message === "boom" ? " boom" : "");
  }
};
Deno.serve(async () => {
  const r = {};
  await t(r, "secondReader", () => { const s = new ReadableStream(); s.getReader(); s.getReader(); });
  await t(r, "enqueueAfterClose", () => new ReadableStream({ start(c) { c.close(); c.enqueue(1); } }).getReader().read());
  await t(r, "errored", () => new ReadableStream({ start(c) { c.error(new Error("boom")); } }).getReader().read());
  await t(r, "pullThrows", () => new ReadableStream({ pull() { throw new RangeError("boom"); } }).getReader().read());
  await t(r, "cancelLocked", () => { const s = new ReadableStream(); s.getReader(); return s.cancel(); });
  await t(r, "transformThrows", async () => {
    const ts = new TransformStream({ transform() { throw new TypeError("boom"); } });
    const w = ts.writable.getWriter();
    w.write("x").catch(() => {});
    return ts.readable.getReader().read();
  });
  await t(r, "badResponseChunk", () => new Response(new ReadableStream({ start(c) { c.enqueue("not bytes"); c.close(); } })).text());
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
