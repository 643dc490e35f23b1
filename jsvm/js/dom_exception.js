// Placeholder: dom_exception is being written.
(function (globalThis, host, internal) {
  "use strict";
})
