// A stand-in for DOMException so the harness is tested on its own.
const CODES = { SyntaxError: 12, AbortError: 20, NotSupportedError: 9, EncodingError: 0 };
class FakeDOMException extends Error {
  constructor(message, name) { super(message); this._name = name; }
  get name() { return this._name; }
  get code() { return CODES[this._name] ?? 0; }
}
FakeDOMException.prototype.constructor = FakeDOMException;
const syntax = () => { throw new FakeDOMException("bad", "SyntaxError"); };
test(() => assert_throws_dom("SyntaxError", FakeDOMException, syntax), "name matches");
test(() => assert_throws_dom("SYNTAX_ERR", FakeDOMException, syntax), "legacy constant matches");
test(() => assert_throws_dom(12, FakeDOMException, syntax), "legacy code matches");
test(() => assert_throws_dom("AbortError", FakeDOMException, syntax), "wrong name fails");
test(() => assert_throws_dom("SyntaxError", FakeDOMException, () => { throw new SyntaxError("js"); }), "JS SyntaxError fails");
test(() => assert_throws_dom("SyntaxError", FakeDOMException, () => {}), "no throw fails");
promise_test(t => promise_rejects_dom(t, "AbortError", FakeDOMException,
  Promise.reject(new FakeDOMException("a", "AbortError"))), "promise_rejects_dom matches");
promise_test(t => promise_rejects_dom(t, "AbortError", FakeDOMException,
  Promise.reject(new FakeDOMException("a", "NotSupportedError"))), "promise_rejects_dom wrong name fails");
