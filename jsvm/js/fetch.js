// fetch(): builds a Request and hands it to the host, which answers data:
// URLs itself, routes platform hosts inside the platform and everything else
// out through Go's HTTP client.
(function (globalThis, host, internal) {
  "use strict";

  function fetch(input, init) {
    return new Promise((resolve, reject) => {
      const req = internal.requestForFetch(input, init);
      const signal = req.signal;
      if (signal && signal.aborted) throw signal.reason;
      if (internal.bodyUnusable(req)) throw new TypeError("fetch: the request body was already used");
      let onAbort = null;
      // Only http(s) requests send a body: the host answers data: URLs
      // itself and rejects other schemes.
      const url = req.url;
      const sendsBody = url.startsWith("https:") || url.startsWith("http:");
      const id = host.fetch(req.method, url, internal.headerPairs(req.headers),
        sendsBody ? internal.bodyForHost(req) : null, req.redirect,
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
