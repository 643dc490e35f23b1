// crypto.getRandomValues and randomUUID: only shapes and errors (the values
// are random).
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name + (e instanceof DOMException ? " (DOMException)" : "");
  }
};
Deno.serve(() => {
  const r = {};
  t(r, "sameArray", () => { const a = new Uint8Array(16); return crypto.getRandomValues(a) === a; });
  t(r, "types", () => [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]
    .map((T) => crypto.getRandomValues(new T(4)).length));
  t(r, "notAllZero", () => crypto.getRandomValues(new Uint8Array(64)).some((b) => b !== 0));
  t(r, "max", () => crypto.getRandomValues(new Uint8Array(65536)).length);
  t(r, "tooBig", () => crypto.getRandomValues(new Uint8Array(65537)));
  t(r, "float", () => crypto.getRandomValues(new Float32Array(4)));
  t(r, "dataView", () => crypto.getRandomValues(new DataView(new ArrayBuffer(4))));
  t(r, "uuidFormat", () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
  t(r, "uuidDistinct", () => crypto.randomUUID() !== crypto.randomUUID());
  t(r, "subtle", () => typeof crypto.subtle.digest);
  t(r, "tags", () => [Object.prototype.toString.call(crypto), Object.prototype.toString.call(crypto.subtle)]);
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
