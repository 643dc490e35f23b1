// Response (Fetch Standard), with buffered bodies.
(function (globalThis, host, internal) {
  "use strict";

  const REDIRECT = [301, 302, 303, 307, 308];
  const NULL_BODY = [101, 103, 204, 205, 304];
  // Made on first use (see request.js's TOKEN).
  let REASON = null;

  const TEXT_PLAIN = "text/plain;charset=UTF-8";

  class Response {
    #status = 200;
    #statusText = "";
    // The Headers object, made on first use when the constructor had no
    // headers init: most handlers never touch a response's headers, and
    // building them (and appending the body's Content-Type) was the larger
    // part of `new Response("hello")`. Until then #contentType holds the
    // one header such a response has (or null), and toHost sends it as is.
    #headers = null;
    #contentType = null;
    // A Response received over fetch keeps the host's flat header list
    // [name, value, ...] here until someone asks for its headers (a worker
    // that forwards a response's text never does).
    #hostHeaders = null;
    #type = "default";
    #url = "";
    #redirected = false;
    #body; // body state (see body.js)

    constructor(body = null, init = undefined) {
      if (init === undefined || init === null || typeof init !== "object") {
        // No ResponseInit: the common `new Response(text)` needs no checks.
        if (body === null || body === undefined) {
          this.#body = internal.newBodyState(null);
        } else if (typeof body === "string") {
          this.#contentType = TEXT_PLAIN;
          this.#body = internal.newBodyState(body);
        } else {
          const b = internal.extractBody(body);
          this.#contentType = b.type;
          this.#body = internal.newBodyState(b.source);
        }
        return;
      }
      if (init.status !== undefined) {
        // WebIDL unsigned short: truncate, then wrap modulo 2^16.
        let s = Math.trunc(Number(init.status));
        s = Number.isFinite(s) ? ((s % 65536) + 65536) % 65536 : 0;
        if (s < 200 || s > 599) {
          throw new RangeError(`The status provided (${init.status}) is outside the range [200, 599]`);
        }
        this.#status = s;
      }
      if (init.statusText !== undefined) {
        const t = String(init.statusText);
        if (REASON === null) REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
        if (!REASON.test(t)) throw new TypeError("Invalid statusText");
        this.#statusText = t;
      }
      const headersInit = init.headers;
      if (headersInit !== undefined) this.#headers = new Headers(headersInit);
      let bytes = null;
      if (body !== null && body !== undefined) {
        if (NULL_BODY.includes(this.#status)) {
          throw new TypeError(`Response with null body status (${this.#status}) cannot have body`);
        }
        let type;
        if (typeof body === "string") {
          bytes = body; // what extractBody gives, without its result object
          type = TEXT_PLAIN;
        } else {
          const b = internal.extractBody(body);
          bytes = b.source;
          type = b.type;
        }
        if (type !== null) {
          if (this.#headers === null) this.#contentType = type;
          else if (!this.#headers.has("content-type")) this.#headers.append("content-type", type);
        }
      }
      this.#body = internal.newBodyState(bytes);
    }

    // #headersObject is the response's Headers object, made from the pending
    // Content-Type if the Headers object was never needed.
    #headersObject() {
      if (this.#headers === null) {
        if (this.#hostHeaders !== null) {
          this.#headers = internal.headersFromHost(this.#hostHeaders, "immutable");
          this.#hostHeaders = null;
        } else {
          this.#headers = internal.headersFromPairs(this.#contentType === null ? [] : [["content-type", this.#contentType]], "none");
          this.#contentType = null;
        }
      }
      return this.#headers;
    }

    static json(data, init = {}) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError("Response.json: the data is not JSON serializable");
      const headers = new Headers(init && init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(text, { ...init, headers });
    }
    static redirect(url, status = 302) {
      const parsed = new URL(String(url), internal.baseURL());
      if (!REDIRECT.includes(status)) throw new RangeError(`Invalid redirect status code: ${status}`);
      const r = new Response(null, { status, headers: { location: parsed.href } });
      r.headers[internal.headersGuard] = "immutable";
      return r;
    }
    static error() {
      const r = new Response(null, { status: 200 });
      r.#status = 0;
      r.#type = "error";
      r.headers[internal.headersGuard] = "immutable";
      return r;
    }

    get status() { return this.#status; }
    get statusText() { return this.#statusText; }
    get ok() { return this.#status >= 200 && this.#status <= 299; }
    get headers() { return this.#headers !== null ? this.#headers : this.#headersObject(); }
    get type() { return this.#type; }
    get url() { return this.#url; }
    get redirected() { return this.#redirected; }
    clone() {
      if (internal.bodyUnusable(this)) throw new TypeError("Cannot clone a Response whose body was already used");
      const r = new Response(null, { status: this.#status === 0 ? 200 : this.#status, statusText: this.#statusText, headers: this.#headersObject() });
      r.#status = this.#status; r.#type = this.#type; r.#url = this.#url; r.#redirected = this.#redirected;
      internal.cloneBody(this, r);
      return r;
    }
    get [Symbol.toStringTag]() { return "Response"; }
    [internal.inspectSymbol](inspect) {
      return "Response " + inspect({ body: null, bodyUsed: this.bodyUsed, headers: this.headers, ok: this.ok,
        redirected: this.redirected, status: this.status, statusText: this.statusText, url: this.url });
    }

    // fromHost builds a Response received over fetch.
    static [internal.responseFromHost = Symbol("fromHost")](status, statusText, headerPairs, body, url, redirected) {
      const r = new Response(null);
      r.#hostHeaders = headerPairs;
      r.#status = status; r.#statusText = statusText; r.#url = url; r.#redirected = redirected;
      r.#type = "basic";
      r.#body = internal.newBodyState(internal.bodyFromHost(body));
      return r;
    }
    // toHost(id, r) hands a Response to the host: host.respond(id, null, status,
    // headers, body, type), where headers is the header list (pairs), or
    // just the Content-Type value when that is the only header and the
    // Headers object was never made (no list to build), or null for none.
    // It returns false, without responding, if r is not a Response.
    static [internal.responseToHost = Symbol("toHost")](id, r) {
      if (!(r instanceof Response)) return false;
      const b = r.#body;
      let body;
      if (!b.used && (b.source === null || typeof b.source === "string")) {
        body = b.source; // unread text or no body (most responses): as is
      } else {
        if (internal.bodyStateUnusable(b)) throw new TypeError("The handler returned a Response whose body was already read (or is locked by a reader)");
        body = internal.bodyStateForHost(b);
      }
      const headers = r.#headers !== null || r.#hostHeaders !== null ? internal.headerPairs(r.#headersObject()) : r.#contentType;
      host.respond(id, null, r.#status, headers, body, r.#type);
      return true;
    }

    static {
      internal.installBody(Response.prototype, {
        get: (o) => (#body in o ? o.#body : undefined),
        set: (o, state) => {
          if (!(#body in o)) return false;
          o.#body = state;
          return true;
        },
      });
    }
  }

  // newResponse(status, statusText, headerPairs, body, url, redirected) is
  // fromHost itself: it does not use its this, so it needs no wrapper (an
  // arrow function and Function.prototype.call on every fetch response).
  internal.newResponse = Response[internal.responseFromHost];
  // respondWith answers request id with r (see toHost).
  // toHost does not use its this: it is respondWith itself.
  internal.respondWith = Response[internal.responseToHost];

  globalThis.Response = Response;
})
