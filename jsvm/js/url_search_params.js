// URLSearchParams (WHATWG URL Standard), apart from url.js so that a VM
// installs its class and methods only when something uses them: the
// global, a URL's searchParams, or a body made from one. The list is
// parsed and serialized in Go (host.formParse / host.formSerialize).
(function (globalThis, host, internal) {
  "use strict";

  const toUSVString = internal.toUSVString;
  const paramsOwner = Symbol("url");
  const RESET = Symbol("reset");

  // The "URLSearchParams Iterator" of WebIDL's iterable declarations: live
  // over the list (entries appended while iterating are seen), with
  // %IteratorPrototype% as its prototype's prototype.
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  const LIST = Symbol("list");
  class SearchParamsIterator {
    #params;
    #kind;
    #index = 0;
    constructor(params, kind) { this.#params = params; this.#kind = kind; }
    next() {
      if (!(#params in this)) throw new TypeError("next called on an object that is not a URLSearchParams Iterator");
      const list = URLSearchParams[LIST](this.#params);
      if (this.#index >= list.length) return { value: undefined, done: true };
      const [k, v] = list[this.#index++];
      return { value: this.#kind === "keys" ? k : this.#kind === "values" ? v : [k, v], done: false };
    }
  }
  Object.setPrototypeOf(SearchParamsIterator.prototype, IteratorPrototype);
  Object.defineProperty(SearchParamsIterator.prototype, Symbol.toStringTag, { value: "URLSearchParams Iterator", configurable: true });
  Object.defineProperty(SearchParamsIterator.prototype, "next", { enumerable: true });
  delete SearchParamsIterator.prototype.constructor;

  class URLSearchParams {
    #list = [];
    [paramsOwner] = null;

    // init is the WebIDL union (sequence<sequence<USVString>> or
    // record<USVString, USVString> or USVString): any object (functions
    // too) with an @@iterator is a sequence, read through that iterator even
    // on a URLSearchParams; any other object is a record of its own
    // enumerable properties.
    constructor(init = "") {
      if ((typeof init === "object" && init !== null) || typeof init === "function") {
        const iter = init[Symbol.iterator];
        if (iter !== undefined && iter !== null) {
          if (typeof iter !== "function") throw new TypeError("URLSearchParams: init[Symbol.iterator] is not a function");
          for (const pair of { [Symbol.iterator]: () => iter.call(init) }) {
            if ((typeof pair !== "object" || pair === null) && typeof pair !== "function") {
              throw new TypeError("URLSearchParams: each init pair must be a sequence");
            }
            const p = Array.from(pair);
            if (p.length !== 2) {
              throw new TypeError("URLSearchParams: each init pair must have exactly two elements");
            }
            this.#list.push([toUSVString(p[0]), toUSVString(p[1])]);
          }
        } else {
          for (const key of Reflect.ownKeys(init)) {
            const desc = Reflect.getOwnPropertyDescriptor(init, key);
            if (desc === undefined || !desc.enumerable) continue;
            const name = toUSVString(key);
            const value = toUSVString(init[key]);
            // A record keeps one entry per key (only a lone surrogate
            // replaced by U+FFFD can make two keys collide).
            const i = this.#list.findIndex((p) => p[0] === name);
            if (i >= 0) this.#list[i][1] = value;
            else this.#list.push([name, value]);
          }
        }
      } else {
        let s = toUSVString(init);
        if (s.startsWith("?")) s = s.slice(1);
        this.#list = host.formParse(s);
      }
    }

    #update() {
      const url = this[paramsOwner];
      if (url) internal.setURLQuery(url, host.formSerialize(this.#list));
    }
    // Called by URL when its query changes, to keep the list in sync.
    static [RESET](params, query) {
      params.#list = host.formParse(query);
    }

    get size() { return this.#list.length; }
    append(name, value) { this.#list.push([toUSVString(name), toUSVString(value)]); this.#update(); }
    delete(name, value) {
      name = toUSVString(name);
      if (value === undefined) this.#list = this.#list.filter((p) => p[0] !== name);
      else { value = toUSVString(value); this.#list = this.#list.filter((p) => !(p[0] === name && p[1] === value)); }
      this.#update();
    }
    get(name) {
      name = toUSVString(name);
      const p = this.#list.find((p) => p[0] === name);
      return p ? p[1] : null;
    }
    getAll(name) { name = toUSVString(name); return this.#list.filter((p) => p[0] === name).map((p) => p[1]); }
    has(name, value) {
      name = toUSVString(name);
      if (value === undefined) return this.#list.some((p) => p[0] === name);
      value = toUSVString(value);
      return this.#list.some((p) => p[0] === name && p[1] === value);
    }
    set(name, value) {
      name = toUSVString(name); value = toUSVString(value);
      const i = this.#list.findIndex((p) => p[0] === name);
      if (i < 0) this.#list.push([name, value]);
      else {
        this.#list[i][1] = value;
        this.#list = this.#list.filter((p, j) => j <= i || p[0] !== name);
      }
      this.#update();
    }
    sort() {
      // Stable sort by UTF-16 code units, as the standard requires.
      this.#list = this.#list.map((p, i) => [p, i]).sort((a, b) =>
        a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1]).map((x) => x[0]);
      this.#update();
    }
    forEach(callback, thisArg) {
      for (let i = 0; i < this.#list.length; i++) {
        const [k, v] = this.#list[i];
        callback.call(thisArg, v, k, this);
      }
    }
    entries() { return new SearchParamsIterator(this, "entries"); }
    keys() { return new SearchParamsIterator(this, "keys"); }
    values() { return new SearchParamsIterator(this, "values"); }
    static [LIST](p) { return p.#list; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return host.formSerialize(this.#list); }
    get [Symbol.toStringTag]() { return "URLSearchParams"; }
  }

  // newSearchParams is url.searchParams: a list parsed from query that
  // writes its changes back to url.
  internal.newSearchParams = (query, url) => {
    const p = new URLSearchParams(query);
    p[paramsOwner] = url;
    return p;
  };
  // resetSearchParams re-reads the list from url's new query.
  internal.resetSearchParams = (params, query) => URLSearchParams[RESET](params, query);

  globalThis.URLSearchParams = URLSearchParams;
})
