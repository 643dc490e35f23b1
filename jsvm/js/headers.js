// Headers (Fetch Standard): case-insensitive, combined values, sorted
// iteration, guards for immutable headers, getSetCookie.
(function (globalThis, host, internal) {
  "use strict";

  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  // A header value may not contain NUL, CR or LF (after trimming whitespace).
  const BAD_VALUE = /[\0\r\n]/;

  function normalizeValue(v) {
    return String(v).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  }
  function checkName(name) {
    if (!TOKEN.test(name)) throw new TypeError(`Header name is not valid: "${name}"`);
  }
  function checkValue(name, value) {
    if (BAD_VALUE.test(value)) throw new TypeError(`Header value is not valid for "${name}"`);
  }

  const GUARD = Symbol("guard");
  const TRUSTED = Symbol("trusted");

  class Headers {
    // Entries in insertion order, names lowercased.
    #list = [];
    [GUARD] = "none";

    constructor(init) {
      if (init === undefined || init === null) return;
      if (init instanceof Headers) {
        for (const [k, v] of init.#list) this.#list.push([k, v]);
      } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const p = Array.from(pair);
          if (p.length !== 2) throw new TypeError("Headers: each init pair must have exactly two elements");
          this.append(p[0], p[1]);
        }
      } else if (typeof init === "object") {
        for (const key of Object.keys(init)) this.append(key, init[key]);
      } else {
        throw new TypeError("Headers: init must be an object, an iterable of pairs or a Headers");
      }
    }

    #check() {
      if (this[GUARD] === "immutable") throw new TypeError("Headers are immutable");
    }

    append(name, value) {
      this.#check();
      name = String(name); value = normalizeValue(value);
      checkName(name); checkValue(name, value);
      this.#list.push([name.toLowerCase(), value]);
    }
    delete(name) {
      this.#check();
      name = String(name); checkName(name);
      const lower = name.toLowerCase();
      this.#list = this.#list.filter((e) => e[0] !== lower);
    }
    get(name) {
      name = String(name); checkName(name);
      const lower = name.toLowerCase();
      const values = this.#list.filter((e) => e[0] === lower).map((e) => e[1]);
      return values.length === 0 ? null : values.join(", ");
    }
    getSetCookie() {
      return this.#list.filter((e) => e[0] === "set-cookie").map((e) => e[1]);
    }
    has(name) {
      name = String(name); checkName(name);
      const lower = name.toLowerCase();
      return this.#list.some((e) => e[0] === lower);
    }
    set(name, value) {
      this.#check();
      name = String(name); value = normalizeValue(value);
      checkName(name); checkValue(name, value);
      const lower = name.toLowerCase();
      const i = this.#list.findIndex((e) => e[0] === lower);
      if (i < 0) { this.#list.push([lower, value]); return; }
      this.#list[i] = [lower, value];
      this.#list = this.#list.filter((e, j) => j <= i || e[0] !== lower);
    }

    // The sort-and-combine view used for iteration: names sorted, values of
    // one name combined with ", ", except set-cookie which stays separate.
    #sorted() {
      const names = [...new Set(this.#list.map((e) => e[0]))].sort();
      const out = [];
      for (const n of names) {
        if (n === "set-cookie") {
          for (const e of this.#list) if (e[0] === n) out.push([n, e[1]]);
        } else {
          out.push([n, this.#list.filter((e) => e[0] === n).map((e) => e[1]).join(", ")]);
        }
      }
      return out;
    }
    forEach(callback, thisArg) {
      for (const [k, v] of this.#sorted()) callback.call(thisArg, v, k, this);
    }
    *entries() { yield* this.#sorted(); }
    *keys() { for (const [k] of this.#sorted()) yield k; }
    *values() { for (const [, v] of this.#sorted()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return "Headers"; }
    [internal.inspectSymbol](inspect) {
      const o = {};
      for (const [k, v] of this.#sorted()) o[k] = v;
      return "Headers " + inspect(o);
    }

    // Raw entries in insertion order, for handing to the host.
    static [internal.headerList = Symbol("list")](h) { return h.#list; }
    // Entries from the host: names already lowercase and validated.
    static [TRUSTED](pairs) { const h = new Headers(); h.#list = pairs; return h; }
  }

  internal.headersGuard = GUARD;
  internal.headerPairs = (h) => Headers[internal.headerList](h);
  // headersFromPairs builds Headers from host pairs without re-validating
  // what Go already validated.
  internal.headersFromPairs = (pairs, guard) => {
    const h = Headers[TRUSTED](pairs);
    h[GUARD] = guard || "none";
    return h;
  };

  globalThis.Headers = Headers;
})
