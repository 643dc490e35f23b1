// WebIDL conversions shared by the API files that take USVString
// arguments (URLSearchParams, Blob and File, FormData). Its own file so
// that each of them can use it without installing the others.
(function (globalThis, host, internal) {
  "use strict";

  const LONE_SURROGATE = /[\uD800-\uDFFF]/;

  // toUSVString converts a JS value to a string and replaces lone surrogates
  // with U+FFFD (WebIDL USVString). A template literal is ToString, which
  // throws a TypeError for Symbols as WebIDL requires.
  internal.toUSVString = function toUSVString(v) {
    const s = typeof v === "string" ? v : `${v}`;
    if (!LONE_SURROGATE.test(s)) return s;
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xDC00 && d <= 0xDFFF) { out += s[i] + s[i + 1]; i++; continue; }
      }
      out += c >= 0xD800 && c <= 0xDFFF ? "\uFFFD" : s[i];
    }
    return out;
  };
})
