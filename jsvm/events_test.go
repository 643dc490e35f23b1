package jsvm

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// The checks of WPT dom/events/*.any.js, in our own words.
func TestEventConstruction(t *testing.T) {
	runJSCases(t, []jsCase{
		{"requires new and a type", jsAsserts + `
			throwsName(() => Event(""), "TypeError", "call without new");
			throwsName(() => new Event(), "TypeError", "no type");
			const err = { name: "test" };
			try { new Event({ toString() { throw err; } }); throw new Error("did not throw"); } catch (e) { eq(e, err, "rethrows from toString"); }
			return "ok";`, "ok"},
		{"no type message", `new Event();`, "throws TypeError: Event constructor: 1 argument required, but only 0 present"},
		{"defaults", jsAsserts + `
			for (const type of ["", "test"]) {
				const ev = new Event(type);
				eq(ev.type, type, "type");
				eq(ev.target, null, "target"); eq(ev.srcElement, null, "srcElement"); eq(ev.currentTarget, null, "currentTarget");
				eq(ev.eventPhase, Event.NONE, "eventPhase");
				eq(ev.bubbles, false, "bubbles"); eq(ev.cancelable, false, "cancelable"); eq(ev.composed, false, "composed");
				eq(ev.defaultPrevented, false, "defaultPrevented"); eq(ev.returnValue, true, "returnValue");
				eq(ev.isTrusted, false, "isTrusted"); eq(ev.cancelBubble, false, "cancelBubble");
				ok(ev.timeStamp > 0, "timeStamp");
				ok("initEvent" in ev, "initEvent");
				eq(ev.composedPath().length, 0, "composedPath");
			}
			return "ok";`, "ok"},
		{"init dictionary", jsAsserts + `
			let ev = new Event("I am an event", { bubbles: true, cancelable: false });
			eq(ev.bubbles, true, "bubbles"); eq(ev.cancelable, false, "cancelable");
			ev = new Event("@", { bubblesIGNORED: true, cancelable: true });
			eq(ev.bubbles, false, "ignored member"); eq(ev.cancelable, true, "cancelable");
			ev = new Event("@", { "bubbles\0IGNORED": true, cancelable: true });
			eq(ev.bubbles, false, "NUL member");
			ev = new Event("Xx", { bubbles: true, cancelable: false, sweet: "x" });
			eq(ev.sweet, undefined, "unknown member not copied");
			const called = [];
			ev = new Event("Xx", {
				get cancelable() { called.push("cancelable"); return false; },
				get bubbles() { called.push("bubbles"); return true; },
				get sweet() { called.push("sweet"); return "x"; },
			});
			eq(called.join(), "bubbles,cancelable", "members read in order");
			eq(ev.bubbles, true, "bubbles from getter");
			ev = new CustomEvent("$", { detail: 54, sweet: "x", sweet2: "x", cancelable: true });
			eq(ev.type, "$", "type"); eq(ev.cancelable, true, "cancelable"); eq(ev.sweet, undefined, "sweet"); eq(ev.detail, 54, "detail");
			throwsName(() => new Event("x", 5), "TypeError", "non-object dictionary");
			return "ok";`, "ok"},
		{"constants", jsAsserts + `
			for (const o of [Event, Event.prototype]) {
				eq(o.NONE, 0, "NONE"); eq(o.CAPTURING_PHASE, 1, "CAPTURING_PHASE"); eq(o.AT_TARGET, 2, "AT_TARGET"); eq(o.BUBBLING_PHASE, 3, "BUBBLING_PHASE");
			}
			return "ok";`, "ok"},
		{"isTrusted is an own unforgeable getter", jsAsserts + `
			const d1 = Object.getOwnPropertyDescriptor(new Event("x"), "isTrusted");
			const d2 = Object.getOwnPropertyDescriptor(new Event("x"), "isTrusted");
			eq(typeof d1.get, "function", "getter");
			eq(d1.get, d2.get, "shared getter");
			eq(d1.configurable, false, "unforgeable");
			return "ok";`, "ok"},
		{"globals and tags", `return [Event, EventTarget, CustomEvent, ErrorEvent].map((c) => Object.prototype.toString.call(c.prototype) + Object.getOwnPropertyDescriptor(globalThis, c.name).enumerable).join();`,
			"[object Event]false,[object EventTarget]false,[object CustomEvent]false,[object ErrorEvent]false"},
		{"brand checks", `Object.getOwnPropertyDescriptor(Event.prototype, "type").get.call({});`, "throws TypeError: Event.prototype.type: 'this' is not an Event; call it on an Event object"},
		{"ErrorEvent", `const e = new ErrorEvent("error", { message: "m", filename: "f.js", lineno: 3, colno: -1, error: 42 }); const d = new ErrorEvent("x"); return [e.message, e.filename, e.lineno, e.colno, e.error, d.message === "", d.lineno, d.error].join();`,
			"m,f.js,3,4294967295,42,true,0,"},
	})
}

