// edge's implementation of the testharness.js API (written from the
// documented API at https://web-platform-tests.org/writing-tests/testharness-api.html;
// it is not WPT's testharness.js). It runs as a classic script before a test
// file's META scripts. The Go runner talks to it through:
//   globalThis.__wpt_config   {testTimeout, title}    set by the runner first
//   globalThis.__wpt_report   (json) => void          exposed by the runner
//   globalThis.__wpt_harness  {loaded, scriptError, timeout}  defined here
// The report is JSON: {status, message, tests: [{name, status, message}]}.
(function (global) {
  "use strict";

  const config = global.__wpt_config || {};
  const report = global.__wpt_report;
  delete global.__wpt_config;
  delete global.__wpt_report;

  // ---- value formatting ---------------------------------------------------

  function formatString(s) {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const ch = s[i];
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (c === 0) out += "\\0";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\b") out += "\\b";
      else if (ch === "\f") out += "\\f";
      else if (ch === "\v") out += "\\v";
      else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += "\\x" + c.toString(16).padStart(2, "0");
      else if (c >= 0xd800 && c <= 0xdfff) {
        const next = s.charCodeAt(i + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          out += ch + s[i + 1];
          i++;
        } else {
          out += "\\u" + c.toString(16).toUpperCase();
        }
      } else out += ch;
    }
    return out + '"';
  }

  function format_value(v, seen) {
    switch (typeof v) {
      case "string":
        return formatString(v);
      case "number":
        return Object.is(v, -0) ? "-0" : String(v);
      case "bigint":
        return String(v) + "n";
      case "symbol":
        return v.toString();
      case "undefined":
      case "boolean":
        return String(v);
      case "function":
        return "function \"" + (v.name || "anonymous") + "\"";
    }
    if (v === null) return "null";
    seen = seen || [];
    if (seen.includes(v)) return "[...]";
    if (Array.isArray(v)) {
      seen.push(v);
      const parts = [];
      for (let i = 0; i < v.length; i++) parts.push(i in v ? format_value(v[i], seen) : "");
      seen.pop();
      return "[" + parts.join(", ") + "]";
    }
    try {
      if (typeof DOMException === "function" && v instanceof DOMException) {
        return v.name + ": " + v.message;
      }
      if (v instanceof Error) return v.name + ": " + v.message;
    } catch (e) { /* fall through */ }
    try {
      const s = String(v);
      if (s !== "[object Object]") return s;
    } catch (e) { /* fall through */ }
    return "object \"" + Object.prototype.toString.call(v) + "\"";
  }

  // ---- assertion errors ---------------------------------------------------

  function AssertionError(message) {
    if (!(this instanceof AssertionError)) return new AssertionError(message);
    this.message = message;
    const probe = new Error(message);
    this.stack = probe.stack;
  }
  AssertionError.prototype = Object.create(Error.prototype, {
    constructor: { value: AssertionError, writable: true, configurable: true },
    name: { value: "AssertionError", writable: true, configurable: true },
  });

  function OptionalFeatureUnsupportedError(message) {
    AssertionError.call(this, message);
  }
  OptionalFeatureUnsupportedError.prototype = Object.create(AssertionError.prototype, {
    constructor: { value: OptionalFeatureUnsupportedError, writable: true, configurable: true },
    name: { value: "OptionalFeatureUnsupportedError", writable: true, configurable: true },
  });

  // fail throws the AssertionError for a named assertion.
  function fail(assertion, description, detail) {
    let msg = assertion + ": ";
    if (description !== undefined && description !== null && description !== "") msg += description + " ";
    throw new AssertionError(msg + detail);
  }

  function check(cond, assertion, description, detailFn) {
    if (!cond) fail(assertion, description, detailFn());
  }

  // ---- assertions ---------------------------------------------------------

  function sameValue(a, b) {
    return Object.is(a, b);
  }

  function assert_true(actual, description) {
    check(actual === true, "assert_true", description, () => "expected true got " + format_value(actual));
  }

  function assert_false(actual, description) {
    check(actual === false, "assert_false", description, () => "expected false got " + format_value(actual));
  }

  function assert_equals(actual, expected, description) {
    if (typeof actual !== typeof expected) {
      fail("assert_equals", description, "expected (" + typeof expected + ") " + format_value(expected) +
        " but got (" + typeof actual + ") " + format_value(actual));
    }
    check(sameValue(actual, expected), "assert_equals", description,
      () => "expected " + format_value(expected) + " but got " + format_value(actual));
  }

  function assert_not_equals(actual, expected, description) {
    check(!sameValue(actual, expected), "assert_not_equals", description,
      () => "got disallowed value " + format_value(actual));
  }

  function assert_in_array(actual, expected, description) {
    check(expected.indexOf(actual) !== -1, "assert_in_array", description,
      () => "value " + format_value(actual) + " not in array " + format_value(expected));
  }

  function isArrayLike(v) {
    return v !== null && (typeof v === "object" || typeof v === "function") && "length" in v;
  }

  function assert_array_equals(actual, expected, description) {
    check(isArrayLike(actual), "assert_array_equals", description,
      () => "value is " + format_value(actual) + ", expected array");
    check(actual.length === expected.length, "assert_array_equals", description,
      () => "lengths differ, expected array " + format_value(expected) + " length " + expected.length +
        ", got " + format_value(actual) + " length " + actual.length);
    for (let i = 0; i < actual.length; i++) {
      check((i in actual) === (i in expected), "assert_array_equals", description,
        () => "expected property " + i + " to be " + ((i in expected) ? "present" : "missing") +
          " but it was " + ((i in actual) ? "present" : "missing"));
      check(sameValue(actual[i], expected[i]), "assert_array_equals", description,
        () => "expected property " + i + " to be " + format_value(expected[i]) + " but got " +
          format_value(actual[i]) + " (expected array " + format_value(expected) + " got " + format_value(actual) + ")");
    }
  }

  function assert_array_approx_equals(actual, expected, epsilon, description) {
    check(isArrayLike(actual), "assert_array_approx_equals", description,
      () => "value is " + format_value(actual) + ", expected array");
    check(actual.length === expected.length, "assert_array_approx_equals", description,
      () => "lengths differ, expected " + expected.length + " got " + actual.length);
    for (let i = 0; i < actual.length; i++) {
      check(typeof actual[i] === "number", "assert_array_approx_equals", description,
        () => "property " + i + " expected a number but got a " + typeof actual[i]);
      check(Math.abs(actual[i] - expected[i]) <= epsilon, "assert_array_approx_equals", description,
        () => "property " + i + ", expected " + format_value(expected[i]) + " +/- " + format_value(epsilon) +
          " but got " + format_value(actual[i]));
    }
  }

  function assert_approx_equals(actual, expected, epsilon, description) {
    check(typeof actual === "number", "assert_approx_equals", description,
      () => "expected a number but got a " + typeof actual);
    // Equal infinities (and other exactly equal values) are equal whatever epsilon is.
    check(actual === expected || Math.abs(actual - expected) <= epsilon, "assert_approx_equals", description,
      () => "expected " + format_value(expected) + " +/- " + format_value(epsilon) + " but got " + format_value(actual));
  }

  function compareNumbers(name, op, relation) {
    return function (actual, expected, description) {
      check((typeof actual === "number" || typeof actual === "bigint") && typeof actual === typeof expected,
        name, description, () => "expected a " + typeof expected + " but got a " + typeof actual);
      check(op(actual, expected), name, description,
        () => "expected a number " + relation + " " + format_value(expected) + " but got " + format_value(actual));
    };
  }

  const assert_less_than = compareNumbers("assert_less_than", (a, b) => a < b, "less than");
  const assert_greater_than = compareNumbers("assert_greater_than", (a, b) => a > b, "greater than");
  const assert_less_than_equal = compareNumbers("assert_less_than_equal", (a, b) => a <= b, "less than or equal to");
  const assert_greater_than_equal = compareNumbers("assert_greater_than_equal", (a, b) => a >= b, "greater than or equal to");

  function assert_between_exclusive(actual, lower, upper, description) {
    check(typeof actual === "number", "assert_between_exclusive", description, () => "expected a number but got a " + typeof actual);
    check(actual > lower && actual < upper, "assert_between_exclusive", description,
      () => "expected a number greater than " + lower + " and less than " + upper + " but got " + format_value(actual));
  }

  function assert_between_inclusive(actual, lower, upper, description) {
    check(typeof actual === "number", "assert_between_inclusive", description, () => "expected a number but got a " + typeof actual);
    check(actual >= lower && actual <= upper, "assert_between_inclusive", description,
      () => "expected a number greater than or equal to " + lower + " and less than or equal to " + upper +
        " but got " + format_value(actual));
  }

  function assert_regexp_match(actual, expected, description) {
    check(expected.test(actual), "assert_regexp_match", description,
      () => "expected " + format_value(actual) + " to match " + String(expected));
  }

  function assert_class_string(object, class_string, description) {
    const actual = Object.prototype.toString.call(object);
    const expected = "[object " + class_string + "]";
    check(actual === expected, "assert_class_string", description,
      () => "expected " + format_value(expected) + " but got " + format_value(actual));
  }

  function assert_own_property(object, property_name, description) {
    check(Object.prototype.hasOwnProperty.call(object, property_name), "assert_own_property", description,
      () => "expected property " + format_value(property_name) + " missing");
  }

  function assert_not_own_property(object, property_name, description) {
    check(!Object.prototype.hasOwnProperty.call(object, property_name), "assert_not_own_property", description,
      () => "unexpected property " + format_value(property_name) + " is found on object");
  }

  function inheritedCheck(assertion) {
    return function (object, property_name, description) {
      check((typeof object === "object" && object !== null) || typeof object === "function", assertion, description,
        () => "provided value is not an object");
      check(!Object.prototype.hasOwnProperty.call(object, property_name), assertion, description,
        () => "property " + format_value(property_name) + " found on object, expected in prototype chain");
      check(property_name in object, assertion, description,
        () => "property " + format_value(property_name) + " not found in prototype chain");
    };
  }
  const assert_inherits = inheritedCheck("assert_inherits");
  const assert_idl_attribute = inheritedCheck("assert_idl_attribute");

  function assert_readonly(object, property_name, description) {
    const initial = object[property_name];
    try {
      try {
        object[property_name] = initial + "a";
      } catch (e) { /* strict-mode setters may throw; the value must still not change */ }
      check(sameValue(object[property_name], initial), "assert_readonly", description,
        () => "changing property " + format_value(property_name) + " succeeded");
    } finally {
      try { object[property_name] = initial; } catch (e) { /* read-only, as expected */ }
    }
  }

  function assert_object_equals(actual, expected, description) {
    check(typeof actual === "object" && actual !== null, "assert_object_equals", description,
      () => "value is " + format_value(actual) + ", expected object");
    const stack = [];
    function walk(a, e, path) {
      stack.push(a);
      for (const p in a) {
        check(Object.prototype.hasOwnProperty.call(e, p), "assert_object_equals", description,
          () => "unexpected property " + format_value(path.concat(p).join(".")));
        if (typeof a[p] === "object" && a[p] !== null) {
          if (!stack.includes(a[p])) walk(a[p], e[p], path.concat(p));
        } else {
          check(sameValue(a[p], e[p]), "assert_object_equals", description,
            () => "property " + format_value(path.concat(p).join(".")) + " expected " + format_value(e[p]) +
              " got " + format_value(a[p]));
        }
      }
      for (const p in e) {
        check(Object.prototype.hasOwnProperty.call(a, p), "assert_object_equals", description,
          () => "expected property " + format_value(path.concat(p).join(".")) + " missing");
      }
      stack.pop();
    }
    walk(actual, expected, []);
  }

  function assert_unreached(description) {
    fail("assert_unreached", undefined, "Reached unreachable code" + (description ? ": " + description : ""));
  }

  function assert_implements(condition, description) {
    check(!!condition, "assert_implements", description, () => "");
  }

  function assert_implements_optional(condition, description) {
    if (!condition) throw new OptionalFeatureUnsupportedError("assert_implements_optional: " + (description || ""));
  }

  function assert_any(assert_func, actual, expected_array, ...args) {
    const errors = [];
    for (const expected of expected_array) {
      try {
        assert_func(actual, expected, ...args);
        return;
      } catch (e) {
        errors.push(e.message);
      }
    }
    fail("assert_any", undefined, errors.join("\n"));
  }

  // ---- exceptions ---------------------------------------------------------

  // DOMException names and their legacy codes (0: no legacy code), plus
  // the legacy constant names that assert_throws_dom also accepts.
  const DOM_CODES = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
    InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24,
    DataCloneError: 25,
    EncodingError: 0, NotReadableError: 0, UnknownError: 0, ConstraintError: 0, DataError: 0,
    TransactionInactiveError: 0, ReadOnlyError: 0, VersionError: 0, OperationError: 0,
    NotAllowedError: 0, OptOutError: 0,
  };
  const LEGACY_NAMES = {
    INDEX_SIZE_ERR: "IndexSizeError", HIERARCHY_REQUEST_ERR: "HierarchyRequestError",
    WRONG_DOCUMENT_ERR: "WrongDocumentError", INVALID_CHARACTER_ERR: "InvalidCharacterError",
    NO_MODIFICATION_ALLOWED_ERR: "NoModificationAllowedError", NOT_FOUND_ERR: "NotFoundError",
    NOT_SUPPORTED_ERR: "NotSupportedError", INUSE_ATTRIBUTE_ERR: "InUseAttributeError",
    INVALID_STATE_ERR: "InvalidStateError", SYNTAX_ERR: "SyntaxError",
    INVALID_MODIFICATION_ERR: "InvalidModificationError", NAMESPACE_ERR: "NamespaceError",
    INVALID_ACCESS_ERR: "InvalidAccessError", TYPE_MISMATCH_ERR: "TypeMismatchError",
    SECURITY_ERR: "SecurityError", NETWORK_ERR: "NetworkError", ABORT_ERR: "AbortError",
    URL_MISMATCH_ERR: "URLMismatchError", QUOTA_EXCEEDED_ERR: "QuotaExceededError",
    TIMEOUT_ERR: "TimeoutError", INVALID_NODE_TYPE_ERR: "InvalidNodeTypeError",
    DATA_CLONE_ERR: "DataCloneError",
  };

  // domName resolves assert_throws_dom's type (a name, a legacy constant
  // name or a legacy code number) to a DOMException name.
  function domName(type, assertion) {
    if (typeof type === "number") {
      for (const n in DOM_CODES) if (DOM_CODES[n] === type && type !== 0) return n;
    } else if (typeof type === "string") {
      if (Object.prototype.hasOwnProperty.call(LEGACY_NAMES, type)) return LEGACY_NAMES[type];
      if (Object.prototype.hasOwnProperty.call(DOM_CODES, type)) return type;
    }
    throw new AssertionError(assertion + ": test bug: unknown DOMException type " + format_value(type));
  }

  function callExpectingThrow(func, assertion, description) {
    if (typeof func !== "function") {
      fail(assertion, description, format_value(func) + " is not a function");
    }
    try {
      func.call(this);
    } catch (e) {
      return { thrown: true, e };
    }
    return { thrown: false };
  }

  function checkDOM(name, e, constructor, assertion, description) {
    check(typeof e === "object" && e !== null, assertion, description,
      () => "threw " + format_value(e) + " with type " + typeof e + ", not an object");
    const ctor = constructor || global.DOMException;
    check(typeof ctor === "function", assertion, description, () => "DOMException is not defined");
    check(e.name === name, assertion, description,
      () => "threw " + format_value(e) + " that is not a DOMException " + name + ": property \"name\" is equal to " +
        format_value(e.name) + ", expected " + format_value(name));
    check(e.code === DOM_CODES[name], assertion, description,
      () => "threw " + format_value(e) + ": property \"code\" is equal to " + format_value(e.code) +
        ", expected " + DOM_CODES[name]);
    check(e.constructor === ctor, assertion, description,
      () => "threw an exception from the wrong global (its constructor is not DOMException)");
  }

  function throwsDOM(assertion, type, funcOrConstructor, descOrFunc, maybeDesc, thisObj) {
    let constructor, func, description;
    if (typeof descOrFunc === "function") {
      constructor = funcOrConstructor;
      func = descOrFunc;
      description = maybeDesc;
    } else {
      func = funcOrConstructor;
      description = descOrFunc;
    }
    const name = domName(type, assertion);
    const r = callExpectingThrow.call(thisObj, func, assertion, description);
    if (!r.thrown) fail(assertion, description, func + " did not throw");
    checkDOM(name, r.e, constructor, assertion, description);
  }

  function assert_throws_dom(type, funcOrConstructor, descOrFunc, maybeDesc) {
    throwsDOM("assert_throws_dom", type, funcOrConstructor, descOrFunc, maybeDesc, this);
  }

  function checkJS(constructor, e, assertion, description) {
    check(typeof e === "object" && e !== null, assertion, description,
      () => "threw " + format_value(e) + " with type " + typeof e + ", not an object");
    check(e.constructor === constructor, assertion, description,
      () => "threw " + format_value(e) + " (constructor " + (e.constructor && e.constructor.name) +
        ") but expected a " + constructor.name);
    check(e.name === constructor.name, assertion, description,
      () => "threw " + format_value(e) + " with name " + format_value(e.name) + ", expected " + constructor.name);
  }

  function assert_throws_js(constructor, func, description) {
    if (typeof constructor !== "function") {
      throw new AssertionError("assert_throws_js: test bug: the first argument must be a constructor");
    }
    const r = callExpectingThrow.call(this, func, "assert_throws_js", description);
    if (!r.thrown) fail("assert_throws_js", description, func + " did not throw");
    checkJS(constructor, r.e, "assert_throws_js", description);
  }

  function assert_throws_exactly(exception, func, description) {
    const r = callExpectingThrow.call(this, func, "assert_throws_exactly", description);
    if (!r.thrown) fail("assert_throws_exactly", description, func + " did not throw");
    check(sameValue(r.e, exception), "assert_throws_exactly", description,
      () => "threw " + format_value(r.e) + " but we expected it to throw " + format_value(exception));
  }

  // checkLegacy implements the old assert_throws(code, ...): code is null
  // (anything), a DOMException name or constant, or an object whose name
  // the thrown value must share (new TypeError(), {name: "AbortError"}).
  function checkLegacy(code, e, assertion, description) {
    if (code === null) return;
    if (typeof code === "string" || typeof code === "number") {
      checkDOM(domName(code, assertion), e, undefined, assertion, description);
      return;
    }
    check(typeof e === "object" && e !== null, assertion, description,
      () => "threw " + format_value(e) + " with type " + typeof e + ", not an object");
    check(e.name === code.name, assertion, description,
      () => "threw " + format_value(e) + " with name " + format_value(e.name) + ", expected " + format_value(code.name));
    if (Object.prototype.hasOwnProperty.call(DOM_CODES, code.name) && DOM_CODES[code.name] !== 0 && "code" in e) {
      check(e.code === DOM_CODES[code.name], assertion, description,
        () => "threw " + format_value(e) + " with code " + e.code + ", expected " + DOM_CODES[code.name]);
    }
  }

  function assert_throws(code, func, description) {
    const r = callExpectingThrow.call(this, func, "assert_throws", description);
    if (!r.thrown) fail("assert_throws", description, func + " did not throw");
    checkLegacy(code, r.e, "assert_throws", description);
  }

  function rejectsWith(test, promise, description, checker) {
    return Promise.resolve(promise).then(
      test.unreached_func("Should have rejected: " + description),
      checker);
  }

  function promise_rejects_js(test, constructor, promise, description) {
    return rejectsWith(test, promise, description, (e) => checkJS(constructor, e, "promise_rejects_js", description));
  }

  function promise_rejects_dom(test, type, promiseOrConstructor, descOrPromise, maybeDesc) {
    let constructor, promise, description;
    if (typeof promiseOrConstructor === "function" && !(promiseOrConstructor instanceof Promise)) {
      constructor = promiseOrConstructor;
      promise = descOrPromise;
      description = maybeDesc;
    } else {
      promise = promiseOrConstructor;
      description = descOrPromise;
    }
    const name = domName(type, "promise_rejects_dom");
    return rejectsWith(test, promise, description,
      (e) => checkDOM(name, e, constructor, "promise_rejects_dom", description));
  }

  function promise_rejects_exactly(test, exception, promise, description) {
    return rejectsWith(test, promise, description, (e) => check(sameValue(e, exception), "promise_rejects_exactly",
      description, () => "rejected with " + format_value(e) + " but we expected " + format_value(exception)));
  }

  function promise_rejects(test, expected, promise, description) {
    return rejectsWith(test, promise, description, (e) => checkLegacy(expected, e, "promise_rejects", description));
  }

  // ---- tests --------------------------------------------------------------

  const PASS = 0, FAIL = 1, TIMEOUT = 2, NOTRUN = 3, PRECONDITION_FAILED = 4;
  const STATUS_NAMES = ["PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED"];
  const INITIAL = 0, STARTED = 1, HAS_RESULT = 2, CLEANING = 3, COMPLETE = 4;

  const harness = {
    tests: [],
    allLoaded: false,
    finished: false,
    status: "OK",
    message: null,
    explicitDone: false,
    allowUncaught: false,
    timeoutMultiplier: 1,
    testTimeout: typeof config.testTimeout === "number" ? config.testTimeout : 10000,
    promiseQueue: Promise.resolve(),
    completionCallbacks: [],
    resultCallbacks: [],
    startCallbacks: [],
    started: false,
    singleTest: null,
    untitled: 0,
  };

  function harnessError(message) {
    if (harness.status === "OK") {
      harness.status = "ERROR";
      harness.message = message;
    }
  }

  function describeError(e) {
    if (e instanceof AssertionError) return e.message;
    if (e !== null && typeof e === "object") {
      try {
        if ("name" in e && "message" in e) return String(e.name) + ": " + String(e.message);
      } catch (x) { /* fall through */ }
    }
    try {
      return "threw " + format_value(e);
    } catch (x) {
      return "threw an exception that cannot be described";
    }
  }

  function defaultName() {
    const title = config.title || "Untitled";
    harness.untitled++;
    return harness.untitled === 1 ? title : title + " " + harness.untitled;
  }

  function Test(name, properties) {
    if (typeof name !== "string" || name === "") name = defaultName();
    this.name = name;
    this.properties = properties || {};
    this.phase = INITIAL;
    this.status = null;
    this.message = null;
    this.stack = null;
    this.cleanup_callbacks = [];
    this._timer = null;
    this._isPromiseTest = false;
    let resolveDone;
    this._done = new Promise((r) => { resolveDone = r; });
    this._resolveDone = resolveDone;
    if (harness.finished) {
      this._ignored = true;
      return;
    }
    harness.tests.push(this);
    if (!harness.started) {
      harness.started = true;
      for (const cb of harness.startCallbacks) safeCall(cb);
    }
  }

  Object.defineProperty(Test.prototype, "phases", {
    value: { INITIAL, STARTED, HAS_RESULT, CLEANING, COMPLETE },
  });
  Test.prototype.PASS = PASS;
  Test.prototype.FAIL = FAIL;
  Test.prototype.TIMEOUT = TIMEOUT;
  Test.prototype.NOTRUN = NOTRUN;
  Test.prototype.PRECONDITION_FAILED = PRECONDITION_FAILED;

  Test.prototype._start = function () {
    if (this.phase !== INITIAL) return;
    this.phase = STARTED;
    const ms = typeof this.properties.timeout === "number" ? this.properties.timeout : harness.testTimeout;
    if (this._timed && ms > 0) {
      this._timer = setTimeout(() => this.force_timeout(), ms * harness.timeoutMultiplier);
    }
  };

  Test.prototype.set_status = function (status, message, stack) {
    this.status = status;
    this.message = message === undefined ? null : message;
    this.stack = stack === undefined ? null : stack;
  };

  Test.prototype.step = function (func, this_obj, ...args) {
    if (this.phase > STARTED) return undefined;
    if (this.phase === INITIAL) this._start();
    if (this_obj === undefined) this_obj = this;
    try {
      return func.apply(this_obj, args);
    } catch (e) {
      if (this.phase > STARTED) return undefined;
      const status = e instanceof OptionalFeatureUnsupportedError ? PRECONDITION_FAILED : FAIL;
      this.set_status(status, describeError(e), e && e.stack);
      this.phase = HAS_RESULT;
      this.done();
      return undefined;
    }
  };

  Test.prototype.step_func = function (func, this_obj) {
    const test = this;
    return function (...args) {
      return test.step(func, this_obj === undefined ? this : this_obj, ...args);
    };
  };

  Test.prototype.step_func_done = function (func, this_obj) {
    const test = this;
    return function (...args) {
      let r;
      if (func) r = test.step(func, this_obj === undefined ? this : this_obj, ...args);
      test.done();
      return r;
    };
  };

  Test.prototype.unreached_func = function (description) {
    return this.step_func(function () {
      assert_unreached(description);
    });
  };

  Test.prototype.step_timeout = function (func, timeout, ...args) {
    const test = this;
    return setTimeout(this.step_func(function () {
      return func.apply(test, args);
    }), timeout * harness.timeoutMultiplier);
  };

  Test.prototype.step_wait_func = function (cond, func, description, timeout = 3000, interval = 100) {
    const test = this;
    const deadline = Date.now() + timeout * harness.timeoutMultiplier;
    const poll = () => {
      if (test.phase > STARTED) return;
      let ok;
      try {
        ok = cond();
      } catch (e) {
        test.step(() => { throw e; });
        return;
      }
      if (ok) {
        test.step(func);
      } else if (Date.now() >= deadline) {
        test.step(() => assert_unreached(description || "Timed out waiting on condition"));
      } else {
        setTimeout(poll, interval);
      }
    };
    poll();
  };

  Test.prototype.step_wait_func_done = function (cond, func, description, timeout, interval) {
    this.step_wait_func(cond, () => {
      if (func) func();
      this.done();
    }, description, timeout, interval);
  };

  Test.prototype.step_wait = function (cond, description, timeout = 3000, interval = 100) {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeout * harness.timeoutMultiplier;
      const poll = () => {
        let ok;
        try {
          ok = cond();
        } catch (e) {
          reject(e);
          return;
        }
        if (ok) resolve();
        else if (Date.now() >= deadline) {
          reject(new AssertionError("step_wait: " + (description || "Timed out waiting on condition")));
        } else setTimeout(poll, interval);
      };
      poll();
    });
  };

  Test.prototype.add_cleanup = function (callback) {
    this.cleanup_callbacks.push(callback);
  };

  Test.prototype.get_signal = function () {
    if (!this._controller) {
      this._controller = new AbortController();
      this.add_cleanup(() => this._controller.abort());
    }
    return this._controller.signal;
  };

  Test.prototype.force_timeout = function () {
    if (this.phase > STARTED) return;
    this.set_status(TIMEOUT, "Test timed out");
    this.phase = HAS_RESULT;
    this.done();
  };
  Test.prototype.timeout = Test.prototype.force_timeout;

  Test.prototype.done = function () {
    if (this.phase >= CLEANING) return;
    if (this.phase <= STARTED) this.set_status(PASS, null);
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this.phase = CLEANING;
    const pending = [];
    for (const cb of this.cleanup_callbacks) {
      try {
        const r = cb();
        if (r && typeof r.then === "function") {
          if (this._isPromiseTest) pending.push(r);
          else harnessError("Test named " + format_value(this.name) + " specified a cleanup function that returned a promise; only promise_test cleanups may");
        }
      } catch (e) {
        harnessError("Cleanup of test " + format_value(this.name) + " threw: " + describeError(e));
      }
    }
    const finish = () => {
      this.phase = COMPLETE;
      this._resolveDone();
      for (const cb of harness.resultCallbacks) safeCall(cb, this);
      maybeComplete();
    };
    if (pending.length === 0) finish();
    else {
      Promise.all(pending).then(finish, (e) => {
        harnessError("Cleanup of test " + format_value(this.name) + " rejected: " + describeError(e));
        finish();
      });
    }
  };

  function safeCall(fn, ...args) {
    try {
      fn(...args);
    } catch (e) {
      harnessError("A harness callback threw: " + describeError(e));
    }
  }

  function test(func, name, properties) {
    if (harness.singleTest) throw new Error("test() is not allowed in a single_test file");
    const t = new Test(name, properties);
    if (t._ignored) return t;
    const r = t.step(func, t, t);
    if (t.phase === STARTED) {
      if (r !== undefined && r !== null && typeof r.then === "function") {
        t.set_status(FAIL, "test named " + format_value(t.name) +
          " returned a promise; use promise_test for asynchronous tests");
        t.phase = HAS_RESULT;
      }
      t.done();
    }
    return t;
  }

  function async_test(func, name, properties) {
    if (typeof func !== "function") {
      properties = name;
      name = func;
      func = null;
    }
    const t = new Test(name, properties);
    if (t._ignored) return t;
    t._timed = true;
    t._start();
    if (func) t.step(func, t, t);
    return t;
  }

  function promise_test(func, name, properties) {
    const t = new Test(name, properties);
    if (t._ignored) return t;
    t._timed = true;
    t._isPromiseTest = true;
    harness.promiseQueue = harness.promiseQueue.then(() => runPromiseTest(t, func));
    return t;
  }

  function runPromiseTest(t, func) {
    if (t.phase !== INITIAL) return t._done;
    t._start();
    const r = t.step(func, t, t);
    if (t.phase === STARTED) {
      if (r === null || r === undefined || typeof r.then !== "function") {
        t.step(() => {
          throw new AssertionError("promise_test: test body must return a 'thenable' object (received " +
            format_value(r) + ")");
        });
      } else {
        Promise.resolve(r).then(
          () => t.done(),
          (e) => t.step(() => { throw e; }));
      }
    }
    return t._done;
  }

  function promise_setup(func, properties) {
    if (properties) applyProperties(properties);
    harness.promiseQueue = harness.promiseQueue.then(() => {
      let r;
      try {
        r = func();
      } catch (e) {
        harnessError("promise_setup threw: " + describeError(e));
        return undefined;
      }
      return Promise.resolve(r).then(undefined, (e) => harnessError("promise_setup rejected: " + describeError(e)));
    });
  }

  function applyProperties(p) {
    if (!p || typeof p !== "object") return;
    if (p.explicit_done) harness.explicitDone = true;
    if (p.allow_uncaught_exception) harness.allowUncaught = true;
    if (typeof p.timeout_multiplier === "number") harness.timeoutMultiplier = p.timeout_multiplier;
    if (p.single_test && !harness.singleTest) {
      harness.singleTest = new Test(config.title || "Untitled");
      harness.singleTest._start();
      harness.explicitDone = true;
    }
  }

  function setup(funcOrProperties, maybeProperties) {
    let func = null, properties = {};
    if (typeof funcOrProperties === "function") {
      func = funcOrProperties;
      properties = maybeProperties;
    } else {
      properties = funcOrProperties;
    }
    applyProperties(properties);
    if (func) {
      try {
        func();
      } catch (e) {
        harnessError("setup threw: " + describeError(e));
      }
    }
  }

  function done() {
    if (harness.singleTest) harness.singleTest.done();
    harness.allLoaded = true;
    maybeComplete();
  }

  function generate_tests(func, args, properties) {
    args.forEach(function (a, i) {
      const name = a[0];
      test(function () {
        func.apply(this, a.slice(1));
      }, name, Array.isArray(properties) ? properties[i] : properties);
    });
  }

  function step_timeout(func, timeout, ...args) {
    return setTimeout(() => func.apply(global, args), timeout * harness.timeoutMultiplier);
  }

  function fetch_json(url) {
    return fetch(url).then((r) => r.json());
  }

  function add_start_callback(cb) { harness.startCallbacks.push(cb); }
  function add_result_callback(cb) { harness.resultCallbacks.push(cb); }
  function add_completion_callback(cb) { harness.completionCallbacks.push(cb); }

  function EventWatcher(test, target, eventTypes, timeoutPromise) {
    if (typeof eventTypes === "string") eventTypes = [eventTypes];
    let waiting = null; // {types, resolve, reject, recorded}
    const handler = test.step_func(function (evt) {
      assert_true(waiting !== null, "Not expecting event, but got " + evt.type + " event");
      assert_equals(evt.type, waiting.types[0],
        "Expected " + waiting.types[0] + " event, but got " + evt.type + " event instead");
      if (waiting.recorded) waiting.recorded.push(evt);
      if (waiting.types.length > 1) {
        waiting.types.shift();
        return;
      }
      const w = waiting;
      waiting = null;
      w.resolve(w.recorded || evt);
    });
    for (const type of eventTypes) target.addEventListener(type, handler);

    this.wait_for = function (types, options) {
      if (waiting) return Promise.reject(new Error("Already waiting for an event or events"));
      if (typeof types === "string") types = [types];
      const recordAll = options && options.record === "all";
      return new Promise((resolve, reject) => {
        waiting = { types: types.slice(), resolve, reject, recorded: recordAll ? [] : null };
        if (timeoutPromise) {
          timeoutPromise().then(test.step_func(() => {
            if (waiting && waiting.resolve === resolve) {
              waiting = null;
              reject(new AssertionError("Timed out waiting for " + types.join(", ")));
            }
          }));
        }
      });
    };

    this.stop_watching = function () {
      for (const type of eventTypes) target.removeEventListener(type, handler);
    };
    test.add_cleanup(() => this.stop_watching());
  }

  // ---- completion ---------------------------------------------------------

  function maybeComplete() {
    if (harness.finished || !harness.allLoaded) return;
    for (const t of harness.tests) if (t.phase !== COMPLETE) return;
    finish();
  }

  function finish() {
    if (harness.finished) return;
    harness.finished = true;
    for (const t of harness.tests) {
      if (t._timer !== null) {
        clearTimeout(t._timer);
        t._timer = null;
      }
    }
    for (const cb of harness.completionCallbacks) {
      safeCall(cb, harness.tests, { status: harness.status, message: harness.message });
    }
    const out = {
      status: harness.status,
      message: harness.message,
      tests: harness.tests.map((t) => ({
        name: String(t.name),
        status: STATUS_NAMES[t.status === null ? NOTRUN : t.status],
        message: t.message === null ? null : String(t.message),
      })),
    };
    if (typeof report === "function") report(JSON.stringify(out));
  }

  // The runner's entry points.
  Object.defineProperty(global, "__wpt_harness", {
    value: Object.freeze({
      // loaded: every script of the test file has run (a worker's implicit done()).
      // failed: loading stopped at an exception, so done() will never come.
      loaded(failed) {
        if (!harness.explicitDone || failed) {
          harness.allLoaded = true;
          maybeComplete();
        }
      },
      // scriptError: a script threw at top level, or an exception escaped to the event loop.
      scriptError(message) {
        if (harness.finished) return;
        if (harness.singleTest && harness.singleTest.phase <= STARTED) {
          harness.singleTest.set_status(FAIL, message);
          harness.singleTest.phase = HAS_RESULT;
          harness.singleTest.done();
          return;
        }
        if (!harness.allowUncaught) harnessError(message);
      },
      // timeout: the file ran out of time; report what is known now.
      timeout() {
        if (harness.finished) return;
        if (harness.status === "OK") harness.status = "TIMEOUT";
        for (const t of harness.tests) {
          if (t.phase === INITIAL) t.set_status(NOTRUN, null);
          else if (t.phase <= STARTED) t.set_status(TIMEOUT, "Test timed out (the whole file ran out of time)");
        }
        finish();
      },
    }),
  });

  const exported = {
    AssertionError, OptionalFeatureUnsupportedError, format_value,
    assert_true, assert_false, assert_equals, assert_not_equals, assert_in_array, assert_array_equals,
    assert_array_approx_equals, assert_approx_equals, assert_less_than, assert_greater_than,
    assert_less_than_equal, assert_greater_than_equal, assert_between_exclusive, assert_between_inclusive,
    assert_regexp_match, assert_class_string, assert_own_property, assert_not_own_property, assert_inherits,
    assert_idl_attribute, assert_readonly, assert_object_equals, assert_unreached, assert_implements,
    assert_implements_optional, assert_any, assert_throws_dom, assert_throws_js, assert_throws_exactly,
    assert_throws, promise_rejects_js, promise_rejects_dom, promise_rejects_exactly, promise_rejects,
    test, async_test, promise_test, promise_setup, setup, done, generate_tests, step_timeout, fetch_json,
    add_start_callback, add_result_callback, add_completion_callback, EventWatcher, Test,
  };
  exported.assert_precondition = assert_implements_optional;
  for (const k of Object.keys(exported)) {
    Object.defineProperty(global, k, { value: exported[k], writable: true, configurable: true, enumerable: false });
  }
})(globalThis);
