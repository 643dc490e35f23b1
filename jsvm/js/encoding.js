// TextEncoder / TextDecoder (WHATWG Encoding Standard). TextEncoder is
// always UTF-8; TextDecoder decodes every encoding of the standard, with
// streaming, fatal mode and BOM handling, in Go (encoding.go). Each
// TextDecoder owns a Go decoder that keeps its state between
// decode(..., {stream: true}) calls.
(function (globalThis, host, internal) {
  "use strict";

  // toDOMString converts like WebIDL's DOMString (a Symbol throws).
  function toDOMString(v) {
    return `${v}`;
  }

  // dictionary returns a WebIDL dictionary argument as an object.
  function dictionary(v, what) {
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" && typeof v !== "function") {
      throw new TypeError(`${what}: the options argument must be an object`);
    }
    return v;
  }

  function isSharedArrayBuffer(v) {
    return typeof globalThis.SharedArrayBuffer === "function" && v instanceof globalThis.SharedArrayBuffer;
  }

  // bufferSource returns input for the host (an ArrayBuffer or a view of
  // one, which the host reads without copying), or throws a TypeError.
  function bufferSource(input, what) {
    if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return input;
    if (isSharedArrayBuffer(input)) return new Uint8Array(input);
    throw new TypeError(`${what}: the input must be an ArrayBuffer, a SharedArrayBuffer or a view of one (a typed array or DataView), not ${input === null ? "null" : typeof input}`);
  }

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") {
      return new Uint8Array(host.utf8Encode(toDOMString(input)));
    }
    encodeInto(source, destination) {
      const s = toDOMString(source);
      if (!(destination instanceof Uint8Array)) {
        throw new TypeError("TextEncoder.encodeInto: the destination must be a Uint8Array");
      }
      const [read, written] = host.utf8EncodeInto(s, destination);
      return { read, written };
    }
  }

  class TextDecoder {
    #encoding;
    #fatal;
    #ignoreBOM;
    #decode;
    constructor(label = "utf-8", options = undefined) {
      const l = toDOMString(label);
      const opts = dictionary(options, "TextDecoder");
      const name = host.encodingName(l);
      if (name === "") {
        throw new RangeError(`TextDecoder: "${l}" is not a known encoding label; use a label of the WHATWG Encoding Standard such as "utf-8", "utf-16le" or "windows-1252"`);
      }
      if (name === "replacement") {
        throw new RangeError(`TextDecoder: "${l}" is a label of the replacement encoding, which cannot decode; use the encoding the data is really in`);
      }
      this.#encoding = name;
      this.#fatal = Boolean(opts.fatal);
      this.#ignoreBOM = Boolean(opts.ignoreBOM);
      this.#decode = host.newTextDecoder(name, this.#fatal, this.#ignoreBOM);
    }
    get encoding() { return this.#encoding; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input = undefined, options = undefined) {
      const bytes = input === undefined ? null : bufferSource(input, "TextDecoder.decode");
      const stream = Boolean(dictionary(options, "TextDecoder.decode").stream);
      return this.#decode(bytes, stream);
    }
  }

  // toArrayBuffer returns a standalone ArrayBuffer holding exactly the bytes
  // of a BufferSource.
  internal.toArrayBuffer = function (input) {
    if (input instanceof ArrayBuffer) return input;
    if (ArrayBuffer.isView(input)) {
      return input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
    }
    throw new TypeError("expected an ArrayBuffer or an ArrayBuffer view");
  };

  for (const C of [TextEncoder, TextDecoder]) {
    Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
    Object.defineProperty(globalThis, C.name, { value: C, writable: true, enumerable: false, configurable: true });
  }
})