func TestEventFlags(t *testing.T) {
	runJSCases(t, []jsCase{
		{"cancelBubble", jsAsserts + `
			let e = new Event("foo", { bubbles: true });
			e.cancelBubble = true;
			e.initEvent("foo", true, false);
			eq(e.cancelBubble, false, "initEvent unsets cancelBubble");
			e = new Event("foo"); e.stopPropagation(); eq(e.cancelBubble, true, "stopPropagation");
			e = new Event("foo"); e.stopImmediatePropagation(); eq(e.cancelBubble, true, "stopImmediatePropagation");
			e = new Event("foo"); e.stopPropagation(); e.cancelBubble = false; eq(e.cancelBubble, true, "cannot unset");
			e = new Event("foobar", { bubbles: true, cancelable: true });
			addEventListener("foobar", (ev) => ev.stopPropagation());
			dispatchEvent(e);
			eq(e.cancelBubble, false, "reset after dispatch");
			return "ok";`, "ok"},
		{"defaultPrevented and returnValue", jsAsserts + `
			let ev = new Event("foo", { bubbles: true, cancelable: false });
			ev.preventDefault(); eq(ev.defaultPrevented, false, "not cancelable: preventDefault");
			ev.returnValue = false; eq(ev.defaultPrevented, false, "not cancelable: returnValue"); eq(ev.returnValue, true, "returnValue stays");
			ev = new Event("foo", { bubbles: true, cancelable: true });
			ev.preventDefault(); eq(ev.defaultPrevented, true, "preventDefault"); eq(ev.returnValue, false, "returnValue after preventDefault");
			ev.returnValue = true; eq(ev.defaultPrevented, true, "returnValue=true is a no-op");
			ev.initEvent("foo", true, true); eq(ev.defaultPrevented, false, "initEvent unsets"); eq(ev.returnValue, true, "initEvent resets returnValue");
			ev = new Event("foo", { cancelable: true }); ev.returnValue = false; eq(ev.defaultPrevented, true, "returnValue=false cancels");
			const target = new EventTarget();
			for (const how of ["preventDefault", "returnValue"]) {
				const evt = new Event("foo", { bubbles: true, cancelable: true });
				target.addEventListener("foo", function l(e) { if (how === "preventDefault") e.preventDefault(); else e.returnValue = false; ok(e.defaultPrevented, "during"); target.removeEventListener("foo", l, true); }, true);
				eq(target.dispatchEvent(evt), false, how + ": dispatch result");
				eq(evt.defaultPrevented, true, how + ": after dispatch");
				eq(evt.target, target, "target kept"); eq(evt.srcElement, target, "srcElement kept");
			}
			return "ok";`, "ok"},
		{"initEvent", jsAsserts + `
			for (const bubbles of [true, false]) for (const cancelable of [true, false]) {
				const e = new Event("");
				e.initEvent("type", bubbles, cancelable);
				eq(e.defaultPrevented, false, "defaultPrevented"); eq(e.returnValue, true, "returnValue"); eq(e.isTrusted, false, "isTrusted");
				eq(e.target, null, "target"); eq(e.type, "type", "type"); eq(e.bubbles, bubbles, "bubbles"); eq(e.cancelable, cancelable, "cancelable");
			}
			const e = new Event("");
			e.initEvent("type 1", true, false); e.initEvent("type 2", false, true);
			eq(e.type, "type 2", "second init type"); eq(e.bubbles, false, "second init bubbles"); eq(e.cancelable, true, "second init cancelable");
			throwsName(() => e.initEvent(), "TypeError", "type required");
			e.initEvent("t"); eq(e.bubbles, false, "default bubbles"); eq(e.cancelable, false, "default cancelable");
			for (const stop of ["stopPropagation", "stopImmediatePropagation"]) {
				const ev = new Event(""); ev[stop](); ev.initEvent("type", false, false);
				let called = false;
				const t = new EventTarget(); t.addEventListener("type", () => { called = true; });
				eq(t.dispatchEvent(ev), true, stop + ": result"); eq(called, true, stop + ": flag unset by initEvent");
			}
			return "ok";`, "ok"},
		{"init while dispatching is ignored", jsAsserts + `
			const t = new EventTarget();
			const e = new Event("type");
			const c = new CustomEvent("type");
			let calls = 0;
			t.addEventListener("type", (ev) => {
				calls++;
				if (ev instanceof CustomEvent) { ev.initCustomEvent("type2", true, true, 1); eq(ev.detail, null, "detail"); }
				else ev.initEvent("type2", true, true);
				eq(ev.type, "type", "type"); eq(ev.bubbles, false, "bubbles"); eq(ev.cancelable, false, "cancelable");
			});
			eq(t.dispatchEvent(e), true, "event result"); eq(t.dispatchEvent(c), true, "custom event result");
			eq(calls, 2, "calls");
			return "ok";`, "ok"},
		{"propagation flags on a plain target", jsAsserts + `
			const target = new EventTarget();
			const check = (ev, expected, desc) => {
				let called = false;
				const cb = () => { called = true; };
				target.addEventListener("foo", cb);
				target.dispatchEvent(ev); eq(called, expected, desc);
				target.dispatchEvent(ev); eq(called, true, desc + " (second dispatch)");
				target.removeEventListener("foo", cb);
			};
			let ev = new Event("foo", { bubbles: true });
			check(ev, true, "new");
			ev.stopPropagation(); check(ev, true, "after stopPropagation");
			ev.initEvent("foo", true, false); check(ev, true, "reinitialized");
			ev = new Event("foo", { bubbles: true }); ev.stopImmediatePropagation(); check(ev, false, "after stopImmediatePropagation");
			ev.initEvent("foo", true, false); check(ev, true, "reinitialized after stopImmediatePropagation");
			ev = new Event("foo", { bubbles: true }); ev.cancelBubble = true; check(ev, true, "after cancelBubble");
			return "ok";`, "ok"},
		{"stopImmediatePropagation in a listener", `const t = new EventTarget(); let n = 0;
			t.addEventListener("test", (e) => { n++; e.stopImmediatePropagation(); n += e.cancelBubble ? 10 : 0; });
			t.addEventListener("test", () => { n += 100; });
			t.dispatchEvent(new Event("test")); return n;`, "11"},
		{"empty type", `const t = new EventTarget(); let handled = false; t.addEventListener("", () => { handled = true; }); return t.dispatchEvent(new Event("")) + "," + handled;`, "true,true"},
		{"during dispatch", `const t = new EventTarget(); const e = new Event("x"); let seen;
			t.addEventListener("x", (ev) => { seen = [ev.eventPhase, ev.currentTarget === t, ev.target === t, ev.composedPath().length === 1 && ev.composedPath()[0] === t].join(); });
			t.dispatchEvent(e); return seen + "|" + [e.eventPhase, e.currentTarget, e.composedPath().length].join();`, "2,true,true,true|0,,0"},
	})
}

