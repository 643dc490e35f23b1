// Response (Fetch Standard), with buffered bodies.
(function (globalThis, host, internal) {
  "use strict";

  const REDIRECT = [301, 302, 303, 307, 308];
  const NULL_BODY = [101, 103, 204, 205, 304];
  const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

  class Response {
    #status = 200;
    #statusText = "";
    #headers;
    #type = "default";
    #url = "";
    #redirected = false;

    constructor(body = null, init = {}) {
      if (init === null || typeof init !== "object") init = {};
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
        if (!REASON.test(t)) throw new TypeError("Invalid statusText");
        this.#statusText = t;
      }
      this.#headers = new Headers(init.headers);
      let bytes = null;
      if (body !== null && body !== undefined) {
        if (NULL_BODY.includes(this.#status)) {
          throw new TypeError(`Response with null body status (${this.#status}) cannot have body`);
        }
        const b = internal.extractBody(body);
        bytes = b.source;
        if (b.type !== null && !this.#headers.has("content-type")) this.#headers.append("content-type", b.type);
      }
      internal.setBody(this, bytes);
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
    get headers() { return this.#headers; }
    get type() { return this.#type; }
    get url() { return this.#url; }
    get redirected() { return this.#redirected; }
    clone() {
      if (internal.bodyUnusable(this)) throw new TypeError("Cannot clone a Response whose body was already used");
      const r = new Response(null, { status: this.#status === 0 ? 200 : this.#status, statusText: this.#statusText, headers: this.#headers });
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
      r.#headers = internal.headersFromPairs(headerPairs, "immutable");
      r.#status = status; r.#statusText = statusText; r.#url = url; r.#redirected = redirected;
      r.#type = "basic";
      internal.setBody(r, internal.bodyFromHost(body));
      return r;
    }
    // toHost flattens a Response for the host: [status, headerPairs, bodyBuffer|null].
    static [internal.responseToHost = Symbol("toHost")](r) {
      if (!(r instanceof Response)) return null;
      if (internal.bodyUnusable(r)) throw new TypeError("The handler returned a Response whose body was already read (or is locked by a reader)");
      return [r.#status, internal.headerPairs(r.#headers), internal.bodyForHost(r), r.#type];
    }
  }
  internal.installBody(Response.prototype);

  internal.newResponse = (...args) => Response[internal.responseFromHost](...args);
  internal.flattenResponse = (r) => Response[internal.responseToHost](r);

  globalThis.Response = Response;
})
