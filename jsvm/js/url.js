// URL and URLSearchParams (WHATWG URL Standard). Parsing and setters are done
// in Go by a WHATWG URL parser (host.urlParse / host.urlSet); this file keeps
// the JS object model: attributes, searchParams linkage, stringification.
(function (globalThis, host, internal) {
  "use strict";

  // Indexes into the component arrays returned by host.urlParse/urlSet.
  const HREF = 0, PROTOCOL = 1, USERNAME = 2, PASSWORD = 3, HOST = 4, HOSTNAME = 5,
    PORT = 6, PATHNAME = 7, SEARCH = 8, HASH = 9, ORIGIN = 10;

  const paramsOwner = Symbol("url");
  const RESET = Symbol("reset");
  const SET_QUERY = Symbol("setQuery");

  // toUSVString converts a JS value to a string and replaces lone surrogates
  // with U+FFFD (WebIDL USVString); a Symbol throws a TypeError.
  const SURROGATE = /[\uD800-\uDFFF]/;
  function toUSVString(v) {
    const s = typeof v === "string" ? v : `${v}`;
    if (!SURROGATE.test(s)) return s;
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xDC00 && d <= 0xDFFF) { out += s[i] + s[i + 1]; i++; continue; }
      }
      out += c >= 0xD800 && c <= 0xDFFF ? "\uFFFD" : s[i];
    }
    return out;
  }
  internal.toUSVString = internal.toUSVString || toUSVString;

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
      if (url) URL[SET_QUERY](url, host.formSerialize(this.#list));
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

  // parseComponents is the component array of new URL(url, base), or the
  // constructor's TypeError.
  function parseComponents(url, base) {
    const c = host.urlParse(String(url), base === undefined ? undefined : String(base));
    if (c === null) {
      throw new TypeError(base === undefined ? `Invalid URL: '${url}'` : `Invalid URL: '${url}' with base '${base}'`);
    }
    return c;
  }

  // parseHref is new URL(url, base).href without making the URL object, or
  // null if the URL has credentials (a username or a password, which
  // fetch() and Request refuse); it throws as the constructor does.
  internal.parseHref = function (url, base) {
    const c = parseComponents(url, base);
    return c[USERNAME] !== "" || c[PASSWORD] !== "" ? null : c[HREF];
  };

  class URL {
    #c;
    #params = null;

    // A rest parameter, not `arguments`, tells a missing argument from an
    // undefined one: goja builds an arguments object (with its own property
    // map) on every call of a function that names it. URL.length is set to
    // 1 below, as WebIDL says.
    constructor(...args) {
      if (args.length === 0) throw new TypeError("URL constructor: 1 argument required, but only 0 present");
      this.#c = parseComponents(args[0], args[1]);
    }

    static canParse(url, base) {
      return host.urlParse(String(url), base === undefined ? undefined : String(base)) !== null;
    }
    static parse(url, base) {
      try { return new URL(url, base); } catch { return null; }
    }

    #set(name, value) {
      this.#c = host.urlSet(this.#c[HREF], name, String(value));
      if (name === "search" || name === "href") {
        if (this.#params) URLSearchParams[RESET](this.#params, this.#c[SEARCH].slice(1));
      }
    }
    static [SET_QUERY](url, query) {
      url.#c = host.urlSet(url.#c[HREF], "search", query);
    }

    get href() { return this.#c[HREF]; }
    set href(v) {
      const c = host.urlParse(String(v), undefined);
      if (c === null) throw new TypeError(`Invalid URL: '${v}'`);
      this.#c = c;
      if (this.#params) URLSearchParams[RESET](this.#params, c[SEARCH].slice(1));
    }
    get origin() { return this.#c[ORIGIN]; }
    get protocol() { return this.#c[PROTOCOL]; }
    set protocol(v) { this.#set("protocol", v); }
    get username() { return this.#c[USERNAME]; }
    set username(v) { this.#set("username", v); }
    get password() { return this.#c[PASSWORD]; }
    set password(v) { this.#set("password", v); }
    get host() { return this.#c[HOST]; }
    set host(v) { this.#set("host", v); }
    get hostname() { return this.#c[HOSTNAME]; }
    set hostname(v) { this.#set("hostname", v); }
    get port() { return this.#c[PORT]; }
    set port(v) { this.#set("port", v); }
    get pathname() { return this.#c[PATHNAME]; }
    set pathname(v) { this.#set("pathname", v); }
    get search() { return this.#c[SEARCH]; }
    set search(v) { this.#set("search", v); }
    get hash() { return this.#c[HASH]; }
    set hash(v) { this.#set("hash", v); }
    get searchParams() {
      if (this.#params === null) {
        this.#params = new URLSearchParams(this.#c[SEARCH]);
        this.#params[paramsOwner] = this;
      }
      return this.#params;
    }
    toString() { return this.#c[HREF]; }
    toJSON() { return this.#c[HREF]; }
    get [Symbol.toStringTag]() { return "URL"; }
    static {
      // isURL tells a URL object (one this constructor made) from any other value.
      internal.isURL = (o) => typeof o === "object" && o !== null && #c in o;
    }
    [internal.inspectSymbol](inspect) {
      return "URL " + inspect({ href: this.href, origin: this.origin, protocol: this.protocol,
        username: this.username, password: this.password, host: this.host, hostname: this.hostname,
        port: this.port, pathname: this.pathname, hash: this.hash, search: this.search });
    }
  }

  Object.defineProperty(URL, "length", { value: 1, configurable: true });
  Object.assign(globalThis, { URL, URLSearchParams });
})
