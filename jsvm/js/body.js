// The Body mixin shared by Request and Response (Fetch Standard): extracting
// a body from BodyInit, the body stream, consuming it once (text, json,
// arrayBuffer, bytes, blob, formData), and handing bodies to and from the
// host, streamed or not.
(function (globalThis, host, internal) {
  "use strict";

  // The encoder is made on first use: making it here would install
  // encoding.js, and make goja build its TextEncoder and TextDecoder, in
  // every VM that makes a Request or a Response, though most never turn a
  // text body into bytes. What one VM holds counts a thousand times over
  // when a node runs a thousand coordinators.
  let encoder = null;
  const encode = (s) => (encoder === null ? (encoder = new TextEncoder()) : encoder).encode(s);
  // Body state per Request/Response: { source, used }. source is null, a
  // string (kept as text until someone needs bytes: most bodies are text and
  // go to the host as text, so they are never encoded in JS), a Uint8Array,
  // or a ReadableStream (once the body is streamed, or once user code asked
  // for .body). Each class keeps the state in a private field of its own and
  // hands body.js accessors for it (installBody). A private field rather
  // than a non-enumerable symbol slot: Object.defineProperty was one of the
  // largest costs of a small Response in goja. Rather than a WeakMap: goja's
  // WeakMap registers a GC cleanup per entry, and at thousands of requests a
  // second those cleanups fell behind and held memory.
  const brands = []; // { get(obj) -> state | undefined, set(obj, state) -> bool }
  const bodies = {
    get(obj) {
      if (obj === null || obj === undefined) throw new TypeError(`Cannot read the body of ${obj}`);
      if (typeof obj !== "object") return undefined;
      for (let i = 0; i < brands.length; i++) {
        const b = brands[i].get(obj);
        if (b !== undefined) return b;
      }
      return undefined;
    },
    set(obj, state) {
      for (let i = 0; i < brands.length; i++) if (brands[i].set(obj, state)) return;
      throw new TypeError("Illegal invocation: not a Request or Response");
    },
  };
  // newBodyState is the state of a fresh body (for constructors that set
  // their private field themselves). Every null body shares one frozen
  // state: nothing changes the state of a null body (each write below is
  // behind a source check), and a GET request then costs no state object.
  const NULL_STATE = Object.freeze({ source: null, used: false });
  internal.newBodyState = (source) => (source === null ? NULL_STATE : { source, used: false });
  // A source that is an object but not bytes is a stream. Checking that
  // first keeps streams.js (the largest prelude file) out of instances whose
  // bodies are all text and bytes: naming internal.isReadableStream loads it.
  const isStream = (s) => s !== null && typeof s === "object" && !(s instanceof Uint8Array) && internal.isReadableStream(s);
  internal.isBodyStream = isStream;

  // extractBody turns a BodyInit into a body source and a default Content-Type.
  internal.extractBody = function (init) {
    if (init === undefined || init === null) return { source: null, type: null };
    if (typeof init === "string") return { source: init, type: "text/plain;charset=UTF-8" };
    if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) {
      return { source: new Uint8Array(internal.toArrayBuffer(init).slice(0)), type: null };
    }
    if (init instanceof URLSearchParams) {
      return { source: init.toString(), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (internal.isBlob(init)) {
      const type = init.type;
      return { source: internal.blobBytes(init).slice(), type: type === "" ? null : type };
    }
    if (internal.isFormData(init)) {
      const m = internal.serializeMultipart(init);
      return { source: m.bytes, type: m.contentType };
    }
    if (internal.isReadableStream(init)) {
      if (internal.isDisturbed(init) || internal.isLocked(init)) {
        throw new TypeError("The ReadableStream body is already locked or read; pass a fresh stream");
      }
      return { source: init, type: null };
    }
    // Everything else (numbers, objects) converts to a string, as WebIDL
    // does for the USVString member of the BodyInit union.
    return { source: String(init), type: "text/plain;charset=UTF-8" };
  };

  internal.setBody = function (obj, source) {
    bodies.set(obj, internal.newBodyState(source));
  };
  function toBytes(source) {
    return typeof source === "string" ? encode(source) : source;
  }
  // bodySource returns the body's current source (null, string, bytes or stream).
  internal.bodySource = (obj) => { const b = bodies.get(obj); return b ? b.source : null; };

  // bodyForHost returns the body as the host takes it: a string (sent as
  // UTF-8), a fresh ArrayBuffer, the id of a streamed body, or null.
  internal.bodyForHost = (obj) => internal.bodyStateForHost(bodies.get(obj));
  // bodyStateForHost is bodyForHost for the body state itself (response.js
  // has it at hand).
  internal.bodyStateForHost = function (b) {
    if (!b || b.source === null) return null;
    if (typeof b.source === "string") return b.source;
    if (isStream(b.source)) {
      b.used = true;
      return pumpToHost(b.source);
    }
    return b.source.slice().buffer;
  };

  // cloneBody gives to a copy of from's body. A stream is teed; the chunks
  // of a stream that is not a byte stream are structured-cloned for the
  // copy (the Fetch Standard's "clone a body"), so a reader of one cannot
  // change what the other reads.
  internal.cloneBody = function (from, to) {
    const b = bodies.get(from);
    const src = b ? b.source : null;
    if (isStream(src)) {
      const [x, y] = isByteStream(src) ? src.tee() : cloningTee(src);
      b.source = x;
      bodies.set(to, { source: y, used: false });
      return;
    }
    bodies.set(to, { source: src === null || typeof src === "string" ? src : src.slice(), used: false });
  };

  // Looked up when a stream is teed or moved, not when body.js is
  // installed: streams.js loads only for programs that use streams.
  function isByteStream(stream) {
    let r;
    try {
      r = new internal.ReadableStreamBYOBReader(stream);
    } catch {
      return false;
    }
    r.releaseLock();
    return true;
  }

  // cloningTee is the Streams Standard's ReadableStreamDefaultTee with
  // cloneForBranch2: the second branch gets a structured clone of every
  // chunk, the first the chunk itself.
  function cloningTee(stream) {
    const reader = internal.streamReader(stream);
    let reading = false, readAgain = false, canceled1 = false, canceled2 = false;
    let reason1, reason2, c1, c2, cancelResolve;
    const cancelPromise = new Promise((resolve) => { cancelResolve = resolve; });
    const errorBoth = (e) => {
      c1.error(e);
      c2.error(e);
    };
    const pull = () => {
      if (reading) {
        readAgain = true;
        return Promise.resolve();
      }
      reading = true;
      reader.read().then((r) => {
        if (r.done) {
          reading = false;
          if (!canceled1) c1.close();
          if (!canceled2) c2.close();
          if (!canceled1 || !canceled2) cancelResolve();
          return;
        }
        readAgain = false;
        const chunk = r.value;
        let copy = chunk;
        if (!canceled2) {
          try {
            copy = internal.structuredClone(chunk);
          } catch (e) {
            errorBoth(e);
            cancelResolve(reader.cancel(e));
            return;
          }
        }
        if (!canceled1) c1.enqueue(chunk);
        if (!canceled2) c2.enqueue(copy);
        reading = false;
        if (readAgain) pull();
      }, (e) => {
        reading = false;
        errorBoth(e);
        if (!canceled1 || !canceled2) cancelResolve();
      });
      return Promise.resolve();
    };
    const branch1 = new internal.ReadableStream({
      start(c) { c1 = c; },
      pull,
      cancel(reason) {
        canceled1 = true;
        reason1 = reason;
        if (canceled2) cancelResolve(reader.cancel([reason1, reason2]));
        return cancelPromise;
      },
    });
    const branch2 = new internal.ReadableStream({
      start(c) { c2 = c; },
      pull,
      cancel(reason) {
        canceled2 = true;
        reason2 = reason;
        if (canceled1) cancelResolve(reader.cancel([reason1, reason2]));
        return cancelPromise;
      },
    });
    return [branch1, branch2];
  }

  // moveBody gives to from's body and leaves from disturbed, as
  // constructing a Request from another Request does. A stream body reaches
  // to through a new stream that reads from's (which stays from's body,
  // locked), unless take is set (the new object is fetch()'s own and never
  // shows its body to user code): then the stream itself moves, undisturbed
  // so that fetch can still send it.
  internal.moveBody = function (from, to, take) {
    const b = bodies.get(from);
    const src = b ? b.source : null;
    if (isStream(src) && !take) {
      bodies.set(to, { source: proxyStream(src), used: false });
      b.used = true;
      return;
    }
    bodies.set(to, { source: src, used: false });
    if (b && src !== null) b.used = true;
  };

  // proxyStream returns a stream that yields what stream yields; stream is
  // locked and disturbed from now on.
  function proxyStream(stream) {
    const reader = internal.streamReader(stream);
    internal.markDisturbed(stream);
    return new internal.ReadableStream({
      pull(c) {
        return reader.read().then((r) => {
          if (r.done) c.close();
          else c.enqueue(r.value);
        }, (e) => { c.error(e); });
      },
      cancel(reason) { return reader.cancel(reason); },
    }, { highWaterMark: 0 });
  }

  // disturbBody marks obj's body used without reading it, as constructing
  // a Request from a Request with a new body does to the input.
  internal.disturbBody = function (obj) {
    const b = bodies.get(obj);
    if (!b || b.source === null) return;
    b.used = true;
    if (isStream(b.source)) internal.markDisturbed(b.source);
  };

  function disturbed(b) {
    return b.used || (isStream(b.source) && internal.isDisturbed(b.source));
  }

  // bodyUnusable reports whether obj's body was read (or is being read).
  internal.bodyUnusable = (obj) => internal.bodyStateUnusable(bodies.get(obj));
  internal.bodyStateUnusable = function (b) {
    return !!b && b.source !== null && (disturbed(b) || (isStream(b.source) && internal.isLocked(b.source)));
  };

  // consume reads the whole body once and resolves with convert(source),
  // where source is null, a string or a Uint8Array. A stream is read through
  // callbacks, not promises of chunks, so a user's Object.prototype.then
  // cannot intercept the bytes.
  function consume(obj, name, convert) {
    const b = bodies.get(obj);
    if (!b) return Promise.reject(new TypeError("Illegal invocation"));
    if (disturbed(b)) {
      return Promise.reject(new TypeError(`Body already consumed: ${name}() cannot read it again; use clone() before reading`));
    }
    if (isStream(b.source)) {
      if (internal.isLocked(b.source)) {
        return Promise.reject(new TypeError(`${name}(): the body stream is locked by a reader`));
      }
      b.used = true;
      const stream = b.source;
      // The stream stays locked after the read, as the Fetch Standard's
      // "fully read" leaves it: nobody can get a reader on a consumed body.
      return new Promise((resolve, reject) => {
        internal.readAllBytesThen(stream, Infinity, (bytes) => {
          internal.streamReader(stream);
          try { resolve(convert(bytes)); } catch (e) { reject(e); }
        }, (e) => {
          if (!internal.isLocked(stream)) internal.streamReader(stream);
          reject(e);
        });
      });
    }
    if (b.source !== null) b.used = true;
    try {
      return Promise.resolve(convert(b.source));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  function asText(source) {
    if (source === null) return "";
    // Each lone surrogate becomes U+FFFD, as encoding to UTF-8 and
    // decoding again would make it (a USVString).
    if (typeof source === "string") return internal.toUSVString(source);
    return host.utf8Decode(source);
  }
  function asBytes(source) {
    if (source === null) return new Uint8Array(0);
    return typeof source === "string" ? encode(source) : source.slice();
  }
  function mimeType(obj) {
    const ct = obj.headers.get("content-type");
    return ct === null ? "" : ct;
  }
  function essence(ct) {
    return ct.split(";")[0].trim().toLowerCase();
  }

  function formData(obj) {
    const ct = mimeType(obj);
    return consume(obj, "formData", (s) => {
      const kind = essence(ct);
      if (kind === "multipart/form-data") return internal.parseMultipart(asBytes(s), ct);
      if (kind === "application/x-www-form-urlencoded") return internal.parseUrlencodedFormData(asBytes(s));
      throw new TypeError(`formData(): the body's Content-Type ${JSON.stringify(ct)} is neither multipart/form-data nor application/x-www-form-urlencoded`);
    });
  }

  // body returns the body as a ReadableStream (the same one every time);
  // once asked for, the stream is the body's source. The stream of a body
  // already consumed is disturbed and locked, as if it had been read.
  function bodyStream(obj) {
    const b = bodies.get(obj);
    if (!b || b.source === null) return null;
    if (!isStream(b.source)) {
      if (b.used) {
        b.source = internal.streamFromBytes(new Uint8Array(0));
        internal.markDisturbed(b.source);
        internal.streamReader(b.source);
      } else {
        b.source = internal.streamFromBytes(toBytes(b.source));
      }
    }
    return b.source;
  }

  // installBody adds the Body members to a class's prototype; access is
  // { get, set } for the class's private body field (get returns undefined
  // for objects that are not of the class).
  internal.installBody = function (proto, access) {
    brands.push(access);
    Object.defineProperties(proto, {
      body: { get() { return bodyStream(this); }, enumerable: true, configurable: true },
      bodyUsed: { get() { const b = bodies.get(this); return b ? disturbed(b) : false; }, enumerable: true, configurable: true },
      arrayBuffer: { value() { return consume(this, "arrayBuffer", (s) => asBytes(s).buffer); }, writable: true, enumerable: true, configurable: true },
      bytes: { value() { return consume(this, "bytes", asBytes); }, writable: true, enumerable: true, configurable: true },
      text: { value() { return consume(this, "text", asText); }, writable: true, enumerable: true, configurable: true },
      json: { value() { return consume(this, "json", (s) => JSON.parse(asText(s))); }, writable: true, enumerable: true, configurable: true },
      blob: { value() { const type = mimeType(this); return consume(this, "blob", (s) => internal.newBlob(asBytes(s), type)); }, writable: true, enumerable: true, configurable: true },
      formData: { value() { return formData(this); }, writable: true, enumerable: true, configurable: true },
    });
  };

  // bodyFromHost turns what the host hands over (null, an ArrayBuffer, a
  // string of text, or the id of a streamed body) into a body source.
  internal.bodyFromHost = function (body) {
    if (body === null || body === undefined) return null;
    if (typeof body === "string") return body;
    if (typeof body === "number") return hostStream(body);
    return new Uint8Array(body);
  };

  // hostStream is a ReadableStream over a body the host streams in.
  function hostStream(id) {
    return internal.newHostStream({
      pull(controller) {
        return new Promise((resolve, reject) => {
          host.readerRead(id, (err, chunk) => {
            if (err !== null) {
              const e = new TypeError(`reading the body failed: ${err}`);
              controller.error(e);
              reject(e);
              return;
            }
            if (chunk === null) controller.close();
            else controller.enqueue(new Uint8Array(chunk));
            resolve();
          });
        });
      },
      cancel() { host.readerCancel(id); },
    });
  }

  // pumpToHost streams a ReadableStream body to the host and returns the id
  // the host knows it by. Chunks go one at a time; when the host's buffer is
  // full the pump waits for it to drain, and when the host's reader goes
  // away the stream is cancelled.
  function pumpToHost(stream) {
    const reader = internal.streamReader(stream);
    const id = host.pipeOpen(() => {
      reader.cancel(new globalThis.DOMException("the body's reader went away", "AbortError")).catch(() => {});
    });
    const fail = (e) => {
      host.pipeClose(id, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    };
    const step = () => {
      reader.read().then(({ done, value }) => {
        if (done) {
          host.pipeClose(id, null);
          return;
        }
        if (!(value instanceof Uint8Array)) {
          const e = new TypeError(`a ReadableStream body must yield Uint8Array chunks, got ${internal.inspect(value)}`);
          fail(e);
          reader.cancel(e).catch(() => {});
          return;
        }
        const copy = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength
          ? value.buffer.slice(0) : value.slice().buffer;
        const r = host.pipeWrite(id, copy, step);
        if (r === 0) step();
        else if (r === 2) reader.cancel(new TypeError("the body's reader went away")).catch(() => {});
      }, fail);
    };
    step();
    return id;
  }
})
