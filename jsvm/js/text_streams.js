// Placeholder: text_streams is being written.
(function (globalThis, host, internal) {
  "use strict";
})
