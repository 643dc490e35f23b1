package jsvm

import "testing"

// The checks of WPT dom/abort/*.any.js, in our own words.
func TestAbortController(t *testing.T) {
	runJSCases(t, []jsCase{
		{"abort fires synchronously once", jsAsserts + `
			const c = new AbortController(), s = c.signal;
			let state = "begin", n = 0;
			eq(s.aborted, false, "aborted"); ok("reason" in s, "reason in signal"); eq(s.reason, undefined, "reason");
			s.addEventListener("abort", () => { eq(state, "begin", "state"); state = "aborted"; });
			s.onabort = () => n++;
			c.abort();
			eq(state, "aborted", "listener ran"); eq(s.aborted, true, "aborted after");
			ok(s.reason instanceof DOMException, "reason is a DOMException"); eq(s.reason.name, "AbortError", "reason name");
			eq(s.reason, s.reason, "same reason object");
			c.abort(); eq(n, 1, "second abort does nothing");
			eq(c.signal, s, "same signal");
			return "ok";`, "ok"},
		{"event properties", `const c = new AbortController(); let got;
			c.signal.onabort = (e) => { got = [e.type, e.target === c.signal, e.bubbles, e.isTrusted, e instanceof Event].join(); };
			c.abort(); return got;`, "abort,true,false,true,true"},
		{"handler set after abort is not called", `const c = new AbortController(); c.abort(); let n = 0; c.signal.onabort = () => n++; return n;`, "0"},
		{"reasons", jsAsserts + `
			let c = new AbortController(); const r = Error("hello"); c.abort(r); eq(c.signal.reason, r, "given reason");
			c = new AbortController(); c.abort(undefined); eq(c.signal.reason.name, "AbortError", "undefined reason");
			c = new AbortController(); c.abort(null); eq(c.signal.reason, null, "null reason");
			return "ok";`, "ok"},
		{"throwIfAborted", jsAsserts + `
			const r = new Error("boom");
			try { AbortSignal.abort(r).throwIfAborted(); throw new Error("no throw"); } catch (e) { eq(e, r, "throws the reason"); }
			try { AbortSignal.abort("hello").throwIfAborted(); throw new Error("no throw"); } catch (e) { eq(e, "hello", "throws a primitive reason"); }
			new AbortController().signal.throwIfAborted();
			return "ok";`, "ok"},
		{"algorithms run before the event", `const c = new AbortController(); const t = new EventTarget(); let n = 0;
			t.addEventListener("x", () => n++, { signal: c.signal });
			c.signal.addEventListener("abort", () => t.dispatchEvent(new Event("x")));
			c.abort(); return n;`, "0"},
		{"shape", jsAsserts + `
			eq(Object.prototype.toString.call(new AbortController()), "[object AbortController]", "controller tag");
			eq(Object.prototype.toString.call(AbortSignal.abort()), "[object AbortSignal]", "signal tag");
			ok(AbortSignal.abort() instanceof EventTarget, "signal is an EventTarget");
			eq(Object.getOwnPropertyDescriptor(globalThis, "AbortSignal").enumerable, false, "global not enumerable");
			eq(typeof Object.getOwnPropertyDescriptor(AbortSignal.prototype, "onabort").set, "function", "onabort accessor");
			return "ok";`, "ok"},
		{"onabort brand check", `return AbortSignal.prototype.onabort;`, "throws TypeError: AbortSignal.prototype.onabort: 'this' is not an AbortSignal; call it on an AbortSignal object"},
		{"not constructible", `new AbortSignal();`, "throws TypeError: Illegal constructor: AbortSignal cannot be constructed; use new AbortController().signal, AbortSignal.abort(), AbortSignal.timeout() or AbortSignal.any()"},
	})
}

