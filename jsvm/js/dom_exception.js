// DOMException, as WebIDL defines it: an Error-like object with a name, a
// message and a legacy numeric code. Other prelude files create them through
// internal.domException(name, message).
(function (globalThis, host, internal) {
  "use strict";

  // The legacy code of each error name that has one (WebIDL's error names
  // table); names without a code report 0.
  const codes = {
    IndexSizeError: 1,
    HierarchyRequestError: 3,
    WrongDocumentError: 4,
    InvalidCharacterError: 5,
    NoModificationAllowedError: 7,
    NotFoundError: 8,
    NotSupportedError: 9,
    InUseAttributeError: 10,
    InvalidStateError: 11,
    SyntaxError: 12,
    InvalidModificationError: 13,
    NamespaceError: 14,
    InvalidAccessError: 15,
    TypeMismatchError: 17,
    SecurityError: 18,
    NetworkError: 19,
    AbortError: 20,
    URLMismatchError: 21,
    QuotaExceededError: 22,
    TimeoutError: 23,
    InvalidNodeTypeError: 24,
    DataCloneError: 25,
  };

  // The legacy constants, exposed on both the constructor and the prototype.
  const constants = [
    ["INDEX_SIZE_ERR", 1], ["DOMSTRING_SIZE_ERR", 2], ["HIERARCHY_REQUEST_ERR", 3],
    ["WRONG_DOCUMENT_ERR", 4], ["INVALID_CHARACTER_ERR", 5], ["NO_DATA_ALLOWED_ERR", 6],
    ["NO_MODIFICATION_ALLOWED_ERR", 7], ["NOT_FOUND_ERR", 8], ["NOT_SUPPORTED_ERR", 9],
    ["INUSE_ATTRIBUTE_ERR", 10], ["INVALID_STATE_ERR", 11], ["SYNTAX_ERR", 12],
    ["INVALID_MODIFICATION_ERR", 13], ["NAMESPACE_ERR", 14], ["INVALID_ACCESS_ERR", 15],
    ["VALIDATION_ERR", 16], ["TYPE_MISMATCH_ERR", 17], ["SECURITY_ERR", 18],
    ["NETWORK_ERR", 19], ["ABORT_ERR", 20], ["URL_MISMATCH_ERR", 21],
    ["QUOTA_EXCEEDED_ERR", 22], ["TIMEOUT_ERR", 23], ["INVALID_NODE_TYPE_ERR", 24],
    ["DATA_CLONE_ERR", 25],
  ];

  // WebIDL DOMString conversion: like String(), but symbols are a TypeError.
  function toDOMString(v) {
    if (typeof v === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    return String(v);
  }

  let isDOMException;

  class DOMException {
    #name;
    #message;

    constructor(message = "", name = "Error") {
      this.#message = toDOMString(message);
      this.#name = toDOMString(name);
      // A stack like an Error's: "Name: message" and the caller's frames
      // (dropping this file's frames: this constructor and the
      // internal.domException helper).
      const frames = (new Error().stack || "").split("\n").slice(1).filter((l) => !l.includes("edge:dom_exception.js"));
      const head = this.#message === "" ? this.#name : this.#name + ": " + this.#message;
      Object.defineProperty(this, "stack", {
        value: [head].concat(frames).join("\n").trimEnd(),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }

    get name() {
      check(this, "name");
      return this.#name;
    }

    get message() {
      check(this, "message");
      return this.#message;
    }

    get code() {
      check(this, "code");
      return Object.prototype.hasOwnProperty.call(codes, this.#name) ? codes[this.#name] : 0;
    }

    static {
      isDOMException = (v) => v !== null && typeof v === "object" && #name in v;
    }
  }

  function check(v, what) {
    if (!isDOMException(v)) {
      throw new TypeError(`DOMException.prototype.${what}: 'this' is not a DOMException; call it on a DOMException object`);
    }
  }

  Object.setPrototypeOf(DOMException.prototype, Error.prototype);
  for (const [k, v] of constants) {
    const desc = { value: v, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(DOMException, k, desc);
    Object.defineProperty(DOMException.prototype, k, desc);
  }
  for (const k of ["name", "message", "code"]) {
    Object.defineProperty(DOMException.prototype, k, { enumerable: true });
  }
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, {
    value: "DOMException",
    configurable: true,
  });
  Object.defineProperty(DOMException.prototype, internal.inspectSymbol, {
    value: function () { return this.stack; },
    configurable: true,
  });

  Object.defineProperty(globalThis, "DOMException", {
    value: DOMException,
    writable: true,
    configurable: true,
    enumerable: false,
  });

  internal.domException = (name, message) => new DOMException(message, name);
  internal.isDOMException = isDOMException;
  internal.toDOMString = toDOMString;
})
