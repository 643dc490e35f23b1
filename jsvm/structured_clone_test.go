package jsvm

import "testing"

func TestStructuredClone(t *testing.T) {
	runJSCases(t, []jsCase{
		{"primitives", `return [structuredClone(1), structuredClone("s"), structuredClone(null), structuredClone(undefined), structuredClone(true), structuredClone(10n) === 10n, Object.is(structuredClone(-0), -0), Number.isNaN(structuredClone(NaN))].join();`, "1,s,,,true,true,true,true"},
		{"wrappers", `const v = structuredClone([new Boolean(false), new Number(-0), new String("ab"), Object(3n)]);
return v.map((w) => typeof w + ":" + String(w.valueOf())).join() + " " + Object.is(v[1].valueOf(), -0);`, "object:false,object:0,object:ab,object:3 true"},
		{"Date", `const d = new Date(1e12); const c = structuredClone(d); return (c !== d) + " " + (c instanceof Date) + " " + c.getTime();`, "true true 1000000000000"},
		{"RegExp drops lastIndex", `const r = /a+b/giy; r.lastIndex = 3; const c = structuredClone(r); return [c !== r, c.source, c.flags, c.lastIndex].join();`, "true,a+b,giy,0"},
		{"ArrayBuffer copy", `const b = new Uint8Array([1, 2, 3]).buffer; const c = structuredClone(b); new Uint8Array(b)[0] = 9; return (c instanceof ArrayBuffer) + " " + Array.from(new Uint8Array(c)).join();`, "true 1,2,3"},
		{"typed arrays keep type, offset, length", `const r = []; for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array]) { const a = new C(new ArrayBuffer(64), 8, 3); const c = structuredClone(a); r.push(c.constructor.name + c.byteOffset + "/" + c.length + "/" + c.buffer.byteLength); } return r.join();`,
			"Int8Array8/3/64,Uint8Array8/3/64,Uint8ClampedArray8/3/64,Int16Array8/3/64,Uint16Array8/3/64,Int32Array8/3/64,Uint32Array8/3/64,Float32Array8/3/64,Float64Array8/3/64,BigInt64Array8/3/64,BigUint64Array8/3/64"},
		{"views of one buffer still share", `const buf = new ArrayBuffer(8); const v = { a: new Uint8Array(buf), d: new DataView(buf, 2, 4), b: buf };
const c = structuredClone(v); c.d.setUint8(0, 7); return [c.a.buffer === c.d.buffer, c.b === c.a.buffer, c.a[2], new Uint8Array(buf)[2], c.d.byteOffset, c.d.byteLength].join();`, "true,true,7,0,2,4"},
		{"Map and Set", `const k = {}; const m = new Map([[k, 1], ["x", k]]); const s = new Set([k, 2]); const c = structuredClone({ m, s });
const ck = [...c.m.keys()][0]; return [c.m instanceof Map, c.m.size, c.m.get(ck), c.m.get("x") === ck, c.s.has(ck), c.s.has(2), ck !== k].join();`, "true,2,1,true,true,true,true"},
		{"Errors", `const e = new RangeError("bad", { cause: { x: 1 } }); e.extra = 1; const c = structuredClone(e);
return [c instanceof RangeError, c.name, c.message, c.cause.x, c.extra, Object.getOwnPropertyDescriptor(c, "message").enumerable, typeof c.stack].join();`, "true,RangeError,bad,1,,false,string"},
		{"Error kinds", `return [EvalError, ReferenceError, SyntaxError, TypeError, URIError, Error].map((E) => structuredClone(new E("m")).constructor.name).join();`, "EvalError,ReferenceError,SyntaxError,TypeError,URIError,Error"},
		{"custom error name becomes Error", `class MyError extends Error { constructor() { super("m"); this.name = "MyError"; } } const c = structuredClone(new MyError()); return c.constructor.name + " " + c.name + " " + c.message;`, "Error Error m"},
		{"error without message", `const c = structuredClone(new Error()); return Object.prototype.hasOwnProperty.call(c, "message");`, "false"},
		{"plain objects lose prototype and non-enumerables", `class P { constructor() { this.a = 1; } get g() { return 2; } } const o = new P(); Object.defineProperty(o, "hidden", { value: 1 }); o[Symbol("s")] = 1; const c = structuredClone(o);
return [Object.getPrototypeOf(c) === Object.prototype, JSON.stringify(c), "hidden" in c].join();`, `true,{"a":1},false`},
		{"getters are invoked", `let n = 0; const c = structuredClone({ get x() { n++; return 5; } }); return n + " " + JSON.stringify(Object.getOwnPropertyDescriptor(c, "x"));`, `1 {"value":5,"writable":true,"enumerable":true,"configurable":true}`},
		{"arrays keep holes and extra properties", `const a = [1, , 3]; a.extra = "e"; a.length = 5; const c = structuredClone(a); return [Array.isArray(c), c.length, 1 in c, c[2], c.extra].join();`, "true,5,false,3,e"},
		{"cycles and shared references", `const o = { arr: [] }; o.self = o; o.arr.push(o, o.arr); const s = {}; o.s1 = s; o.s2 = s; const c = structuredClone(o);
return [c !== o, c.self === c, c.arr[0] === c, c.arr[1] === c.arr, c.s1 === c.s2, c.s1 !== s].join();`, "true,true,true,true,true,true"},
		{"function", `structuredClone({ f: function foo() {} });`, "throws DataCloneError: structuredClone: the function foo could not be cloned (functions are not serializable)"},
		{"symbol", `structuredClone(Symbol("s"));`, "throws DataCloneError: structuredClone: the symbol Symbol(s) could not be cloned (symbols are not serializable)"},
		{"WeakMap", `structuredClone(new WeakMap());`, "throws DataCloneError: structuredClone: a WeakMap could not be cloned (weak collections are not serializable)"},
		{"WeakSet", `structuredClone(new WeakSet());`, "throws DataCloneError: structuredClone: a WeakSet could not be cloned (weak collections are not serializable)"},
		{"Promise", `structuredClone(Promise.resolve());`, "throws DataCloneError: structuredClone: a Promise could not be cloned (promises are not serializable)"},
		{"Proxy", `structuredClone(new Proxy({}, {}));`, "throws DataCloneError: structuredClone: a Proxy could not be cloned (proxies are not serializable)"},
		{"arguments", `(function () { structuredClone(arguments); })(1);`, "throws DataCloneError: structuredClone: an arguments object could not be cloned (copy it first: Array.from(arguments))"},
		{"no argument", `structuredClone();`, "throws TypeError: Failed to execute 'structuredClone': 1 argument required, but only 0 present"},
		{"transfer detaches", `const b = new Uint8Array([1, 2, 3]).buffer; const v = new Uint8Array(b, 1); const c = structuredClone({ b, v }, { transfer: [b] });
return [b.byteLength, c.b.byteLength, Array.from(c.v).join("-"), c.v.buffer === c.b].join();`, "0,3,2-3,true"},
		{"transfer the value itself", `const b = new ArrayBuffer(4); const c = structuredClone(b, { transfer: [b] }); return c.byteLength + " " + b.byteLength + " " + (c !== b);`, "4 0 true"},
		{"transfer twice", `const b = new ArrayBuffer(4); structuredClone(b, { transfer: [b, b] });`, "throws DataCloneError: structuredClone: an ArrayBuffer is listed twice in options.transfer"},
		{"transfer detached", `const b = new ArrayBuffer(4); structuredClone(b, { transfer: [b] }); structuredClone(1, { transfer: [b] });`, "throws DataCloneError: structuredClone: a detached ArrayBuffer cannot be transferred"},
		{"clone detached", `const b = new ArrayBuffer(4); structuredClone(b, { transfer: [b] }); structuredClone(b);`, "throws DataCloneError: structuredClone: a detached ArrayBuffer could not be cloned"},
		{"transfer non-transferable", `structuredClone(1, { transfer: [{}] });`, "throws DataCloneError: structuredClone: only ArrayBuffers can be transferred; remove the other values from options.transfer"},
		{"transfer non-object", `structuredClone(1, { transfer: [1] });`, "throws TypeError: structuredClone: each options.transfer entry must be an object"},
		{"failed clone does not detach", `const b = new ArrayBuffer(4); try { structuredClone({ b, f() {} }, { transfer: [b] }); } catch (e) { return e.name + " " + b.byteLength; }`, "DataCloneError 4"},
		{"CryptoKey", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]); const c = structuredClone(k);
const data = new Uint8Array(3); const sig = await crypto.subtle.sign("HMAC", k, data);
return [c instanceof CryptoKey, c !== k, c.algorithm.hash.name, c.usages.join(), c.extractable, await crypto.subtle.verify("HMAC", c, sig, data)].join();`, "true,true,SHA-256,sign,verify,false,true"},
		// dom_exception.js is written separately; these define a stand-in.
		{"DataCloneError is a DOMException", `globalThis.DOMException = class DOMException extends Error { constructor(m, n) { super(m); this.name = n; } };
try { structuredClone(() => {}); } catch (e) { return (e instanceof DOMException) + " " + e.name; }`, "true DataCloneError"},
		{"DOMException clones", `globalThis.DOMException = class DOMException extends Error { constructor(m, n) { super(m); this.name = n; } };
const c = structuredClone(new DOMException("gone", "AbortError")); return (c instanceof DOMException) + " " + c.name + " " + c.message;`, "true AbortError gone"},
		{"global is non-enumerable", `return typeof structuredClone + " " + Object.keys(globalThis).includes("structuredClone");`, "function false"},
	})
}

func TestCryptoKeyAlgorithmIsACopy(t *testing.T) {
	runJSCases(t, []jsCase{
		{"mutating algorithm and usages has no effect", `const k = await crypto.subtle.importKey("raw", new Uint8Array([1]), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
k.algorithm.hash.name = "SHA-1"; k.usages.push("verify"); const sig = await crypto.subtle.sign("HMAC", k, new Uint8Array(0));
try { await crypto.subtle.verify("HMAC", k, sig, new Uint8Array(0)); return "verified"; } catch (e) { return sig.byteLength + " " + e.name; }`, "32 InvalidAccessError"},
	})
}
