// Placeholder: urlpattern is being written.
(function (globalThis, host, internal) {
  "use strict";
})