func TestEventTarget(t *testing.T) {
	runJSCases(t, []jsCase{
		{"constructible and subclassable", jsAsserts + `
			const target = new EventTarget();
			const event = new Event("foo", { bubbles: true, cancelable: false });
			let n = 0;
			const listener = (e) => { eq(e, event, "same event"); n++; };
			target.addEventListener("foo", listener);
			target.dispatchEvent(event); target.dispatchEvent(event); eq(n, 2, "dispatched twice");
			target.removeEventListener("foo", listener); target.dispatchEvent(event); eq(n, 2, "removed");
			class Nicer extends EventTarget {
				on(...a) { this.addEventListener(...a); }
				off(...a) { this.removeEventListener(...a); }
				dispatch(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
			}
			const t2 = new Nicer(); let got = [];
			const l2 = (e) => got.push(e.detail);
			t2.on("foo", l2); t2.dispatch("foo", "data"); t2.off("foo", l2); t2.dispatch("foo", "data");
			eq(got.join(), "data", "subclass");
			ok(t2 instanceof EventTarget, "instanceof");
			return "ok";`, "ok"},
		{"null listeners", `const et = new EventTarget(); return [et.addEventListener("x", null, false), et.addEventListener("x", null, true), et.addEventListener("x", null), globalThis.removeEventListener("x", null, false), removeEventListener("x", null)].join() + "ok";`, ",,,,ok"},
		{"missing arguments", `new EventTarget().addEventListener("x");`, "throws TypeError: EventTarget.addEventListener: 2 arguments required, but only 1 present"},
		{"non-object listener", `new EventTarget().addEventListener("x", 5);`, "throws TypeError: EventTarget.addEventListener: the listener must be a function or an object with a handleEvent method"},
		{"remove without capture arg", `const et = new EventTarget(); const l = (e) => { e.preventDefault(); return false; };
			et.addEventListener("x", l, false); const r1 = et.dispatchEvent(new Event("x", { cancelable: true }));
			et.removeEventListener("x", l); const r2 = et.dispatchEvent(new Event("x", { cancelable: true })); return r1 + "," + r2;`, "false,true"},
		{"capture listeners first", `const t = new EventTarget(); const r = [];
			t.addEventListener("x", () => r.push(1), true); t.addEventListener("x", () => r.push(2), false); t.addEventListener("x", () => r.push(3), true);
			t.dispatchEvent(new Event("x")); return r.join();`, "1,3,2"},
		{"dedupe on type, callback and capture", `const t = new EventTarget(); let n = 0; const h = () => n++;
			t.addEventListener("x", h); t.addEventListener("x", h, false); t.addEventListener("x", h, { capture: false, once: true }); t.addEventListener("x", h, true);
			t.dispatchEvent(new Event("x")); return n;`, "2"},
		{"dispatch of a dispatching event", jsAsserts + `
			const e = new Event("type");
			const target = new EventTarget();
			let inner = 0;
			target.addEventListener("type", () => {
				const ex = throwsName(() => target.dispatchEvent(e), "InvalidStateError", "target");
				ok(ex instanceof DOMException && ex.code === 11, "DOMException code 11");
				throwsName(() => dispatchEvent(e), "InvalidStateError", "global");
				inner++;
			});
			eq(target.dispatchEvent(e), true, "result");
			eq(inner, 1, "listener ran");
			throwsName(() => dispatchEvent(null), "TypeError", "null event");
			throwsName(() => target.dispatchEvent({ type: "x" }), "TypeError", "non-event");
			return "ok";`, "ok"},
		{"listener exceptions do not stop dispatch", `const t = new EventTarget(); const called = [];
			addEventListener("error", (e) => e.preventDefault());
			t.addEventListener("type", () => { called.push("First"); throw new Error(); });
			t.addEventListener("type", () => called.push("Second"));
			return t.dispatchEvent(new Event("type")) + "," + called.join();`, "true,First,Second"},
		{"this of listeners", jsAsserts + `
			let n = 0;
			for (const target of [globalThis, new EventTarget()]) {
				target.addEventListener("a", function () { n++; eq(this, target, "function this"); });
				const h = { handleEvent() { n++; eq(this, h, "object this"); } };
				target.addEventListener("b", h);
				const h2 = { handleEvent() { throw new Error("old handleEvent called"); } };
				target.addEventListener("c", h2);
				h2.handleEvent = function () { n++; eq(this, h2, "current handleEvent"); };
				const h3 = {};
				target.addEventListener("d", h3);
				h3.handleEvent = function () { n++; };
				function fn() { n++; eq(this, target, "function with handleEvent"); }
				fn.handleEvent = () => { throw new Error("handleEvent on a function called"); };
				target.addEventListener("e", fn);
				for (const type of "abcde") target.dispatchEvent(new CustomEvent(type));
			}
			eq(n, 10, "calls");
			return "ok";`, "ok"},
		{"handleEvent looked up on every dispatch", `const t = new EventTarget(); let calls = 0; let seen;
			const l = { get handleEvent() { calls++; return (e) => { seen = [e.type, e.target === t, e.srcElement === t].join(); }; } };
			t.addEventListener("foo", l); const before = calls;
			t.dispatchEvent(new Event("foo")); t.dispatchEvent(new Event("foo")); return before + "," + calls + "," + seen;`, "0,2,foo,true,true"},
		{"handleEvent errors become error events", jsAsserts + `
			const results = [];
			const thrown = { name: "test" };
			addEventListener("error", (e) => { results.push(e.error); e.preventDefault(); });
			for (const get of [() => { throw thrown; }, () => null, () => 42]) {
				const t = new EventTarget();
				t.addEventListener("foo", { get handleEvent() { return get(); } });
				t.dispatchEvent(new Event("foo"));
			}
			eq(results.length, 3, "error events");
			eq(results[0], thrown, "getter error rethrown as is");
			ok(results[1] instanceof TypeError && results[2] instanceof TypeError, "non-callable handleEvent is a TypeError");
			return "ok";`, "ok"},
		{"removing listeners during dispatch", jsAsserts + `
			const target = new EventTarget();
			let c1 = 0, c2 = 0, c3 = 0;
			function l1() { c1++; target.removeEventListener("foo", l1); target.removeEventListener("foo", l2); target.addEventListener("foo", l3); }
			function l2() { c2++; }
			function l3() { c3++; }
			target.addEventListener("foo", l1); target.addEventListener("foo", l2);
			target.dispatchEvent(new Event("foo")); eq([c1, c2, c3].join(), "1,0,0", "first dispatch");
			target.dispatchEvent(new Event("foo")); eq([c1, c2, c3].join(), "1,0,1", "second dispatch");
			const t2 = new EventTarget(); let d1 = 0, d2 = 0, d3 = 0;
			function m1() { d1++; t2.dispatchEvent(new Event("foo")); eq([d1, d2, d3].join(), "1,1,0", "nested"); t2.addEventListener("foo", m3); }
			function m2() { d2++; }
			function m3() { d3++; }
			t2.addEventListener("foo", m1, { once: true }); t2.addEventListener("foo", m2, { once: true });
			t2.dispatchEvent(new Event("foo")); eq([d1, d2, d3].join(), "1,1,0", "after");
			t2.dispatchEvent(new Event("foo")); eq([d1, d2, d3].join(), "1,1,1", "again");
			return "ok";`, "ok"},
		{"brand check", `EventTarget.prototype.addEventListener.call({}, "x", null);`, "throws TypeError: EventTarget.prototype.addEventListener: 'this' is not an EventTarget; call it on an EventTarget object"},
	})
}

