// fetch(): builds a Request and hands it to the host, which routes platform
// hosts inside the platform and everything else out through Go's HTTP client.
(function (globalThis, host, internal) {
  "use strict";

  function fetch(input, init) {
    return new Promise((resolve, reject) => {
      const req = new Request(input, init);
      const signal = req.signal;
      if (signal && signal.aborted) throw signal.reason;
      if (internal.bodyUnusable(req)) throw new TypeError("fetch: the request body was already used");
      let onAbort = null;
      const id = host.fetch(req.method, req.url, internal.headerPairs(req.headers),
        internal.bodyForHost(req), req.redirect,
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
