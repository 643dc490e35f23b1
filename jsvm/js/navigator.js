// navigator: what a Deno-style runtime says about itself.
(function (globalThis, host, internal) {
  "use strict";

  const ILLEGAL = Symbol("illegal constructor guard");
  const userAgent = host.navigatorUserAgent();
  const hardwareConcurrency = host.navigatorHardwareConcurrency();
  const languages = Object.freeze(["en-US"]);

  class Navigator {
    #brand = true;
    constructor(guard) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: use the global navigator object");
    }
    static #check(self, what) {
      if (!(typeof self === "object" && self !== null && #brand in self)) {
        throw new TypeError(`Navigator.${what}: illegal invocation (read it from navigator)`);
      }
    }
    get userAgent() { Navigator.#check(this, "userAgent"); return userAgent; }
    get hardwareConcurrency() { Navigator.#check(this, "hardwareConcurrency"); return hardwareConcurrency; }
    get language() { Navigator.#check(this, "language"); return languages[0]; }
    get languages() { Navigator.#check(this, "languages"); return languages; }
    [internal.inspectSymbol](inspect) {
      return `Navigator { userAgent: ${inspect(userAgent)}, hardwareConcurrency: ${inspect(hardwareConcurrency)}, ` +
        `language: ${inspect(languages[0])}, languages: ${inspect(languages)} }`;
    }
  }
  for (const name of ["userAgent", "hardwareConcurrency", "language", "languages"]) {
    const d = Object.getOwnPropertyDescriptor(Navigator.prototype, name);
    d.enumerable = true;
    Object.defineProperty(Navigator.prototype, name, d);
  }
  Object.defineProperty(Navigator.prototype, Symbol.toStringTag, { value: "Navigator", configurable: true });

  const navigator = new Navigator(ILLEGAL);
  Object.defineProperty(globalThis, "Navigator", { value: Navigator, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, "navigator", { value: navigator, writable: true, configurable: true, enumerable: false });
})
