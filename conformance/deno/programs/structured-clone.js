// structuredClone: Map, Set, Date, RegExp, cycles, typed arrays, errors.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name + (e instanceof DOMException ? " (DOMException)" : "");
  }
};
Deno.serve(() => {
  const r = {};
  t(r, "map", () => { const m = structuredClone(new Map([["a", 1], [2, { b: 3 }]])); return [m instanceof Map, [...m]]; });
  t(r, "set", () => { const s = structuredClone(new Set([1, "two", 1])); return [s instanceof Set, [...s]]; });
  t(r, "date", () => { const d = new Date(Date.UTC(2020, 1, 29, 12)); const c = structuredClone(d); return [c instanceof Date, c !== d, c.toISOString()]; });
  t(r, "regexp", () => { const c = structuredClone(/ab+c/gi); return [c instanceof RegExp, c.source, c.flags]; });
  t(r, "cycle", () => { const o = { name: "root" }; o.self = o; o.list = [o]; const c = structuredClone(o); return [c !== o, c.self === c, c.list[0] === c]; });
  t(r, "shared", () => { const s = { x: 1 }; const c = structuredClone({ a: s, b: s }); return c.a === c.b; });
  t(r, "typed", () => { const c = structuredClone(new Uint16Array([1, 2, 65535])); return [c.constructor.name, [...c]]; });
  t(r, "arrayBuffer", () => structuredClone(new Uint8Array([9, 8]).buffer).byteLength);
  t(r, "primitives", () => [structuredClone(1), structuredClone("s"), structuredClone(null), structuredClone(undefined) === undefined, structuredClone(true), String(structuredClone(10n))]);
  t(r, "boxed", () => { const c = structuredClone(new String("boxed")); return [typeof c, String(c)]; });
  t(r, "error", () => { const c = structuredClone(new RangeError("bad range")); return [c instanceof RangeError, c.name, c.message]; });
  t(r, "nested", () => structuredClone({ a: [1, { b: [2, 3] }], c: { d: null } }));
  t(r, "sparse", () => { const c = structuredClone([1, , 3]); return [c.length, 1 in c]; });
  t(r, "getterNotCopied", () => structuredClone({ get x() { return 5; } }));
  t(r, "classInstance", () => { class P { constructor() { this.v = 1; } } const c = structuredClone(new P()); return [c instanceof P, c.v]; });
  t(r, "function", () => structuredClone(() => 1));
  t(r, "objectWithFunction", () => structuredClone({ f() {} }));
  t(r, "symbol", () => structuredClone(Symbol("s")));
  t(r, "weakMap", () => structuredClone(new WeakMap()));
  t(r, "transfer", () => { const b = new Uint8Array([1, 2]).buffer; const c = structuredClone(b, { transfer: [b] }); return [c.byteLength, b.byteLength]; });
  t(r, "noArgs", () => structuredClone());
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
