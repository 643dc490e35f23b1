// URLPattern (WHATWG URL Pattern Standard). Patterns are compiled in Go
// (host.urlPatternCompile: tokenizer, parser, canonicalization, regexp and
// pattern-string generation); this file keeps the WebIDL surface and matches
// with RegExp objects, so regexp groups keep ECMAScript semantics.
(function (globalThis, host, internal) {
  "use strict";

  const RegExpCtor = RegExp;
  const regexpExec = RegExp.prototype.exec;
  const ReflectApply = Reflect.apply;
  const ObjectDefineProperty = Object.defineProperty;

  const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];
  // URLPatternInit members in WebIDL dictionary order (lexicographic).
  const INIT_MEMBERS = ["baseURL", "hash", "hostname", "password", "pathname", "port", "protocol", "search", "username"];
  const SPECIAL_SCHEMES = ["ftp", "file", "http", "https", "ws", "wss"];

  // WebIDL USVString: ToString, then lone surrogates become U+FFFD.
  function usv(v) {
    if (typeof v === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    const s = String(v);
    let out = null;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0xd800 || c > 0xdfff) continue;
      if (c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      }
      if (out === null) out = s.split("");
      out[i] = "\ufffd";
    }
    return out === null ? s : out.join("");
  }

  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }

  // URLPatternInit dictionary: only present members, as strings.
  function toInit(v, what) {
    if (v === undefined || v === null) return {};
    if (!isObject(v)) throw new TypeError(`${what} must be a string or a URLPatternInit object`);
    const out = {};
    for (const k of INIT_MEMBERS) {
      const m = v[k];
      if (m !== undefined) out[k] = usv(m);
    }
    return out;
  }

  // (USVString or URLPatternInit)
  function toInput(v, what) {
    if (v === undefined || v === null || isObject(v)) return toInit(v, what);
    return usv(v);
  }

  function toOptions(v) {
    if (v === undefined || v === null) return false;
    if (!isObject(v)) throw new TypeError("URLPattern options must be an object");
    return !!v.ignoreCase;
  }

  function execRegExp(re, s) {
    return ReflectApply(regexpExec, re, [s]);
  }

  // Called from Go while compiling: does the protocol component match a special scheme?
  function protocolMatchesSpecial(source) {
    let re;
    try {
      re = new RegExpCtor(source, "u");
    } catch (e) {
      throw new TypeError(`Invalid protocol pattern: ${e.message}`);
    }
    for (const s of SPECIAL_SCHEMES) {
      if (execRegExp(re, s) !== null) return true;
    }
    return false;
  }

  class URLPattern {
    // One entry per component: { pattern, regexp, names, index, optional, hasRegExpGroups }:
    // group names[j] is exec() index[j]; optional[j] marks a bare "(...)?" group.
    #components;

    constructor() {
      const argc = arguments.length;
      let input = arguments[0], baseURL, options;
      // WebIDL overload resolution between (input, baseURL, options) and (input, options).
      const second = arguments[1];
      if (argc >= 3 || (argc === 2 && second !== undefined && !isObject(second) && second !== null)) {
        baseURL = usv(second);
        options = arguments[2];
      } else {
        options = second;
      }
      input = toInput(input, "URLPattern input");
      const ignoreCase = toOptions(options);
      const compiled = host.urlPatternCompile(input, baseURL, ignoreCase, protocolMatchesSpecial);
      this.#components = compiled.map(([pattern, source, flags, names, index, optional, hasRegExpGroups], i) => {
        let regexp;
        try {
          regexp = new RegExpCtor(source, flags);
        } catch (e) {
          throw new TypeError(`Invalid ${COMPONENTS[i]} pattern '${pattern}': ${e.message}`);
        }
        return { pattern, regexp, names, index, optional, hasRegExpGroups };
      });
    }

    // match: the component strings and exec() results, or null.
    #match(args) {
      const input = toInput(args[0], "URLPattern input");
      const baseURL = args[1] === undefined ? undefined : usv(args[1]);
      const values = host.urlPatternInput(input, baseURL);
      if (values === null) return null;
      const results = [];
      for (let i = 0; i < 8; i++) {
        const m = execRegExp(this.#components[i].regexp, values[i]);
        if (m === null) return null;
        results.push(m);
      }
      const inputs = [input];
      if (typeof input === "string" && baseURL !== undefined) inputs.push(baseURL);
      return { inputs, values, results };
    }

    test() {
      return this.#match(arguments) !== null;
    }

    exec() {
      const m = this.#match(arguments);
      if (m === null) return null;
      const result = { inputs: m.inputs };
      for (let i = 0; i < 8; i++) {
        const c = this.#components[i];
        const groups = {};
        for (let j = 0; j < c.names.length; j++) {
          let v = m.results[i][c.index[j]];
          // ECMAScript never lets "(...)?" match the empty string; goja's engines do.
          if (v === "" && c.optional[j]) v = undefined;
          groups[c.names[j]] = v;
        }
        result[COMPONENTS[i]] = { input: m.values[i], groups };
      }
      return result;
    }

    get protocol() { return this.#components[0].pattern; }
    get username() { return this.#components[1].pattern; }
    get password() { return this.#components[2].pattern; }
    get hostname() { return this.#components[3].pattern; }
    get port() { return this.#components[4].pattern; }
    get pathname() { return this.#components[5].pattern; }
    get search() { return this.#components[6].pattern; }
    get hash() { return this.#components[7].pattern; }
    get hasRegExpGroups() { return this.#components.some((c) => c.hasRegExpGroups); }

    [internal.inspectSymbol](inspect) {
      const o = {};
      for (let i = 0; i < 8; i++) o[COMPONENTS[i]] = this.#components[i].pattern;
      o.hasRegExpGroups = this.hasRegExpGroups;
      return "URLPattern " + inspect(o);
    }
  }

  ObjectDefineProperty(URLPattern.prototype, Symbol.toStringTag, { value: "URLPattern", configurable: true });
  ObjectDefineProperty(globalThis, "URLPattern", { value: URLPattern, writable: true, configurable: true, enumerable: false });
})
