// fetch(): builds a Request and hands it to the host, which routes platform
// hosts inside the platform and everything else out through Go's HTTP client.
(function (globalThis, host, internal) {
  "use strict";

  function fetch(input, init) {
    return new Promise((resolve, reject) => {
      const req = new Request(input, init);
      if (req.signal && req.signal.aborted) {
        throw req.signal.reason ?? new Error("The operation was aborted");
      }
      if (req.bodyUsed) throw new TypeError("fetch: the request body was already used");
      host.fetch(req.method, req.url, internal.headerPairs(req.headers),
        internal.bodyForHost(req), req.redirect,
        (err, status, statusText, headerPairs, respBody, url, redirected) => {
          if (err !== null) {
            reject(new TypeError(err)); // the host wrote the whole message
            return;
          }
          resolve(internal.newResponse(status, statusText, headerPairs, respBody, url, redirected));
        });
    });
  }

  globalThis.fetch = fetch;
})
