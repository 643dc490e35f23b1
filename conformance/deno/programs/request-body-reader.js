// request.body read with getReader(): the concatenated bytes (chunk
// boundaries depend on the transport and are not reported).
Deno.serve(async (req) => {
  const r = { isStream: req.body instanceof ReadableStream, lockedBefore: req.body?.locked };
  if (req.body === null) return new Response(JSON.stringify({ body: null }), { headers: { "content-type": "application/json" } });
  const reader = req.body.getReader();
  r.lockedAfter = req.body.locked;
  let total = 0;
  let allUint8 = true;
  const parts = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      r.doneValue = value === undefined;
      break;
    }
    allUint8 &&= value instanceof Uint8Array;
    total += value.length;
    parts.push(value);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  r.total = total;
  r.allUint8 = allUint8;
  r.text = new TextDecoder().decode(all);
  r.bodyUsed = req.bodyUsed;
  try {
    await req.text();
    r.textAfter = "no error";
  } catch (e) {
    r.textAfter = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
