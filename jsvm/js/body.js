// The Body mixin shared by Request and Response: extracting a body from
// BodyInit and consuming it once (text, json, arrayBuffer, bytes).
(function (globalThis, host, internal) {
  "use strict";

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  // Body state per Request/Response: { bytes: Uint8Array|null, used: boolean }.
  const bodies = new WeakMap();

  // extractBody turns a BodyInit into bytes and a default Content-Type.
  internal.extractBody = function (init) {
    if (init === undefined || init === null) return { bytes: null, type: null };
    if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) {
      return { bytes: new Uint8Array(internal.toArrayBuffer(init).slice(0)), type: null };
    }
    if (init instanceof URLSearchParams) {
      return { bytes: encoder.encode(init.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (typeof init === "object" && typeof init.getReader === "function") {
      throw new TypeError("ReadableStream bodies are not supported yet; pass a string or bytes");
    }
    // Everything else (strings, numbers, objects) converts to a string, as
    // WebIDL does for the USVString member of the BodyInit union.
    return { bytes: encoder.encode(String(init)), type: "text/plain;charset=UTF-8" };
  };

  internal.setBody = function (obj, bytes) {
    bodies.set(obj, { bytes, used: false });
  };
  internal.bodyBytes = function (obj) {
    const b = bodies.get(obj);
    return b ? b.bytes : null;
  };

  function consume(obj, name) {
    const b = bodies.get(obj);
    if (!b) return Promise.reject(new TypeError("Illegal invocation"));
    if (b.used) {
      return Promise.reject(new TypeError(`Body already consumed: ${name}() cannot read it again; use clone() before reading`));
    }
    if (b.bytes !== null) b.used = true;
    return Promise.resolve(b.bytes === null ? new Uint8Array(0) : b.bytes);
  }

  internal.installBody = function (proto) {
    Object.defineProperties(proto, {
      bodyUsed: { get() { const b = bodies.get(this); return b ? b.used : false; }, configurable: true },
      arrayBuffer: { value() { return consume(this, "arrayBuffer").then((u) => u.slice().buffer); }, writable: true, configurable: true },
      bytes: { value() { return consume(this, "bytes").then((u) => u.slice()); }, writable: true, configurable: true },
      text: { value() { return consume(this, "text").then((u) => decoder.decode(u)); }, writable: true, configurable: true },
      json: { value() { return consume(this, "json").then((u) => JSON.parse(decoder.decode(u))); }, writable: true, configurable: true },
    });
  };
})
