// request.arrayBuffer() and request.bytes() on a POST body.
Deno.serve(async (req) => {
  const a = req.clone();
  const buf = await req.arrayBuffer();
  const bytes = await a.bytes();
  return new Response(JSON.stringify({
    isArrayBuffer: buf instanceof ArrayBuffer,
    byteLength: buf.byteLength,
    first: [...new Uint8Array(buf).slice(0, 8)],
    bytesIsUint8Array: bytes instanceof Uint8Array,
    bytesLength: bytes.length,
    same: [...bytes].join() === [...new Uint8Array(buf)].join(),
  }), { headers: { "content-type": "application/json" } });
});
