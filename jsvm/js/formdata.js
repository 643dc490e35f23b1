// FormData (XHR Standard) and its encodings for bodies: the HTML
// multipart/form-data encoding algorithm, and parsing of multipart/form-data
// (RFC 7578; the byte scan is host.multipartParse) and
// application/x-www-form-urlencoded (the URL Standard's parser,
// host.formParse, the one URLSearchParams uses).
(function (globalThis, host, internal) {
  "use strict";

  const encoder = new TextEncoder();
  // Names and values in a form body are decoded without stripping a BOM.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const toUSVString = internal.toUSVString;
  const isBlob = internal.isBlob;

  function isObject(v) {
    return v !== null && (typeof v === "object" || typeof v === "function");
  }

  function required(what, n, got) {
    if (got < n) {
      throw new TypeError(`${what}: ${n} argument${n === 1 ? "" : "s"} required, but only ${got} present`);
    }
  }

  // makeEntry is the XHR Standard's "create an entry" after WebIDL overload
  // resolution: Blob values become Files (named "blob", or filename), other
  // values are USVStrings.
  function makeEntry(what, args) {
    const n = args.length;
    required(`FormData.${what}`, 2, n);
    const name = toUSVString(args[0]);
    const value = args[1];
    if (n >= 3 || isBlob(value)) {
      if (!isBlob(value)) {
        throw new TypeError(`FormData.${what}: a filename was given, so the value must be a Blob or File (got ${typeof value}); pass two arguments for a string value`);
      }
      const filename = n >= 3 && args[2] !== undefined ? toUSVString(args[2]) : undefined;
      return [name, internal.fileFromBlob(value, filename)];
    }
    return [name, toUSVString(value)];
  }

  let isFormData, listOf;

  class FormData {
    #list = [];

    constructor(form = undefined, submitter = undefined) {
      if (form !== undefined) {
        throw new TypeError("FormData(form) is not supported by edge: there is no DOM");
      }
    }

    static {
      isFormData = (x) => isObject(x) && #list in x;
      listOf = (fd) => fd.#list;
    }

    append(name, value) {
      if (!isFormData(this)) throw illegal("append");
      this.#list.push(makeEntry("append", arguments));
    }
    delete(name) {
      if (!isFormData(this)) throw illegal("delete");
      required("FormData.delete", 1, arguments.length);
      name = toUSVString(name);
      this.#removeAll(name, 0);
    }
    get(name) {
      if (!isFormData(this)) throw illegal("get");
      required("FormData.get", 1, arguments.length);
      name = toUSVString(name);
      for (const e of this.#list) if (e[0] === name) return e[1];
      return null;
    }
    getAll(name) {
      if (!isFormData(this)) throw illegal("getAll");
      required("FormData.getAll", 1, arguments.length);
      name = toUSVString(name);
      const out = [];
      for (const e of this.#list) if (e[0] === name) out.push(e[1]);
      return out;
    }
    has(name) {
      if (!isFormData(this)) throw illegal("has");
      required("FormData.has", 1, arguments.length);
      name = toUSVString(name);
      for (const e of this.#list) if (e[0] === name) return true;
      return false;
    }
    set(name, value) {
      if (!isFormData(this)) throw illegal("set");
      const entry = makeEntry("set", arguments);
      const list = this.#list;
      const i = list.findIndex((e) => e[0] === entry[0]);
      if (i < 0) {
        list.push(entry);
        return;
      }
      list[i] = entry;
      this.#removeAll(entry[0], i + 1);
    }
    // #removeAll removes the entries named name at or after index from, in
    // place, so that live iterators see the change.
    #removeAll(name, from) {
      const list = this.#list;
      let w = from;
      for (let r = from; r < list.length; r++) {
        if (list[r][0] !== name) list[w++] = list[r];
      }
      list.length = w;
    }

    entries() {
      if (!isFormData(this)) throw illegal("entries");
      return newIterator(this, "entries");
    }
    keys() {
      if (!isFormData(this)) throw illegal("keys");
      return newIterator(this, "keys");
    }
    values() {
      if (!isFormData(this)) throw illegal("values");
      return newIterator(this, "values");
    }
    forEach(callback, thisArg = undefined) {
      if (!isFormData(this)) throw illegal("forEach");
      required("FormData.forEach", 1, arguments.length);
      if (typeof callback !== "function") throw new TypeError("FormData.forEach: the callback is not a function");
      const list = this.#list;
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        callback.call(thisArg, e[1], e[0], this);
      }
    }

    [internal.inspectSymbol](inspect) {
      return "FormData " + inspect(this.#list.map((e) => [e[0], e[1]]));
    }
  }

  function illegal(method) {
    return new TypeError(`Illegal invocation: FormData.prototype.${method} must be called on a FormData`);
  }

  // The iterator objects of the pair-iterable FormData: live over the entry
  // list, like WebIDL's default iterators.
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  class FormDataIterator {
    #fd;
    #kind;
    #index = 0;
    constructor(fd, kind) {
      this.#fd = fd;
      this.#kind = kind;
    }
    next() {
      if (!isObject(this) || !(#fd in this)) {
        throw new TypeError("Illegal invocation: next() must be called on a FormData Iterator");
      }
      const list = listOf(this.#fd);
      if (this.#index >= list.length) return { value: undefined, done: true };
      const e = list[this.#index++];
      const value = this.#kind === "keys" ? e[0] : this.#kind === "values" ? e[1] : [e[0], e[1]];
      return { value, done: false };
    }
  }
  Object.setPrototypeOf(FormDataIterator.prototype, IteratorPrototype);
  delete FormDataIterator.prototype.constructor;
  Object.defineProperty(FormDataIterator.prototype, Symbol.toStringTag, { value: "FormData Iterator", configurable: true });
  Object.defineProperty(FormDataIterator.prototype, "next", { enumerable: true });
  const newIterator = (fd, kind) => new FormDataIterator(fd, kind);

  Object.defineProperty(FormData.prototype, Symbol.iterator, {
    value: FormData.prototype.entries, writable: true, configurable: true,
  });
  Object.defineProperty(FormData.prototype, Symbol.toStringTag, { value: "FormData", configurable: true });
  for (const key of Object.getOwnPropertyNames(FormData.prototype)) {
    if (key !== "constructor") Object.defineProperty(FormData.prototype, key, { enumerable: true });
  }

  internal.isFormData = isFormData;
  // formDataEntries returns a copy of the entry list: [name, value] pairs,
  // value a string or a File.
  internal.formDataEntries = (fd) => {
    if (!isFormData(fd)) throw new TypeError("internal.formDataEntries: not a FormData");
    return listOf(fd).map((e) => [e[0], e[1]]);
  };

  // --- multipart/form-data encoding (HTML) ---

  const escapeQuoted = (s) => s.replace(/[\n\r"]/g, (c) => (c === "\n" ? "%0A" : c === "\r" ? "%0D" : "%22"));
  const normalizeNewlines = (s) => s.replace(/\r\n|\r|\n/g, "\r\n");

  // serializeMultipart encodes fd as multipart/form-data. The result's
  // bytes are freshly allocated; file contents are copied once, into them.
  internal.serializeMultipart = (fd) => {
    if (!isFormData(fd)) throw new TypeError("internal.serializeMultipart: not a FormData");
    const boundary = host.multipartBoundary();
    const pieces = [];
    let text = "";
    for (const [name, value] of listOf(fd)) {
      text += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(normalizeNewlines(name))}"`;
      if (typeof value === "string") {
        text += `\r\n\r\n${normalizeNewlines(value)}\r\n`;
        continue;
      }
      text += `; filename="${escapeQuoted(internal.fileName(value))}"\r\nContent-Type: ${internal.blobType(value) || "application/octet-stream"}\r\n\r\n`;
      pieces.push(encoder.encode(text));
      text = "\r\n";
      for (const c of internal.blobChunks(value)) pieces.push(c);
    }
    // No CRLF after the close delimiter (RFC 2046 makes it optional), as
    // Deno writes it.
    text += `--${boundary}--`;
    pieces.push(encoder.encode(text));
    let size = 0;
    for (const p of pieces) size += p.length;
    const bytes = new Uint8Array(size);
    let off = 0;
    for (const p of pieces) { bytes.set(p, off); off += p.length; }
    return { boundary, bytes, contentType: `multipart/form-data; boundary=${boundary}` };
  };

  // --- parsing ---

  const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

  // mimeParameter returns the essence (lowercased type/subtype) and the
  // named parameter of a MIME type string, following the MIME Sniffing
  // Standard's parser (quoted values may use backslash escapes; the first
  // occurrence of a parameter wins).
  function parseMimeParameter(input, wanted) {
    const s = String(input).replace(HTTP_WS, "");
    let semi = s.indexOf(";");
    if (semi < 0) semi = s.length;
    const essence = s.slice(0, semi).replace(HTTP_WS, "").toLowerCase();
    let pos = semi;
    let value = null;
    while (pos < s.length) {
      pos++; // past ";"
      while (pos < s.length && /[\t\n\r ]/.test(s[pos])) pos++;
      let nameEnd = pos;
      while (nameEnd < s.length && s[nameEnd] !== ";" && s[nameEnd] !== "=") nameEnd++;
      const name = s.slice(pos, nameEnd).toLowerCase();
      pos = nameEnd;
      if (pos >= s.length) break;
      if (s[pos] === ";") continue;
      pos++; // past "="
      let v;
      if (s[pos] === '"') {
        v = "";
        pos++;
        while (pos < s.length) {
          const c = s[pos];
          if (c === '"') { pos++; break; }
          if (c === "\\" && pos + 1 < s.length) { v += s[pos + 1]; pos += 2; continue; }
          v += c;
          pos++;
        }
        while (pos < s.length && s[pos] !== ";") pos++;
      } else {
        let end = s.indexOf(";", pos);
        if (end < 0) end = s.length;
        v = s.slice(pos, end).replace(/[\t\n\r ]+$/, "");
        pos = end;
      }
      if (name === wanted && value === null) value = v;
    }
    return { essence, value };
  }

  function asUint8Array(bytes, what) {
    if (bytes instanceof Uint8Array) return bytes;
    if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
    if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes === null || bytes === undefined) return new Uint8Array(0);
    throw new TypeError(`${what}: expected bytes (a Uint8Array or ArrayBuffer)`);
  }

  // parseMultipart parses a multipart/form-data body into a new FormData;
  // contentType is the body's Content-Type header value (for the boundary).
  // Files get the part's filename and Content-Type (text/plain when absent,
  // RFC 7578's default) and a copy of the part's bytes.
  internal.parseMultipart = (bytes, contentType) => {
    const u8 = asUint8Array(bytes, "internal.parseMultipart");
    const { essence, value: boundary } = parseMimeParameter(contentType == null ? "" : contentType, "boundary");
    if (essence !== "multipart/form-data") {
      throw new TypeError(`Could not parse content as FormData: the Content-Type is "${essence}", not multipart/form-data`);
    }
    if (boundary === null || boundary === "") {
      throw new TypeError("Could not parse content as FormData: the Content-Type has no boundary parameter");
    }
    const r = host.multipartParse(u8.buffer, u8.byteOffset, u8.byteLength, boundary);
    const fd = new FormData();
    const list = listOf(fd);
    const text = (s, e) => decoder.decode(u8.subarray(s, e));
    const now = Date.now();
    for (let i = 0; i + 8 <= r.length; i += 8) {
      const name = text(r[i], r[i + 1]);
      if (r[i + 2] < 0) {
        list.push([name, text(r[i + 6], r[i + 7])]);
        continue;
      }
      const filename = text(r[i + 2], r[i + 3]);
      const type = r[i + 4] < 0 ? "text/plain" : text(r[i + 4], r[i + 5]);
      list.push([name, internal.newFile(u8.slice(r[i + 6], r[i + 7]), filename, type, now)]);
    }
    return fd;
  };

  // parseUrlencodedFormData parses an application/x-www-form-urlencoded
  // body into a new FormData. input is the body as a string or as bytes
  // (decoded as UTF-8 without stripping a BOM, as the parser requires).
  internal.parseUrlencodedFormData = (input) => {
    const s = typeof input === "string" ? input : decoder.decode(asUint8Array(input, "internal.parseUrlencodedFormData"));
    const fd = new FormData();
    const list = listOf(fd);
    for (const [name, value] of host.formParse(s)) list.push([name, value]);
    return fd;
  };

  Object.defineProperty(globalThis, "FormData", { value: FormData, writable: true, configurable: true, enumerable: false });
})
