// Deno KV: Deno.openKv, Deno.Kv, Deno.AtomicOperation, Deno.KvListIterator
// (Deno.KvU64 and the value encoding are in kv_value.js). The store is the
// instance's KV (Config.KV): host.kvGet, kvList and kvCommit validate in
// Go, run the store call off the loop and return a promise of its result,
// rejected with makeError(name, message) when the store call fails.
//
// Where edge differs from Deno, on purpose:
//   - Deno.openKv(path) ignores path (one warning per instance): an edge
//     project has one store for its workers and one per coordinator, so
//     every Deno.openKv() of a program opens the same store.
//   - consistency: "eventual" is accepted and reads are strong anyway.
//   - enqueue and listenQueue throw Deno.errors.NotSupported: edge has no
//     KV queues.
//   - kv.commitVersionstamp() returns Deno's symbol, but keys and values
//     cannot hold it (a key holding it is an invalid key part).
//   - watch(keys, { raw: true }) emits, like the default, only when a
//     versionstamp changed.
//   - get, getMany, set, delete, AtomicOperation.commit and the list
//     iterator's next are plain functions returning promises, not async
//     functions (cheaper in goja); they reject where Deno's would throw.
(function (globalThis, host, internal) {
  "use strict";

  const { KvU64, encodeValue, encodeU64, decodeValue } = internal.kvValue;
  const token = Symbol("edge.kv");
  const commitVersionstampSymbol = Symbol("KvCommitVersionstamp");
  const KEY_PART_ERROR = "expected string, number, bigint, ArrayBufferView, boolean";
  const NO_ARG = Symbol("edge.kv.noArg"); // an AtomicOperation log entry's absent argument
  let pathWarned = false;
  // Deno.Kv is disposable where the engine has Symbol.dispose.
  const disposeKey = typeof Symbol.dispose === "symbol" ? Symbol.dispose : Symbol("edge.dispose");

  // The promise functions kv.js calls, as they were when it was installed
  // (a program that replaces them does not change Deno.Kv).
  const PromiseCtor = Promise;
  const promiseReject = Promise.reject;
  const promiseResolve = Promise.resolve;
  const promiseThen = Promise.prototype.then;
  const rejected = (e) => promiseReject.call(PromiseCtor, e);
  const toUndefined = () => undefined;

  function makeError(name, message) {
    if (name === "TypeError") return new TypeError(message);
    if (name === "BadResource") return new internal.denoErrors.BadResource(message);
    return new Error(message);
  }

  // keyArg checks a key's parts and hands views to Go as Uint8Arrays over
  // the same bytes. Anything that is not an array is left to host.kvKey,
  // which answers with Deno's messages.
  function keyArg(key) {
    if (!Array.isArray(key)) return key;
    let out = key;
    for (let i = 0; i < key.length; i++) {
      const p = key[i];
      const t = typeof p;
      if (t === "string" || t === "number" || t === "bigint" || t === "boolean") continue;
      if (t === "object" && p !== null && ArrayBuffer.isView(p)) {
        if (out === key) out = key.slice();
        out[i] = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
        continue;
      }
      throw new TypeError(KEY_PART_ERROR);
    }
    return out;
  }

  function checkConsistency(options) {
    const c = options == null ? undefined : options.consistency;
    if (c !== undefined && c !== "strong" && c !== "eventual") {
      throw new TypeError(`unknown variant \`${c}\`, expected \`strong\` or \`eventual\``);
    }
  }

  function checkArray(v) {
    if (!Array.isArray(v)) {
      throw new TypeError(`serde_v8 error: invalid type; expected: array, got: ${v === null ? "null" : typeof v}`);
    }
  }

  // entry makes a Deno.KvEntryMaybe from host.kvGet's [kind, data, vs].
  function entry(key, e) {
    if (e === null) return { key, value: null, versionstamp: null };
    return { key, value: decodeValue(e[0], e[1]), versionstamp: e[2] };
  }

  class Kv {
    #closed = false;
    #watches = new Set(); // functions that end a watch stream

    constructor(t) {
      if (t !== token) throw new TypeError("Illegal constructor");
    }

    #open() {
      if (this.#closed) throw new internal.denoErrors.BadResource("Bad resource ID");
    }

    atomic() {
      return new AtomicOperation(token, this);
    }

    commitVersionstamp() {
      return commitVersionstampSymbol;
    }

    // get, getMany, set and delete are not async functions (see
    // AtomicOperation.commit): what would throw rejects.
    get(key, options = undefined) {
      try {
        this.#open();
        checkConsistency(options);
        return promiseThen.call(host.kvGet([keyArg(key)], makeError), (es) => entry(key, es[0]));
      } catch (e) {
        return rejected(e);
      }
    }

    getMany(keys, options = undefined) {
      try {
        this.#open();
        checkArray(keys);
        checkConsistency(options);
        return promiseThen.call(host.kvGet(keys.map(keyArg), makeError), (es) => es.map((e, i) => entry(keys[i], e)));
      } catch (e) {
        return rejected(e);
      }
    }

    set(key, value, options = undefined) {
      try {
        this.#open();
        return this.atomic().set(key, value, options).commit();
      } catch (e) {
        return rejected(e);
      }
    }

    delete(key) {
      try {
        this.#open();
        return promiseThen.call(this.atomic().delete(key).commit(), toUndefined);
      } catch (e) {
        return rejected(e);
      }
    }

    list(selector, options = {}) {
      this.#open();
      if (selector === null || selector === undefined) throw new TypeError("Cannot convert undefined or null to object");
      if (options === null || options === undefined) options = {};
      const { prefix, start, end } = selector;
      if (prefix !== undefined && start !== undefined && end !== undefined) {
        throw new TypeError("Selector can not specify both 'start' and 'end' key when specifying 'prefix'");
      }
      if (prefix === undefined && (start === undefined || end === undefined)) {
        throw new TypeError("Selector must specify either 'prefix' or both 'start' and 'end' key");
      }
      const { limit, reverse = false, cursor } = options;
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new Error(`Limit must be a positive integer: received ${limit}`);
      }
      let batchSize = options.batchSize ?? limit ?? 100;
      if (!(Number.isInteger(batchSize) && batchSize > 0)) {
        throw new Error(`batchSize must be a positive integer: received ${batchSize}`);
      }
      if (options.batchSize === undefined && batchSize > 500) batchSize = 500;
      checkConsistency(options);
      const pull = (after, n) => {
        this.#open();
        return host.kvList(prefix === undefined ? null : keyArg(prefix), start === undefined ? null : keyArg(start),
          end === undefined ? null : keyArg(end), after, !!reverse, batchSize, n, makeError);
      };
      return new KvListIterator(token, pull, cursor === undefined ? "" : String(cursor), limit, batchSize);
    }

    enqueue() {
      throw new internal.denoErrors.NotSupported("Deno.Kv.enqueue is not supported by edge: it has no KV queues; call a coordinator with fetch() or use setTimeout instead");
    }

    listenQueue() {
      throw new internal.denoErrors.NotSupported("Deno.Kv.listenQueue is not supported by edge: it has no KV queues");
    }

    watch(keys, options = {}) {
      this.#open();
      checkArray(keys);
      const args = keys.map(keyArg);
      host.kvValidateWatch(args);
      const watches = this.#watches;
      let stop = null; // ends the host subscription
      let ended = false;
      let signalled = false;
      let wake = null;
      let last = null; // the versionstamps last emitted, joined
      const end = () => {
        ended = true;
        if (stop !== null) stop();
        stop = null;
        watches.delete(end);
        if (wake !== null) { const w = wake; wake = null; w(); }
      };
      const next = () => {
        if (signalled) { signalled = false; return Promise.resolve(); }
        return new Promise((resolve) => { wake = resolve; });
      };
      watches.add(end);
      const stream = new internal.ReadableStream({
        async pull(c) {
          if (args.length === 0) { c.close(); return; }
          if (ended) { c.close(); return; }
          if (stop === null) {
            // First read: subscribe before reading, so no change is missed.
            stop = host.kvWatch(() => {
              if (wake !== null) { const w = wake; wake = null; w(); } else signalled = true;
            });
          }
          for (;;) {
            if (ended) { c.close(); return; }
            const es = await host.kvGet(args, makeError);
            const stamps = es.map((e) => (e === null ? "" : e[2])).join(",");
            if (stamps !== last) {
              last = stamps;
              c.enqueue(es.map((e, i) => entry(keys[i], e)));
              return;
            }
            await next();
          }
        },
        cancel() { end(); },
      }, { highWaterMark: 0 });
      return stream;
    }

    [disposeKey]() {
      if (!this.#closed) this.close();
    }

    close() {
      this.#open();
      this.#closed = true;
      for (const end of [...this.#watches]) end();
    }
  }
  if (typeof Symbol.dispose !== "symbol") delete Kv.prototype[disposeKey];

  class KvListIterator {
    #pull;
    #after; // the cursor to pull the next batch from
    #limit;
    #batchSize;
    #entries = [];
    #lastBatch = false;
    #done = false;
    #count = 0;
    #cursor = null; // null before the first entry

    constructor(t, pull, cursor, limit, batchSize) {
      if (t !== token) throw new TypeError("Illegal constructor");
      this.#pull = pull;
      this.#after = cursor;
      this.#limit = limit;
      this.#batchSize = batchSize;
    }

    get cursor() {
      if (this.#cursor === null) throw new Error("Cannot get cursor before first iteration");
      return this.#cursor;
    }

    // next is not an async function (see AtomicOperation.commit): an entry
    // already fetched costs one resolved promise, a new batch one reaction
    // on the host's promise. What would throw rejects.
    next() {
      try {
        if (this.#done || (this.#limit !== undefined && this.#count >= this.#limit)) {
          return promiseResolve.call(PromiseCtor, { value: undefined, done: true });
        }
        if (this.#entries.length === 0 && !this.#lastBatch) {
          const n = this.#limit === undefined ? this.#batchSize : Math.min(this.#batchSize, this.#limit - this.#count);
          return promiseThen.call(this.#pull(this.#after, n), (batch) => {
            if (batch.length < n) this.#lastBatch = true;
            batch.reverse();
            this.#entries = batch;
            return this.#take();
          });
        }
        return promiseResolve.call(PromiseCtor, this.#take());
      } catch (e) {
        return rejected(e);
      }
    }

    // take is the next entry of the fetched batch as an iterator result.
    #take() {
      const e = this.#entries.pop();
      if (e === undefined) {
        this.#done = true;
        this.#cursor = "";
        return { value: undefined, done: true };
      }
      this.#after = e[4];
      this.#cursor = e[4];
      this.#count++;
      return { value: { key: e[3], value: decodeValue(e[0], e[1]), versionstamp: e[2] }, done: false };
    }

    [Symbol.asyncIterator]() {
      return this;
    }
  }

  class AtomicOperation {
    #kv;
    #checks = [];
    #mutations = [];
    // For console output: each call as three items, the operation's name
    // and its one or two arguments (NO_ARG where there is no second), so
    // that recording a call makes no array of its own.
    #log = [];

    constructor(t, kv) {
      if (t !== token) throw new TypeError("Illegal constructor");
      this.#kv = kv;
    }

    check(...checks) {
      for (const c of checks) {
        const vs = c == null ? undefined : c.versionstamp;
        const key = c == null ? undefined : c.key;
        this.#checks.push([key, vs === null || vs === undefined ? null : String(vs)]);
        this.#log.push("check", { key, versionstamp: vs === null || vs === undefined ? null : String(vs) }, NO_ARG);
      }
      return this;
    }

    mutate(...mutations) {
      for (const m of mutations) {
        const { key, type } = m;
        let value;
        switch (type) {
          case "delete":
            break;
          case "set":
          case "sum":
          case "min":
          case "max":
            if (m.value === undefined) throw new TypeError(`Invalid mutation '${type}' without value`);
            value = m.value;
            if (type !== "set" && !(value instanceof KvU64)) value = new KvU64(value);
            break;
          default:
            throw new TypeError("Invalid mutation type");
        }
        this.#add(type, key, value, m.expireIn);
        this.#log.push("mutate", m, NO_ARG);
      }
      return this;
    }

    #add(type, key, value, expireIn) {
      if (expireIn !== undefined && !(Number.isInteger(expireIn) && expireIn >= 0)) {
        throw new TypeError(`expireIn must be a non-negative integer: received ${expireIn}`);
      }
      const v = type === "delete" ? undefined : encodeValue(value);
      this.#mutations.push([type, key, v, expireIn === undefined ? -1 : expireIn]);
    }

    set(key, value, options = undefined) {
      this.#add("set", key, value, options == null ? undefined : options.expireIn);
      this.#log.push("set", key, value);
      return this;
    }

    delete(key) {
      this.#add("delete", key);
      this.#log.push("delete", key, NO_ARG);
      return this;
    }

    // sum, min and max store n as a Deno.KvU64 would be stored, without
    // making one (the same errors for an n that is not a u64).
    sum(key, n) {
      this.#mutations.push(["sum", key, encodeU64(n), -1]);
      this.#log.push("sum", key, n);
      return this;
    }

    min(key, n) {
      this.#mutations.push(["min", key, encodeU64(n), -1]);
      this.#log.push("min", key, n);
      return this;
    }

    max(key, n) {
      this.#mutations.push(["max", key, encodeU64(n), -1]);
      this.#log.push("max", key, n);
      return this;
    }

    enqueue() {
      throw new internal.denoErrors.NotSupported("Deno.AtomicOperation.enqueue is not supported by edge: it has no KV queues");
    }

    // commit is not an async function: host.kvCommit makes the promise
    // and settles it with the result ({ ok, versionstamp } or { ok: false })
    // or with makeError's error, which costs less in goja than an async
    // function's generator and a promise with its executor. What would
    // throw rejects, as from an async function.
    commit() {
      try {
        // Index reads, not destructuring: destructuring an array runs the
        // iterator protocol in goja.
        const cs = this.#checks, ms = this.#mutations;
        const checks = new Array(cs.length), muts = new Array(ms.length);
        for (let i = 0; i < cs.length; i++) checks[i] = [keyArg(cs[i][0]), cs[i][1]];
        for (let i = 0; i < ms.length; i++) {
          const m = ms[i];
          muts[i] = [m[0], keyArg(m[1]), m[2], m[3]];
        }
        return host.kvCommit(checks, muts, makeError);
      } catch (e) {
        return rejected(e);
      }
    }

    then() {
      throw new TypeError("'Deno.AtomicOperation' is not a promise: did you forget to call 'commit()'");
    }

    [internal.inspectSymbol](inspect) {
      const log = this.#log;
      if (log.length === 0) return "AtomicOperation (empty)";
      const lines = [];
      for (let i = 0; i < log.length; i += 3) {
        const args = log[i + 2] === NO_ARG ? [log[i + 1]] : [log[i + 1], log[i + 2]];
        lines.push(`  ${log[i]}(${args.map(inspect).join(", ")})`);
      }
      return "AtomicOperation\n" + lines.join("\n");
    }
  }
  Object.defineProperty(AtomicOperation.prototype, internal.inspectSymbol, { enumerable: false });

  internal.kvClasses = Object.freeze({ Kv, AtomicOperation, KvListIterator, KvU64 });

  // openKv opens the instance's store; see the top of the file for path.
  internal.openKv = function openKv(path) {
    if (!host.kvAvailable()) {
      return Promise.reject(new internal.denoErrors.NotSupported(
        "Deno.openKv: this edge instance has no KV store; KV is available to the workers and coordinators of a project served by edge (edge serve, edge dev)"));
    }
    if (path !== undefined && !pathWarned) {
      pathWarned = true;
      globalThis.console.warn(`Deno.openKv: edge ignores the path ${internal.inspect(path)}: every Deno.openKv() in a project opens the project's store`);
    }
    return Promise.resolve(new Kv(token));
  };
})
