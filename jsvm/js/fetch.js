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
    return new Promise((resolve, reject) => {
      let method, url, headers, body, redirect, signal;
      if (typeof input === "string" && init === undefined) {
        // fetch(url): the Request it would build has only defaults (GET,
        // no headers, no body, redirect "follow", no signal), so none is
        // built: the most common call costs one URL parse.
        url = fetchURL(input);
        method = "GET";
        headers = NO_HEADERS;
        body = null;
        redirect = "follow";
        signal = null;
      } else {
        const req = internal.requestForFetch(input, init);
        signal = req.signal;
        if (signal && signal.aborted) throw signal.reason;
        if (internal.bodyUnusable(req)) throw new TypeError("fetch: the request body was already used");
        // Only http(s) requests send a body: the host answers data: URLs
        // itself and rejects other schemes.
        url = req.url;
        method = req.method;
        headers = internal.headerPairs(req.headers);
        const sendsBody = url.startsWith("https:") || url.startsWith("http:");
        body = sendsBody ? internal.bodyForHost(req) : null;
        redirect = req.redirect;
      }
      let onAbort = null;
      const id = host.fetch(method, url, headers, body, redirect,
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