func TestEventListenerOptions(t *testing.T) {
	runJSCases(t, []jsCase{
		{"once", jsAsserts + `
			let once = 0, normal = 0;
			const et = new EventTarget();
			const ho = () => once++, hn = () => normal++;
			et.addEventListener("test", ho, { once: true }); et.addEventListener("test", hn);
			et.dispatchEvent(new Event("test")); et.dispatchEvent(new Event("test"));
			eq(once + "," + normal, "1,2", "once runs once");
			let count = 0;
			const h = () => { count++; if (count === 1) et.dispatchEvent(new Event("nested")); };
			et.addEventListener("nested", h, { once: true });
			et.dispatchEvent(new Event("nested")); eq(count, 1, "once under nesting");
			count = 0;
			function h2() { count++; if (count === 1) et.addEventListener("n2", h2, { once: true }); if (count <= 2) et.dispatchEvent(new Event("n2")); }
			et.addEventListener("n2", h2, { once: true }); et.dispatchEvent(new Event("n2"));
			eq(count, 2, "re-added once listener");
			count = 0;
			const h3 = () => count++;
			et.addEventListener("t3", h3, { once: true }); et.addEventListener("t3", h3);
			et.dispatchEvent(new Event("t3")); et.dispatchEvent(new Event("t3")); eq(count, 1, "deduped with once");
			et.addEventListener("t3", h3, { once: true }); et.removeEventListener("t3", h3); et.dispatchEvent(new Event("t3")); eq(count, 1, "removed once listener");
			count = 0;
			for (let i = 0; i < 4; i++) et.addEventListener("t4", (e) => { count++; e.stopImmediatePropagation(); }, { once: true });
			for (let i = 0; i < 4; i++) et.dispatchEvent(new Event("t4"));
			eq(count, 4, "once with stopImmediatePropagation");
			return "ok";`, "ok"},
		{"passive is read by add only", jsAsserts + `
			let read = false;
			const opts = { get passive() { read = true; return false; }, get dummy() { throw new Error("dummy read"); } };
			const et = new EventTarget();
			et.addEventListener("e", null, opts); eq(read, true, "add reads passive");
			read = false; et.removeEventListener("e", null, opts); eq(read, false, "remove does not");
			return "ok";`, "ok"},
		{"passive ignores preventDefault and returnValue", jsAsserts + `
			const run = (options, expected, how, et) => {
				let dp;
				const h = (e) => { ok(!e.defaultPrevented, "premature"); if (how) e.preventDefault(); else e.returnValue = false; dp = e.defaultPrevented; };
				et = et || new EventTarget();
				et.addEventListener("test", h, options);
				const r = et.dispatchEvent(new Event("test", { bubbles: true, cancelable: true }));
				eq(dp, expected, "defaultPrevented for " + JSON.stringify(options));
				eq(r, !expected, "result for " + JSON.stringify(options));
				et.removeEventListener("test", h, options);
			};
			for (const how of [true, false]) {
				run(undefined, true, how); run({}, true, how); run({ passive: false }, true, how);
				run({ passive: true }, false, how); run({ passive: 0 }, true, how); run({ passive: 1 }, false, how);
			}
			for (const [opts, expected] of [[{}, true], [{ passive: false }, true], [{ passive: true }, false]]) {
				let i1 = false, i2 = false;
				const et = new EventTarget();
				const d1 = () => { i1 = true; }, d2 = () => { i2 = true; };
				et.addEventListener("test", d1, { passive: true }); et.addEventListener("test", d2);
				run(opts, expected, true, et);
				ok(i1 && i2, "other listeners ran");
			}
			return "ok";`, "ok"},
		{"option equivalence", jsAsserts + `
			const count = (o1, o2) => { let n = 0; const h = () => n++; const et = new EventTarget(); et.addEventListener("test", h, o1); et.addEventListener("test", h, o2); et.dispatchEvent(new Event("test")); return n; };
			eq(count({ capture: true }, { capture: false, passive: false }), 2, "capture differs");
			eq(count({ capture: true }, { passive: true }), 2, "capture vs passive");
			eq(count({}, { passive: false }), 1, "passive irrelevant");
			eq(count({ passive: true }, { passive: false }), 1, "passive irrelevant 2");
			eq(count(undefined, { passive: true }), 1, "undefined options");
			eq(count({ capture: true, passive: false }, { capture: true, passive: true }), 1, "capture same");
			return "ok";`, "ok"},
		{"signal", jsAsserts + `
			let count = 0; const handler = () => count++;
			let et = new EventTarget(); let c = new AbortController();
			et.addEventListener("test", handler, { signal: c.signal });
			et.dispatchEvent(new Event("test")); et.dispatchEvent(new Event("test")); eq(count, 2, "signal listener stays");
			c.abort(); et.dispatchEvent(new Event("test")); eq(count, 2, "abort removes");
			et.addEventListener("test", handler, { signal: c.signal }); et.dispatchEvent(new Event("test")); eq(count, 2, "aborted signal never adds");
			count = 0; et = new EventTarget(); c = new AbortController();
			et.addEventListener("test", handler, { signal: c.signal }); et.removeEventListener("test", handler); et.dispatchEvent(new Event("test")); eq(count, 0, "removeEventListener still works");
			et.addEventListener("test", handler, { signal: c.signal, once: true }); c.abort(); et.dispatchEvent(new Event("test")); eq(count, 0, "with once");
			c = new AbortController();
			et.addEventListener("first", handler, { signal: c.signal, once: true }); et.addEventListener("second", handler, { signal: c.signal, once: true });
			c.abort(); et.dispatchEvent(new Event("first")); et.dispatchEvent(new Event("second")); eq(count, 0, "many listeners");
			c = new AbortController();
			et.addEventListener("cap", handler, { signal: c.signal, capture: true }); c.abort(); et.dispatchEvent(new Event("cap")); eq(count, 0, "with capture");
			c = new AbortController();
			et.addEventListener("x", () => c.abort(), { signal: c.signal }); et.addEventListener("x", handler, { signal: c.signal });
			et.dispatchEvent(new Event("x")); eq(count, 0, "abort during dispatch skips later listeners");
			c = new AbortController();
			et.addEventListener("y", () => { et.addEventListener("y", handler, { signal: c.signal }); c.abort(); }, { signal: c.signal });
			et.dispatchEvent(new Event("y")); eq(count, 0, "added then aborted");
			const ac = new AbortController(); let n = 0;
			et.addEventListener("foo", () => {
				et.addEventListener("foo", () => { n++; if (n > 5) ac.abort(); et.dispatchEvent(new Event("foo")); }, { signal: ac.signal });
				et.dispatchEvent(new Event("foo"));
			}, { once: true });
			et.dispatchEvent(new Event("foo")); eq(n, 6, "nested abort");
			throwsName(() => et.addEventListener("foo", () => {}, { signal: null }), "TypeError", "null signal");
			throwsName(() => et.addEventListener("foo", null, { signal: null }), "TypeError", "null signal, null listener");
			throwsName(() => et.addEventListener("foo", null, { signal: {} }), "TypeError", "non-signal");
			return "ok";`, "ok"},
	})
}

