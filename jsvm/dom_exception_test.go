package jsvm

import "testing"

// jsAsserts is prepended to snippets that check many things at once; a
// failed check throws an Error naming it.
const jsAsserts = `
const eq = (a, b, what) => { if (!Object.is(a, b)) throw new Error(what + ": got " + String(a) + ", want " + String(b)); };
const ok = (c, what) => { if (!c) throw new Error(what); };
const throwsName = (fn, name, what) => {
  try { fn(); } catch (e) { if (e === null || e === undefined || e.name !== name) throw new Error(what + ": threw " + String(e) + ", want " + name); return e; }
  throw new Error(what + ": did not throw, want " + name);
};
`

func TestDOMException(t *testing.T) {
	runJSCases(t, []jsCase{
		{"defaults", `const e = new DOMException(); return [e.name, JSON.stringify(e.message), e.code].join();`, `Error,"",0`},
		{"name and code", `const e = new DOMException("gone", "NotFoundError"); return [e.name, e.message, e.code, String(e)].join();`, "NotFoundError,gone,8,NotFoundError: gone"},
		{"codes", `return ["IndexSizeError","InvalidCharacterError","InvalidStateError","SyntaxError","AbortError","TimeoutError","DataCloneError","QuotaExceededError","EncodingError","NotAllowedError","DOMStringSizeError"].map((n) => new DOMException("", n).code).join();`, "1,5,11,12,20,23,25,22,0,0,0"},
		{"argument conversion", `const e = new DOMException(null, undefined); return e.message + "," + e.name + "," + new DOMException({ toString() { return "x"; } }, 42).name;`, "null,Error,42"},
		{"symbol argument", `new DOMException(Symbol());`, "throws TypeError: Cannot convert a Symbol value to a string"},
		{"needs new", `DOMException();`, "throws TypeError: Class constructor cannot be invoked without 'new'"},
		{"shape", jsAsserts + `
			const e = new DOMException("m", "AbortError");
			ok(e instanceof DOMException && e instanceof Error, "instanceof");
			eq(Object.getPrototypeOf(DOMException.prototype), Error.prototype, "proto chain");
			eq(Object.prototype.toString.call(e), "[object DOMException]", "toStringTag");
			eq(Object.keys(e).length, 0, "no enumerable own properties");
			ok(!e.hasOwnProperty("name") && !e.hasOwnProperty("message") && !e.hasOwnProperty("code"), "attributes are not own");
			for (const k of ["name", "message", "code"]) {
				const d = Object.getOwnPropertyDescriptor(DOMException.prototype, k);
				ok(typeof d.get === "function" && d.set === undefined && d.enumerable && d.configurable, k + " accessor");
			}
			ok(typeof e.stack === "string" && e.stack.startsWith("AbortError: m\n"), "stack: " + e.stack);
			ok(!Object.getOwnPropertyDescriptor(e, "stack").enumerable, "stack not enumerable");
			eq(Object.getOwnPropertyDescriptor(globalThis, "DOMException").enumerable, false, "global not enumerable");
			throwsName(() => DOMException.prototype.name, "TypeError", "brand check");
			return "ok";`, "ok"},
		{"constants", jsAsserts + `
			const want = { INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
				INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7, NOT_FOUND_ERR: 8,
				NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11, SYNTAX_ERR: 12,
				INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15, VALIDATION_ERR: 16,
				TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20, URL_MISMATCH_ERR: 21,
				QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25 };
			for (const [k, v] of Object.entries(want)) {
				for (const o of [DOMException, DOMException.prototype, new DOMException()]) eq(o[k], v, k);
				const d = Object.getOwnPropertyDescriptor(DOMException, k);
				ok(!d.writable && d.enumerable && !d.configurable, k + " descriptor");
			}
			return "ok";`, "ok"},
		{"subclass", `class MyError extends DOMException { constructor() { super("sub", "SyntaxError"); } } const e = new MyError(); return [e instanceof MyError, e.name, e.code].join();`, "true,SyntaxError,12"},
	})
}
