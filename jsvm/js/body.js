// The Body mixin shared by Request and Response: extracting a body from
// BodyInit and consuming it once (text, json, arrayBuffer, bytes).
(function (globalThis, host, internal) {
  "use strict";

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const LONE_SURROGATE = /[\uD800-\uDFFF]/;
  // Body state per Request/Response, in a non-enumerable symbol slot:
  // { source, used }. source is null, a string (kept as text until someone
  // needs bytes: most bodies are text and go to the host as text, so they are
  // never encoded in JS), or a Uint8Array. A slot rather than a WeakMap:
  // goja's WeakMap registers a GC cleanup per entry, and at thousands of
  // requests a second those cleanups fell behind and held memory.
  const BODY = Symbol("body");
  const bodies = {
    get(obj) { return obj[BODY]; },
    set(obj, state) { Object.defineProperty(obj, BODY, { value: state, writable: true, configurable: true }); },
  };

  // extractBody turns a BodyInit into a body source and a default Content-Type.
  internal.extractBody = function (init) {
    if (init === undefined || init === null) return { source: null, type: null };
    if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) {
      return { source: new Uint8Array(internal.toArrayBuffer(init).slice(0)), type: null };
    }
    if (init instanceof URLSearchParams) {
      return { source: init.toString(), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (typeof init === "object" && typeof init.getReader === "function") {
      throw new TypeError("ReadableStream bodies are not supported yet; pass a string or bytes");
    }
    // Everything else (strings, numbers, objects) converts to a string, as
    // WebIDL does for the USVString member of the BodyInit union.
    return { source: String(init), type: "text/plain;charset=UTF-8" };
  };

  internal.setBody = function (obj, source) {
    bodies.set(obj, { source, used: false });
  };
  function toBytes(source) {
    return typeof source === "string" ? encoder.encode(source) : source;
  }
  // bodyBytes returns the body as a Uint8Array (null for no body).
  internal.bodyBytes = function (obj) {
    const b = bodies.get(obj);
    if (!b || b.source === null) return null;
    if (typeof b.source === "string") b.source = encoder.encode(b.source);
    return b.source;
  };
  // bodyForHost returns the body as the host takes it: a string (sent as
  // UTF-8), a fresh ArrayBuffer, or null.
  internal.bodyForHost = function (obj) {
    const b = bodies.get(obj);
    if (!b || b.source === null) return null;
    return typeof b.source === "string" ? b.source : b.source.slice().buffer;
  };
  // cloneBody copies from's body into to.
  internal.cloneBody = function (from, to) {
    const b = bodies.get(from);
    const src = b ? b.source : null;
    bodies.set(to, { source: src === null || typeof src === "string" ? src : src.slice(), used: false });
  };

  function consume(obj, name) {
    const b = bodies.get(obj);
    if (!b) return Promise.reject(new TypeError("Illegal invocation"));
    if (b.used) {
      return Promise.reject(new TypeError(`Body already consumed: ${name}() cannot read it again; use clone() before reading`));
    }
    if (b.source !== null) b.used = true;
    return Promise.resolve(b.source);
  }

  function asText(source) {
    if (source === null) return "";
    if (typeof source === "string") return LONE_SURROGATE.test(source) ? decoder.decode(encoder.encode(source)) : source;
    return decoder.decode(source);
  }
  function asBytes(source) {
    if (source === null) return new Uint8Array(0);
    return typeof source === "string" ? encoder.encode(source) : source.slice();
  }

  internal.installBody = function (proto) {
    Object.defineProperties(proto, {
      bodyUsed: { get() { const b = bodies.get(this); return b ? b.used : false; }, configurable: true },
      arrayBuffer: { value() { return consume(this, "arrayBuffer").then((s) => asBytes(s).buffer); }, writable: true, configurable: true },
      bytes: { value() { return consume(this, "bytes").then(asBytes); }, writable: true, configurable: true },
      text: { value() { return consume(this, "text").then(asText); }, writable: true, configurable: true },
      json: { value() { return consume(this, "json").then((s) => JSON.parse(asText(s))); }, writable: true, configurable: true },
    });
  };
})
