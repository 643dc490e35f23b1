// WritableStream, pipeTo, TransformStream and queuing strategies.
Deno.serve(async () => {
  const r = {};
  const written = [];
  let closed = false;
  const sink = new WritableStream({
    write(chunk) { written.push(chunk); },
    close() { closed = true; },
  });
  await ReadableStream.from(["a", "b", "c"]).pipeTo(sink);
  r.pipeTo = [written, closed];
  const w = new WritableStream({ write(chunk) { written.push("direct:" + chunk); } });
  const writer = w.getWriter();
  await writer.write("1");
  await writer.close();
  r.writer = written.slice(3);
  const t = new TransformStream();
  const tw = t.writable.getWriter();
  tw.write("through");
  tw.close();
  const tr = t.readable.getReader();
  r.identity = [(await tr.read()).value, (await tr.read()).done];
  r.byteLength = new ByteLengthQueuingStrategy({ highWaterMark: 16 }).size(new Uint8Array(5));
  r.count = [new CountQueuingStrategy({ highWaterMark: 2 }).highWaterMark, new CountQueuingStrategy({ highWaterMark: 2 }).size()];
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
