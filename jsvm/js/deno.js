// The Deno namespace: Deno.serve, Deno.storage, Deno.env, and the handler
// dispatch the host uses to deliver requests.
(function (globalThis, host, internal) {
  "use strict";

  internal.baseURL = () => undefined;
  // Exceptions nobody handled (listener and timer callbacks, reportError)
  // end up in the instance's log with their stack.
  internal.reportException = (err) => host.reportException(err);
  let handler = null;
  let serveCalled = false;

  function serve(a, b) {
    if (serveCalled) {
      throw new TypeError("Deno.serve was already called: an instance serves one handler");
    }
    let options = {};
    let fn;
    if (typeof a === "function") {
      fn = a;
      if (b !== undefined) options = b;
    } else if (a !== null && typeof a === "object") {
      options = a;
      fn = typeof b === "function" ? b : a.handler;
    }
    if (typeof fn !== "function") {
      throw new TypeError("Deno.serve: a handler function is required: Deno.serve(handler), Deno.serve(options, handler) or Deno.serve({ handler })");
    }
    serveCalled = true;
    handler = fn;
    const finished = new Promise(() => {});
    if (typeof options.onListen === "function") {
      Promise.resolve().then(() => options.onListen({ hostname: "0.0.0.0", port: 443, transport: "tcp" }));
    }
    return {
      finished,
      addr: { hostname: "0.0.0.0", port: 443, transport: "tcp" },
      shutdown() { return Promise.resolve(); },
      ref() {},
      unref() {},
    };
  }

  // useDefaultExport is called once the entry module has finished evaluating.
  // It reports whether a handler is registered.
  internal.useModule = function (ns) {
    if (handler !== null) return true;
    const def = ns && ns.default;
    if (def && typeof def.fetch === "function") {
      handler = (req, info) => def.fetch(req, info);
      return true;
    }
    return false;
  };

  // dispatch runs the handler for request id and answers through
  // host.respond(id, err, ...) (see respondWith in response.js). A native
  // promise (an async handler's) is returned to the host, which watches it
  // and calls finishDispatch once it settles (see Instance.awaitResponse):
  // that costs no derived promise and no reaction closures.
  internal.dispatch = function (method, url, headerPairs, body, remoteAddr, id) {
    let res;
    try {
      const req = internal.newRequest(method, url, headerPairs, body);
      res = handler(req, new ServeHandlerInfo(remoteAddr));
    } catch (e) {
      host.respond(id, e);
      return;
    }
    // A handler that returns a Response synchronously costs no promise
    // (respondWith answers at once, or reports that res is no Response).
    try {
      if (internal.respondWith(id, res)) return;
    } catch (e) {
      host.respond(id, e);
      return;
    }
    if (res !== null && typeof res === "object" && Object.getPrototypeOf(res) === Promise.prototype) return res;
    Promise.resolve(res).then((r) => finish(r, id), (e) => host.respond(id, e));
    return undefined;
  };

  // finishDispatch answers request id from its handler's promise: with its
  // value (fulfilled true) or its reason (false), or, when the host does not
  // watch it (fulfilled undefined), once it settles.
  internal.finishDispatch = function (id, fulfilled, value, promise) {
    if (fulfilled === true) finish(value, id);
    else if (fulfilled === false) host.respond(id, value);
    else promise.then((r) => finish(r, id), (e) => host.respond(id, e));
  };

  function finish(res, id) {
    try {
      if (!internal.respondWith(id, res)) {
        throw new TypeError(`The handler must return a Response (or a Promise of one), got ${internal.inspect(res)}`);
      }
    } catch (e) {
      host.respond(id, e);
    }
  }

  // ServeHandlerInfo is the handler's second argument. remoteAddr and
  // completed are made on first use: most handlers never look at them.
  class ServeHandlerInfo {
    #hostname;
    #remoteAddr = null;
    #completed = null;
    constructor(hostname) {
      this.#hostname = hostname;
    }
    get remoteAddr() {
      if (this.#remoteAddr === null) this.#remoteAddr = { transport: "tcp", hostname: this.#hostname, port: 0 };
      return this.#remoteAddr;
    }
    get completed() {
      if (this.#completed === null) this.#completed = new Promise(() => {});
      return this.#completed;
    }
  }
  // remoteAddr was an own enumerable property before it was made lazily;
  // it stays enumerable.
  Object.defineProperty(ServeHandlerInfo.prototype, "remoteAddr", { enumerable: true });

  // Deno.storage: the proposal's small API over the instance's key-value
  // store (key k is the Deno KV key [k]). Values are encoded as Deno KV
  // encodes them (kv_value.js), so Deno.openKv reads the same.
  const storageKey = (key) => String(key);
  function decodeValue(kind, data) {
    return kind === 1 ? internal.parseJSONValue(data) : internal.kvValue.decodeValue(kind, data);
  }
  const storage = {
    get(key) {
      try {
        const v = host.storageGet(storageKey(key));
        return Promise.resolve(v === null ? undefined : decodeValue(v[0], v[1]));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    put(key, value) {
      try {
        key = storageKey(key);
        const encoded = internal.kvValue.encodeValue(value);
        return host.storagePut(key, encoded);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    delete(key) {
      try {
        key = storageKey(key);
        return host.storageDelete(key);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    // list({ prefix, start, end, reverse, limit }) resolves to a Map of the
    // selected entries in key order (as Durable Objects' storage.list).
    list(options = {}) {
      try {
        if (options === null || typeof options !== "object") throw new TypeError("Deno.storage.list: options must be an object");
        const { prefix = "", start, end, reverse = false, limit } = options;
        for (const [name, v] of [["prefix", prefix], ["start", start], ["end", end]]) {
          if (v !== undefined && typeof v !== "string") throw new TypeError(`Deno.storage.list: ${name} must be a string`);
        }
        let n = 0;
        if (limit !== undefined) {
          n = Number(limit);
          if (!Number.isInteger(n) || n < 1) throw new TypeError(`Deno.storage.list: limit must be a positive integer, got ${limit}`);
        }
        const items = host.storageList(prefix, start ?? null, end ?? null, !!reverse, n);
        const out = new Map();
        for (const [k, kind, data] of items) out.set(k, decodeValue(kind, data));
        return Promise.resolve(out);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };

  const env = {
    get(name) { const v = host.envGet(String(name)); return v === null ? undefined : v; },
    has(name) { return host.envGet(String(name)) !== null; },
    toObject() { return host.envObject(); },
    set() { throw new TypeError("Deno.env.set: the environment is read-only; configure variables for the project instead"); },
    delete() { throw new TypeError("Deno.env.delete: the environment is read-only; configure variables for the project instead"); },
  };

  // Deno.openKv is kv.js's (installed on first use).
  function openKv(path) {
    return internal.openKv(path);
  }

  const Deno = {
    serve,
    storage,
    env,
    openKv,
    inspect: (v) => internal.inspect(v),
    args: Object.freeze([]),
    pid: 1,
    ppid: 0,
    noColor: true,
    mainModule: "file:///main.js",
    version: { deno: "2.0.0", v8: "goja", typescript: "5.6" },
    build: { os: "linux", arch: "x86_64", target: "x86_64-unknown-linux-gnu", vendor: "unknown", env: "gnu" },
  };

  // Deno's KV classes come from kv.js, installed the first time one is
  // named; each getter then leaves a plain data property behind.
  for (const name of ["Kv", "AtomicOperation", "KvListIterator", "KvU64"]) {
    const define = (value) => Object.defineProperty(Deno, name, { value, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(Deno, name, {
      get() { const v = internal.kvClasses[name]; define(v); return v; },
      set(v) { define(v); },
      enumerable: true,
      configurable: true,
    });
  }

  // Deno.errors, Deno.permissions and the host-access members that only
  // throw (deno_errors.js) are made the first time a member Deno does not
  // have yet is looked up.
  internal.lazyProperties(Deno, () => {
    Object.assign(Deno, internal.denoDenied, { errors: internal.denoErrors, permissions: internal.denoPermissions });
  });
  // self is the global object, as in Deno and in workers.
  Object.defineProperty(globalThis, "self", { value: globalThis, writable: true, configurable: true, enumerable: true });
  Object.defineProperty(globalThis, "Deno", { value: Deno, writable: false, configurable: false, enumerable: false });
})
