// Streams (WHATWG Streams Standard, https://streams.spec.whatwg.org/):
// ReadableStream with default and byte controllers and readers, WritableStream,
// TransformStream and the two queuing strategies.
//
// Layout: each public object (stream, reader, writer, controller) holds its
// internal state in one private field #r, a plain record. The spec's abstract
// operations are functions over those records, named after the spec's
// algorithms; a record keeps `pub`, the public object it belongs to. Promises
// the spec keeps in slots are "capabilities" ({promise, resolve, reject,
// pending}). Reads inside the runtime go through read requests (callbacks)
// rather than promises, so piping and body reading do not allocate a promise
// per chunk and cannot be disturbed by a user-defined Object.prototype.then.
//
// Hooks on `internal` for other prelude files (the fetch body integration):
//   internal.isReadableStream(x) -> boolean
//   internal.isDisturbed(stream) -> boolean (a read, cancel or pipe happened)
//   internal.isLocked(stream) -> boolean
//   internal.markDisturbed(stream) -> undefined
//   internal.readAllBytes(stream, limitBytes?) -> Promise<Uint8Array>
//       Locks the stream and reads it to the end, concatenating the chunks.
//       Rejects with a TypeError if a chunk is not a Uint8Array ("a
//       ReadableStream body must yield Uint8Array chunks") and with a
//       RangeError if more than limitBytes arrive (the stream is then
//       cancelled); rejects with the stream's error if it errors.
//       Resolving a promise with a Uint8Array looks up `then` on it, which
//       a user-defined Object.prototype.then can intercept; code that must
//       not be interceptable (Body.text() and friends) uses:
//   internal.readAllBytesThen(stream, limitBytes, onBytes(u8), onError(e))
//       -> undefined. The same read with callbacks instead of a promise.
//   internal.streamFromBytes(u8) -> ReadableStream
//       A byte stream (type "bytes") that yields u8 as one chunk, then closes
//       (an empty u8 gives a stream that closes without a chunk).
//   internal.newHostStream({pull(controller), cancel(reason)}, highWaterMark = 0)
//       -> ReadableStream. A byte stream fed by the host: pull is called when
//       a reader wants data (and again after each settled pull while there is
//       demand); it may return a promise. controller is the public
//       ReadableByteStreamController: enqueue(Uint8Array), close(),
//       error(e), desiredSize, byobRequest (enqueue copies the chunk, as
//       for user code). cancel(reason) is called when the consumer cancels.
//   internal.streamReader(stream) -> {read() -> Promise<{done, value}>,
//       cancel(reason) -> Promise, releaseLock()}
//       Locks the stream for host code that takes chunks one at a time. The
//       result objects have no prototype, so a user-defined
//       Object.prototype.then cannot intercept them.
(function (globalThis, host, internal) {
  "use strict";

  // goja has no Symbol.asyncIterator. esbuild lowers `for await` in user code
  // to a helper that looks up Symbol.asyncIterator and, when it is missing,
  // Symbol.for("Symbol.asyncIterator"); defining the former as the latter
  // makes both agree.
  if (typeof Symbol.asyncIterator !== "symbol") {
    Object.defineProperty(Symbol, "asyncIterator", { value: Symbol.for("Symbol.asyncIterator") });
  }

  // ---------------------------------------------------------------------------
  // Helpers: promises, queues, WebIDL conversions.

  const promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseReject = Promise.reject.bind(Promise);
  const noop = () => {};
  const INTERNAL = Symbol("internal construction");

  function then(p, onFulfilled, onRejected) {
    return promiseThen.call(p, onFulfilled, onRejected);
  }
  function markHandled(p) {
    promiseThen.call(p, undefined, noop);
  }
  function resolvedUndefined() {
    return promiseResolve(undefined);
  }
  function rejectedHandled(e) {
    const p = promiseReject(e);
    markHandled(p);
    return p;
  }
  // newCap returns a pending promise with its resolving functions.
  function newCap() {
    const cap = { promise: undefined, resolve: undefined, reject: undefined, pending: true };
    cap.promise = new Promise((res, rej) => { cap.resolve = res; cap.reject = rej; });
    return cap;
  }
  function resolvedCap(v) {
    return { promise: promiseResolve(v), resolve: noop, reject: noop, pending: false };
  }
  function rejectedCap(e) {
    return { promise: rejectedHandled(e), resolve: noop, reject: noop, pending: false };
  }
  function resolveCap(cap, v) {
    if (!cap.pending) return;
    cap.pending = false;
    cap.resolve(v);
  }
  function rejectCap(cap, e) {
    if (!cap.pending) return;
    cap.pending = false;
    cap.reject(e);
  }
  // promiseCall calls fn and turns its result or exception into a promise.
  function promiseCall(fn, thisArg, a, b) {
    try {
      return resolvedWith(fn.call(thisArg, a, b));
    } catch (e) {
      return promiseReject(e);
    }
  }
  // resolvedWith is WebIDL's "a promise resolved with v": always a new
  // promise (so a returned promise or thenable is adopted with the same
  // timing as in browsers); undefined, the common case, takes a shortcut.
  function resolvedWith(v) {
    if (v === undefined) return promiseResolve(undefined);
    return new Promise((resolve) => resolve(v));
  }
  const microtask = (fn) => { promiseThen.call(promiseResolve(undefined), fn); };

  // Queue is a FIFO with amortised O(1) shift; a queue-with-sizes keeps each
  // value's size next to it.
  class Queue {
    constructor() { this.a = []; this.h = 0; }
    get size() { return this.a.length - this.h; }
    push(v) { this.a.push(v); }
    peek() { return this.a[this.h]; }
    shift() {
      const a = this.a;
      const v = a[this.h];
      a[this.h++] = undefined;
      if (this.h === a.length) { a.length = 0; this.h = 0; }
      else if (this.h > 512 && this.h * 2 > a.length) { this.a = a.slice(this.h); this.h = 0; }
      return v;
    }
    last() { return this.a[this.a.length - 1]; }
    clear() { this.a = []; this.h = 0; }
    drain() { const out = this.a.slice(this.h); this.clear(); return out; }
  }

  function isNonNegativeNumber(v) {
    return typeof v === "number" && !Number.isNaN(v) && v >= 0;
  }
  function resetQueue(c) {
    c.queue = new Queue();
    c.queueTotalSize = 0;
  }
  function enqueueValueWithSize(c, value, size) {
    if (!isNonNegativeNumber(size) || size === Infinity) {
      throw new RangeError("The size of a chunk must be a finite, non-negative number; check the queuing strategy's size()");
    }
    c.queue.push(value);
    c.queue.push(size);
    c.queueTotalSize += size;
  }
  function dequeueValue(c) {
    const value = c.queue.shift();
    const size = c.queue.shift();
    c.queueTotalSize -= size;
    if (c.queueTotalSize < 0) c.queueTotalSize = 0;
    return value;
  }
  function peekQueueValue(c) {
    return c.queue.peek();
  }

  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }
  // dictionary checks a value converted to a WebIDL dictionary: undefined and
  // null give an empty dictionary; other non-objects are a TypeError.
  function dictionary(v, what) {
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) throw new TypeError(`${what} must be an object`);
    return v;
  }
  function callback(v, what) {
    if (v !== undefined && typeof v !== "function") throw new TypeError(`${what} must be a function`);
    return v;
  }
  function toDouble(v) {
    return +v; // ToNumber; throws for BigInt and Symbol as WebIDL does
  }

  function extractHighWaterMark(hwm, defaultHWM) {
    if (hwm === undefined) return defaultHWM;
    if (Number.isNaN(hwm) || hwm < 0) {
      throw new RangeError("highWaterMark must be a non-negative number");
    }
    return hwm;
  }
  // strategyDict converts a QueuingStrategy in member order (highWaterMark,
  // size) and returns {hwm, size}.
  function strategyDict(s, what) {
    s = dictionary(s, what);
    if (s === undefined) return { hwm: undefined, size: undefined };
    let hwm = s.highWaterMark;
    if (hwm !== undefined) hwm = toDouble(hwm);
    const size = callback(s.size, what + ".size");
    return { hwm, size };
  }
  const sizeOne = () => 1;
  function extractSizeAlgorithm(size) {
    if (size === undefined) return sizeOne;
    return (chunk) => toDouble(size.call(undefined, chunk));
  }

  function typeError(msg) { return new TypeError(msg); }
  function illegal(cls) { return new TypeError(`Illegal invocation: this is not a ${cls}`); }

  // Web IDL: interface members are enumerable, the class has a toStringTag.
  function webIDL(cls, name) {
    const proto = cls.prototype;
    for (const key of Reflect.ownKeys(proto)) {
      if (key === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      d.enumerable = typeof key === "string";
      Object.defineProperty(proto, key, d);
    }
    Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
    for (const key of Reflect.ownKeys(cls)) {
      if (key === "length" || key === "name" || key === "prototype") continue;
      const d = Object.getOwnPropertyDescriptor(cls, key);
      d.enumerable = true;
      Object.defineProperty(cls, key, d);
    }
  }

  // ---------------------------------------------------------------------------
  // ReadableStream

  let rsOf; // (x) -> stream record or undefined
  let newReadableStream; // (record) -> public ReadableStream

  class ReadableStream {
    #r;
    constructor(underlyingSource = undefined, strategy = undefined) {
      if (underlyingSource === INTERNAL) { this.#r = strategy; strategy.pub = this; return; }
      if (underlyingSource === null || (underlyingSource !== undefined && !isObject(underlyingSource))) {
        throw new TypeError("ReadableStream: the underlying source must be an object");
      }
      // UnderlyingSource members in WebIDL order.
      const src = underlyingSource;
      let autoAllocateChunkSize, cancel, pull, start, type;
      if (src !== undefined) {
        autoAllocateChunkSize = src.autoAllocateChunkSize;
        if (autoAllocateChunkSize !== undefined) {
          autoAllocateChunkSize = toDouble(autoAllocateChunkSize);
          if (!Number.isFinite(autoAllocateChunkSize)) throw new TypeError("autoAllocateChunkSize must be a finite number");
          autoAllocateChunkSize = Math.trunc(autoAllocateChunkSize);
        }
        cancel = callback(src.cancel, "underlying source cancel");
        pull = callback(src.pull, "underlying source pull");
        start = callback(src.start, "underlying source start");
        type = src.type;
        if (type !== undefined) {
          type = String(type);
          if (type !== "bytes") throw new TypeError(`ReadableStream: type "${type}" is not supported; use "bytes" or leave it out`);
        }
      }
      const st = strategyDict(strategy, "ReadableStream strategy");
      const rs = initializeReadableStream(this);
      this.#r = rs;
      if (type === "bytes") {
        if (st.size !== undefined) throw new RangeError("A byte stream's strategy cannot have a size(); use highWaterMark in bytes only");
        const hwm = extractHighWaterMark(st.hwm, 0);
        setUpByteControllerFromSource(rs, src, start, pull, cancel, autoAllocateChunkSize, hwm);
      } else {
        const size = extractSizeAlgorithm(st.size);
        const hwm = extractHighWaterMark(st.hwm, 1);
        const controller = newDefaultControllerRecord();
        setUpReadableStreamDefaultController(rs, controller,
          start === undefined ? noop : () => start.call(src, controller.pub),
          pull === undefined ? resolvedUndefined : () => promiseCall(pull, src, controller.pub),
          cancel === undefined ? resolvedUndefined : (reason) => promiseCall(cancel, src, reason),
          hwm, size);
      }
    }

    static {
      rsOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
      newReadableStream = (rec) => new ReadableStream(INTERNAL, rec);
    }

    get locked() {
      const rs = rsOf(this);
      if (!rs) throw illegal("ReadableStream");
      return isReadableStreamLocked(rs);
    }

    cancel(reason = undefined) {
      const rs = rsOf(this);
      if (!rs) return promiseReject(illegal("ReadableStream"));
      if (isReadableStreamLocked(rs)) return promiseReject(typeError("Cannot cancel a ReadableStream that is locked to a reader; cancel through the reader or release it first"));
      return readableStreamCancel(rs, reason);
    }

    getReader(options = undefined) {
      const rs = rsOf(this);
      if (!rs) throw illegal("ReadableStream");
      options = dictionary(options, "getReader options");
      let mode = options === undefined ? undefined : options.mode;
      if (mode !== undefined) {
        mode = String(mode);
        if (mode !== "byob") throw new TypeError(`getReader: mode "${mode}" is not valid; use "byob" or leave it out`);
        return acquireBYOBReader(rs).pub;
      }
      return acquireDefaultReader(rs).pub;
    }

    pipeThrough(transform, options = undefined) {
      const rs = rsOf(this);
      if (!rs) throw illegal("ReadableStream");
      if (!isObject(transform)) throw new TypeError("pipeThrough: the argument must be an object with readable and writable streams");
      const readable = transform.readable;
      const readableRec = rsOf(readable);
      if (!readableRec) throw new TypeError("pipeThrough: transform.readable must be a ReadableStream");
      const writableRec = wsOf(transform.writable);
      if (!writableRec) throw new TypeError("pipeThrough: transform.writable must be a WritableStream");
      const o = pipeOptions(options);
      if (isReadableStreamLocked(rs)) throw new TypeError("pipeThrough: this ReadableStream is locked to a reader; release the lock first");
      if (isWritableStreamLocked(writableRec)) throw new TypeError("pipeThrough: transform.writable is locked to a writer; release the lock first");
      const p = readableStreamPipeTo(rs, writableRec, o.preventClose, o.preventAbort, o.preventCancel, o.signal);
      markHandled(p);
      return readable;
    }

    pipeTo(destination, options = undefined) {
      const rs = rsOf(this);
      if (!rs) return promiseReject(illegal("ReadableStream"));
      const ws = wsOf(destination);
      if (!ws) return promiseReject(typeError("pipeTo: the destination must be a WritableStream"));
      let o;
      try { o = pipeOptions(options); } catch (e) { return promiseReject(e); }
      if (isReadableStreamLocked(rs)) return promiseReject(typeError("pipeTo: this ReadableStream is locked to a reader; release the lock first"));
      if (isWritableStreamLocked(ws)) return promiseReject(typeError("pipeTo: the destination WritableStream is locked to a writer; release the lock first"));
      return readableStreamPipeTo(rs, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal);
    }

    tee() {
      const rs = rsOf(this);
      if (!rs) throw illegal("ReadableStream");
      const [a, b] = readableStreamTee(rs);
      return [a.pub, b.pub];
    }

    values(options = undefined) {
      const rs = rsOf(this);
      if (!rs) throw illegal("ReadableStream");
      options = dictionary(options, "values options");
      const preventCancel = options === undefined ? false : Boolean(options.preventCancel);
      const reader = acquireDefaultReader(rs);
      return newAsyncIterator(reader, preventCancel);
    }

    static from(asyncIterable) {
      return readableStreamFromIterable(asyncIterable).pub;
    }

    [internal.inspectSymbol](inspect) {
      const rs = rsOf(this);
      return "ReadableStream " + inspect({ locked: isReadableStreamLocked(rs) });
    }
  }
  webIDL(ReadableStream, "ReadableStream");
  Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
    value: ReadableStream.prototype.values, writable: true, configurable: true,
  });

  function pipeOptions(options) {
    options = dictionary(options, "pipe options");
    if (options === undefined) return { preventAbort: false, preventCancel: false, preventClose: false, signal: undefined };
    const preventAbort = Boolean(options.preventAbort);
    const preventCancel = Boolean(options.preventCancel);
    const preventClose = Boolean(options.preventClose);
    const signal = options.signal;
    if (signal !== undefined) {
      // Until abort.js defines AbortSignal, accept any object that looks
      // like one (aborted, reason, addEventListener).
      const AS = globalThis.AbortSignal;
      const ok = typeof AS === "function" ? signal instanceof AS : isObject(signal) && typeof signal.addEventListener === "function";
      if (!ok) throw new TypeError("pipe options: signal must be an AbortSignal");
    }
    return { preventAbort, preventCancel, preventClose, signal };
  }

  function initializeReadableStream(pub) {
    return { pub, state: "readable", reader: undefined, storedError: undefined, disturbed: false, controller: undefined };
  }

  // createReadableStream makes a default-controller stream from algorithms
  // (CreateReadableStream).
  function createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 1, size = sizeOne) {
    const rs = initializeReadableStream(undefined);
    newReadableStream(rs);
    const controller = newDefaultControllerRecord();
    setUpReadableStreamDefaultController(rs, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, size);
    return rs;
  }

  function isReadableStreamLocked(rs) {
    return rs.reader !== undefined;
  }

  function readableStreamCancel(rs, reason) {
    rs.disturbed = true;
    if (rs.state === "closed") return resolvedUndefined();
    if (rs.state === "errored") return promiseReject(rs.storedError);
    readableStreamClose(rs);
    const reader = rs.reader;
    if (reader !== undefined && reader.byob) {
      const reqs = reader.readIntoRequests;
      reader.readIntoRequests = new Queue();
      for (const req of reqs.drain()) req.close(undefined);
    }
    const sourceCancelPromise = rs.controller.cancelSteps(reason);
    return then(sourceCancelPromise, noop);
  }

  function readableStreamClose(rs) {
    rs.state = "closed";
    const reader = rs.reader;
    if (reader === undefined) return;
    resolveCap(reader.closed, undefined);
    if (!reader.byob) {
      const reqs = reader.readRequests;
      if (reqs.size === 0) return;
      reader.readRequests = new Queue();
      for (const req of reqs.drain()) req.close();
    }
  }

  function readableStreamError(rs, e) {
    rs.state = "errored";
    rs.storedError = e;
    const reader = rs.reader;
    if (reader === undefined) return;
    rejectCap(reader.closed, e);
    markHandled(reader.closed.promise);
    if (reader.byob) byobReaderErrorReadIntoRequests(reader, e);
    else defaultReaderErrorReadRequests(reader, e);
  }

  function readableStreamFulfillReadRequest(rs, chunk, done) {
    const req = rs.reader.readRequests.shift();
    if (done) req.close();
    else req.chunk(chunk);
  }
  function readableStreamGetNumReadRequests(rs) {
    return rs.reader.readRequests.size;
  }
  function readableStreamHasDefaultReader(rs) {
    return rs.reader !== undefined && !rs.reader.byob;
  }
  function readableStreamHasBYOBReader(rs) {
    return rs.reader !== undefined && rs.reader.byob;
  }

  // ---------------------------------------------------------------------------
  // Readers

  let readerOf;
  class ReadableStreamDefaultReader {
    #r;
    constructor(stream) {
      if (stream === INTERNAL) return;
      const rs = rsOf(stream);
      if (!rs) throw new TypeError("ReadableStreamDefaultReader: the argument must be a ReadableStream");
      const reader = { pub: this, byob: false, stream: undefined, closed: undefined, readRequests: new Queue() };
      this.#r = reader;
      setUpDefaultReader(reader, rs);
    }
    static {
      readerOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
      ReadableStreamDefaultReader.attach = (pub, rec) => { pub.#r = rec; };
    }
    get closed() {
      const r = readerOf(this);
      if (!r) return promiseReject(illegal("ReadableStreamDefaultReader"));
      return r.closed.promise;
    }
    cancel(reason = undefined) {
      const r = readerOf(this);
      if (!r) return promiseReject(illegal("ReadableStreamDefaultReader"));
      if (r.stream === undefined) return promiseReject(typeError("This reader has released its lock; it cannot cancel the stream"));
      return readableStreamCancel(r.stream, reason);
    }
    read() {
      const r = readerOf(this);
      if (!r) return promiseReject(illegal("ReadableStreamDefaultReader"));
      if (r.stream === undefined) return promiseReject(typeError("This reader has released its lock; get a new reader to read the stream"));
      const cap = newCap();
      readableStreamDefaultReaderRead(r, {
        chunk(value) { cap.resolve({ value, done: false }); },
        close() { cap.resolve({ value: undefined, done: true }); },
        error(e) { cap.reject(e); },
      });
      return cap.promise;
    }
    releaseLock() {
      const r = readerOf(this);
      if (!r) throw illegal("ReadableStreamDefaultReader");
      if (r.stream === undefined) return;
      defaultReaderRelease(r);
    }
  }
  const attachDefaultReader = ReadableStreamDefaultReader.attach;
  delete ReadableStreamDefaultReader.attach;
  webIDL(ReadableStreamDefaultReader, "ReadableStreamDefaultReader");

  function acquireDefaultReader(rs) {
    const pub = new ReadableStreamDefaultReader(INTERNAL);
    const reader = { pub, byob: false, stream: undefined, closed: undefined, readRequests: new Queue() };
    attachDefaultReader(pub, reader);
    setUpDefaultReader(reader, rs);
    return reader;
  }
  function setUpDefaultReader(reader, rs) {
    if (isReadableStreamLocked(rs)) throw new TypeError("This ReadableStream is already locked to a reader; release that reader first");
    readerGenericInitialize(reader, rs);
  }
  function readerGenericInitialize(reader, rs) {
    reader.stream = rs;
    rs.reader = reader;
    if (rs.state === "readable") reader.closed = newCap();
    else if (rs.state === "closed") reader.closed = resolvedCap(undefined);
    else reader.closed = rejectedCap(rs.storedError);
  }
  function readerGenericRelease(reader) {
    const rs = reader.stream;
    const e = new TypeError("The reader's lock on the stream was released");
    if (rs.state === "readable") rejectCap(reader.closed, e);
    else reader.closed = rejectedCap(e);
    markHandled(reader.closed.promise);
    rs.controller.releaseSteps();
    rs.reader = undefined;
    reader.stream = undefined;
  }
  function defaultReaderRelease(reader) {
    readerGenericRelease(reader);
    defaultReaderErrorReadRequests(reader, new TypeError("The reader's lock on the stream was released before the read finished"));
  }
  function defaultReaderErrorReadRequests(reader, e) {
    const reqs = reader.readRequests;
    if (reqs.size === 0) return;
    reader.readRequests = new Queue();
    for (const req of reqs.drain()) req.error(e);
  }
  function readableStreamDefaultReaderRead(reader, req) {
    const rs = reader.stream;
    rs.disturbed = true;
    if (rs.state === "closed") req.close();
    else if (rs.state === "errored") req.error(rs.storedError);
    else rs.controller.pullSteps(req);
  }

  // ---------------------------------------------------------------------------
  // ReadableStreamDefaultController

  let rsdcOf;
  class ReadableStreamDefaultController {
    #r;
    constructor(token, rec) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor: ReadableStreamDefaultController is created by ReadableStream");
      this.#r = rec;
      rec.pub = this;
    }
    static {
      rsdcOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    get desiredSize() {
      const c = rsdcOf(this);
      if (!c) throw illegal("ReadableStreamDefaultController");
      return rsdcGetDesiredSize(c);
    }
    close() {
      const c = rsdcOf(this);
      if (!c) throw illegal("ReadableStreamDefaultController");
      if (!rsdcCanCloseOrEnqueue(c)) throw new TypeError("The stream is already closed or closing; close() cannot be called again");
      rsdcClose(c);
    }
    enqueue(chunk = undefined) {
      const c = rsdcOf(this);
      if (!c) throw illegal("ReadableStreamDefaultController");
      if (!rsdcCanCloseOrEnqueue(c)) throw new TypeError("Cannot enqueue into a stream that is closed, closing or errored");
      rsdcEnqueue(c, chunk);
    }
    error(e = undefined) {
      const c = rsdcOf(this);
      if (!c) throw illegal("ReadableStreamDefaultController");
      rsdcError(c, e);
    }
  }
  webIDL(ReadableStreamDefaultController, "ReadableStreamDefaultController");

  function newDefaultControllerRecord() {
    const c = {
      pub: undefined, stream: undefined, queue: undefined, queueTotalSize: 0,
      started: false, closeRequested: false, pullAgain: false, pulling: false,
      strategySizeAlgorithm: undefined, strategyHWM: 0,
      pullAlgorithm: undefined, cancelAlgorithm: undefined,
      cancelSteps: undefined, pullSteps: undefined, releaseSteps: noop,
    };
    c.cancelSteps = (reason) => {
      resetQueue(c);
      const result = c.cancelAlgorithm(reason);
      rsdcClearAlgorithms(c);
      return result;
    };
    c.pullSteps = (req) => rsdcPullSteps(c, req);
    new ReadableStreamDefaultController(INTERNAL, c);
    return c;
  }

  function setUpReadableStreamDefaultController(rs, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, size) {
    c.stream = rs;
    resetQueue(c);
    c.strategySizeAlgorithm = size;
    c.strategyHWM = hwm;
    c.pullAlgorithm = pullAlgorithm;
    c.cancelAlgorithm = cancelAlgorithm;
    rs.controller = c;
    const startResult = startAlgorithm();
    then(resolvedWith(startResult), () => {
      c.started = true;
      rsdcCallPullIfNeeded(c);
    }, (r) => rsdcError(c, r));
  }

  function rsdcPullSteps(c, req) {
    const rs = c.stream;
    if (c.queue.size > 0) {
      const chunk = dequeueValue(c);
      if (c.closeRequested && c.queue.size === 0) {
        rsdcClearAlgorithms(c);
        readableStreamClose(rs);
      } else {
        rsdcCallPullIfNeeded(c);
      }
      req.chunk(chunk);
    } else {
      rs.reader.readRequests.push(req);
      rsdcCallPullIfNeeded(c);
    }
  }

  function rsdcCallPullIfNeeded(c) {
    if (!rsdcShouldCallPull(c)) return;
    if (c.pulling) { c.pullAgain = true; return; }
    c.pulling = true;
    then(c.pullAlgorithm(), () => {
      c.pulling = false;
      if (c.pullAgain) {
        c.pullAgain = false;
        rsdcCallPullIfNeeded(c);
      }
    }, (e) => rsdcError(c, e));
  }

  function rsdcShouldCallPull(c) {
    const rs = c.stream;
    if (!rsdcCanCloseOrEnqueue(c)) return false;
    if (!c.started) return false;
    if (isReadableStreamLocked(rs) && readableStreamHasDefaultReader(rs) && readableStreamGetNumReadRequests(rs) > 0) return true;
    return rsdcGetDesiredSize(c) > 0;
  }
  function rsdcClearAlgorithms(c) {
    c.pullAlgorithm = undefined;
    c.cancelAlgorithm = undefined;
    c.strategySizeAlgorithm = undefined;
  }
  function rsdcClose(c) {
    if (!rsdcCanCloseOrEnqueue(c)) return;
    c.closeRequested = true;
    if (c.queue.size === 0) {
      rsdcClearAlgorithms(c);
      readableStreamClose(c.stream);
    }
  }
  function rsdcEnqueue(c, chunk) {
    if (!rsdcCanCloseOrEnqueue(c)) return;
    const rs = c.stream;
    if (isReadableStreamLocked(rs) && readableStreamGetNumReadRequests(rs) > 0) {
      readableStreamFulfillReadRequest(rs, chunk, false);
    } else {
      let chunkSize;
      try {
        chunkSize = c.strategySizeAlgorithm(chunk);
      } catch (e) {
        rsdcError(c, e);
        throw e;
      }
      try {
        enqueueValueWithSize(c, chunk, chunkSize);
      } catch (e) {
        rsdcError(c, e);
        throw e;
      }
    }
    rsdcCallPullIfNeeded(c);
  }
  function rsdcError(c, e) {
    const rs = c.stream;
    if (rs.state !== "readable") return;
    resetQueue(c);
    rsdcClearAlgorithms(c);
    readableStreamError(rs, e);
  }
  function rsdcGetDesiredSize(c) {
    const state = c.stream.state;
    if (state === "errored") return null;
    if (state === "closed") return 0;
    return c.strategyHWM - c.queueTotalSize;
  }
  function rsdcHasBackpressure(c) {
    return !rsdcShouldCallPull(c);
  }
  function rsdcCanCloseOrEnqueue(c) {
    return !c.closeRequested && c.stream.state === "readable";
  }

  // ---------------------------------------------------------------------------
  // Async iteration

  // goja has no async generators, so no %AsyncIteratorPrototype% to reach;
  // this stands in for it (shared through internal with other files).
  const AsyncIteratorPrototype = internal.asyncIteratorPrototype || (internal.asyncIteratorPrototype = Object.create(Object.prototype, {
    [Symbol.asyncIterator]: { value: { [Symbol.asyncIterator]() { return this; } }[Symbol.asyncIterator], writable: true, configurable: true },
  }));
  const END = { end: true };
  let iterOf;
  class ReadableStreamAsyncIterator {
    #r;
    constructor(token, rec) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor");
      this.#r = rec;
    }
    static {
      iterOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    next() {
      const it = iterOf(this);
      if (!it) return promiseReject(typeError("Illegal invocation: not a ReadableStream async iterator"));
      const nextSteps = () => {
        if (it.finished) return promiseResolve({ value: undefined, done: true });
        const cap = newCap();
        iteratorGetNext(it, cap);
        return then(cap.promise, (v) => {
          it.ongoing = undefined;
          if (v === END) {
            it.finished = true;
            return { value: undefined, done: true };
          }
          return { value: v, done: false };
        }, (e) => {
          it.ongoing = undefined;
          it.finished = true;
          throw e;
        });
      };
      it.ongoing = it.ongoing === undefined ? nextSteps() : then(it.ongoing, nextSteps, nextSteps);
      return it.ongoing;
    }
    return(value = undefined) {
      const it = iterOf(this);
      if (!it) return promiseReject(typeError("Illegal invocation: not a ReadableStream async iterator"));
      const returnSteps = () => {
        if (it.finished) return promiseResolve({ value, done: true });
        it.finished = true;
        return iteratorReturn(it, value);
      };
      it.ongoing = it.ongoing === undefined ? returnSteps() : then(it.ongoing, returnSteps, returnSteps);
      return then(it.ongoing, () => ({ value, done: true }));
    }
  }
  Object.setPrototypeOf(ReadableStreamAsyncIterator.prototype, AsyncIteratorPrototype);
  const iterProto = ReadableStreamAsyncIterator.prototype;
  for (const k of ["next", "return"]) {
    Object.defineProperty(iterProto, k, { enumerable: true });
  }
  Object.defineProperty(iterProto, Symbol.toStringTag, { value: "ReadableStream AsyncIterator", configurable: true });

  function newAsyncIterator(reader, preventCancel) {
    const it = { reader, preventCancel, ongoing: undefined, finished: false };
    const obj = new ReadableStreamAsyncIterator(INTERNAL, it);
    // Hide the class: the iterator's prototype's constructor is not exposed.
    return obj;
  }
  delete iterProto.constructor;
  function iteratorGetNext(it, cap) {
    const reader = it.reader;
    readableStreamDefaultReaderRead(reader, {
      chunk(v) { cap.resolve(v); },
      close() { defaultReaderRelease(reader); cap.resolve(END); },
      error(e) { defaultReaderRelease(reader); cap.reject(e); },
    });
  }
  function iteratorReturn(it, value) {
    const reader = it.reader;
    if (reader.stream === undefined) return resolvedUndefined();
    if (!it.preventCancel) {
      const result = readableStreamCancel(reader.stream, value);
      defaultReaderRelease(reader);
      return result;
    }
    defaultReaderRelease(reader);
    return resolvedUndefined();
  }

  // ---------------------------------------------------------------------------
  // ReadableStream.from

  function getAsyncIterator(obj) {
    if (obj === undefined || obj === null) throw new TypeError("ReadableStream.from: the argument must be an iterable or async iterable");
    const asyncMethod = obj[Symbol.asyncIterator];
    if (asyncMethod !== undefined && asyncMethod !== null) {
      if (typeof asyncMethod !== "function") throw new TypeError("ReadableStream.from: Symbol.asyncIterator is not a function");
      const iterator = asyncMethod.call(obj);
      if (!isObject(iterator)) throw new TypeError("ReadableStream.from: the async iterator is not an object");
      return { iterator, next: iterator.next, sync: false };
    }
    const syncMethod = obj[Symbol.iterator];
    if (typeof syncMethod !== "function") throw new TypeError("ReadableStream.from: the argument is not iterable or async iterable");
    const iterator = syncMethod.call(obj);
    if (!isObject(iterator)) throw new TypeError("ReadableStream.from: the iterator is not an object");
    return { iterator, next: iterator.next, sync: true };
  }

  function readableStreamFromIterable(asyncIterable) {
    const rec = getAsyncIterator(asyncIterable);
    let stream;
    const pullAlgorithm = () => {
      let nextResult;
      try {
        nextResult = rec.next.call(rec.iterator);
      } catch (e) {
        return promiseReject(e);
      }
      let nextPromise;
      if (rec.sync) {
        // CreateAsyncFromSyncIterator: await the value of a sync result.
        if (!isObject(nextResult)) return promiseReject(typeError("ReadableStream.from: the iterator result is not an object"));
        let done, value;
        try {
          done = Boolean(nextResult.done);
          value = nextResult.value;
        } catch (e) {
          return promiseReject(e);
        }
        nextPromise = then(promiseResolve(value), (v) => ({ value: v, done }), (e) => {
          if (!done) closeSyncIterator(rec.iterator);
          throw e;
        });
      } else {
        nextPromise = promiseResolve(nextResult);
      }
      return then(nextPromise, (iterResult) => {
        if (!isObject(iterResult)) throw new TypeError("ReadableStream.from: the iterator result is not an object");
        if (iterResult.done) rsdcClose(stream.controller);
        else rsdcEnqueue(stream.controller, iterResult.value);
      });
    };
    const cancelAlgorithm = (reason) => {
      const iterator = rec.iterator;
      let returnMethod;
      try {
        returnMethod = iterator.return;
      } catch (e) {
        return promiseReject(e);
      }
      if (returnMethod === undefined || returnMethod === null) return resolvedUndefined();
      if (typeof returnMethod !== "function") return promiseReject(typeError("ReadableStream.from: the iterator's return is not a function"));
      let returnResult;
      try {
        returnResult = returnMethod.call(iterator, reason);
      } catch (e) {
        return promiseReject(e);
      }
      if (rec.sync) {
        if (!isObject(returnResult)) return promiseReject(typeError("ReadableStream.from: the iterator's return() result is not an object"));
        return then(promiseResolve(returnResult.value), noop);
      }
      return then(promiseResolve(returnResult), (r) => {
        if (!isObject(r)) throw new TypeError("ReadableStream.from: the iterator's return() result is not an object");
      });
    };
    stream = createReadableStream(noop, pullAlgorithm, cancelAlgorithm, 0);
    return stream;
  }
  function closeSyncIterator(iterator) {
    try {
      const r = iterator.return;
      if (typeof r === "function") r.call(iterator);
    } catch (e) {
      // The original rejection wins.
    }
  }

  // ---------------------------------------------------------------------------
  // Tee

  function readableStreamTee(rs) {
    if (rs.controller.byte) return readableByteStreamTee(rs);
    return readableStreamDefaultTee(rs);
  }

  function readableStreamDefaultTee(rs) {
    const reader = acquireDefaultReader(rs);
    let reading = false, readAgain = false, canceled1 = false, canceled2 = false;
    let reason1, reason2, branch1, branch2;
    const cancelCap = newCap();
    const pullAlgorithm = () => {
      if (reading) { readAgain = true; return resolvedUndefined(); }
      reading = true;
      readableStreamDefaultReaderRead(reader, {
        chunk(chunk) {
          microtask(() => {
            readAgain = false;
            if (!canceled1) rsdcEnqueue(branch1.controller, chunk);
            if (!canceled2) rsdcEnqueue(branch2.controller, chunk);
            reading = false;
            if (readAgain) pullAlgorithm();
          });
        },
        close() {
          reading = false;
          if (!canceled1) rsdcClose(branch1.controller);
          if (!canceled2) rsdcClose(branch2.controller);
          if (!canceled1 || !canceled2) resolveCap(cancelCap, undefined);
        },
        error() { reading = false; },
      });
      return resolvedUndefined();
    };
    const cancel1 = (reason) => {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) resolveCap(cancelCap, readableStreamCancel(rs, [reason1, reason2]));
      return cancelCap.promise;
    };
    const cancel2 = (reason) => {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) resolveCap(cancelCap, readableStreamCancel(rs, [reason1, reason2]));
      return cancelCap.promise;
    };
    branch1 = createReadableStream(noop, pullAlgorithm, cancel1);
    branch2 = createReadableStream(noop, pullAlgorithm, cancel2);
    then(reader.closed.promise, undefined, (r) => {
      rsdcError(branch1.controller, r);
      rsdcError(branch2.controller, r);
      if (!canceled1 || !canceled2) resolveCap(cancelCap, undefined);
    });
    return [branch1, branch2];
  }

  // ---------------------------------------------------------------------------
  // Piping

  function readableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
    const reader = acquireDefaultReader(source);
    const writer = acquireWriter(dest);
    source.disturbed = true;
    let shuttingDown = false;
    let currentWrite = resolvedUndefined();
    const result = newCap();
    let abortAlgorithm;

    const finalize = (isError, error) => {
      writerRelease(writer);
      if (reader.stream !== undefined) defaultReaderRelease(reader);
      if (signal !== undefined && abortAlgorithm !== undefined) signal.removeEventListener("abort", abortAlgorithm);
      if (isError) rejectCap(result, error);
      else resolveCap(result, undefined);
    };
    const waitForWrites = (next) => {
      const w = currentWrite;
      then(w, () => (w === currentWrite ? next() : waitForWrites(next)), () => (w === currentWrite ? next() : waitForWrites(next)));
    };
    const shutdownWithAction = (action, isError, originalError) => {
      if (shuttingDown) return;
      shuttingDown = true;
      const doAction = () => {
        let p;
        try { p = promiseResolve(action()); } catch (e) { p = promiseReject(e); }
        then(p, () => finalize(isError, originalError), (e) => finalize(true, e));
      };
      if (dest.state === "writable" && !writableStreamCloseQueuedOrInFlight(dest)) waitForWrites(doAction);
      else doAction();
    };
    const shutdown = (isError, error) => {
      if (shuttingDown) return;
      shuttingDown = true;
      if (dest.state === "writable" && !writableStreamCloseQueuedOrInFlight(dest)) waitForWrites(() => finalize(isError, error));
      else finalize(isError, error);
    };

    if (signal !== undefined) {
      abortAlgorithm = () => {
        const error = signal.reason;
        const actions = [];
        if (!preventAbort) actions.push(() => (dest.state === "writable" ? writableStreamAbort(dest, error) : resolvedUndefined()));
        if (!preventCancel) actions.push(() => (source.state === "readable" ? readableStreamCancel(source, error) : resolvedUndefined()));
        shutdownWithAction(() => Promise.all(actions.map((a) => a())), true, error);
      };
      if (signal.aborted) {
        abortAlgorithm();
        return result.promise;
      }
      signal.addEventListener("abort", abortAlgorithm);
    }

    // Error and close propagation.
    const onSourceErrored = (storedError) => {
      if (!preventAbort) shutdownWithAction(() => writableStreamAbort(dest, storedError), true, storedError);
      else shutdown(true, storedError);
    };
    const onDestErrored = (storedError) => {
      if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, storedError), true, storedError);
      else shutdown(true, storedError);
    };
    const onSourceClosed = () => {
      if (!preventClose) shutdownWithAction(() => writerCloseWithErrorPropagation(writer), false);
      else shutdown(false);
    };
    const onDestClosed = () => {
      const destClosed = new TypeError("pipeTo: the destination stream is closed or closing; it cannot take more chunks");
      if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, destClosed), true, destClosed);
      else shutdown(true, destClosed);
    };

    if (source.state === "errored") onSourceErrored(source.storedError);
    else if (dest.state === "errored" || dest.state === "erroring") onDestErrored(dest.storedError);
    else if (source.state === "closed") onSourceClosed();
    else if (writableStreamCloseQueuedOrInFlight(dest) || dest.state === "closed") onDestClosed();
    if (shuttingDown) return result.promise;

    then(reader.closed.promise, () => onSourceClosed(), (e) => onSourceErrored(e));
    then(writer.closed.promise, undefined, (e) => onDestErrored(e));

    // The read/write loop: wait while the destination applies backpressure,
    // read a chunk, write it without waiting for the write to finish.
    let syncChunk = false;
    let inLoop = false;
    const readRequest = {
      chunk(chunk) {
        // A chunk read before shutdown began is still written.
        if (dest.state !== "writable" || writableStreamCloseQueuedOrInFlight(dest)) return;
        currentWrite = writerWrite(writer, chunk);
        markHandled(currentWrite);
        if (inLoop) syncChunk = true;
        else loop();
      },
      close: noop,
      error: noop,
    };
    const loop = () => {
      inLoop = true;
      while (!shuttingDown) {
        if (dest.state !== "writable") break;
        if (dest.backpressure) {
          then(writer.ready.promise, loop, noop);
          break;
        }
        syncChunk = false;
        readableStreamDefaultReaderRead(reader, readRequest);
        if (!syncChunk) break;
      }
      inLoop = false;
    };
    loop();
    return result.promise;
  }

  // ---------------------------------------------------------------------------
  // WritableStream

  let wsOf;
  let newWritableStream;
  class WritableStream {
    #r;
    constructor(underlyingSink = undefined, strategy = undefined) {
      if (underlyingSink === INTERNAL) { this.#r = strategy; strategy.pub = this; return; }
      if (underlyingSink === null || (underlyingSink !== undefined && !isObject(underlyingSink))) {
        throw new TypeError("WritableStream: the underlying sink must be an object");
      }
      const sink = underlyingSink;
      let abort, close, start, type, write;
      if (sink !== undefined) {
        abort = callback(sink.abort, "underlying sink abort");
        close = callback(sink.close, "underlying sink close");
        start = callback(sink.start, "underlying sink start");
        type = sink.type;
        write = callback(sink.write, "underlying sink write");
      }
      const st = strategyDict(strategy, "WritableStream strategy");
      if (type !== undefined) throw new RangeError("WritableStream: the underlying sink's type must be left undefined");
      const ws = initializeWritableStream(this);
      this.#r = ws;
      const size = extractSizeAlgorithm(st.size);
      const hwm = extractHighWaterMark(st.hwm, 1);
      const c = newWritableControllerRecord();
      setUpWritableStreamDefaultController(ws, c,
        start === undefined ? noop : () => start.call(sink, c.pub),
        write === undefined ? resolvedUndefined : (chunk) => promiseCall(write, sink, chunk, c.pub),
        close === undefined ? resolvedUndefined : () => promiseCall(close, sink),
        abort === undefined ? resolvedUndefined : (reason) => promiseCall(abort, sink, reason),
        hwm, size);
    }
    static {
      wsOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
      newWritableStream = (rec) => new WritableStream(INTERNAL, rec);
    }
    get locked() {
      const ws = wsOf(this);
      if (!ws) throw illegal("WritableStream");
      return isWritableStreamLocked(ws);
    }
    abort(reason = undefined) {
      const ws = wsOf(this);
      if (!ws) return promiseReject(illegal("WritableStream"));
      if (isWritableStreamLocked(ws)) return promiseReject(typeError("Cannot abort a WritableStream that is locked to a writer; abort through the writer or release it first"));
      return writableStreamAbort(ws, reason);
    }
    close() {
      const ws = wsOf(this);
      if (!ws) return promiseReject(illegal("WritableStream"));
      if (isWritableStreamLocked(ws)) return promiseReject(typeError("Cannot close a WritableStream that is locked to a writer; close through the writer or release it first"));
      if (writableStreamCloseQueuedOrInFlight(ws)) return promiseReject(typeError("The WritableStream is already closing"));
      return writableStreamClose(ws);
    }
    getWriter() {
      const ws = wsOf(this);
      if (!ws) throw illegal("WritableStream");
      return acquireWriter(ws).pub;
    }
    [internal.inspectSymbol](inspect) {
      return "WritableStream " + inspect({ locked: isWritableStreamLocked(wsOf(this)) });
    }
  }
  webIDL(WritableStream, "WritableStream");

  function initializeWritableStream(pub) {
    return {
      pub, state: "writable", storedError: undefined, writer: undefined, controller: undefined,
      inFlightWriteRequest: undefined, closeRequest: undefined, inFlightCloseRequest: undefined,
      pendingAbortRequest: undefined, writeRequests: new Queue(), backpressure: false,
    };
  }
  function createWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size) {
    const ws = initializeWritableStream(undefined);
    newWritableStream(ws);
    const c = newWritableControllerRecord();
    setUpWritableStreamDefaultController(ws, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size);
    return ws;
  }
  function isWritableStreamLocked(ws) {
    return ws.writer !== undefined;
  }

  function writableStreamAbort(ws, reason) {
    if (ws.state === "closed" || ws.state === "errored") return resolvedUndefined();
    wsdcSignalAbort(ws.controller, reason);
    const state = ws.state;
    if (state === "closed" || state === "errored") return resolvedUndefined();
    if (ws.pendingAbortRequest !== undefined) return ws.pendingAbortRequest.cap.promise;
    let wasAlreadyErroring = false;
    if (state === "erroring") {
      wasAlreadyErroring = true;
      reason = undefined;
    }
    const cap = newCap();
    ws.pendingAbortRequest = { cap, reason, wasAlreadyErroring };
    if (!wasAlreadyErroring) writableStreamStartErroring(ws, reason);
    return cap.promise;
  }
  function writableStreamClose(ws) {
    const state = ws.state;
    if (state === "closed" || state === "errored") {
      return promiseReject(typeError("The WritableStream is already closed or errored; it cannot be closed"));
    }
    const cap = newCap();
    ws.closeRequest = cap;
    const writer = ws.writer;
    if (writer !== undefined && ws.backpressure && state === "writable") resolveCap(writer.ready, undefined);
    wsdcClose(ws.controller);
    return cap.promise;
  }
  function writableStreamAddWriteRequest(ws) {
    const cap = newCap();
    ws.writeRequests.push(cap);
    return cap.promise;
  }
  function writableStreamCloseQueuedOrInFlight(ws) {
    return ws.closeRequest !== undefined || ws.inFlightCloseRequest !== undefined;
  }
  function writableStreamDealWithRejection(ws, error) {
    if (ws.state === "writable") {
      writableStreamStartErroring(ws, error);
      return;
    }
    writableStreamFinishErroring(ws);
  }
  function writableStreamFinishErroring(ws) {
    ws.state = "errored";
    resetQueue(ws.controller); // [[ErrorSteps]]
    const storedError = ws.storedError;
    const reqs = ws.writeRequests;
    ws.writeRequests = new Queue();
    for (const cap of reqs.drain()) rejectCap(cap, storedError);
    if (ws.pendingAbortRequest === undefined) {
      writableStreamRejectCloseAndClosedPromiseIfNeeded(ws);
      return;
    }
    const abortRequest = ws.pendingAbortRequest;
    ws.pendingAbortRequest = undefined;
    if (abortRequest.wasAlreadyErroring) {
      rejectCap(abortRequest.cap, storedError);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(ws);
      return;
    }
    const promise = wsdcAbortSteps(ws.controller, abortRequest.reason);
    then(promise, () => {
      resolveCap(abortRequest.cap, undefined);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(ws);
    }, (reason) => {
      rejectCap(abortRequest.cap, reason);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(ws);
    });
  }
  function writableStreamFinishInFlightClose(ws) {
    resolveCap(ws.inFlightCloseRequest, undefined);
    ws.inFlightCloseRequest = undefined;
    if (ws.state === "erroring") {
      ws.storedError = undefined;
      if (ws.pendingAbortRequest !== undefined) {
        resolveCap(ws.pendingAbortRequest.cap, undefined);
        ws.pendingAbortRequest = undefined;
      }
    }
    ws.state = "closed";
    const writer = ws.writer;
    if (writer !== undefined) resolveCap(writer.closed, undefined);
  }
  function writableStreamFinishInFlightCloseWithError(ws, error) {
    rejectCap(ws.inFlightCloseRequest, error);
    ws.inFlightCloseRequest = undefined;
    if (ws.pendingAbortRequest !== undefined) {
      rejectCap(ws.pendingAbortRequest.cap, error);
      ws.pendingAbortRequest = undefined;
    }
    writableStreamDealWithRejection(ws, error);
  }
  function writableStreamFinishInFlightWrite(ws) {
    resolveCap(ws.inFlightWriteRequest, undefined);
    ws.inFlightWriteRequest = undefined;
  }
  function writableStreamFinishInFlightWriteWithError(ws, error) {
    rejectCap(ws.inFlightWriteRequest, error);
    ws.inFlightWriteRequest = undefined;
    writableStreamDealWithRejection(ws, error);
  }
  function writableStreamHasOperationMarkedInFlight(ws) {
    return ws.inFlightWriteRequest !== undefined || ws.inFlightCloseRequest !== undefined;
  }
  function writableStreamRejectCloseAndClosedPromiseIfNeeded(ws) {
    if (ws.closeRequest !== undefined) {
      rejectCap(ws.closeRequest, ws.storedError);
      ws.closeRequest = undefined;
    }
    const writer = ws.writer;
    if (writer !== undefined) {
      rejectCap(writer.closed, ws.storedError);
      markHandled(writer.closed.promise);
    }
  }
  function writableStreamStartErroring(ws, reason) {
    const c = ws.controller;
    ws.state = "erroring";
    ws.storedError = reason;
    const writer = ws.writer;
    if (writer !== undefined) writerEnsureReadyPromiseRejected(writer, reason);
    if (!writableStreamHasOperationMarkedInFlight(ws) && c.started) writableStreamFinishErroring(ws);
  }
  function writableStreamUpdateBackpressure(ws, backpressure) {
    const writer = ws.writer;
    if (writer !== undefined && backpressure !== ws.backpressure) {
      if (backpressure) writer.ready = newCap();
      else resolveCap(writer.ready, undefined);
    }
    ws.backpressure = backpressure;
  }

  // ---------------------------------------------------------------------------
  // WritableStreamDefaultWriter

  let writerOf;
  class WritableStreamDefaultWriter {
    #r;
    constructor(stream) {
      if (stream === INTERNAL) return;
      const ws = wsOf(stream);
      if (!ws) throw new TypeError("WritableStreamDefaultWriter: the argument must be a WritableStream");
      const w = newWriterRecord(this);
      this.#r = w;
      setUpWriter(w, ws);
    }
    static {
      writerOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
      WritableStreamDefaultWriter.attach = (pub, rec) => { pub.#r = rec; };
    }
    get closed() {
      const w = writerOf(this);
      if (!w) return promiseReject(illegal("WritableStreamDefaultWriter"));
      return w.closed.promise;
    }
    get desiredSize() {
      const w = writerOf(this);
      if (!w) throw illegal("WritableStreamDefaultWriter");
      if (w.stream === undefined) throw new TypeError("This writer has released its lock; it has no desired size");
      return writerGetDesiredSize(w);
    }
    get ready() {
      const w = writerOf(this);
      if (!w) return promiseReject(illegal("WritableStreamDefaultWriter"));
      return w.ready.promise;
    }
    abort(reason = undefined) {
      const w = writerOf(this);
      if (!w) return promiseReject(illegal("WritableStreamDefaultWriter"));
      if (w.stream === undefined) return promiseReject(typeError("This writer has released its lock; it cannot abort the stream"));
      return writableStreamAbort(w.stream, reason);
    }
    close() {
      const w = writerOf(this);
      if (!w) return promiseReject(illegal("WritableStreamDefaultWriter"));
      const ws = w.stream;
      if (ws === undefined) return promiseReject(typeError("This writer has released its lock; it cannot close the stream"));
      if (writableStreamCloseQueuedOrInFlight(ws)) return promiseReject(typeError("The WritableStream is already closing"));
      return writableStreamClose(ws);
    }
    releaseLock() {
      const w = writerOf(this);
      if (!w) throw illegal("WritableStreamDefaultWriter");
      if (w.stream === undefined) return;
      writerRelease(w);
    }
    write(chunk = undefined) {
      const w = writerOf(this);
      if (!w) return promiseReject(illegal("WritableStreamDefaultWriter"));
      if (w.stream === undefined) return promiseReject(typeError("This writer has released its lock; get a new writer to write"));
      return writerWrite(w, chunk);
    }
  }
  const attachWriter = WritableStreamDefaultWriter.attach;
  delete WritableStreamDefaultWriter.attach;
  webIDL(WritableStreamDefaultWriter, "WritableStreamDefaultWriter");

  function newWriterRecord(pub) {
    return { pub, stream: undefined, closed: undefined, ready: undefined };
  }
  function acquireWriter(ws) {
    const pub = new WritableStreamDefaultWriter(INTERNAL);
    const w = newWriterRecord(pub);
    attachWriter(pub, w);
    setUpWriter(w, ws);
    return w;
  }
  function setUpWriter(w, ws) {
    if (isWritableStreamLocked(ws)) throw new TypeError("This WritableStream is already locked to a writer; release that writer first");
    w.stream = ws;
    ws.writer = w;
    const state = ws.state;
    if (state === "writable") {
      w.ready = !writableStreamCloseQueuedOrInFlight(ws) && ws.backpressure ? newCap() : resolvedCap(undefined);
      w.closed = newCap();
    } else if (state === "erroring") {
      w.ready = rejectedCap(ws.storedError);
      w.closed = newCap();
    } else if (state === "closed") {
      w.ready = resolvedCap(undefined);
      w.closed = resolvedCap(undefined);
    } else {
      w.ready = rejectedCap(ws.storedError);
      w.closed = rejectedCap(ws.storedError);
    }
  }
  function writerCloseWithErrorPropagation(w) {
    const ws = w.stream;
    const state = ws.state;
    if (writableStreamCloseQueuedOrInFlight(ws) || state === "closed") return resolvedUndefined();
    if (state === "errored") return promiseReject(ws.storedError);
    return writableStreamClose(ws);
  }
  function writerEnsureClosedPromiseRejected(w, error) {
    if (w.closed.pending) rejectCap(w.closed, error);
    else w.closed = rejectedCap(error);
    markHandled(w.closed.promise);
  }
  function writerEnsureReadyPromiseRejected(w, error) {
    if (w.ready.pending) rejectCap(w.ready, error);
    else w.ready = rejectedCap(error);
    markHandled(w.ready.promise);
  }
  function writerGetDesiredSize(w) {
    const ws = w.stream;
    const state = ws.state;
    if (state === "errored" || state === "erroring") return null;
    if (state === "closed") return 0;
    return wsdcGetDesiredSize(ws.controller);
  }
  function writerRelease(w) {
    const ws = w.stream;
    const releasedError = new TypeError("The writer's lock on the stream was released");
    writerEnsureReadyPromiseRejected(w, releasedError);
    writerEnsureClosedPromiseRejected(w, releasedError);
    ws.writer = undefined;
    w.stream = undefined;
  }
  function writerWrite(w, chunk) {
    const ws = w.stream;
    const c = ws.controller;
    const chunkSize = wsdcGetChunkSize(c, chunk);
    if (ws !== w.stream) return promiseReject(typeError("The writer's lock was released while the chunk's size was computed"));
    const state = ws.state;
    if (state === "errored") return promiseReject(ws.storedError);
    if (writableStreamCloseQueuedOrInFlight(ws) || state === "closed") {
      return promiseReject(typeError("The WritableStream is closing or closed; it cannot be written to"));
    }
    if (state === "erroring") return promiseReject(ws.storedError);
    const promise = writableStreamAddWriteRequest(ws);
    wsdcWrite(c, chunk, chunkSize);
    return promise;
  }

  // ---------------------------------------------------------------------------
  // WritableStreamDefaultController

  const CLOSE_SENTINEL = { close: true };
  let wsdcOf;
  class WritableStreamDefaultController {
    #r;
    constructor(token, rec) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor: WritableStreamDefaultController is created by WritableStream");
      this.#r = rec;
      rec.pub = this;
    }
    static {
      wsdcOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    get signal() {
      const c = wsdcOf(this);
      if (!c) throw illegal("WritableStreamDefaultController");
      return wsdcGetSignal(c);
    }
    error(e = undefined) {
      const c = wsdcOf(this);
      if (!c) throw illegal("WritableStreamDefaultController");
      if (c.stream.state !== "writable") return;
      wsdcError(c, e);
    }
  }
  webIDL(WritableStreamDefaultController, "WritableStreamDefaultController");

  function newWritableControllerRecord() {
    const c = {
      pub: undefined, stream: undefined, queue: undefined, queueTotalSize: 0, started: false,
      strategyHWM: 1, strategySizeAlgorithm: undefined,
      writeAlgorithm: undefined, closeAlgorithm: undefined, abortAlgorithm: undefined,
      // The abort signal is made when first asked for: until then, only
      // whether and why the stream was aborted is kept.
      abortController: undefined, aborted: false, abortReason: undefined,
    };
    new WritableStreamDefaultController(INTERNAL, c);
    return c;
  }
  function wsdcGetSignal(c) {
    if (c.abortController === undefined) {
      const AC = globalThis.AbortController;
      if (typeof AC !== "function") return undefined;
      c.abortController = new AC();
      if (c.aborted) c.abortController.abort(c.abortReason);
    }
    return c.abortController.signal;
  }
  function wsdcSignalAbort(c, reason) {
    if (c.aborted) return;
    c.aborted = true;
    c.abortReason = reason;
    if (c.abortController !== undefined) c.abortController.abort(reason);
  }
  function wsdcAbortSteps(c, reason) {
    const result = c.abortAlgorithm(reason);
    wsdcClearAlgorithms(c);
    return result;
  }
  function setUpWritableStreamDefaultController(ws, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size) {
    c.stream = ws;
    ws.controller = c;
    resetQueue(c);
    c.strategySizeAlgorithm = size;
    c.strategyHWM = hwm;
    c.writeAlgorithm = writeAlgorithm;
    c.closeAlgorithm = closeAlgorithm;
    c.abortAlgorithm = abortAlgorithm;
    writableStreamUpdateBackpressure(ws, wsdcGetBackpressure(c));
    const startResult = startAlgorithm();
    then(resolvedWith(startResult), () => {
      c.started = true;
      wsdcAdvanceQueueIfNeeded(c);
    }, (r) => {
      c.started = true;
      writableStreamDealWithRejection(ws, r);
    });
  }
  function wsdcAdvanceQueueIfNeeded(c) {
    const ws = c.stream;
    if (!c.started) return;
    if (ws.inFlightWriteRequest !== undefined) return;
    const state = ws.state;
    if (state === "erroring") {
      writableStreamFinishErroring(ws);
      return;
    }
    if (c.queue.size === 0) return;
    const value = peekQueueValue(c);
    if (value === CLOSE_SENTINEL) wsdcProcessClose(c);
    else wsdcProcessWrite(c, value);
  }
  function wsdcClearAlgorithms(c) {
    c.writeAlgorithm = undefined;
    c.closeAlgorithm = undefined;
    c.abortAlgorithm = undefined;
    c.strategySizeAlgorithm = undefined;
  }
  function wsdcClose(c) {
    enqueueValueWithSize(c, CLOSE_SENTINEL, 0);
    wsdcAdvanceQueueIfNeeded(c);
  }
  function wsdcError(c, error) {
    wsdcClearAlgorithms(c);
    writableStreamStartErroring(c.stream, error);
  }
  function wsdcErrorIfNeeded(c, error) {
    if (c.stream.state === "writable") wsdcError(c, error);
  }
  function wsdcGetBackpressure(c) {
    return wsdcGetDesiredSize(c) <= 0;
  }
  function wsdcGetChunkSize(c, chunk) {
    if (c.strategySizeAlgorithm === undefined) return 1;
    try {
      return c.strategySizeAlgorithm(chunk);
    } catch (e) {
      wsdcErrorIfNeeded(c, e);
      return 1;
    }
  }
  function wsdcGetDesiredSize(c) {
    return c.strategyHWM - c.queueTotalSize;
  }
  function wsdcProcessClose(c) {
    const ws = c.stream;
    ws.inFlightCloseRequest = ws.closeRequest; // MarkCloseRequestInFlight
    ws.closeRequest = undefined;
    dequeueValue(c);
    const sinkClosePromise = c.closeAlgorithm();
    wsdcClearAlgorithms(c);
    then(sinkClosePromise, () => writableStreamFinishInFlightClose(ws),
      (reason) => writableStreamFinishInFlightCloseWithError(ws, reason));
  }
  function wsdcProcessWrite(c, chunk) {
    const ws = c.stream;
    ws.inFlightWriteRequest = ws.writeRequests.shift(); // MarkFirstWriteRequestInFlight
    const sinkWritePromise = c.writeAlgorithm(chunk);
    then(sinkWritePromise, () => {
      writableStreamFinishInFlightWrite(ws);
      const state = ws.state;
      dequeueValue(c);
      if (!writableStreamCloseQueuedOrInFlight(ws) && state === "writable") {
        writableStreamUpdateBackpressure(ws, wsdcGetBackpressure(c));
      }
      wsdcAdvanceQueueIfNeeded(c);
    }, (reason) => {
      if (ws.state === "writable") wsdcClearAlgorithms(c);
      writableStreamFinishInFlightWriteWithError(ws, reason);
    });
  }
  function wsdcWrite(c, chunk, chunkSize) {
    try {
      enqueueValueWithSize(c, chunk, chunkSize);
    } catch (e) {
      wsdcErrorIfNeeded(c, e);
      return;
    }
    const ws = c.stream;
    if (!writableStreamCloseQueuedOrInFlight(ws) && ws.state === "writable") {
      writableStreamUpdateBackpressure(ws, wsdcGetBackpressure(c));
    }
    wsdcAdvanceQueueIfNeeded(c);
  }

  // ---------------------------------------------------------------------------
  // TransformStream

  let tsOf;
  class TransformStream {
    #r;
    constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
      if (transformer === null || (transformer !== undefined && !isObject(transformer))) {
        throw new TypeError("TransformStream: the transformer must be an object");
      }
      const t = transformer;
      let cancel, flush, readableType, start, transform, writableType;
      if (t !== undefined) {
        cancel = callback(t.cancel, "transformer cancel");
        flush = callback(t.flush, "transformer flush");
        readableType = t.readableType;
        start = callback(t.start, "transformer start");
        transform = callback(t.transform, "transformer transform");
        writableType = t.writableType;
      }
      const ws = strategyDict(writableStrategy, "TransformStream writable strategy");
      const rss = strategyDict(readableStrategy, "TransformStream readable strategy");
      if (readableType !== undefined) throw new RangeError("TransformStream: readableType must be left undefined");
      if (writableType !== undefined) throw new RangeError("TransformStream: writableType must be left undefined");
      const readableHWM = extractHighWaterMark(rss.hwm, 0);
      const readableSize = extractSizeAlgorithm(rss.size);
      const writableHWM = extractHighWaterMark(ws.hwm, 1);
      const writableSize = extractSizeAlgorithm(ws.size);
      const startCap = newCap();
      const ts = { pub: this, backpressure: undefined, backpressureChange: undefined, controller: undefined, readable: undefined, writable: undefined };
      this.#r = ts;
      initializeTransformStream(ts, startCap.promise, writableHWM, writableSize, readableHWM, readableSize);
      const c = newTransformControllerRecord();
      setUpTransformStreamDefaultController(ts, c,
        transform === undefined ? (chunk) => defaultTransform(c, chunk) : (chunk) => promiseCall(transform, t, chunk, c.pub),
        flush === undefined ? resolvedUndefined : () => promiseCall(flush, t, c.pub),
        cancel === undefined ? resolvedUndefined : (reason) => promiseCall(cancel, t, reason));
      if (start !== undefined) startCap.resolve(start.call(t, c.pub));
      else startCap.resolve(undefined);
    }
    static {
      tsOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    get readable() {
      const ts = tsOf(this);
      if (!ts) throw illegal("TransformStream");
      return ts.readable.pub;
    }
    get writable() {
      const ts = tsOf(this);
      if (!ts) throw illegal("TransformStream");
      return ts.writable.pub;
    }
  }
  webIDL(TransformStream, "TransformStream");

  function defaultTransform(c, chunk) {
    try {
      tsdcEnqueue(c, chunk);
      return resolvedUndefined();
    } catch (e) {
      return promiseReject(e);
    }
  }

  function initializeTransformStream(ts, startPromise, writableHWM, writableSize, readableHWM, readableSize) {
    const startAlgorithm = () => startPromise;
    ts.writable = createWritableStream(startAlgorithm,
      (chunk) => tsSinkWriteAlgorithm(ts, chunk),
      () => tsSinkCloseAlgorithm(ts),
      (reason) => tsSinkAbortAlgorithm(ts, reason),
      writableHWM, writableSize);
    ts.readable = createReadableStream(startAlgorithm,
      () => tsSourcePullAlgorithm(ts),
      (reason) => tsSourceCancelAlgorithm(ts, reason),
      readableHWM, readableSize);
    ts.backpressure = undefined;
    ts.backpressureChange = undefined;
    tsSetBackpressure(ts, true);
    ts.controller = undefined;
  }
  function tsError(ts, e) {
    rsdcError(ts.readable.controller, e);
    tsErrorWritableAndUnblockWrite(ts, e);
  }
  function tsErrorWritableAndUnblockWrite(ts, e) {
    tsdcClearAlgorithms(ts.controller);
    wsdcErrorIfNeeded(ts.writable.controller, e);
    tsUnblockWrite(ts);
  }
  function tsUnblockWrite(ts) {
    if (ts.backpressure) tsSetBackpressure(ts, false);
  }
  function tsSetBackpressure(ts, backpressure) {
    if (ts.backpressureChange !== undefined) resolveCap(ts.backpressureChange, undefined);
    ts.backpressureChange = newCap();
    ts.backpressure = backpressure;
  }

  let tsdcOf;
  class TransformStreamDefaultController {
    #r;
    constructor(token, rec) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor: TransformStreamDefaultController is created by TransformStream");
      this.#r = rec;
      rec.pub = this;
    }
    static {
      tsdcOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    get desiredSize() {
      const c = tsdcOf(this);
      if (!c) throw illegal("TransformStreamDefaultController");
      return rsdcGetDesiredSize(c.stream.readable.controller);
    }
    enqueue(chunk = undefined) {
      const c = tsdcOf(this);
      if (!c) throw illegal("TransformStreamDefaultController");
      tsdcEnqueue(c, chunk);
    }
    error(reason = undefined) {
      const c = tsdcOf(this);
      if (!c) throw illegal("TransformStreamDefaultController");
      tsError(c.stream, reason);
    }
    terminate() {
      const c = tsdcOf(this);
      if (!c) throw illegal("TransformStreamDefaultController");
      tsdcTerminate(c);
    }
  }
  webIDL(TransformStreamDefaultController, "TransformStreamDefaultController");

  function newTransformControllerRecord() {
    const c = { pub: undefined, stream: undefined, finishPromise: undefined, transformAlgorithm: undefined, flushAlgorithm: undefined, cancelAlgorithm: undefined };
    new TransformStreamDefaultController(INTERNAL, c);
    return c;
  }
  function setUpTransformStreamDefaultController(ts, c, transformAlgorithm, flushAlgorithm, cancelAlgorithm) {
    c.stream = ts;
    ts.controller = c;
    c.transformAlgorithm = transformAlgorithm;
    c.flushAlgorithm = flushAlgorithm;
    c.cancelAlgorithm = cancelAlgorithm;
  }
  function tsdcClearAlgorithms(c) {
    c.transformAlgorithm = undefined;
    c.flushAlgorithm = undefined;
    c.cancelAlgorithm = undefined;
  }
  function tsdcEnqueue(c, chunk) {
    const ts = c.stream;
    const rc = ts.readable.controller;
    if (!rsdcCanCloseOrEnqueue(rc)) throw new TypeError("The transform stream's readable side is closed or errored; it cannot take more chunks");
    try {
      rsdcEnqueue(rc, chunk);
    } catch (e) {
      tsErrorWritableAndUnblockWrite(ts, e);
      throw ts.readable.storedError;
    }
    const backpressure = rsdcHasBackpressure(rc);
    if (backpressure !== ts.backpressure) tsSetBackpressure(ts, true);
  }
  function tsdcPerformTransform(c, chunk) {
    const p = c.transformAlgorithm(chunk);
    return then(p, undefined, (r) => {
      tsError(c.stream, r);
      throw r;
    });
  }
  function tsdcTerminate(c) {
    const ts = c.stream;
    rsdcClose(ts.readable.controller);
    tsErrorWritableAndUnblockWrite(ts, new TypeError("The TransformStream was terminated"));
  }
  function tsSinkWriteAlgorithm(ts, chunk) {
    const c = ts.controller;
    if (ts.backpressure) {
      return then(ts.backpressureChange.promise, () => {
        const writable = ts.writable;
        if (writable.state === "erroring") throw writable.storedError;
        return tsdcPerformTransform(c, chunk);
      });
    }
    return tsdcPerformTransform(c, chunk);
  }
  function tsSinkAbortAlgorithm(ts, reason) {
    const c = ts.controller;
    if (c.finishPromise !== undefined) return c.finishPromise.promise;
    const readable = ts.readable;
    c.finishPromise = newCap();
    const cancelPromise = c.cancelAlgorithm(reason);
    tsdcClearAlgorithms(c);
    then(cancelPromise, () => {
      if (readable.state === "errored") rejectCap(c.finishPromise, readable.storedError);
      else {
        rsdcError(readable.controller, reason);
        resolveCap(c.finishPromise, undefined);
      }
    }, (r) => {
      rsdcError(readable.controller, r);
      rejectCap(c.finishPromise, r);
    });
    return c.finishPromise.promise;
  }
  function tsSinkCloseAlgorithm(ts) {
    const c = ts.controller;
    if (c.finishPromise !== undefined) return c.finishPromise.promise;
    const readable = ts.readable;
    c.finishPromise = newCap();
    const flushPromise = c.flushAlgorithm();
    tsdcClearAlgorithms(c);
    then(flushPromise, () => {
      if (readable.state === "errored") rejectCap(c.finishPromise, readable.storedError);
      else {
        rsdcClose(readable.controller);
        resolveCap(c.finishPromise, undefined);
      }
    }, (r) => {
      rsdcError(readable.controller, r);
      rejectCap(c.finishPromise, r);
    });
    return c.finishPromise.promise;
  }
  function tsSourceCancelAlgorithm(ts, reason) {
    const c = ts.controller;
    if (c.finishPromise !== undefined) return c.finishPromise.promise;
    const writable = ts.writable;
    c.finishPromise = newCap();
    const cancelPromise = c.cancelAlgorithm(reason);
    tsdcClearAlgorithms(c);
    then(cancelPromise, () => {
      if (writable.state === "errored") rejectCap(c.finishPromise, writable.storedError);
      else {
        wsdcErrorIfNeeded(writable.controller, reason);
        tsUnblockWrite(ts);
        resolveCap(c.finishPromise, undefined);
      }
    }, (r) => {
      wsdcErrorIfNeeded(writable.controller, r);
      tsUnblockWrite(ts);
      rejectCap(c.finishPromise, r);
    });
    return c.finishPromise.promise;
  }
  function tsSourcePullAlgorithm(ts) {
    tsSetBackpressure(ts, false);
    return ts.backpressureChange.promise;
  }

  // ---------------------------------------------------------------------------
  // Queuing strategies

  const countSize = () => 1;
  const byteLengthSize = (chunk) => chunk.byteLength;
  Object.defineProperty(countSize, "name", { value: "size" });
  Object.defineProperty(byteLengthSize, "name", { value: "size" });

  function strategyInit(init, what) {
    if (!isObject(init)) throw new TypeError(`${what}: the argument must be an object with a highWaterMark`);
    const hwm = init.highWaterMark;
    if (hwm === undefined) throw new TypeError(`${what}: highWaterMark is required`);
    return toDouble(hwm);
  }

  let cqsOf;
  class CountQueuingStrategy {
    #hwm;
    constructor(init) {
      this.#hwm = strategyInit(init, "CountQueuingStrategy");
    }
    static {
      cqsOf = (x) => isObject(x) && #hwm in x;
    }
    get highWaterMark() {
      if (!cqsOf(this)) throw illegal("CountQueuingStrategy");
      return this.#hwm;
    }
    get size() {
      if (!cqsOf(this)) throw illegal("CountQueuingStrategy");
      return countSize;
    }
  }
  webIDL(CountQueuingStrategy, "CountQueuingStrategy");

  let blqsOf;
  class ByteLengthQueuingStrategy {
    #hwm;
    constructor(init) {
      this.#hwm = strategyInit(init, "ByteLengthQueuingStrategy");
    }
    static {
      blqsOf = (x) => isObject(x) && #hwm in x;
    }
    get highWaterMark() {
      if (!blqsOf(this)) throw illegal("ByteLengthQueuingStrategy");
      return this.#hwm;
    }
    get size() {
      if (!blqsOf(this)) throw illegal("ByteLengthQueuingStrategy");
      return byteLengthSize;
    }
  }
  webIDL(ByteLengthQueuingStrategy, "ByteLengthQueuingStrategy");

  // ---------------------------------------------------------------------------
  // Byte streams: ReadableByteStreamController, ReadableStreamBYOBReader,
  // ReadableStreamBYOBRequest.
  //
  // goja cannot transfer or detach an ArrayBuffer, so where the spec
  // transfers a buffer this copies it (enqueue) or keeps using the caller's
  // buffer in place (BYOB reads fill the caller's memory, and the view
  // handed back shares the buffer of the view that was passed in).

  function viewInfo(view) {
    // Returns [elementSize, constructor] for a TypedArray or DataView.
    if (view instanceof DataView) return [1, DataView];
    return [view.constructor.BYTES_PER_ELEMENT, Object.getPrototypeOf(view).constructor];
  }
  function isArrayBufferView(v) {
    return ArrayBuffer.isView(v);
  }
  function enforceRangeULL(v, what) {
    const n = +v;
    if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number`);
    const t = Math.trunc(n);
    if (t < 0 || t > Number.MAX_SAFE_INTEGER) throw new TypeError(`${what} is out of range`);
    return t;
  }

  let rbscOf;
  class ReadableByteStreamController {
    #r;
    constructor(token, rec) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor: ReadableByteStreamController is created by ReadableStream");
      this.#r = rec;
      rec.pub = this;
    }
    static {
      rbscOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    get byobRequest() {
      const c = rbscOf(this);
      if (!c) throw illegal("ReadableByteStreamController");
      return rbscGetBYOBRequest(c);
    }
    get desiredSize() {
      const c = rbscOf(this);
      if (!c) throw illegal("ReadableByteStreamController");
      return rbscGetDesiredSize(c);
    }
    close() {
      const c = rbscOf(this);
      if (!c) throw illegal("ReadableByteStreamController");
      if (c.closeRequested) throw new TypeError("The stream is already closing; close() cannot be called again");
      if (c.stream.state !== "readable") throw new TypeError("The stream is closed or errored; it cannot be closed");
      rbscClose(c);
    }
    enqueue(chunk) {
      const c = rbscOf(this);
      if (!c) throw illegal("ReadableByteStreamController");
      if (!isArrayBufferView(chunk)) throw new TypeError("ReadableByteStreamController.enqueue: the chunk must be an ArrayBuffer view, such as a Uint8Array");
      if (chunk.byteLength === 0) throw new TypeError("ReadableByteStreamController.enqueue: the chunk is empty");
      if (chunk.buffer.byteLength === 0) throw new TypeError("ReadableByteStreamController.enqueue: the chunk's buffer is empty");
      if (c.closeRequested) throw new TypeError("Cannot enqueue into a stream that is closing");
      if (c.stream.state !== "readable") throw new TypeError("Cannot enqueue into a stream that is closed or errored");
      rbscEnqueue(c, chunk);
    }
    error(e = undefined) {
      const c = rbscOf(this);
      if (!c) throw illegal("ReadableByteStreamController");
      rbscError(c, e);
    }
  }
  webIDL(ReadableByteStreamController, "ReadableByteStreamController");

  let byobReqOf;
  class ReadableStreamBYOBRequest {
    #r;
    constructor(token, rec) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor: ReadableStreamBYOBRequest is created by ReadableByteStreamController");
      this.#r = rec;
    }
    static {
      byobReqOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
    }
    get view() {
      const r = byobReqOf(this);
      if (!r) throw illegal("ReadableStreamBYOBRequest");
      return r.view;
    }
    respond(bytesWritten) {
      const r = byobReqOf(this);
      if (!r) throw illegal("ReadableStreamBYOBRequest");
      bytesWritten = enforceRangeULL(bytesWritten, "bytesWritten");
      if (r.controller === undefined) throw new TypeError("This BYOB request was already answered or invalidated");
      rbscRespond(r.controller, bytesWritten);
    }
    respondWithNewView(view) {
      const r = byobReqOf(this);
      if (!r) throw illegal("ReadableStreamBYOBRequest");
      if (!isArrayBufferView(view)) throw new TypeError("respondWithNewView: the view must be an ArrayBuffer view");
      if (r.controller === undefined) throw new TypeError("This BYOB request was already answered or invalidated");
      rbscRespondWithNewView(r.controller, view);
    }
  }
  webIDL(ReadableStreamBYOBRequest, "ReadableStreamBYOBRequest");

  function newByteControllerRecord() {
    const c = {
      byte: true, pub: undefined, stream: undefined, autoAllocateChunkSize: undefined, byobRequest: null,
      cancelAlgorithm: undefined, pullAlgorithm: undefined, closeRequested: false, pullAgain: false, pulling: false,
      pendingPullIntos: [], queue: [], queueTotalSize: 0, started: false, strategyHWM: 0,
      cancelSteps: undefined, pullSteps: undefined, releaseSteps: undefined,
    };
    c.cancelSteps = (reason) => {
      rbscClearPendingPullIntos(c);
      c.queue = [];
      c.queueTotalSize = 0;
      const result = c.cancelAlgorithm(reason);
      rbscClearAlgorithms(c);
      return result;
    };
    c.pullSteps = (req) => rbscPullSteps(c, req);
    c.releaseSteps = () => {
      if (c.pendingPullIntos.length > 0) {
        const first = c.pendingPullIntos[0];
        first.readerType = "none";
        c.pendingPullIntos = [first];
      }
    };
    new ReadableByteStreamController(INTERNAL, c);
    return c;
  }

  function setUpByteControllerFromSource(rs, src, start, pull, cancel, autoAllocateChunkSize, hwm) {
    const c = newByteControllerRecord();
    if (autoAllocateChunkSize === 0) throw new TypeError("autoAllocateChunkSize must be greater than 0");
    setUpReadableByteStreamController(rs, c,
      start === undefined ? noop : () => start.call(src, c.pub),
      pull === undefined ? resolvedUndefined : () => promiseCall(pull, src, c.pub),
      cancel === undefined ? resolvedUndefined : (reason) => promiseCall(cancel, src, reason),
      hwm, autoAllocateChunkSize);
  }
  function setUpReadableByteStreamController(rs, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, autoAllocateChunkSize) {
    c.stream = rs;
    c.strategyHWM = hwm;
    c.pullAlgorithm = pullAlgorithm;
    c.cancelAlgorithm = cancelAlgorithm;
    c.autoAllocateChunkSize = autoAllocateChunkSize;
    rs.controller = c;
    const startResult = startAlgorithm();
    then(resolvedWith(startResult), () => {
      c.started = true;
      rbscCallPullIfNeeded(c);
    }, (r) => rbscError(c, r));
  }
  function createReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 0) {
    const rs = initializeReadableStream(undefined);
    newReadableStream(rs);
    const c = newByteControllerRecord();
    setUpReadableByteStreamController(rs, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, undefined);
    return rs;
  }

  function rbscCallPullIfNeeded(c) {
    if (!rbscShouldCallPull(c)) return;
    if (c.pulling) { c.pullAgain = true; return; }
    c.pulling = true;
    then(c.pullAlgorithm(), () => {
      c.pulling = false;
      if (c.pullAgain) {
        c.pullAgain = false;
        rbscCallPullIfNeeded(c);
      }
    }, (e) => rbscError(c, e));
  }
  function rbscShouldCallPull(c) {
    const rs = c.stream;
    if (rs.state !== "readable" || c.closeRequested || !c.started) return false;
    if (readableStreamHasDefaultReader(rs) && rs.reader.readRequests.size > 0) return true;
    if (readableStreamHasBYOBReader(rs) && rs.reader.readIntoRequests.size > 0) return true;
    return rbscGetDesiredSize(c) > 0;
  }
  function rbscClearAlgorithms(c) {
    c.pullAlgorithm = undefined;
    c.cancelAlgorithm = undefined;
  }
  function rbscClearPendingPullIntos(c) {
    rbscInvalidateBYOBRequest(c);
    c.pendingPullIntos = [];
  }
  function rbscClose(c) {
    const rs = c.stream;
    if (c.closeRequested || rs.state !== "readable") return;
    if (c.queueTotalSize > 0) {
      c.closeRequested = true;
      return;
    }
    if (c.pendingPullIntos.length > 0) {
      const first = c.pendingPullIntos[0];
      if (first.bytesFilled % first.elementSize !== 0) {
        const e = new TypeError("The stream was closed in the middle of an element of a BYOB read");
        rbscError(c, e);
        throw e;
      }
    }
    rbscClearAlgorithms(c);
    readableStreamClose(rs);
  }
  function rbscEnqueue(c, chunk, trusted) {
    const rs = c.stream;
    if (c.closeRequested || rs.state !== "readable") return;
    // The spec transfers the chunk's buffer; goja cannot, so it is copied
    // (unless the chunk comes from the runtime itself).
    let buffer, byteOffset = 0;
    const byteLength = chunk.byteLength;
    if (trusted) {
      buffer = chunk.buffer;
      byteOffset = chunk.byteOffset;
    } else {
      buffer = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + byteLength);
    }
    if (c.pendingPullIntos.length > 0) {
      const first = c.pendingPullIntos[0];
      rbscInvalidateBYOBRequest(c);
      if (first.readerType === "none") rbscEnqueueDetachedPullIntoToQueue(c, first);
    }
    if (readableStreamHasDefaultReader(rs)) {
      rbscProcessReadRequestsUsingQueue(c);
      if (rs.reader.readRequests.size === 0) {
        rbscEnqueueChunkToQueue(c, buffer, byteOffset, byteLength);
      } else {
        if (c.pendingPullIntos.length > 0) rbscShiftPendingPullInto(c);
        readableStreamFulfillReadRequest(rs, new Uint8Array(buffer, byteOffset, byteLength), false);
      }
    } else if (readableStreamHasBYOBReader(rs)) {
      rbscEnqueueChunkToQueue(c, buffer, byteOffset, byteLength);
      const filled = rbscProcessPullIntoDescriptorsUsingQueue(c);
      for (const pid of filled) rbscCommitPullIntoDescriptor(rs, pid);
    } else {
      rbscEnqueueChunkToQueue(c, buffer, byteOffset, byteLength);
    }
    rbscCallPullIfNeeded(c);
  }
  function rbscEnqueueChunkToQueue(c, buffer, byteOffset, byteLength) {
    c.queue.push({ buffer, byteOffset, byteLength });
    c.queueTotalSize += byteLength;
  }
  function rbscEnqueueClonedChunkToQueue(c, buffer, byteOffset, byteLength) {
    const clone = buffer.slice(byteOffset, byteOffset + byteLength);
    rbscEnqueueChunkToQueue(c, clone, 0, byteLength);
  }
  function rbscEnqueueDetachedPullIntoToQueue(c, pid) {
    if (pid.bytesFilled > 0) rbscEnqueueClonedChunkToQueue(c, pid.buffer, pid.byteOffset, pid.bytesFilled);
    rbscShiftPendingPullInto(c);
  }
  function rbscError(c, e) {
    const rs = c.stream;
    if (rs.state !== "readable") return;
    rbscClearPendingPullIntos(c);
    c.queue = [];
    c.queueTotalSize = 0;
    rbscClearAlgorithms(c);
    readableStreamError(rs, e);
  }
  function rbscFillPullIntoDescriptorFromQueue(c, pid) {
    const maxBytesToCopy = Math.min(c.queueTotalSize, pid.byteLength - pid.bytesFilled);
    const maxBytesFilled = pid.bytesFilled + maxBytesToCopy;
    let totalBytesToCopyRemaining = maxBytesToCopy;
    let ready = false;
    const maxAlignedBytes = maxBytesFilled - (maxBytesFilled % pid.elementSize);
    if (maxAlignedBytes >= pid.minimumFill) {
      totalBytesToCopyRemaining = maxAlignedBytes - pid.bytesFilled;
      ready = true;
    }
    const queue = c.queue;
    while (totalBytesToCopyRemaining > 0) {
      const head = queue[0];
      const bytesToCopy = Math.min(totalBytesToCopyRemaining, head.byteLength);
      const destStart = pid.byteOffset + pid.bytesFilled;
      new Uint8Array(pid.buffer, destStart, bytesToCopy).set(new Uint8Array(head.buffer, head.byteOffset, bytesToCopy));
      if (head.byteLength === bytesToCopy) queue.shift();
      else {
        head.byteOffset += bytesToCopy;
        head.byteLength -= bytesToCopy;
      }
      c.queueTotalSize -= bytesToCopy;
      pid.bytesFilled += bytesToCopy; // FillHeadPullIntoDescriptor
      totalBytesToCopyRemaining -= bytesToCopy;
    }
    return ready;
  }
  function rbscFillReadRequestFromQueue(c, req) {
    const entry = c.queue.shift();
    c.queueTotalSize -= entry.byteLength;
    rbscHandleQueueDrain(c);
    req.chunk(new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength));
  }
  function rbscGetBYOBRequest(c) {
    if (c.byobRequest === null && c.pendingPullIntos.length > 0) {
      const first = c.pendingPullIntos[0];
      const view = new Uint8Array(first.buffer, first.byteOffset + first.bytesFilled, first.byteLength - first.bytesFilled);
      const rec = { controller: c, view };
      c.byobRequest = new ReadableStreamBYOBRequest(INTERNAL, rec);
      c.byobRequestRec = rec;
    }
    return c.byobRequest;
  }
  function rbscGetDesiredSize(c) {
    const state = c.stream.state;
    if (state === "errored") return null;
    if (state === "closed") return 0;
    return c.strategyHWM - c.queueTotalSize;
  }
  function rbscHandleQueueDrain(c) {
    if (c.queueTotalSize === 0 && c.closeRequested) {
      rbscClearAlgorithms(c);
      readableStreamClose(c.stream);
    } else {
      rbscCallPullIfNeeded(c);
    }
  }
  function rbscInvalidateBYOBRequest(c) {
    if (c.byobRequest === null) return;
    c.byobRequestRec.controller = undefined;
    c.byobRequestRec.view = null;
    c.byobRequest = null;
    c.byobRequestRec = undefined;
  }
  function rbscProcessPullIntoDescriptorsUsingQueue(c) {
    const filled = [];
    while (c.pendingPullIntos.length > 0) {
      if (c.queueTotalSize === 0) break;
      const pid = c.pendingPullIntos[0];
      if (rbscFillPullIntoDescriptorFromQueue(c, pid)) {
        rbscShiftPendingPullInto(c);
        filled.push(pid);
      }
    }
    return filled;
  }
  function rbscProcessReadRequestsUsingQueue(c) {
    const reader = c.stream.reader;
    while (reader.readRequests.size > 0) {
      if (c.queueTotalSize === 0) return;
      rbscFillReadRequestFromQueue(c, reader.readRequests.shift());
    }
  }
  function rbscPullInto(c, view, min, req) {
    const rs = c.stream;
    const [elementSize, ctor] = viewInfo(view);
    const pid = {
      buffer: view.buffer, bufferByteLength: view.buffer.byteLength, byteOffset: view.byteOffset,
      byteLength: view.byteLength, bytesFilled: 0, minimumFill: min * elementSize, elementSize,
      viewConstructor: ctor, readerType: "byob",
    };
    if (c.pendingPullIntos.length > 0) {
      c.pendingPullIntos.push(pid);
      rs.reader.readIntoRequests.push(req);
      return;
    }
    if (rs.state === "closed") {
      req.close(newView(ctor, pid.buffer, pid.byteOffset, 0));
      return;
    }
    if (c.queueTotalSize > 0) {
      if (rbscFillPullIntoDescriptorFromQueue(c, pid)) {
        const filledView = convertPullIntoDescriptor(pid);
        rbscHandleQueueDrain(c);
        req.chunk(filledView);
        return;
      }
      if (c.closeRequested) {
        const e = new TypeError("The stream is closing and has too few bytes left for this BYOB read");
        rbscError(c, e);
        req.error(e);
        return;
      }
    }
    c.pendingPullIntos.push(pid);
    rs.reader.readIntoRequests.push(req);
    rbscCallPullIfNeeded(c);
  }
  function newView(ctor, buffer, byteOffset, elements) {
    return new ctor(buffer, byteOffset, elements);
  }
  function convertPullIntoDescriptor(pid) {
    const n = pid.viewConstructor === DataView ? pid.bytesFilled : pid.bytesFilled / pid.elementSize;
    return newView(pid.viewConstructor, pid.buffer, pid.byteOffset, n);
  }
  function rbscRespond(c, bytesWritten) {
    const first = c.pendingPullIntos[0];
    if (c.stream.state === "closed") {
      if (bytesWritten !== 0) throw new TypeError("respond: the stream is closed, so bytesWritten must be 0");
    } else {
      if (bytesWritten === 0) throw new TypeError("respond: bytesWritten must be greater than 0 while the stream is readable");
      if (first.bytesFilled + bytesWritten > first.byteLength) throw new RangeError("respond: bytesWritten is larger than the view");
    }
    rbscRespondInternal(c, bytesWritten);
  }
  function rbscRespondWithNewView(c, view) {
    const first = c.pendingPullIntos[0];
    if (c.stream.state === "closed") {
      if (view.byteLength !== 0) throw new TypeError("respondWithNewView: the stream is closed, so the view must be empty");
    } else if (view.byteLength === 0) {
      throw new TypeError("respondWithNewView: the view must not be empty while the stream is readable");
    }
    if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw new RangeError("respondWithNewView: the view must start where the request's view starts");
    if (first.bufferByteLength !== view.buffer.byteLength) throw new RangeError("respondWithNewView: the view's buffer must be as large as the request's");
    if (first.bytesFilled + view.byteLength > first.byteLength) throw new RangeError("respondWithNewView: the view is larger than the request's view");
    const n = view.byteLength;
    first.buffer = view.buffer;
    rbscRespondInternal(c, n);
  }
  function rbscRespondInClosedState(c, first) {
    if (first.readerType === "none") rbscShiftPendingPullInto(c);
    const rs = c.stream;
    if (readableStreamHasBYOBReader(rs)) {
      const filled = [];
      while (filled.length < rs.reader.readIntoRequests.size) filled.push(rbscShiftPendingPullInto(c));
      for (const pid of filled) rbscCommitPullIntoDescriptor(rs, pid);
    }
  }
  function rbscRespondInReadableState(c, bytesWritten, pid) {
    pid.bytesFilled += bytesWritten;
    if (pid.readerType === "none") {
      rbscEnqueueDetachedPullIntoToQueue(c, pid);
      for (const f of rbscProcessPullIntoDescriptorsUsingQueue(c)) rbscCommitPullIntoDescriptor(c.stream, f);
      return;
    }
    if (pid.bytesFilled < pid.minimumFill) return;
    rbscShiftPendingPullInto(c);
    const remainderSize = pid.bytesFilled % pid.elementSize;
    if (remainderSize > 0) {
      const end = pid.byteOffset + pid.bytesFilled;
      rbscEnqueueClonedChunkToQueue(c, pid.buffer, end - remainderSize, remainderSize);
    }
    pid.bytesFilled -= remainderSize;
    const filled = rbscProcessPullIntoDescriptorsUsingQueue(c);
    rbscCommitPullIntoDescriptor(c.stream, pid);
    for (const f of filled) rbscCommitPullIntoDescriptor(c.stream, f);
  }
  function rbscRespondInternal(c, bytesWritten) {
    const first = c.pendingPullIntos[0];
    rbscInvalidateBYOBRequest(c);
    if (c.stream.state === "closed") rbscRespondInClosedState(c, first);
    else rbscRespondInReadableState(c, bytesWritten, first);
    rbscCallPullIfNeeded(c);
  }
  function rbscShiftPendingPullInto(c) {
    return c.pendingPullIntos.shift();
  }
  function rbscCommitPullIntoDescriptor(rs, pid) {
    let done = false;
    if (rs.state === "closed") done = true;
    const filledView = convertPullIntoDescriptor(pid);
    if (pid.readerType === "default") {
      readableStreamFulfillReadRequest(rs, filledView, done);
    } else {
      const req = rs.reader.readIntoRequests.shift();
      if (done) req.close(filledView);
      else req.chunk(filledView);
    }
  }
  function rbscPullSteps(c, req) {
    const rs = c.stream;
    if (c.queueTotalSize > 0) {
      rbscFillReadRequestFromQueue(c, req);
      return;
    }
    const size = c.autoAllocateChunkSize;
    if (size !== undefined) {
      let buffer;
      try {
        buffer = new ArrayBuffer(size);
      } catch (e) {
        req.error(e);
        return;
      }
      c.pendingPullIntos.push({
        buffer, bufferByteLength: size, byteOffset: 0, byteLength: size, bytesFilled: 0,
        minimumFill: 1, elementSize: 1, viewConstructor: Uint8Array, readerType: "default",
      });
    }
    rs.reader.readRequests.push(req);
    rbscCallPullIfNeeded(c);
  }

  // ReadableStreamBYOBReader

  let byobReaderOf;
  class ReadableStreamBYOBReader {
    #r;
    constructor(stream) {
      if (stream === INTERNAL) return;
      const rs = rsOf(stream);
      if (!rs) throw new TypeError("ReadableStreamBYOBReader: the argument must be a ReadableStream");
      const reader = { pub: this, byob: true, stream: undefined, closed: undefined, readIntoRequests: new Queue() };
      this.#r = reader;
      setUpBYOBReader(reader, rs);
    }
    static {
      byobReaderOf = (x) => (isObject(x) && #r in x ? x.#r : undefined);
      ReadableStreamBYOBReader.attach = (pub, rec) => { pub.#r = rec; };
    }
    get closed() {
      const r = byobReaderOf(this);
      if (!r) return promiseReject(illegal("ReadableStreamBYOBReader"));
      return r.closed.promise;
    }
    cancel(reason = undefined) {
      const r = byobReaderOf(this);
      if (!r) return promiseReject(illegal("ReadableStreamBYOBReader"));
      if (r.stream === undefined) return promiseReject(typeError("This reader has released its lock; it cannot cancel the stream"));
      return readableStreamCancel(r.stream, reason);
    }
    read(view, options = undefined) {
      const r = byobReaderOf(this);
      if (!r) return promiseReject(illegal("ReadableStreamBYOBReader"));
      if (!isArrayBufferView(view)) return promiseReject(typeError("ReadableStreamBYOBReader.read: the argument must be an ArrayBuffer view"));
      let min = 1;
      try {
        options = dictionary(options, "read options");
        if (options !== undefined && options.min !== undefined) min = enforceRangeULL(options.min, "min");
      } catch (e) {
        return promiseReject(e);
      }
      if (view.byteLength === 0) return promiseReject(typeError("ReadableStreamBYOBReader.read: the view is empty"));
      if (view.buffer.byteLength === 0) return promiseReject(typeError("ReadableStreamBYOBReader.read: the view's buffer is empty"));
      if (min === 0) return promiseReject(typeError("ReadableStreamBYOBReader.read: min must be greater than 0"));
      if (view instanceof DataView) {
        if (min > view.byteLength) return promiseReject(new RangeError("ReadableStreamBYOBReader.read: min is larger than the view"));
      } else if (min > view.length) {
        return promiseReject(new RangeError("ReadableStreamBYOBReader.read: min is larger than the view"));
      }
      if (r.stream === undefined) return promiseReject(typeError("This reader has released its lock; get a new reader to read the stream"));
      const cap = newCap();
      byobReaderRead(r, view, min, {
        chunk(value) { cap.resolve({ value, done: false }); },
        close(value) { cap.resolve({ value, done: true }); },
        error(e) { cap.reject(e); },
      });
      return cap.promise;
    }
    releaseLock() {
      const r = byobReaderOf(this);
      if (!r) throw illegal("ReadableStreamBYOBReader");
      if (r.stream === undefined) return;
      byobReaderRelease(r);
    }
  }
  const attachBYOBReader = ReadableStreamBYOBReader.attach;
  delete ReadableStreamBYOBReader.attach;
  webIDL(ReadableStreamBYOBReader, "ReadableStreamBYOBReader");

  function acquireBYOBReader(rs) {
    const pub = new ReadableStreamBYOBReader(INTERNAL);
    const reader = { pub, byob: true, stream: undefined, closed: undefined, readIntoRequests: new Queue() };
    attachBYOBReader(pub, reader);
    setUpBYOBReader(reader, rs);
    return reader;
  }
  function setUpBYOBReader(reader, rs) {
    if (isReadableStreamLocked(rs)) throw new TypeError("This ReadableStream is already locked to a reader; release that reader first");
    if (!rs.controller.byte) throw new TypeError("A BYOB reader needs a byte stream (one made with type: \"bytes\")");
    readerGenericInitialize(reader, rs);
  }
  function byobReaderRead(reader, view, min, req) {
    const rs = reader.stream;
    rs.disturbed = true;
    if (rs.state === "errored") req.error(rs.storedError);
    else rbscPullInto(rs.controller, view, min, req);
  }
  function byobReaderRelease(reader) {
    readerGenericRelease(reader);
    byobReaderErrorReadIntoRequests(reader, new TypeError("The reader's lock on the stream was released before the read finished"));
  }
  function byobReaderErrorReadIntoRequests(reader, e) {
    const reqs = reader.readIntoRequests;
    if (reqs.size === 0) return;
    reader.readIntoRequests = new Queue();
    for (const req of reqs.drain()) req.error(e);
  }

  // Tee of a byte stream: both branches are byte streams; each gets its own
  // copy of every chunk. (Simpler than the spec's ReadableByteStreamTee: the
  // source is always read with a default reader, so a BYOB read on a branch
  // is served from the branch's queue rather than forwarded to the source.)
  function readableByteStreamTee(rs) {
    const reader = acquireDefaultReader(rs);
    let reading = false, readAgain = false, canceled1 = false, canceled2 = false;
    let reason1, reason2, branch1, branch2;
    const cancelCap = newCap();
    const pullAlgorithm = () => {
      if (reading) { readAgain = true; return resolvedUndefined(); }
      reading = true;
      readableStreamDefaultReaderRead(reader, {
        chunk(chunk) {
          microtask(() => {
            readAgain = false;
            if (!canceled1) rbscEnqueue(branch1.controller, chunk, false);
            if (!canceled2) rbscEnqueue(branch2.controller, chunk, false);
            reading = false;
            if (readAgain) pullAlgorithm();
          });
        },
        close() {
          reading = false;
          if (!canceled1) rbscCloseQuietly(branch1.controller);
          if (!canceled2) rbscCloseQuietly(branch2.controller);
          if (!canceled1 || !canceled2) resolveCap(cancelCap, undefined);
        },
        error() { reading = false; },
      });
      return resolvedUndefined();
    };
    const cancel1 = (reason) => {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) resolveCap(cancelCap, readableStreamCancel(rs, [reason1, reason2]));
      return cancelCap.promise;
    };
    const cancel2 = (reason) => {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) resolveCap(cancelCap, readableStreamCancel(rs, [reason1, reason2]));
      return cancelCap.promise;
    };
    branch1 = createReadableByteStream(noop, pullAlgorithm, cancel1);
    branch2 = createReadableByteStream(noop, pullAlgorithm, cancel2);
    then(reader.closed.promise, undefined, (r) => {
      rbscError(branch1.controller, r);
      rbscError(branch2.controller, r);
      if (!canceled1 || !canceled2) resolveCap(cancelCap, undefined);
    });
    return [branch1, branch2];
  }
  function rbscCloseQuietly(c) {
    try {
      rbscClose(c);
    } catch (e) {
      // rbscClose has errored the stream already.
    }
    if (c.pendingPullIntos.length > 0 && c.stream.state === "closed") rbscRespond(c, 0);
  }

  // ---------------------------------------------------------------------------
  // Internal hooks (documented at the top of the file).

  internal.isReadableStream = (x) => rsOf(x) !== undefined;
  // The constructors as they were, for body.js's tee (user code may replace
  // the globals).
  internal.ReadableStream = ReadableStream;
  internal.ReadableStreamBYOBReader = ReadableStreamBYOBReader;
  internal.isDisturbed = (stream) => rsOf(stream).disturbed;
  internal.isLocked = (stream) => isReadableStreamLocked(rsOf(stream));
  internal.markDisturbed = (stream) => { rsOf(stream).disturbed = true; };

  internal.streamFromBytes = (u8) => {
    const rs = createReadableByteStream(noop, resolvedUndefined, resolvedUndefined);
    if (u8.byteLength > 0) rbscEnqueue(rs.controller, u8, true);
    rbscClose(rs.controller);
    return rs.pub;
  };
  internal.newHostStream = (source, highWaterMark = 0) => {
    let rs;
    const pull = () => {
      try {
        return resolvedWith(source.pull(rs.controller.pub));
      } catch (e) {
        return promiseReject(e);
      }
    };
    const cancel = (reason) => {
      if (typeof source.cancel !== "function") return resolvedUndefined();
      try {
        return resolvedWith(source.cancel(reason));
      } catch (e) {
        return promiseReject(e);
      }
    };
    rs = createReadableByteStream(noop, pull, cancel, highWaterMark);
    return rs.pub;
  };

  const BAD_CHUNK = "a ReadableStream body must yield Uint8Array chunks";
  internal.readAllBytes = (stream, limitBytes = Infinity) => {
    const cap = newCap();
    internal.readAllBytesThen(stream, limitBytes, cap.resolve, cap.reject);
    return cap.promise;
  };
  internal.readAllBytesThen = (stream, limitBytes, onBytes, onError) => {
    if (limitBytes === undefined) limitBytes = Infinity;
    const rs = rsOf(stream);
    let reader;
    try {
      reader = acquireDefaultReader(rs);
    } catch (e) {
      onError(e);
      return;
    }
    const chunks = [];
    let total = 0;
    let sync = false, inLoop = false, done = false;
    const fail = (e) => {
      done = true;
      then(readableStreamCancel(rs, e), noop, noop);
      defaultReaderRelease(reader);
      onError(e);
    };
    const req = {
      chunk(chunk) {
        if (!(chunk instanceof Uint8Array)) {
          fail(new TypeError(BAD_CHUNK));
          return;
        }
        total += chunk.byteLength;
        if (total > limitBytes) {
          fail(new RangeError(`The body is larger than the limit of ${limitBytes} bytes`));
          return;
        }
        chunks.push(chunk);
        if (inLoop) sync = true;
        else loop();
      },
      close() {
        done = true;
        defaultReaderRelease(reader);
        onBytes(concat(chunks, total));
      },
      error(e) {
        done = true;
        defaultReaderRelease(reader);
        onError(e);
      },
    };
    const loop = () => {
      inLoop = true;
      do {
        sync = false;
        readableStreamDefaultReaderRead(reader, req);
      } while (sync && !done);
      inLoop = false;
    };
    loop();
  };
  function concat(chunks, total) {
    if (chunks.length === 1) {
      return chunks[0].slice();
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }

  // iterResult makes a {done, value} object without a prototype, so
  // resolving a promise with it cannot find a user-defined then().
  function iterResult(done, value) {
    const o = Object.create(null);
    o.done = done;
    o.value = value;
    return o;
  }
  internal.streamReader = (stream) => {
    const reader = acquireDefaultReader(rsOf(stream));
    return {
      read() {
        if (reader.stream === undefined) return promiseReject(typeError("The reader's lock was released"));
        const cap = newCap();
        readableStreamDefaultReaderRead(reader, {
          chunk(value) { cap.resolve(iterResult(false, value)); },
          close() { cap.resolve(iterResult(true, undefined)); },
          error(e) { cap.reject(e); },
        });
        return cap.promise;
      },
      cancel(reason) {
        if (reader.stream === undefined) return resolvedUndefined();
        return readableStreamCancel(reader.stream, reason);
      },
      releaseLock() {
        if (reader.stream !== undefined) defaultReaderRelease(reader);
      },
    };
  };

  const installs = {
    ReadableStream, ReadableStreamDefaultReader, ReadableStreamDefaultController,
    WritableStream, WritableStreamDefaultWriter, WritableStreamDefaultController,
    TransformStream, TransformStreamDefaultController,
    CountQueuingStrategy, ByteLengthQueuingStrategy,
    ReadableByteStreamController, ReadableStreamBYOBReader, ReadableStreamBYOBRequest,
  };
  for (const name of Object.keys(installs)) {
    Object.defineProperty(globalThis, name, { value: installs[name], writable: true, configurable: true, enumerable: false });
  }
})
