// TextEncoderStream and TextDecoderStream (Encoding Standard), built on
// TransformStream.
(function (globalThis, host, internal) {
  "use strict";

  const TextEncoder = globalThis.TextEncoder;
  const TextDecoder = globalThis.TextDecoder;
  const TransformStream = globalThis.TransformStream;

  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }
  function illegal(cls) { return new TypeError(`Illegal invocation: this is not a ${cls}`); }
  function webIDL(cls, name) {
    const proto = cls.prototype;
    for (const key of Reflect.ownKeys(proto)) {
      if (key === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      d.enumerable = typeof key === "string";
      Object.defineProperty(proto, key, d);
    }
    Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
  }

  const encoder = new TextEncoder();
  const isHighSurrogate = (u) => u >= 0xd800 && u <= 0xdbff;

  let encStreamOf;
  class TextEncoderStream {
    #ts;
    constructor() {
      // A high surrogate at the end of a chunk waits for the next chunk, so a
      // pair split across chunks encodes as one character.
      let pending = "";
      this.#ts = new TransformStream({
        transform(chunk, controller) {
          let s = pending + String(chunk);
          pending = "";
          if (s.length > 0 && isHighSurrogate(s.charCodeAt(s.length - 1))) {
            pending = s[s.length - 1];
            s = s.slice(0, -1);
          }
          if (s.length > 0) controller.enqueue(encoder.encode(s));
        },
        flush(controller) {
          if (pending !== "") controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
        },
      });
    }
    static {
      encStreamOf = (x) => (isObject(x) && #ts in x ? x.#ts : undefined);
    }
    get encoding() {
      if (!encStreamOf(this)) throw illegal("TextEncoderStream");
      return "utf-8";
    }
    get readable() {
      const ts = encStreamOf(this);
      if (!ts) throw illegal("TextEncoderStream");
      return ts.readable;
    }
    get writable() {
      const ts = encStreamOf(this);
      if (!ts) throw illegal("TextEncoderStream");
      return ts.writable;
    }
  }
  webIDL(TextEncoderStream, "TextEncoderStream");

  // toBytes views a BufferSource chunk as a Uint8Array without copying.
  function toBytes(chunk) {
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (typeof SharedArrayBuffer === "function" && chunk instanceof SharedArrayBuffer) return new Uint8Array(chunk);
    throw new TypeError("TextDecoderStream: chunks must be an ArrayBuffer or an ArrayBuffer view");
  }

  // incompleteTail returns how many bytes at the end of b begin a UTF-8
  // sequence that the bytes so far do not complete (0 to 3).
  function incompleteTail(b) {
    const n = b.length;
    for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
      const x = b[i];
      if ((x & 0xc0) === 0x80) continue; // continuation byte
      const need = x >= 0xf0 && x <= 0xf4 ? 4 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xc2 && x <= 0xdf ? 2 : 1;
      return need > n - i ? n - i : 0;
    }
    return 0;
  }

  let decStreamOf;
  class TextDecoderStream {
    #ts;
    #decoder;
    constructor(label = "utf-8", options = undefined) {
      if (options !== undefined && options !== null && !isObject(options)) {
        throw new TypeError("TextDecoderStream: options must be an object");
      }
      const fatal = options ? Boolean(options.fatal) : false;
      const ignoreBOM = options ? Boolean(options.ignoreBOM) : false;
      const decoder = new TextDecoder(label, { fatal, ignoreBOM });
      this.#decoder = decoder;
      let transform, flush;
      if (decoder.encoding === "utf-8") {
        // UTF-8 is split here at character boundaries, so each decode()
        // call sees whole characters and the result does not depend on the
        // decoder's own streaming support. A BOM is only stripped at the
        // start of the stream: after the first text, a decoder that keeps
        // BOMs takes over.
        let pending = null; // bytes of an unfinished character
        let current = decoder;
        let rest = null;
        const decodePiece = (bytes) => {
          const s = current.decode(bytes, { stream: true });
          if (current === decoder && bytes.length > 0) {
            rest = rest || new TextDecoder("utf-8", { fatal, ignoreBOM: true });
            current = rest;
          }
          return s;
        };
        transform = (chunk, controller) => {
          let bytes = toBytes(chunk);
          if (pending !== null) {
            const joined = new Uint8Array(pending.length + bytes.length);
            joined.set(pending, 0);
            joined.set(bytes, pending.length);
            bytes = joined;
            pending = null;
          }
          const tail = incompleteTail(bytes);
          if (tail > 0) {
            pending = bytes.slice(bytes.length - tail);
            bytes = bytes.subarray(0, bytes.length - tail);
          }
          if (bytes.length === 0) return;
          const s = decodePiece(bytes);
          if (s !== "") controller.enqueue(s);
        };
        flush = (controller) => {
          let s = pending !== null ? decodePiece(pending) : "";
          pending = null;
          s += current.decode();
          if (s !== "") controller.enqueue(s);
        };
      } else {
        transform = (chunk, controller) => {
          const s = decoder.decode(toBytes(chunk), { stream: true });
          if (s !== "") controller.enqueue(s);
        };
        flush = (controller) => {
          const s = decoder.decode();
          if (s !== "") controller.enqueue(s);
        };
      }
      this.#ts = new TransformStream({ transform, flush });
    }
    static {
      decStreamOf = (x) => (isObject(x) && #ts in x ? x : undefined);
    }
    get encoding() {
      if (!decStreamOf(this)) throw illegal("TextDecoderStream");
      return this.#decoder.encoding;
    }
    get fatal() {
      if (!decStreamOf(this)) throw illegal("TextDecoderStream");
      return this.#decoder.fatal;
    }
    get ignoreBOM() {
      if (!decStreamOf(this)) throw illegal("TextDecoderStream");
      return this.#decoder.ignoreBOM;
    }
    get readable() {
      if (!decStreamOf(this)) throw illegal("TextDecoderStream");
      return this.#ts.readable;
    }
    get writable() {
      if (!decStreamOf(this)) throw illegal("TextDecoderStream");
      return this.#ts.writable;
    }
  }
  webIDL(TextDecoderStream, "TextDecoderStream");

  for (const [name, value] of [["TextEncoderStream", TextEncoderStream], ["TextDecoderStream", TextDecoderStream]]) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
})
