// Request (Fetch Standard). Bodies are buffered until someone needs them as
// a stream (see body.js).
(function (globalThis, host, internal) {
  "use strict";

  // Made on first use (few requests name a method): a regular expression
  // made here would make goja build RegExp.prototype in every VM.
  let TOKEN = null;
  const NORMALIZE = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
  const FORBIDDEN = ["CONNECT", "TRACE", "TRACK"];
  const CORS_SAFELISTED = ["GET", "HEAD", "POST"];

  // The WebIDL enums of RequestInit.
  const ENUMS = {
    mode: ["navigate", "same-origin", "no-cors", "cors"],
    credentials: ["omit", "same-origin", "include"],
    cache: ["default", "no-store", "reload", "no-cache", "force-cache", "only-if-cached"],
    redirect: ["follow", "error", "manual"],
    referrerPolicy: ["", "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
      "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url"],
    duplex: ["half"],
    priority: ["high", "low", "auto"],
  };
  function enumValue(member, v) {
    const s = String(v);
    if (!ENUMS[member].includes(s)) {
      throw new TypeError(`RequestInit: '${s}' is not a valid ${member} (expected one of: ${ENUMS[member].map((e) => JSON.stringify(e)).join(", ")})`);
    }
    return s;
  }

  function normalizeMethod(m) {
    m = String(m);
    if (TOKEN === null) TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
    if (!TOKEN.test(m)) throw new TypeError(`'${m}' is not a valid HTTP method`);
    const upper = m.toUpperCase();
    if (FORBIDDEN.includes(upper)) throw new TypeError(`'${m}' HTTP method is unsupported`);
    return NORMALIZE.includes(upper) ? upper : m;
  }

  // readInit converts a RequestInit dictionary as WebIDL does: every member
  // read once, in lexicographic order, enums checked. empty tells whether
  // any member was present.
  function readInit(init) {
    const o = { empty: true };
    if (init === undefined || init === null) return o;
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError("Request: the second argument (init) must be an object (a RequestInit dictionary) or undefined");
    }
    let v;
    if ((v = init.body) !== undefined) { o.body = v; o.empty = false; }
    if ((v = init.cache) !== undefined) { o.cache = enumValue("cache", v); o.empty = false; }
    if ((v = init.credentials) !== undefined) { o.credentials = enumValue("credentials", v); o.empty = false; }
    if ((v = init.duplex) !== undefined) { o.duplex = enumValue("duplex", v); o.empty = false; }
    if ((v = init.headers) !== undefined) { o.headers = v; o.empty = false; }
    if ((v = init.integrity) !== undefined) { o.integrity = String(v); o.empty = false; }
    if ((v = init.keepalive) !== undefined) { o.keepalive = !!v; o.empty = false; }
    if ((v = init.method) !== undefined) { o.method = String(v); o.empty = false; }
    if ((v = init.mode) !== undefined) { o.mode = enumValue("mode", v); o.empty = false; }
    if ((v = init.priority) !== undefined) { o.priority = enumValue("priority", v); o.empty = false; }
    if ((v = init.redirect) !== undefined) { o.redirect = enumValue("redirect", v); o.empty = false; }
    if ((v = init.referrer) !== undefined) { o.referrer = String(v); o.empty = false; }
    if ((v = init.referrerPolicy) !== undefined) { o.referrerPolicy = enumValue("referrerPolicy", v); o.empty = false; }
    if ((v = init.signal) !== undefined) {
      if (v !== null && !internal.isAbortSignal(v)) throw new TypeError("RequestInit: signal must be an AbortSignal or null");
      o.signal = v;
      o.empty = false;
    }
    if ((v = init.window) !== undefined) { o.window = v; o.empty = false; }
    return o;
  }

  // The attributes few requests set. Requests that keep all of them share
  // DEFAULTS (the host's incoming requests leave the slot undefined).
  const DEFAULTS = Object.freeze({
    mode: "cors", credentials: "same-origin", cache: "default", referrer: "client", referrerPolicy: "",
    integrity: "", keepalive: false, priority: "auto",
  });

  // referrerFor is the request's referrer for RequestInit's referrer: "" is
  // no referrer; a URL of another origin than the runtime's (which has none
  // unless a base URL is set) is the client.
  function referrerFor(value) {
    if (value === "") return "no-referrer";
    let parsed;
    try {
      parsed = new URL(value, internal.baseURL());
    } catch {
      throw new TypeError(`RequestInit: referrer ${JSON.stringify(value)} is not a valid URL; pass an absolute URL, "about:client" or ""`);
    }
    if (parsed.href === "about:client") return "client";
    const base = internal.baseURL();
    if (base === undefined) return "client";
    const origin = new URL(base).origin;
    if (origin === "null" || parsed.origin !== origin) return "client";
    return parsed.href;
  }

  // newRequest's token: a Request constructed with it is left empty for
  // newRequest to fill with what the host already parsed and validated
  // (the hot path). Private to this file, so user code cannot pass it.
  const FROM_HOST = {};
  let fillFromHost = null; // (request, method, url, headerPairs, body), set below
  // Set by clone() for the one construction that follows: the new request
  // gets a copy of the body instead of taking it.
  let cloning = false;
  // Set by internal.requestForFetch for the one construction that follows:
  // the new request is fetch()'s own and never seen by user code, so it may
  // take the input's body stream as it is instead of through a proxy.
  let forFetch = false;

  class Request {
    #method;
    #url;
    // The Headers object. For a request from the host it is made on first
    // use from #hostHeaders (the host's flat [name, value, ...] list): many
    // handlers never look at the headers.
    #headers = null;
    #hostHeaders = null;
    #redirect = "follow";
    #signal = null;
    #opts; // undefined (the defaults) or an object shaped like DEFAULTS
    #body; // body state (see body.js)

    constructor(input, init = undefined) {
      if (input === FROM_HOST) return;
      const copyBody = cloning;
      const takeBody = forFetch;
      cloning = false;
      forFetch = false;
      const inputRequest = input instanceof Request ? input : null;
      if (inputRequest === null) input = String(input);
      const o = readInit(init);

      let opts;
      let fallbackMode = null;
      if (inputRequest !== null) {
        this.#method = inputRequest.#method;
        this.#url = inputRequest.#url;
        this.#redirect = inputRequest.#redirect;
        this.#signal = inputRequest.#signal;
        opts = inputRequest.#opts === undefined ? DEFAULTS : inputRequest.#opts;
      } else {
        const parsed = new URL(input, internal.baseURL());
        if (parsed.username || parsed.password) {
          throw new TypeError(`Request URL must not include credentials: ${input}`);
        }
        this.#method = "GET";
        this.#url = parsed.href;
        opts = DEFAULTS;
        fallbackMode = "cors";
      }
      if (o.window !== undefined && o.window !== null) {
        throw new TypeError("RequestInit: window can only be null (there is no window here)");
      }
      // With no init, a request from a URL has the defaults (its fallback
      // mode, "cors", is the default) and one from a request shares the
      // input's attributes (never changed after construction).
      if (!o.empty) {
        opts = { ...opts, referrer: "client", referrerPolicy: "" };
        if (o.referrer !== undefined) opts.referrer = referrerFor(o.referrer);
        if (o.referrerPolicy !== undefined) opts.referrerPolicy = o.referrerPolicy;
        const mode = o.mode !== undefined ? o.mode : fallbackMode;
        if (mode === "navigate") throw new TypeError("RequestInit: mode \"navigate\" cannot be set by a script");
        if (mode !== null) opts.mode = mode;
        if (o.credentials !== undefined) opts.credentials = o.credentials;
        if (o.cache !== undefined) opts.cache = o.cache;
        if (opts.cache === "only-if-cached" && opts.mode !== "same-origin") {
          throw new TypeError("RequestInit: cache \"only-if-cached\" needs mode \"same-origin\"");
        }
        if (o.redirect !== undefined) this.#redirect = o.redirect;
        if (o.integrity !== undefined) opts.integrity = o.integrity;
        if (o.keepalive !== undefined) opts.keepalive = o.keepalive;
        if (o.method !== undefined) this.#method = normalizeMethod(o.method);
        if (o.signal !== undefined) this.#signal = o.signal;
        if (o.priority !== undefined) opts.priority = o.priority;
        if (opts.mode === "no-cors" && !CORS_SAFELISTED.includes(this.#method)) {
          throw new TypeError(`RequestInit: mode "no-cors" allows only the methods GET, HEAD and POST, not ${this.#method}`);
        }
      }
      this.#opts = opts === DEFAULTS ? undefined : opts;

      // A "no-cors" request's headers keep only CORS-safelisted ones (the
      // request-no-cors guard), from init or from the input request.
      const headersInit = o.headers !== undefined ? o.headers : inputRequest !== null ? inputRequest.#headersObject() : undefined;
      if (opts.mode === "no-cors") this.#headers = internal.newHeaders(headersInit, "request-no-cors");
      else this.#headers = new Headers(headersInit);

      // The body (steps 33-42 of the constructor): init's body replaces the
      // input's; either makes GET and HEAD invalid. Nothing above touched
      // the input's body, so a construction that throws leaves it usable.
      const inputHasBody = inputRequest !== null && internal.bodySource(inputRequest) !== null;
      const initHasBody = o.body !== undefined && o.body !== null;
      if ((initHasBody || inputHasBody) && (this.#method === "GET" || this.#method === "HEAD")) {
        throw new TypeError("Request with GET/HEAD method cannot have body");
      }
      if (initHasBody) {
        const b = internal.extractBody(o.body);
        if (internal.isBodyStream(b.source)) {
          if (o.duplex === undefined) {
            throw new TypeError("RequestInit: duplex: \"half\" is required when the body is a ReadableStream");
          }
          if (opts.mode !== "cors" && opts.mode !== "same-origin") {
            throw new TypeError(`RequestInit: a ReadableStream body needs mode "cors" or "same-origin", not "${opts.mode}"`);
          }
        }
        if (b.type !== null && !this.#headers.has("content-type")) this.#headers.append("content-type", b.type);
        internal.setBody(this, b.source);
        // The input's body is replaced, and the input is disturbed.
        if (inputHasBody && !copyBody) internal.disturbBody(inputRequest);
      } else if (inputHasBody) {
        if (internal.bodyUnusable(inputRequest)) {
          throw new TypeError("Cannot construct a Request from one whose body was already used; clone() it before reading, or pass a new body in init");
        }
        if (copyBody) internal.cloneBody(inputRequest, this);
        else internal.moveBody(inputRequest, this, takeBody);
      } else {
        internal.setBody(this, null);
      }
    }

    get method() { return this.#method; }
    get url() { return this.#url; }
    get headers() { return this.#headers !== null ? this.#headers : this.#headersObject(); }
    #headersObject() {
      if (this.#headers === null) {
        this.#headers = internal.headersFromHost(this.#hostHeaders, "immutable");
        this.#hostHeaders = null;
      }
      return this.#headers;
    }
    get redirect() { return this.#redirect; }
    get destination() { this.#method; return ""; }
    get referrer() {
      const r = (this.#opts || DEFAULTS).referrer;
      return r === "no-referrer" ? "" : r === "client" ? "about:client" : r;
    }
    get referrerPolicy() { return (this.#opts || DEFAULTS).referrerPolicy; }
    get mode() { return (this.#opts || DEFAULTS).mode; }
    get credentials() { return (this.#opts || DEFAULTS).credentials; }
    get cache() { return (this.#opts || DEFAULTS).cache; }
    get integrity() { return (this.#opts || DEFAULTS).integrity; }
    get keepalive() { return (this.#opts || DEFAULTS).keepalive; }
    get isReloadNavigation() { this.#method; return false; }
    get isHistoryNavigation() { this.#method; return false; }
    get duplex() { this.#method; return "half"; }
    // A request made without a signal gets one that never aborts, made on
    // first use (most handlers never look).
    get signal() {
      if (this.#signal === null) this.#signal = new AbortController().signal;
      return this.#signal;
    }
    clone() {
      this.#method; // brand check
      if (internal.bodyUnusable(this)) throw new TypeError("Cannot clone a Request whose body was already used");
      cloning = true;
      return new Request(this);
    }
    get [Symbol.toStringTag]() { return "Request"; }
    [internal.inspectSymbol](inspect) {
      return "Request " + inspect({ bodyUsed: this.bodyUsed, headers: this.headers, method: this.method,
        redirect: this.redirect, url: this.url });
    }

    static {
      fillFromHost = (r, method, url, headerPairs, body) => {
        r.#method = method;
        r.#url = url;
        r.#hostHeaders = headerPairs;
        r.#body = internal.newBodyState(body);
      };
      internal.installBody(Request.prototype, {
        get: (o) => (#body in o ? o.#body : undefined),
        set: (o, state) => {
          if (!(#body in o)) return false;
          o.#body = state;
          return true;
        },
      });
    }
  }

  // newRequest builds an incoming Request from host parts without re-parsing
  // what Go already checked.
  internal.newRequest = function (method, url, headerPairs, body) {
    const r = new Request(FROM_HOST);
    fillFromHost(r, method, url, headerPairs, internal.bodyFromHost(body));
    return r;
  };

  // requestForFetch is `new Request(input, init)` for fetch(): the result
  // stays inside fetch, so an input request's body stream moves over as it
  // is rather than through a proxy stream.
  internal.requestForFetch = function (input, init) {
    forFetch = true;
    try {
      return new Request(input, init);
    } finally {
      forFetch = false;
    }
  };

  // isURLInput tells whether `new Request(input)` takes input as a URL
  // object, converting it with String(input) (it is no Request).
  internal.isURLInput = (input) => internal.isURL(input) && !(input instanceof Request);

  globalThis.Request = Request;
})
