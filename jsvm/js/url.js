// URL (WHATWG URL Standard). Parsing and setters are done in Go by a WHATWG
// URL parser (host.urlParse / host.urlSet); this file keeps the JS object
// model: attributes, stringification, and the link to the URL's
// URLSearchParams, which lives in url_search_params.js and is installed only
// when something uses it (most handlers read a pathname and nothing else:
// every method is a function object in each VM that installs the file).
(function (globalThis, host, internal) {
  "use strict";

  // Indexes into the component arrays returned by host.urlParse/urlSet.
  const HREF = 0, PROTOCOL = 1, USERNAME = 2, PASSWORD = 3, HOST = 4, HOSTNAME = 5,
    PORT = 6, PATHNAME = 7, SEARCH = 8, HASH = 9, ORIGIN = 10;

  const SET_QUERY = Symbol("setQuery");

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
        if (this.#params) internal.resetSearchParams(this.#params, this.#c[SEARCH].slice(1));
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
      if (this.#params) internal.resetSearchParams(this.#params, c[SEARCH].slice(1));
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
      if (this.#params === null) this.#params = internal.newSearchParams(this.#c[SEARCH], this);
      return this.#params;
    }
    toString() { return this.#c[HREF]; }
    toJSON() { return this.#c[HREF]; }
    get [Symbol.toStringTag]() { return "URL"; }
    static {
      // isURL tells a URL object (one this constructor made) from any other value.
      internal.isURL = (o) => typeof o === "object" && o !== null && #c in o;
      // setURLQuery sets url's query to query (serialized), for its
      // URLSearchParams, without resetting that list.
      internal.setURLQuery = (url, query) => URL[SET_QUERY](url, query);
    }
    [internal.inspectSymbol](inspect) {
      return "URL " + inspect({ href: this.href, origin: this.origin, protocol: this.protocol,
        username: this.username, password: this.password, host: this.host, hostname: this.hostname,
        port: this.port, pathname: this.pathname, hash: this.hash, search: this.search });
    }
  }

  Object.defineProperty(URL, "length", { value: 1, configurable: true });
  globalThis.URL = URL;
})
