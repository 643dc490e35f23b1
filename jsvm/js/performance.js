// Placeholder: performance is being written.
(function (globalThis, host, internal) {
  "use strict";
})
