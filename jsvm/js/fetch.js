// fetch(): builds a Request and hands it to the host, which answers data:
// URLs itself, routes platform hosts inside the platform and everything else
// out through Go's HTTP client.
(function (globalThis, host, internal) {
  "use strict";

  const NO_HEADERS = Object.freeze([]);

  // fetchURL is what `new Request(input)` does with a URL string: parse it
  // against the base and refuse credentials, with the same errors (and no
  // URL object).
  function fetchURL(input) {
    const href = internal.parseHref(input, internal.baseURL());
    if (href === null) {
      throw new TypeError(`Request URL must not include credentials: ${input}`);
    }
    return href;
  }

  function fetch(input, init) {
    // fetch(new URL(...)): the Request would be built from String(input)
    // (the URL's href), as from a string, so it takes the same path.
    if (init === undefined && typeof input === "object" && internal.isURLInput(input)) {
      try {
        input = String(input);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (typeof input === "string" && init === undefined) {
      // fetch(url): the Request it would build has only defaults (GET, no
      // headers, no body, redirect "follow", no signal), so none is built:
      // the most common call costs one URL parse. With no signal there is
      // nothing to abort, and the host makes the promise (host.fetch with
      // no callback).
      try {
        return host.fetch("GET", fetchURL(input), NO_HEADERS, null, "follow", null);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => {
      const req = internal.requestForFetch(input, init);
      const signal = req.signal;
      if (signal && signal.aborted) throw signal.reason;
      if (internal.bodyUnusable(req)) throw new TypeError("fetch: the request body was already used");
      // Only http(s) requests send a body: the host answers data: URLs
      // itself and rejects other schemes.
      const url = req.url;
      const sendsBody = url.startsWith("https:") || url.startsWith("http:");
      const body = sendsBody ? internal.bodyForHost(req) : null;
      let onAbort = null;
      const id = host.fetch(req.method, url, internal.headerPairs(req.headers), body, req.redirect,
        (err, status, statusText, headerPairs, respBody, url, redirected) => {
          if (onAbort !== null) internal.signalRemoveAlgorithm(signal, onAbort);
          if (err !== null) {
            reject(new TypeError(err)); // the host wrote the whole message
            return;
          }
          resolve(internal.newResponse(status, statusText, headerPairs, respBody, url, redirected));
        });
      // Aborting before the response arrives stops the host request and
      // rejects with the signal's reason (an AbortError by default).
      if (signal && internal.isAbortSignal(signal)) {
        onAbort = () => {
          host.fetchAbort(id);
          reject(signal.reason);
        };
        internal.signalAddAlgorithm(signal, onAbort);
      }
    });
  }

  globalThis.fetch = fetch;
})
