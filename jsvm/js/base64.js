// atob / btoa (HTML): base64 of "binary strings", whose code units are bytes.
// The work is done by Go (host.base64Encode / host.base64Decode).
(function (globalThis, host, internal) {
  "use strict";

  const toDOMString = internal.toDOMString;
  const NOT_LATIN1 = /[^\x00-\xFF]/;

  function requireArgs(got, where) {
    if (got < 1) throw new TypeError(`${where}: 1 argument required, but only 0 present`);
  }

  function btoa(data) {
    requireArgs(arguments.length, "btoa");
    data = toDOMString(data);
    const bad = NOT_LATIN1.exec(data);
    if (bad !== null) {
      throw internal.domException(
        "InvalidCharacterError",
        `btoa: the string contains a character outside the Latin1 range (code unit 0x${bad[0].charCodeAt(0).toString(16).toUpperCase()} at index ${bad.index}); encode it to bytes first, for example with TextEncoder`,
      );
    }
    return host.base64Encode(data);
  }

  function atob(data) {
    requireArgs(arguments.length, "atob");
    data = toDOMString(data);
    const out = host.base64Decode(data);
    if (out === null) {
      throw internal.domException(
        "InvalidCharacterError",
        "atob: the string is not valid base64 (only A-Z, a-z, 0-9, '+', '/', whitespace and up to two trailing '=' are allowed, and the length without whitespace must fit base64 groups)",
      );
    }
    return out;
  }

  for (const fn of [atob, btoa]) {
    Object.defineProperty(globalThis, fn.name, { value: fn, writable: true, configurable: true, enumerable: true });
  }
})
