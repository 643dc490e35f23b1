// TextEncoder / TextDecoder (UTF-8), backed by Go's UTF-8 handling.
(function (globalThis, host, internal) {
  "use strict";

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") {
      return new Uint8Array(host.utf8Encode(String(input)));
    }
  }

  class TextDecoder {
    #fatal;
    #ignoreBOM;
    constructor(label = "utf-8", options = {}) {
      const l = String(label).trim().toLowerCase();
      if (l !== "utf-8" && l !== "utf8" && l !== "unicode-1-1-utf-8") {
        throw new RangeError(`TextDecoder: encoding "${label}" is not supported (only utf-8)`);
      }
      this.#fatal = Boolean(options.fatal);
      this.#ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() { return "utf-8"; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input) {
      if (input === undefined) return "";
      return host.utf8Decode(internal.toArrayBuffer(input), this.#fatal, this.#ignoreBOM);
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

  Object.assign(globalThis, { TextEncoder, TextDecoder });
})
