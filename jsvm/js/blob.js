// Blob and File (W3C File API). A Blob's bytes are kept as a list of
// Uint8Array chunks that are never written to after construction, so slices
// and Blobs built from other Blobs share the underlying memory instead of
// copying it. Bytes from user buffers and strings are copied once, when the
// Blob is made.
(function (globalThis, host, internal) {
  "use strict";

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const EMPTY = new Uint8Array(0);
  // Chunk size for Blob.prototype.stream().
  const STREAM_CHUNK = 64 * 1024;

  const toUSVString = internal.toUSVString;

  // normalizeType applies the File API's rule for Blob types: any character
  // outside U+0020..U+007E makes the type "", otherwise it is lowercased.
  function normalizeType(t) {
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 0x20 || c > 0x7E) return "";
    }
    return t.toLowerCase();
  }

  // toLongLong is WebIDL's (non-enforcing) long long conversion, close
  // enough for offsets and timestamps: NaN and infinities become 0.
  function toLongLong(v) {
    const n = Number(v);
    if (!Number.isFinite(n)) return 0;
    return Math.trunc(n);
  }

  function isObject(v) {
    return v !== null && (typeof v === "object" || typeof v === "function");
  }

  function copyBufferSource(v) {
    if (v instanceof ArrayBuffer) return new Uint8Array(v.slice(0));
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  }

  // Set by the Blob class below: brand check and access to the chunks.
  let isBlob, chunksOf, sizeOf, typeOf;
  // Set just before an internal `new Blob()`/`super()` so that the Blob
  // constructor adopts ready-made state instead of converting arguments.
  let adopt = null;

  // convertParts is the WebIDL conversion of sequence<BlobPart>: strings are
  // converted (USVString) now, Blobs and buffers are kept as they are.
  function convertParts(parts, what) {
    if (parts === undefined) return [];
    if (!isObject(parts)) {
      throw new TypeError(`${what}: the parts argument must be a sequence (for example an array) of strings, ArrayBuffers, views or Blobs`);
    }
    const iteratorMethod = parts[Symbol.iterator];
    if (typeof iteratorMethod !== "function") {
      throw new TypeError(`${what}: the parts argument is not iterable; pass an array of strings, ArrayBuffers, views or Blobs`);
    }
    const out = [];
    const it = iteratorMethod.call(parts);
    for (;;) {
      const step = it.next();
      if (!isObject(step)) throw new TypeError(`${what}: the parts iterator returned a non-object`);
      if (step.done) break;
      const p = step.value;
      if (isObject(p) && (isBlob(p) || p instanceof ArrayBuffer || ArrayBuffer.isView(p))) out.push(p);
      else out.push(toUSVString(p));
    }
    return out;
  }

  // convertOptions reads a BlobPropertyBag (and FilePropertyBag's
  // lastModified when withLastModified), in WebIDL's member order.
  function convertOptions(options, what, withLastModified) {
    const out = { endings: "transparent", type: "", lastModified: undefined };
    if (options === undefined || options === null) return out;
    if (!isObject(options)) throw new TypeError(`${what}: the options argument must be an object`);
    const endings = options.endings;
    if (endings !== undefined) {
      const e = `${endings}`;
      if (e !== "transparent" && e !== "native") {
        throw new TypeError(`${what}: options.endings must be "transparent" or "native", got "${e}"`);
      }
      out.endings = e;
    }
    const type = options.type;
    if (type !== undefined) out.type = `${type}`;
    if (withLastModified) {
      const lm = options.lastModified;
      if (lm !== undefined) out.lastModified = toLongLong(lm);
    }
    return out;
  }

  // processParts turns converted parts into chunks (the spec's "process blob
  // parts"): strings are UTF-8 encoded (runs of strings are encoded in one
  // go), buffers are copied, Blobs contribute their chunks without copying.
  function processParts(parts, endings) {
    const chunks = [];
    let size = 0;
    let text = "";
    const flushText = () => {
      if (text === "") return;
      const u8 = encoder.encode(text);
      chunks.push(u8);
      size += u8.length;
      text = "";
    };
    for (const p of parts) {
      if (typeof p === "string") {
        text += endings === "native" ? p.replace(/\r\n?/g, "\n") : p;
        continue;
      }
      flushText();
      if (isBlob(p)) {
        for (const c of chunksOf(p)) chunks.push(c);
        size += sizeOf(p);
      } else {
        const u8 = copyBufferSource(p);
        if (u8.length > 0) chunks.push(u8);
        size += u8.length;
      }
    }
    flushText();
    return { chunks, size };
  }

  function concat(chunks, size) {
    if (chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) { out.set(c, off); off += c.length; }
    return out;
  }

  function defineToStringTag(proto, tag) {
    Object.defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
  }
  // WebIDL operations and attributes are enumerable; class members are not.
  function makeMembersEnumerable(proto) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      d.enumerable = true;
      Object.defineProperty(proto, key, d);
    }
  }

  function illegal(what) {
    return new TypeError(`Illegal invocation: ${what} must be called on a Blob`);
  }

  class Blob {
    #chunks;
    #size;
    #type;

    constructor(blobParts = undefined, options = undefined) {
      const state = adopt;
      if (state !== null) {
        adopt = null;
      } else {
        const parts = convertParts(blobParts, "Blob");
        const opts = convertOptions(options, "Blob", false);
        const { chunks, size } = processParts(parts, opts.endings);
        this.#chunks = chunks;
        this.#size = size;
        this.#type = normalizeType(opts.type);
        return;
      }
      this.#chunks = state.chunks;
      this.#size = state.size;
      this.#type = state.type;
    }

    static {
      isBlob = (x) => isObject(x) && #chunks in x;
      chunksOf = (b) => b.#chunks;
      sizeOf = (b) => b.#size;
      typeOf = (b) => b.#type;
    }

    // #bytes returns all the bytes as one Uint8Array that may be shared with
    // this Blob (and others); it must not be written to. A Blob made of
    // several chunks is flattened once and remembers the result.
    #bytes() {
      if (this.#chunks.length > 1) this.#chunks = [concat(this.#chunks, this.#size)];
      return this.#chunks.length === 0 ? EMPTY : this.#chunks[0];
    }
    static {
      internal.blobBytes = (b) => {
        if (!isBlob(b)) throw new TypeError("internal.blobBytes: not a Blob");
        return b.#bytes();
      };
    }

    get size() {
      if (!isBlob(this)) throw illegal("Blob.prototype.size");
      return this.#size;
    }
    get type() {
      if (!isBlob(this)) throw illegal("Blob.prototype.type");
      return this.#type;
    }

    slice(start = undefined, end = undefined, contentType = undefined) {
      if (!isBlob(this)) throw illegal("Blob.prototype.slice");
      const size = this.#size;
      let from = start === undefined ? 0 : toLongLong(start);
      let to = end === undefined ? size : toLongLong(end);
      const type = contentType === undefined ? "" : normalizeType(`${contentType}`);
      from = from < 0 ? Math.max(size + from, 0) : Math.min(from, size);
      to = to < 0 ? Math.max(size + to, 0) : Math.min(to, size);
      const span = Math.max(to - from, 0);
      const chunks = [];
      if (span > 0) {
        let pos = 0;
        for (const c of this.#chunks) {
          const cEnd = pos + c.length;
          if (cEnd > from && pos < from + span) {
            const s = Math.max(from - pos, 0);
            const e = Math.min(from + span - pos, c.length);
            chunks.push(s === 0 && e === c.length ? c : c.subarray(s, e));
          }
          pos = cEnd;
          if (pos >= from + span) break;
        }
      }
      adopt = { chunks, size: span, type };
      return new Blob();
    }

    text() {
      if (!isBlob(this)) return Promise.reject(illegal("Blob.prototype.text"));
      return Promise.resolve(decoder.decode(this.#bytes()));
    }
    arrayBuffer() {
      if (!isBlob(this)) return Promise.reject(illegal("Blob.prototype.arrayBuffer"));
      return Promise.resolve(this.#bytes().slice().buffer);
    }
    bytes() {
      if (!isBlob(this)) return Promise.reject(illegal("Blob.prototype.bytes"));
      return Promise.resolve(this.#bytes().slice());
    }

    stream() {
      if (!isBlob(this)) throw illegal("Blob.prototype.stream");
      const RS = globalThis.ReadableStream;
      if (typeof RS !== "function") {
        throw new TypeError("Blob.prototype.stream: ReadableStream is not available in this runtime");
      }
      const bytes = this.#bytes();
      let offset = 0;
      const pull = (controller) => {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        const n = Math.min(STREAM_CHUNK, bytes.length - offset);
        // A fresh copy: enqueuing transfers the chunk's buffer.
        controller.enqueue(bytes.slice(offset, offset + n));
        offset += n;
        if (offset >= bytes.length) controller.close();
      };
      try {
        return new RS({ type: "bytes", pull });
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        return new RS({ pull });
      }
    }

    [internal.inspectSymbol](inspect) {
      return "Blob " + inspect({ size: this.#size, type: this.#type });
    }
  }
  defineToStringTag(Blob.prototype, "Blob");
  makeMembersEnumerable(Blob.prototype);

  let isFile, nameOf, lastModifiedOf;

  class File extends Blob {
    #name;
    #lastModified;

    constructor(fileBits, fileName, options = undefined) {
      const state = adopt;
      if (state !== null) {
        super();
        this.#name = state.name;
        this.#lastModified = state.lastModified;
        return;
      }
      if (arguments.length < 2) {
        throw new TypeError(`File: 2 arguments required (bits and name), but only ${arguments.length} present`);
      }
      const parts = convertParts(fileBits, "File");
      const name = toUSVString(fileName);
      const opts = convertOptions(options, "File", true);
      const { chunks, size } = processParts(parts, opts.endings);
      adopt = { chunks, size, type: normalizeType(opts.type) };
      super();
      this.#name = name;
      this.#lastModified = opts.lastModified === undefined ? Date.now() : opts.lastModified;
    }

    static {
      isFile = (x) => isObject(x) && #name in x;
      nameOf = (f) => f.#name;
      lastModifiedOf = (f) => f.#lastModified;
    }

    get name() {
      if (!isFile(this)) throw new TypeError("Illegal invocation: File.prototype.name must be called on a File");
      return this.#name;
    }
    get lastModified() {
      if (!isFile(this)) throw new TypeError("Illegal invocation: File.prototype.lastModified must be called on a File");
      return this.#lastModified;
    }
    get webkitRelativePath() {
      if (!isFile(this)) throw new TypeError("Illegal invocation: File.prototype.webkitRelativePath must be called on a File");
      return "";
    }

    [internal.inspectSymbol](inspect) {
      return "File " + inspect({ name: this.#name, size: sizeOf(this), type: typeOf(this) });
    }
  }
  defineToStringTag(File.prototype, "File");
  makeMembersEnumerable(File.prototype);

  internal.isBlob = isBlob;
  internal.isFile = isFile;
  // blobType and fileName read the internal slots, immune to own properties
  // a user may have defined on the object.
  internal.blobType = (b) => typeOf(b);
  internal.fileName = (f) => nameOf(f);
  // newBlob wraps u8 (not copied: the caller hands it over) in a Blob.
  internal.newBlob = (u8, type = "") => {
    adopt = { chunks: u8.length ? [u8] : [], size: u8.length, type: normalizeType(`${type}`) };
    return new Blob();
  };
  // newFile wraps u8 (not copied) in a File.
  internal.newFile = (u8, name, type = "", lastModified = Date.now()) => {
    adopt = {
      chunks: u8.length ? [u8] : [], size: u8.length, type: normalizeType(`${type}`),
      name: toUSVString(name), lastModified: toLongLong(lastModified),
    };
    return new File();
  };
  // cloneBlob returns a new Blob (or File) with the same bytes, type, name
  // and lastModified; the bytes are shared, not copied.
  internal.cloneBlob = (b) => {
    if (!isBlob(b)) throw new TypeError("internal.cloneBlob: not a Blob");
    const chunks = chunksOf(b).slice();
    if (isFile(b)) {
      adopt = { chunks, size: sizeOf(b), type: typeOf(b), name: nameOf(b), lastModified: lastModifiedOf(b) };
      return new File();
    }
    adopt = { chunks, size: sizeOf(b), type: typeOf(b) };
    return new Blob();
  };
  // fileFromBlob returns a File with blob's bytes (shared), named name, or
  // blob itself when it is already a File and name is undefined. A File keeps
  // its type and lastModified; a plain Blob's File gets lastModified now.
  internal.fileFromBlob = (b, name) => {
    if (!isBlob(b)) throw new TypeError("internal.fileFromBlob: not a Blob");
    const file = isFile(b);
    if (file && name === undefined) return b;
    adopt = {
      chunks: chunksOf(b).slice(), size: sizeOf(b), type: typeOf(b),
      name: name === undefined ? "blob" : toUSVString(name),
      lastModified: file ? lastModifiedOf(b) : Date.now(),
    };
    return new File();
  };
  // blobChunks returns the Blob's chunks (read-only, shared), for writers
  // that can send them one by one instead of flattening.
  internal.blobChunks = (b) => {
    if (!isBlob(b)) throw new TypeError("internal.blobChunks: not a Blob");
    return chunksOf(b).slice();
  };

  for (const [name, value] of [["Blob", Blob], ["File", File]]) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
})
