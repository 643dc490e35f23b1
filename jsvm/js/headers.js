// Headers (Fetch Standard, https://fetch.spec.whatwg.org/#headers-class):
// case-insensitive names, combined values, live sorted iteration, guards
// ("immutable" for host-made and frozen headers, "request-no-cors" for
// no-cors Requests), getSetCookie.
//
// Deliberate deviation: the "request" and "response" guards' forbidden
// header lists are not applied (Response headers created by user code use
// the "none" guard). A server runtime has to let handlers set Set-Cookie,
// Host, Cookie and the like, as Deno and workerd do.
(function (globalThis, host, internal) {
  "use strict";

  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  // A header value may not contain NUL, CR or LF (after trimming whitespace).
  const BAD_VALUE = /[\0\r\n]/;
  const NOT_BYTE = /[^\0-\xff]/;
  const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

  const quote = (s) => JSON.stringify(s);

  // toByteString is WebIDL's ByteString conversion: ToString (which throws
  // for Symbols), then every code unit must fit in a byte.
  function toByteString(v, where, what) {
    if (typeof v === "symbol") throw new TypeError(`${where}: a Symbol cannot be a header ${what}`);
    const s = typeof v === "string" ? v : `${v}`;
    if (NOT_BYTE.test(s)) {
      const c = s.charCodeAt(s.search(NOT_BYTE)).toString(16).toUpperCase().padStart(4, "0");
      throw new TypeError(`${where}: ${quote(s)} is not a valid header ${what} (U+${c} is not a byte)`);
    }
    return s;
  }
  function normalizeValue(v) {
    return v.replace(EDGE_WHITESPACE, "");
  }
  function checkName(where, name) {
    if (!TOKEN.test(name)) throw new TypeError(`${where}: ${quote(name)} is not a valid header name`);
  }
  function checkValue(where, value) {
    if (BAD_VALUE.test(value)) throw new TypeError(`${where}: ${quote(value)} is not a valid header value`);
  }
  // Names and values seen valid before skip the regular expressions (which
  // dominate a small response's cost in goja): raw name -> lowercase name,
  // raw value -> normalized value. Bounded; short strings only.
  const validNames = new Map();
  const validValues = new Map();
  function remember(map, k, v) {
    if (k.length > 256) return;
    if (map.size >= 512) map.clear();
    map.set(k, v);
  }
  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }

  // --- CORS safelisting, for the "request-no-cors" guard -------------------

  // Bytes that make a value CORS-unsafe: controls other than tab, DEL and
  // "():<>?@[\]{}.
  const CORS_UNSAFE = /[\0-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/;
  const LANGUAGE = /^[0-9A-Za-z *,\-.;=]*$/;
  const SAFE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

  // mimeEssence parses a MIME type (MIME Sniffing) far enough to return its
  // lowercased essence, or null on failure. Parameters never cause failure.
  function mimeEssence(s) {
    s = normalizeValue(s);
    const slash = s.indexOf("/");
    if (slash < 0) return null;
    const type = s.slice(0, slash);
    const semi = s.indexOf(";", slash + 1);
    const subtype = s.slice(slash + 1, semi < 0 ? s.length : semi).replace(/[\t\n\r ]+$/, "");
    if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
    return (type + "/" + subtype).toLowerCase();
  }

  // noCorsSafelisted reports whether (name, value), name lowercased, is a
  // no-CORS-safelisted request-header.
  function noCorsSafelisted(name, value) {
    if (value.length > 128) return false;
    switch (name) {
      case "accept":
        return !CORS_UNSAFE.test(value);
      case "accept-language":
      case "content-language":
        return LANGUAGE.test(value);
      case "content-type":
        return !CORS_UNSAFE.test(value) && SAFE_CONTENT_TYPES.includes(mimeEssence(value));
    }
    return false;
  }
  const NO_CORS_NAMES = ["accept", "accept-language", "content-language", "content-type"];
  // "range" is the one privileged no-CORS request-header name.
  const PRIVILEGED_NO_CORS = "range";

  // --- WebIDL conversion of HeadersInit ------------------------------------

  // iterate drives an iterator obtained from method, calling each(value) per
  // step (WebIDL "create a sequence from an iterable").
  function iterate(obj, method, where, each) {
    const it = method.call(obj);
    if (!isObject(it)) throw new TypeError(`${where}: the iterator is not an object`);
    const next = it.next;
    for (;;) {
      const r = next.call(it);
      if (!isObject(r)) throw new TypeError(`${where}: the iterator result is not an object`);
      if (r.done) return;
      each(r.value);
    }
  }
  function iteratorMethod(obj, where) {
    const m = obj[Symbol.iterator];
    if (m === undefined || m === null) return undefined;
    if (typeof m !== "function") throw new TypeError(`${where}: init[Symbol.iterator] is not a function`);
    return m;
  }

  // convertInit turns (sequence<sequence<ByteString>> or
  // record<ByteString, ByteString>) into a list of [name, value] pairs,
  // checking that each pair of the sequence form has two elements.
  function convertInit(init, where) {
    if (!isObject(init)) {
      throw new TypeError(`${where}: init must be an object (a record or an iterable of pairs), got ${init === null ? "null" : typeof init}`);
    }
    const out = [];
    const method = iteratorMethod(init, where);
    if (method !== undefined) {
      iterate(init, method, where, (item) => {
        if (!isObject(item)) throw new TypeError(`${where}: each header init pair must be an iterable, got ${item === null ? "null" : typeof item}`);
        const inner = iteratorMethod(item, where);
        if (inner === undefined) throw new TypeError(`${where}: each header init pair must be an iterable`);
        const pair = [];
        iterate(item, inner, where, (v) => { pair.push(toByteString(v, where, pair.length === 0 ? "name" : "value")); });
        out.push(pair);
      });
      for (const pair of out) {
        if (pair.length !== 2) {
          throw new TypeError(`${where}: each header init pair must have exactly two elements, got ${pair.length}`);
        }
      }
      return out;
    }
    // record: own keys in order, enumerable ones only, key converted before
    // the value is read.
    for (const key of Reflect.ownKeys(init)) {
      const desc = Reflect.getOwnPropertyDescriptor(init, key);
      if (desc === undefined || !desc.enumerable) continue;
      const name = toByteString(key, where, "name");
      out.push([name, toByteString(init[key], where, "value")]);
    }
    return out;
  }

  // --- Headers --------------------------------------------------------------

  const GUARD = Symbol("guard");
  const TRUSTED = Symbol("trusted");
  let nativeEntries = null;
  let nativeNext = null;

  class Headers {
    // Entries in insertion order, names lowercased. Pair arrays are never
    // modified in place: a copy of the list may share them.
    #list = [];
    #guard = "none";
    // Cached sort-and-combine view; null after any change to #list.
    #sorted = null;

    constructor(init = undefined) {
      if (init === undefined) return;
      const where = "Headers constructor";
      if (isObject(init) && (#list in init) && init[Symbol.iterator] === nativeEntries && HeadersIterator.prototype.next === nativeNext) {
        // Another Headers iterated as the spec says would give its
        // sort-and-combined pairs; its (validated) list is equivalent.
        this.#list = init.#list.slice();
        return;
      }
      for (const [name, value] of convertInit(init, where)) this.#append(name, value, where);
    }

    #append(name, value, where) {
      let lower = validNames.get(name);
      if (lower === undefined) {
        checkName(where, name);
        lower = name.toLowerCase();
        remember(validNames, name, lower);
      }
      const raw = value;
      value = validValues.get(raw);
      if (value === undefined) {
        value = normalizeValue(raw);
        checkValue(where, value);
        remember(validValues, raw, value);
      }
      if (this.#guard === "immutable") throw new TypeError(`${where}: the headers are immutable`);
      if (this.#guard === "request-no-cors") {
        const prev = this.#get(lower);
        if (!noCorsSafelisted(lower, prev === null ? value : prev + ", " + value)) return;
      }
      this.#list.push([lower, value]);
      this.#sorted = null;
      if (this.#guard === "request-no-cors") this.#removePrivileged();
    }
    #get(lower) {
      let out = null;
      for (const e of this.#list) {
        if (e[0] === lower) out = out === null ? e[1] : out + ", " + e[1];
      }
      return out;
    }
    #removeName(lower) {
      const list = this.#list;
      let j = 0;
      for (let i = 0; i < list.length; i++) if (list[i][0] !== lower) list[j++] = list[i];
      if (j !== list.length) { list.length = j; this.#sorted = null; }
    }
    #removePrivileged() { this.#removeName(PRIVILEGED_NO_CORS); }

    append(name, value) {
      const where = "Headers.append";
      if (typeof name !== "string" || !validNames.has(name)) name = toByteString(name, where, "name");
      if (typeof value !== "string" || !validValues.has(value)) value = toByteString(value, where, "value");
      this.#append(name, value, where);
    }
    delete(name) {
      const where = "Headers.delete";
      name = toByteString(name, where, "name");
      checkName(where, name);
      if (this.#guard === "immutable") throw new TypeError(`${where}: the headers are immutable`);
      const lower = name.toLowerCase();
      if (this.#guard === "request-no-cors" && !NO_CORS_NAMES.includes(lower) && lower !== PRIVILEGED_NO_CORS) return;
      this.#removeName(lower);
      if (this.#guard === "request-no-cors") this.#removePrivileged();
    }
    get(name) {
      const where = "Headers.get";
      name = toByteString(name, where, "name");
      checkName(where, name);
      return this.#get(name.toLowerCase());
    }
    getSetCookie() {
      const out = [];
      for (const e of this.#list) if (e[0] === "set-cookie") out.push(e[1]);
      return out;
    }
    has(name) {
      const where = "Headers.has";
      name = toByteString(name, where, "name");
      checkName(where, name);
      const lower = name.toLowerCase();
      for (const e of this.#list) if (e[0] === lower) return true;
      return false;
    }
    set(name, value) {
      const where = "Headers.set";
      name = toByteString(name, where, "name");
      value = normalizeValue(toByteString(value, where, "value"));
      checkName(where, name);
      checkValue(where, value);
      if (this.#guard === "immutable") throw new TypeError(`${where}: the headers are immutable`);
      const lower = name.toLowerCase();
      if (this.#guard === "request-no-cors" && !noCorsSafelisted(lower, value)) return;
      const list = this.#list;
      const i = list.findIndex((e) => e[0] === lower);
      if (i < 0) {
        list.push([lower, value]);
      } else {
        list[i] = [lower, value];
        let j = i + 1;
        for (let k = i + 1; k < list.length; k++) if (list[k][0] !== lower) list[j++] = list[k];
        list.length = j;
      }
      this.#sorted = null;
      if (this.#guard === "request-no-cors") this.#removePrivileged();
    }

    // The sort-and-combine view iteration walks: names sorted, values of one
    // name combined with ", ", except set-cookie whose values stay separate.
    // Iterators re-read it at every step, so they see changes made while
    // iterating; the cache keeps that cheap when nothing changes.
    #pairs() {
      if (this.#sorted !== null) return this.#sorted;
      const byName = new Map();
      for (const [n, v] of this.#list) {
        const vs = byName.get(n);
        if (vs === undefined) byName.set(n, [v]); else vs.push(v);
      }
      const out = [];
      for (const n of [...byName.keys()].sort()) {
        const vs = byName.get(n);
        if (n === "set-cookie") for (const v of vs) out.push([n, v]);
        else out.push([n, vs.join(", ")]);
      }
      this.#sorted = out;
      return out;
    }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") throw new TypeError("Headers.forEach: the callback is not a function");
      let pairs = this.#pairs();
      for (let i = 0; i < pairs.length; i++) {
        const p = pairs[i];
        callback.call(thisArg, p[1], p[0], this);
        pairs = this.#pairs();
      }
    }
    entries() { return new HeadersIterator(this, "key+value"); }
    keys() { return new HeadersIterator(this, "key"); }
    values() { return new HeadersIterator(this, "value"); }
    get [Symbol.toStringTag]() { return "Headers"; }
    [internal.inspectSymbol](inspect) {
      const o = {};
      for (const [k, v] of this.#pairs()) o[k] = v;
      return "Headers " + inspect(o);
    }

    // The guard can be read, and tightened to "immutable", through the
    // internal symbol (response.js freezes headers this way).
    get [GUARD]() { return this.#guard; }
    set [GUARD](g) {
      if (g !== "immutable") throw new TypeError(`Headers: cannot set guard "${g}" this way`);
      this.#guard = g;
    }
    static [internal.headerList = Symbol("list")](h) { return h.#list; }
    // Entries from the host: names already lowercase and validated.
    static [TRUSTED](pairs, guard) {
      const h = new Headers();
      h.#list = pairs;
      h.#guard = guard;
      return h;
    }
    static setGuard(h, guard) { h.#guard = guard; }
    static pairsOf(h) { return h.#pairs(); }
    static isHeaders(v) { return isObject(v) && (#list in v); }
  }
  // Private helpers, taken off the class so user code cannot reach them.
  const { setGuard, pairsOf, isHeaders } = Headers;
  delete Headers.setGuard;
  delete Headers.pairsOf;
  delete Headers.isHeaders;

  // HeadersIterator objects are WebIDL pair iterators: their prototype (the
  // "Headers Iterator" prototype) inherits %IteratorPrototype% and has an
  // enumerable next.
  class HeadersIterator {
    #target;
    #kind;
    #index = 0;
    constructor(target, kind) {
      this.#target = target;
      this.#kind = kind;
    }
    next() {
      if (!isObject(this) || !(#index in this)) {
        throw new TypeError("Headers Iterator.next: called on an object that is not a Headers iterator");
      }
      const pairs = pairsOf(this.#target);
      const i = this.#index;
      if (i >= pairs.length) return { value: undefined, done: true };
      this.#index = i + 1;
      const p = pairs[i];
      const kind = this.#kind;
      return { value: kind === "key" ? p[0] : kind === "value" ? p[1] : [p[0], p[1]], done: false };
    }
  }
  const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  Object.setPrototypeOf(HeadersIterator.prototype, iteratorPrototype);
  delete HeadersIterator.prototype.constructor;
  Object.defineProperty(HeadersIterator.prototype, "next", { enumerable: true });
  Object.defineProperty(HeadersIterator.prototype, Symbol.toStringTag, { value: "Headers Iterator", configurable: true });
  Object.defineProperty(Headers.prototype, Symbol.iterator, {
    value: Headers.prototype.entries, writable: true, configurable: true,
  });
  nativeEntries = Headers.prototype.entries;
  nativeNext = HeadersIterator.prototype.next;

  internal.headersGuard = GUARD;
  internal.headerPairs = (h) => Headers[internal.headerList](h);
  // headersFromPairs builds Headers from host pairs without re-validating
  // what Go already validated.
  internal.headersFromPairs = (pairs, guard) => Headers[TRUSTED](pairs, guard || "none");
  // headersFromHost is headersFromPairs for the host's flat form
  // [name, value, name, value, ...] (one array to build in Go, not one per
  // header).
  internal.headersFromHost = (flat, guard) => {
    const pairs = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    return Headers[TRUSTED](pairs, guard || "none");
  };
  // setHeadersGuard sets any guard ("none", "immutable", "request-no-cors").
  internal.setHeadersGuard = setGuard;
  // newHeaders creates Headers with a guard, then fills them from init the
  // way the Request constructor does: a Headers init is copied entry by
  // entry (so the guard filters them), anything else is converted as
  // HeadersInit.
  internal.newHeaders = (init, guard) => {
    const h = new Headers();
    setGuard(h, guard || "none");
    if (init === undefined) return h;
    const pairs = isHeaders(init) ? Headers[internal.headerList](init) : convertInit(init, "Headers");
    for (const [name, value] of pairs) h.append(name, value);
    return h;
  };

  globalThis.Headers = Headers;
})
