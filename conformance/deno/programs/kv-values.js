// Deno KV values: every structured-cloneable kind round-trips with its
// type, identity (shared and cyclic references) and oddities (-0, NaN,
// holes, undefined); Uint8Array and Deno.KvU64 come back as themselves,
// other class instances as plain objects.
const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
function describe(v, seen = new Set()) {
  if (typeof v === "bigint") return v + "n";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v !== "object" || v === null) return typeof v + ":" + String(v);
  if (seen.has(v)) return "<seen>";
  seen.add(v);
  if (v instanceof Deno.KvU64) return "KvU64(" + v.value + ")";
  if (v instanceof Date) return "Date(" + v.getTime() + ")";
  if (v instanceof RegExp) return "RegExp(" + v.source + "/" + v.flags + ")";
  if (v instanceof Map) return "Map{" + [...v].map(([k, x]) => describe(k, seen) + "=>" + describe(x, seen)).join(",") + "}";
  if (v instanceof Set) return "Set{" + [...v].map((x) => describe(x, seen)).join(",") + "}";
  if (v instanceof ArrayBuffer) return "ArrayBuffer(" + Array.from(new Uint8Array(v)).join(",") + ")";
  if (ArrayBuffer.isView(v)) return tag(v) + "(" + v.byteOffset + "/" + v.byteLength + ")";
  if (v instanceof Error) return tag(v) + ":" + v.name + ":" + v.message + ":" + ("cause" in v ? describe(v.cause, seen) : "-") + ":" + Object.keys(v).join();
  const proto = Object.getPrototypeOf(v);
  const kind = Array.isArray(v) ? "Array(" + v.length + ")" : proto === Object.prototype ? "Object" : proto === null ? "NullProto" : "Other:" + tag(v);
  return kind + "{" + Object.keys(v).map((k) => k + ":" + describe(v[k], seen)).join(",") + "}";
}

Deno.serve(async () => {
  const kv = await Deno.openKv(Deno.env.get("KV_PATH"));
  const cyclic = { name: "c" };
  cyclic.self = cyclic;
  const shared = { s: 1 };
  const buf = new ArrayBuffer(4);
  const err = new TypeError("boom", { cause: 5 });
  err.extra = 1;
  const values = {
    undef: undefined, nul: null, negZero: -0, nan: NaN, inf: -Infinity, big: -12345678901234567890n, str: "é\u0000", bool: false,
    json: { a: [1, "x", null, { b: true }], n: 1.5 }, date: new Date(86400000), re: /a.b/gimsuy, map: new Map([[1, { a: 1 }], ["k", [2]]]),
    set: new Set([1, "x", 1n]), ab: new Uint8Array([1, 2]).buffer, u8: new Uint8Array([1, 2, 3, 4]).subarray(1, 3), i16: new Int16Array([-1, 2]),
    f64: new Float64Array([0.5]), dv: new DataView(new ArrayBuffer(3), 1), big64: new BigInt64Array([-1n]), sharedBuffer: [new Uint8Array(buf, 1, 2), new Uint16Array(buf)],
    error: err, rangeError: new RangeError("r"), sparse: [1, , 3], arrUndef: [undefined], objUndef: { a: undefined }, boxed: [new Number(3), new String("s"), new Boolean(true)],
    cyclic, shared: [shared, shared], u64: new Deno.KvU64(7n), nestedU64: { a: new Deno.KvU64(3n) }, instance: new (class Foo { constructor() { this.x = 1; } })(),
    nullProto: Object.assign(Object.create(null), { a: 1 }), emptyArr: [], emptyObj: {}, longString: "x".repeat(60000),
  };
  const r = {};
  for (const [name, v] of Object.entries(values)) {
    try {
      await kv.set(["v", name], v);
      const got = (await kv.get(["v", name])).value;
      let extra = "";
      if (name === "cyclic") extra = " self:" + (got.self === got);
      if (name === "shared") extra = " same:" + (got[0] === got[1]);
      if (name === "sharedBuffer") extra = " sameBuffer:" + (got[0].buffer === got[1].buffer);
      if (name === "u8") extra = " bytes:" + Array.from(got).join(",") + " buffer:" + got.buffer.byteLength;
      if (name === "error") extra = " stack:" + (typeof got.stack) + " instanceof:" + (got instanceof TypeError);
      if (name === "longString") { r[name] = got === v; continue; }
      r[name] = describe(got) + extra;
    } catch (e) {
      r[name] = "threw " + e.name + ": " + e.message;
    }
  }
  kv.close();
  return new Response(JSON.stringify(r, null, 1), { headers: { "content-type": "application/json" } });
});
