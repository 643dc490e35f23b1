// Request (Fetch Standard), with buffered bodies.
(function (globalThis, host, internal) {
  "use strict";

  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const NORMALIZE = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
  const FORBIDDEN = ["CONNECT", "TRACE", "TRACK"];

  function normalizeMethod(m) {
    m = String(m);
    if (!TOKEN.test(m)) throw new TypeError(`'${m}' is not a valid HTTP method`);
    const upper = m.toUpperCase();
    if (FORBIDDEN.includes(upper)) throw new TypeError(`'${m}' HTTP method is unsupported`);
    return NORMALIZE.includes(upper) ? upper : m;
  }

  // Set by newRequest for the one construction that follows: a request the
  // host already parsed and validated skips re-parsing (the hot path).
  let trusted = null;
  // Set by clone() for the one construction that follows: the new request
  // gets a copy of the body instead of taking it.
  let cloning = false;

  class Request {
    #method;
    #url;
    #headers;
    #redirect;
    #signal;

    constructor(input, init = {}) {
      if (trusted !== null) {
        const t = trusted;
        trusted = null;
        this.#method = t.method;
        this.#url = t.url;
        this.#headers = t.headers;
        this.#redirect = "follow";
        this.#signal = null;
        internal.setBody(this, t.body);
        return;
      }
      if (init === null || typeof init !== "object") init = {};
      let bytes = null;
      let cloneFrom = null;
      const copyBody = cloning;
      cloning = false;
      if (input instanceof Request) {
        this.#method = input.#method;
        this.#url = input.#url;
        this.#headers = new Headers(input.#headers);
        this.#redirect = input.#redirect;
        this.#signal = input.#signal;
        if (internal.bodyUnusable(input)) throw new TypeError("Cannot construct a Request from one whose body was already used");
        cloneFrom = input;
      } else {
        const parsed = new URL(String(input), internal.baseURL());
        if (parsed.username || parsed.password) {
          throw new TypeError(`Request URL must not include credentials: ${input}`);
        }
        this.#method = "GET";
        this.#url = parsed.href;
        this.#headers = new Headers();
        this.#redirect = "follow";
        this.#signal = null;
      }
      if (init.method !== undefined) this.#method = normalizeMethod(init.method);
      if (init.headers !== undefined) this.#headers = new Headers(init.headers);
      if (init.redirect !== undefined) {
        if (!["follow", "error", "manual"].includes(init.redirect)) {
          throw new TypeError(`'${init.redirect}' is not a valid redirect mode (follow, error, manual)`);
        }
        this.#redirect = init.redirect;
      }
      if (init.signal !== undefined && init.signal !== null) {
        if (!internal.isAbortSignal(init.signal)) throw new TypeError("RequestInit: signal must be an AbortSignal");
        this.#signal = init.signal;
      }
      if (init.body !== undefined && init.body !== null) {
        if (this.#method === "GET" || this.#method === "HEAD") {
          throw new TypeError("Request with GET/HEAD method cannot have body");
        }
        const b = internal.extractBody(init.body);
        if (internal.isReadableStream(b.source) && init.duplex !== "half") {
          throw new TypeError("RequestInit: duplex: \"half\" is required when the body is a ReadableStream");
        }
        bytes = b.source;
        cloneFrom = null;
        if (b.type !== null && !this.#headers.has("content-type")) this.#headers.append("content-type", b.type);
      } else if (init.body === null) {
        cloneFrom = null;
      }
      if (cloneFrom !== null && copyBody) internal.cloneBody(cloneFrom, this);
      else if (cloneFrom !== null) internal.moveBody(cloneFrom, this);
      else internal.setBody(this, bytes);
    }

    get method() { return this.#method; }
    get url() { return this.#url; }
    get headers() { return this.#headers; }
    get redirect() { return this.#redirect; }
    // A request made without a signal gets one that never aborts, made on
    // first use (most handlers never look).
    get signal() {
      if (this.#signal === null) this.#signal = new AbortController().signal;
      return this.#signal;
    }
    clone() {
      if (internal.bodyUnusable(this)) throw new TypeError("Cannot clone a Request whose body was already used");
      cloning = true;
      return new Request(this);
    }
    get [Symbol.toStringTag]() { return "Request"; }
    [internal.inspectSymbol](inspect) {
      return "Request " + inspect({ bodyUsed: this.bodyUsed, headers: this.headers, method: this.method,
        redirect: this.redirect, url: this.url });
    }
  }
  internal.installBody(Request.prototype);

  // newRequest builds an incoming Request from host parts without re-parsing
  // what Go already checked.
  internal.newRequest = function (method, url, headerPairs, body) {
    trusted = {
      method,
      url,
      headers: internal.headersFromPairs(headerPairs, "immutable"),
      body: internal.bodyFromHost(body),
    };
    return new Request(url);
  };

  globalThis.Request = Request;
})
