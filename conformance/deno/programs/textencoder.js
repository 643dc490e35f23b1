// TextEncoder: encode, encodeInto, lone surrogates.
Deno.serve(() => {
  const enc = new TextEncoder();
  const r = {};
  r.encoding = enc.encoding;
  r.ascii = [...enc.encode("abc")];
  r.unicode = [...enc.encode("é€😀")];
  r.loneSurrogate = [...enc.encode("a\uD800b")];
  r.empty = enc.encode().length;
  r.isUint8 = enc.encode("x") instanceof Uint8Array;
  const dst = new Uint8Array(5);
  r.encodeInto = enc.encodeInto("a€😀", dst);
  r.encodeIntoBytes = [...dst];
  r.encodeIntoExact = enc.encodeInto("ab", new Uint8Array(2));
  r.coerced = [...enc.encode(123)];
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
