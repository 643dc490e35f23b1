// internal.parseJSONValue: JSON.parse for the JSON values Deno.storage and
// Deno.Kv store (kv_value.js encodes them).
(function (globalThis, host, internal) {
  "use strict";

  // parseJSONValue is JSON.parse for a stored JSON value (kv_value.js's
  // encoding, which JSON.stringify wrote), reading the common small values
  // without it: a number in its shortest form, true, false, null, and a
  // string with no escape. goja's JSON.parse makes a decoder and its
  // buffer, about 2 KB, for every call. Anything else goes to JSON.parse.
  // It is in a file of its own, installed on first use (by Deno.storage.get
  // and Deno.Kv reads), so that a VM that never reads a stored value does
  // not hold it.
  function parseJSONValue(data) {
    const c = data.charCodeAt(0);
    if (c === 34) { // "
      if (data.length >= 2 && data.indexOf('"', 1) === data.length - 1 && data.indexOf("\\") === -1) {
        return data.slice(1, -1);
      }
    } else if (c === 45 || (c >= 48 && c <= 57)) { // - or a digit
      const n = +data;
      if (Number.isFinite(n) && String(n) === data) return n; // finite, and in its shortest form
    } else if (data === "true") {
      return true;
    } else if (data === "false") {
      return false;
    } else if (data === "null") {
      return null;
    }
    return JSON.parse(data);
  }
  internal.parseJSONValue = parseJSONValue;
})
