// Deno.KvU64, and how Deno.Kv values become stored bytes and back.
//
// A value is stored as one of four kinds (package kv, ValueKind):
//   1 JSON: JSON text, for JSON-safe values: null, booleans, strings,
//     finite numbers other than -0, and arrays (no holes, no extra
//     properties) and plain objects of those, each object reached once
//     (a shared or cyclic reference is not JSON-safe). Deno.storage's
//     values are this kind too, and other tools can read them.
//   2 bytes: a Uint8Array, its bytes.
//   3 u64: a Deno.KvU64 (top level only), 8 bytes little-endian.
//   4 structured: anything else structured-cloneable, as the JSON text of
//     one node of this tagged tree:
//       null, true, false, a string, a finite number other than -0: itself
//       ["u"] undefined          ["n", "NaN"|"Infinity"|"-Infinity"|"-0"]
//       ["i", "123"] bigint      ["r", id] the id-th object node (from 0, in
//                                the order the encoder met them), shared or cyclic
//       ["o", [k, v, ...]] object (any ordinary object: its own enumerable
//                                string keys, as Deno's V8 serializer does)
//       ["a", length, [k, v, ...]] array, own enumerable keys (sparse kept)
//       ["D", time node]  ["R", source, flags]  ["M", [k, v, ...]]  ["S", [v, ...]]
//       ["B", base64] ArrayBuffer
//       ["T", type, buffer node, byteOffset, length] typed array
//       ["V", buffer node, byteOffset, byteLength] DataView
//       ["E", name, message|null, stack|null, cause node?] Error
//       ["W", "Boolean"|"Number"|"String"|"BigInt", primitive node] wrapper
//     Every tagged node but u, n, i and r is an object and takes the next id.
// A value's size limit (kv.MaxValueBytes, 65536) is measured on these
// bytes, not on V8's serialization as in Deno: a value near the limit may
// fit in one runtime and not the other.
(function (globalThis, host, internal) {
  "use strict";

  const KIND_JSON = 1, KIND_BYTES = 2, KIND_U64 = 3, KIND_STRUCTURED = 4;
  const MAX_U64 = (1n << 64n) - 1n;

  // checkU64 throws what new Deno.KvU64(value) throws for a value that is
  // not an unsigned 64-bit bigint.
  function checkU64(value) {
    if (typeof value !== "bigint") throw new TypeError(`Value must be a bigint: received ${typeof value}`);
    if (value < 0n) throw new RangeError(`Value must be a positive bigint: received ${value}`);
    if (value > MAX_U64) throw new RangeError("Value must fit in a 64-bit unsigned integer");
  }

  class KvU64 {
    constructor(value) {
      checkU64(value);
      this.value = value;
      Object.freeze(this);
    }
    valueOf() { return this.value; }
    toString() { return String(this.value); }
    [internal.inspectSymbol]() { return `[Deno.KvU64: ${this.value}n]`; }
  }
  Object.defineProperty(KvU64.prototype, Symbol.toStringTag, { value: "Deno.KvU64", configurable: true });
  Object.defineProperty(KvU64.prototype, internal.inspectSymbol, { enumerable: false });

  const isPrototypeOf = Object.prototype.isPrototypeOf;
  const getPrototypeOf = Object.getPrototypeOf;
  const objectKeys = Object.keys;
  const isArray = Array.isArray;
  const ObjectPrototype = Object.prototype;
  const ArrayPrototype = Array.prototype;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const functionToString = Function.prototype.toString;
  const defineProperty = Object.defineProperty;
  const getOwnDesc = Object.getOwnPropertyDescriptor;
  const hasOwn = (o, k) => ObjectPrototype.hasOwnProperty.call(o, k);
  const dataDesc = (value) => ({ value, writable: true, enumerable: true, configurable: true });
  const hiddenDesc = (value) => ({ value, writable: true, enumerable: false, configurable: true });

  function isU64(v) {
    return typeof v === "object" && v !== null && isPrototypeOf.call(KvU64.prototype, v);
  }

  // Deno's TypeError for a value V8 cannot serialize names it as V8 prints it.
  function notCloneable(v) {
    let what;
    if (typeof v === "function") what = functionToString.call(v);
    else if (typeof v === "symbol") what = v.toString();
    else {
      let name = "Object";
      if (host.objectKind(v) !== "Proxy") {
        try {
          const c = v.constructor;
          if (typeof c === "function" && typeof c.name === "string" && c.name !== "") name = c.name;
        } catch {
          // keep "Object"
        }
      }
      what = `#<${name}>`;
    }
    return new TypeError(`${what} could not be cloned.`);
  }

  // jsonSafe reports whether JSON text round-trips v exactly.
  function jsonSafe(v, seen) {
    switch (typeof v) {
      case "string":
      case "boolean":
        return true;
      case "number":
        return Number.isFinite(v) && !Object.is(v, -0);
      case "object":
        break;
      default:
        return false;
    }
    if (v === null) return true;
    // The set of objects met is made for the first one: most stored values
    // are primitives, and a Set would make goja build Set.prototype.
    if (seen === null) seen = new Set();
    else if (seen.has(v)) return false;
    seen.add(v);
    const proto = getPrototypeOf(v);
    if (proto !== ObjectPrototype && proto !== ArrayPrototype) return false;
    if (host.objectKind(v) === "Proxy") return false;
    const keys = objectKeys(v);
    if (proto === ArrayPrototype) {
      if (!isArray(v) || keys.length !== v.length) return false;
      for (let i = 0; i < v.length; i++) if (!jsonSafe(v[i], seen)) return false;
      return true;
    }
    if (isArray(v)) return false;
    for (const k of keys) if (!jsonSafe(v[k], seen)) return false;
    return true;
  }

  // encodeValue returns [kind, data] for host.kvCommit, or throws Deno's
  // TypeError for a value that cannot be stored.
  function encodeValue(v) {
    if (isU64(v)) return [KIND_U64, v.value];
    if (typeof v === "object" && v !== null && ArrayBuffer.isView(v) && parts().typedArrayTag.call(v) === "Uint8Array" &&
      host.objectKind(v) !== "Proxy") {
      return [KIND_BYTES, new Uint8Array(v)];
    }
    if (jsonSafe(v, null)) return [KIND_JSON, stringify(v)];
    return [KIND_STRUCTURED, stringify(new Encoder().node(v))];
  }

  function parts() {
    return internal.cloneParts;
  }

  class Encoder {
    constructor() {
      this.ids = new Map();
    }
    node(v) {
      switch (typeof v) {
        case "undefined": return ["u"];
        case "string":
        case "boolean":
          return v;
        case "number":
          if (Number.isFinite(v) && !Object.is(v, -0)) return v;
          return ["n", Object.is(v, -0) ? "-0" : String(v)];
        case "bigint": return ["i", String(v)];
        case "object":
          if (v === null) return null;
          return this.object(v);
        default:
          throw notCloneable(v);
      }
    }
    list(items) {
      return items.map((x) => this.node(x));
    }
    object(v) {
      const id = this.ids.get(v);
      if (id !== undefined) return ["r", id];
      const P = parts();
      const kind = host.objectKind(v);
      if (kind === "Proxy" || kind === "Promise" || kind === "Arguments") throw notCloneable(v);
      if (P.isPlatformObject(v)) throw notCloneable(v);
      const cls = P.classify(v);
      this.ids.set(v, this.ids.size);
      switch (cls) {
        case "Boolean": return ["W", "Boolean", P.booleanValueOf.call(v)];
        case "Number": return ["W", "Number", this.node(P.numberValueOf.call(v))];
        case "String": return ["W", "String", P.stringValueOf.call(v)];
        case "BigInt": return ["W", "BigInt", this.node(P.bigintValueOf.call(v))];
        case "Date": return ["D", this.node(P.dateGetTime.call(v))];
        case "RegExp": return ["R", P.regexpSource.call(v), P.regexpFlags(v)];
        case "ArrayBuffer":
          if (host.bufferDetached(v)) throw notCloneable(v);
          return ["B", host.kvBase64(new Uint8Array(v))];
        case "TypedArray":
          return ["T", P.typedArrayTag.call(v), this.node(P.typedArrayBuffer.call(v)), P.typedArrayOffset.call(v), P.typedArrayLength.call(v)];
        case "DataView":
          return ["V", this.node(P.dataViewBuffer.call(v)), P.dataViewOffset.call(v), P.dataViewLength.call(v)];
        case "Map": {
          const flat = [];
          P.mapForEach.call(v, (val, key) => { flat.push(key, val); });
          return ["M", this.list(flat)];
        }
        case "Set": {
          const items = [];
          P.setForEach.call(v, (val) => { items.push(val); });
          return ["S", this.list(items)];
        }
        case "Error": {
          let name = v.name;
          if (typeof name !== "string" || !hasOwn(P.ERROR_CTORS, name)) name = "Error";
          const m = getOwnDesc(v, "message");
          const s = getOwnDesc(v, "stack");
          const out = ["E", name, m && "value" in m ? String(m.value) : null, s && typeof s.value === "string" ? s.value : null];
          const c = getOwnDesc(v, "cause");
          if (c && "value" in c) out.push(this.node(c.value));
          return out;
        }
        case "Symbol":
        case "WeakMap":
        case "WeakSet":
          throw notCloneable(v);
        default: {
          const flat = [];
          const arr = isArray(v);
          const out = arr ? ["a", v.length, flat] : ["o", flat];
          for (const k of objectKeys(v)) {
            if (!hasOwn(v, k)) continue; // deleted by an earlier getter
            flat.push(k, this.node(v[k]));
          }
          return out;
        }
      }
    }
  }

  // decodeValue reads [kind, data] as host.kvGet gives it.
  function decodeValue(kind, data) {
    switch (kind) {
      case KIND_JSON: return internal.parseJSONValue(data);
      case KIND_BYTES: return data;
      case KIND_U64: return new KvU64(data);
      case KIND_STRUCTURED: return new Decoder().node(parse(data));
    }
    throw new TypeError(`Deno.Kv: a stored value has an unknown kind ${kind}`);
  }

  class Decoder {
    constructor() {
      this.objects = [];
    }
    // reserve takes the next id for an object made after its children.
    reserve() {
      this.objects.push(undefined);
      return this.objects.length - 1;
    }
    add(o) {
      this.objects.push(o);
      return o;
    }
    node(n) {
      if (!isArray(n)) return n;
      const P = parts();
      switch (n[0]) {
        case "u": return undefined;
        case "n": return n[1] === "-0" ? -0 : Number(n[1]);
        case "i": return BigInt(n[1]);
        case "r": return this.objects[n[1]];
        case "W": {
          const i = this.reserve();
          return (this.objects[i] = Object(this.node(n[2])));
        }
        case "D": {
          const i = this.reserve();
          return (this.objects[i] = new Date(this.node(n[1])));
        }
        case "R": return this.add(new RegExp(n[1], n[2]));
        case "B": return this.add(host.kvFromBase64(n[1]).buffer);
        case "T": {
          const i = this.reserve();
          const C = P.TYPED_ARRAYS[n[1]];
          return (this.objects[i] = new C(this.node(n[2]), n[3], n[4]));
        }
        case "V": {
          const i = this.reserve();
          return (this.objects[i] = new DataView(this.node(n[1]), n[2], n[3]));
        }
        case "M": {
          const m = this.add(new Map());
          const flat = n[1];
          for (let j = 0; j < flat.length; j += 2) m.set(this.node(flat[j]), this.node(flat[j + 1]));
          return m;
        }
        case "S": {
          const s = this.add(new Set());
          for (const x of n[1]) s.add(this.node(x));
          return s;
        }
        case "E": {
          const C = hasOwn(P.ERROR_CTORS, n[1]) ? P.ERROR_CTORS[n[1]] : Error;
          // Constructed, not Object.create'd: a real error object, whose
          // Object.prototype.toString tag is "Error".
          const e = this.add(new C());
          if (n[2] !== null) defineProperty(e, "message", hiddenDesc(n[2]));
          if (n[3] !== null) defineProperty(e, "stack", hiddenDesc(n[3]));
          else delete e.stack;
          if (n.length > 4) defineProperty(e, "cause", hiddenDesc(this.node(n[4])));
          return e;
        }
        case "a":
        case "o": {
          const arr = n[0] === "a";
          const o = this.add(arr ? new Array(n[1]) : {});
          const flat = arr ? n[2] : n[1];
          for (let j = 0; j < flat.length; j += 2) defineProperty(o, flat[j], dataDesc(this.node(flat[j + 1])));
          return o;
        }
      }
      throw new TypeError(`Deno.Kv: a stored value is malformed (tag ${stringify(n[0])})`);
    }
  }

  // encodeU64 is encodeValue(new KvU64(n)) without the KvU64: what
  // sum, min and max store.
  function encodeU64(n) {
    checkU64(n);
    return [KIND_U64, n];
  }

  internal.kvValue = Object.freeze({ KvU64, encodeValue, encodeU64, decodeValue });
})