func TestAbortSignalStatics(t *testing.T) {
	runJSCases(t, []jsCase{
		{"abort()", jsAsserts + `
			const s = AbortSignal.abort();
			ok(s instanceof AbortSignal, "instance"); eq(s.aborted, true, "aborted");
			ok(s.reason instanceof DOMException && s.reason.name === "AbortError", "default reason");
			const r = Error("hello"); eq(AbortSignal.abort(r).reason, r, "given reason");
			let fired = false; s.addEventListener("abort", () => { fired = true; }); s.onabort = () => { fired = true; };
			await new Promise((res) => setTimeout(res, 10));
			eq(fired, false, "no event for an already aborted signal");
			return "ok";`, "ok"},
		{"timeout()", jsAsserts + `
			const s = AbortSignal.timeout(5);
			eq(s.aborted, false, "not yet");
			const e = await new Promise((res) => s.addEventListener("abort", res));
			eq(e.isTrusted, true, "trusted");
			ok(s.reason instanceof DOMException, "DOMException"); eq(s.reason.name, "TimeoutError", "TimeoutError"); eq(s.reason.code, 23, "code");
			return "ok";`, "ok"},
		{"timeout() is not fooled by user timers", `globalThis.setTimeout = () => { throw new Error("user timer"); };
			const s = AbortSignal.timeout(1); await new Promise((res) => s.onabort = res); return s.reason.name;`, "TimeoutError"},
		{"timeout() range", jsAsserts + `
			throwsName(() => AbortSignal.timeout(-1), "TypeError", "negative");
			throwsName(() => AbortSignal.timeout(NaN), "TypeError", "NaN");
			throwsName(() => AbortSignal.timeout(Infinity), "TypeError", "Infinity");
			throwsName(() => AbortSignal.timeout(), "TypeError", "missing");
			return "ok";`, "ok"},
		{"any() empty", `return AbortSignal.any([]).aborted;`, "false"},
		{"any() follows a single signal", jsAsserts + `
			const c = new AbortController();
			const clone = AbortSignal.any([c.signal]);
			eq(clone.aborted, false, "not aborted"); ok("reason" in clone, "reason"); eq(clone.reason, undefined, "no reason"); ok(clone !== c.signal, "new signal");
			let fired = false;
			clone.onabort = (e) => { eq(e.target, clone, "target"); fired = true; };
			c.abort("reason string");
			ok(c.signal.aborted && clone.aborted && fired, "aborted with event");
			eq(clone.reason, "reason string", "reason propagated");
			return "ok";`, "ok"},
		{"any() follows multiple signals", jsAsserts + `
			for (let i = 0; i < 3; i++) {
				const cs = [new AbortController(), new AbortController(), new AbortController()];
				const s = AbortSignal.any(cs.map((c) => c.signal));
				let fired = false; s.onabort = () => { fired = true; };
				cs[i].abort();
				ok(fired && s.aborted, "aborted " + i); eq(s.reason.name, "AbortError", "reason");
			}
			return "ok";`, "ok"},
		{"any() of aborted signals", jsAsserts + `
			const cs = [new AbortController(), new AbortController(), new AbortController()];
			cs[1].abort("reason 1"); cs[2].abort("reason 2");
			const s = AbortSignal.any(cs.map((c) => c.signal));
			eq(s.aborted, true, "aborted"); eq(s.reason, "reason 1", "first reason");
			const c1 = new AbortController(); c1.abort("r1"); const c2 = new AbortController(); c2.abort("r2");
			eq(AbortSignal.any([c1.signal, c2.signal, c1.signal]).reason, "r1", "duplicates");
			const c = new AbortController(); const d = AbortSignal.any([c.signal, c.signal]); c.abort("reason"); eq(d.reason, "reason", "same signal twice");
			return "ok";`, "ok"},
		{"any() composes", jsAsserts + `
			for (let i = 0; i < 3; i++) {
				const cs = [new AbortController(), new AbortController(), new AbortController()];
				const s1 = AbortSignal.any([cs[0].signal, cs[1].signal]);
				const s2 = AbortSignal.any([s1, cs[2].signal]);
				let fired = false; s2.onabort = () => { fired = true; };
				cs[i].abort();
				ok(fired && s2.aborted && s2.reason.name === "AbortError", "composed " + i);
			}
			const c = new AbortController();
			let combined = AbortSignal.any([c.signal]);
			for (let i = 0; i < 3; i++) combined = AbortSignal.any([combined]);
			let fired = false; combined.onabort = () => { fired = true; };
			c.abort("the reason");
			ok(fired && combined.aborted, "intermediate signals"); eq(combined.reason, "the reason", "reason");
			return "ok";`, "ok"},
		{"any() with timeout()", `const c = new AbortController(); const s = AbortSignal.any([c.signal, AbortSignal.timeout(5)]);
			await new Promise((res) => { s.onabort = res; }); return s.aborted + "," + s.reason.name;`, "true,TimeoutError"},
		{"any() event order", `const c = new AbortController(); const s = [c.signal];
			s.push(AbortSignal.any([c.signal])); s.push(AbortSignal.any([c.signal])); s.push(AbortSignal.any([s[0]])); s.push(AbortSignal.any([s[1]]));
			let r = ""; s.forEach((sig, i) => sig.addEventListener("abort", () => { r += i; })); c.abort(); return r;`, "01234"},
		{"any() argument checks", jsAsserts + `
			throwsName(() => AbortSignal.any(), "TypeError", "missing");
			throwsName(() => AbortSignal.any([{}]), "TypeError", "non-signal");
			throwsName(() => AbortSignal.any(5), "TypeError", "not iterable");
			return "ok";`, "ok"},
	})
}
