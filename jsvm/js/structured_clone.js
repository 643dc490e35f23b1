// Placeholder: structured_clone is being written.
(function (globalThis, host, internal) {
  "use strict";
})