func TestCustomEvent(t *testing.T) {
	runJSCases(t, []jsCase{
		{"dispatch", `const t = new EventTarget(); let seen; t.addEventListener("foo", (e) => { seen = e.type; }, true); t.dispatchEvent(new CustomEvent("foo", { bubbles: true, cancelable: true })); return seen;`, "foo"},
		{"initCustomEvent needs a type", `new CustomEvent("foo").initCustomEvent();`, "throws TypeError: CustomEvent.initCustomEvent: 1 argument required, but only 0 present"},
		{"defaults", `const e = new CustomEvent("foo"); return [e.type, e.bubbles, e.cancelable, e.detail].join() + (e.detail === null);`, "foo,false,false,true"},
		{"initCustomEvent", `const e = new CustomEvent("foo"); e.initCustomEvent("bar", true, false, { a: 1 }); return [e.type, e.bubbles, e.detail.a].join();`, "bar,true,1"},
	})
}

// The global object is an EventTarget, and uncaught listener errors become
// "error" events on it.
func TestGlobalEventTarget(t *testing.T) {
	runJSCases(t, []jsCase{
		{"identity", `return [globalThis instanceof EventTarget, typeof addEventListener, typeof globalThis.dispatchEvent, Object.keys(globalThis).includes("addEventListener")].join();`, "true,function,function,false"},
		{"bare calls use the global", `let n = 0; addEventListener("x", () => n++); dispatchEvent(new Event("x")); removeEventListener("x", () => {}); return n;`, "1"},
		{"error event details", `let got; addEventListener("error", (e) => { got = [e instanceof ErrorEvent, e.isTrusted, e.cancelable, e.message, e.error.message].join(); e.preventDefault(); });
			const t = new EventTarget(); t.addEventListener("x", () => { throw new RangeError("bad"); }); t.dispatchEvent(new Event("x")); return got;`, "true,true,true,Uncaught RangeError: bad,bad"},
		{"onerror handler", `let got; globalThis.onerror = (msg, file, line, col, err) => { got = msg + "|" + err; return true; };
			reportError(42); return got + "|" + (onerror !== null);`, "Uncaught 42|42|true"},
		{"reportError requires an argument", `reportError();`, "throws TypeError: reportError: 1 argument required, but only 0 present"},
	})
}

func TestUncaughtListenerErrorIsLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	in := startModule(t, "mod.js", `Deno.serve(() => {
  const t = new EventTarget();
  t.addEventListener("x", () => { throw new Error("listener broke"); });
  t.addEventListener("x", () => {});
  t.dispatchEvent(new Event("x"));
  reportError(new TypeError("reported"));
  addEventListener("error", (e) => { if (e.error === "quiet") e.preventDefault(); });
  reportError("quiet");
  return new Response("ok");
});`, Config{Project: "proj", Logger: log})
	if got := string(serve(t, in, "GET", "https://t.example/", "").Body); got != "ok" {
		t.Fatalf("got %q", got)
	}
	out := buf.String()
	for _, want := range []string{`msg="uncaught exception" project=proj instance="" stack="Error: listener broke\n\tat `, `stack="TypeError: reported\n\tat `, "mod.js:3:"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "quiet") {
		t.Errorf("a cancelled error event was logged:\n%s", out)
	}
}
