// Placeholder: base64 is being written.
(function (globalThis, host, internal) {
  "use strict";
})
