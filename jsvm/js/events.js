// Event, EventTarget, CustomEvent and ErrorEvent (WHATWG DOM, HTML), plus the
// global object as an EventTarget and reportError().
//
// Targets here have no parents, so an event's path is just its target: the
// capturing listeners run, then the others, both in the AT_TARGET phase.
//
// Internal helpers for other prelude files:
//   internal.fireEvent(target, event)      dispatch a trusted event
//   internal.defineEventHandler(proto, n)  an `on<n>` event handler attribute
//   (internal.reportException(err), the last stop of an unhandled error, is deno.js's)
//   internal.reportError(err)              "report the exception" (error event)
//   internal.isEvent(x), internal.isEventTarget(x)
(function (globalThis, host, internal) {
  "use strict";

  const toDOMString = internal.toDOMString;

  function requireArgs(got, need, where) {
    if (got < need) {
      throw new TypeError(`${where}: ${need} argument${need === 1 ? "" : "s"} required, but only ${got} present`);
    }
  }

  // A WebIDL dictionary argument: undefined and null mean "empty"; anything
  // else must be an object.
  function dictionary(v, where) {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" && typeof v !== "function") {
      throw new TypeError(`${where}: the options argument must be an object`);
    }
    return v;
  }

  // WebIDL unsigned long conversion (modulo 2^32).
  function toUnsignedLong(v) {
    const n = Number(v);
    if (!Number.isFinite(n)) return 0;
    const t = Math.trunc(n) % 4294967296;
    return t < 0 ? t + 4294967296 : t;
  }

  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;

  // ---- Event ----------------------------------------------------------

  let eventState; // (event) => the private state, or throws for a non-Event
  let isEvent;

  // isTrusted is an own, unforgeable accessor on every event; all events
  // share this one getter.
  function isTrustedGetter() {
    return eventState(this, "isTrusted").trusted;
  }
  Object.defineProperty(isTrustedGetter, "name", { value: "get isTrusted" });

  class Event {
    #s;

    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Event constructor");
      type = toDOMString(type);
      const init = dictionary(eventInitDict, "Event constructor");
      // Dictionary members are read in lexicographic order.
      const bubbles = init !== undefined && Boolean(init.bubbles);
      const cancelable = init !== undefined && Boolean(init.cancelable);
      const composed = init !== undefined && Boolean(init.composed);
      Object.defineProperty(this, "isTrusted", {
        get: isTrustedGetter,
        enumerable: true,
        configurable: false,
      });
      this.#s = {
        type,
        bubbles,
        cancelable,
        composed,
        target: null,
        currentTarget: null,
        phase: NONE,
        trusted: false,
        initialized: true,
        dispatching: false,
        stopPropagation: false,
        stopImmediate: false,
        canceled: false,
        inPassiveListener: false,
        timeStamp: Date.now(),
      };
    }

    get type() { return eventState(this, "type").type; }
    get target() { return eventState(this, "target").target; }
    get srcElement() { return eventState(this, "srcElement").target; }
    get currentTarget() { return eventState(this, "currentTarget").currentTarget; }
    get eventPhase() { return eventState(this, "eventPhase").phase; }
    get bubbles() { return eventState(this, "bubbles").bubbles; }
    get cancelable() { return eventState(this, "cancelable").cancelable; }
    get composed() { return eventState(this, "composed").composed; }
    get defaultPrevented() { return eventState(this, "defaultPrevented").canceled; }
    get timeStamp() { return eventState(this, "timeStamp").timeStamp; }

    composedPath() {
      const s = eventState(this, "composedPath");
      return s.dispatching && s.currentTarget !== null ? [s.currentTarget] : [];
    }

    stopPropagation() {
      eventState(this, "stopPropagation").stopPropagation = true;
    }

    get cancelBubble() { return eventState(this, "cancelBubble").stopPropagation; }
    set cancelBubble(value) {
      const s = eventState(this, "cancelBubble");
      if (value) s.stopPropagation = true;
    }

    stopImmediatePropagation() {
      const s = eventState(this, "stopImmediatePropagation");
      s.stopPropagation = true;
      s.stopImmediate = true;
    }

    get returnValue() { return !eventState(this, "returnValue").canceled; }
    set returnValue(value) {
      const s = eventState(this, "returnValue");
      if (!value) cancel(s);
    }

    preventDefault() {
      cancel(eventState(this, "preventDefault"));
    }

    initEvent(type, bubbles = false, cancelable = false) {
      const s = eventState(this, "initEvent");
      requireArgs(arguments.length, 1, "Event.initEvent");
      type = toDOMString(type);
      if (s.dispatching) return;
      initialize(s, type, Boolean(bubbles), Boolean(cancelable));
    }

    static {
      eventState = (e, what) => {
        if (e === null || typeof e !== "object" || !(#s in e)) {
          throw new TypeError(`Event.prototype.${what}: 'this' is not an Event; call it on an Event object`);
        }
        return e.#s;
      };
      isEvent = (e) => e !== null && typeof e === "object" && #s in e;
    }
  }

  function cancel(s) {
    if (s.cancelable && !s.inPassiveListener) s.canceled = true;
  }

  function initialize(s, type, bubbles, cancelable) {
    s.initialized = true;
    s.stopPropagation = false;
    s.stopImmediate = false;
    s.canceled = false;
    s.trusted = false;
    s.target = null;
    s.type = type;
    s.bubbles = bubbles;
    s.cancelable = cancelable;
  }

  const phaseConstants = { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE };
  for (const [k, v] of Object.entries(phaseConstants)) {
    const desc = { value: v, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(Event, k, desc);
    Object.defineProperty(Event.prototype, k, desc);
  }

  // ---- CustomEvent and ErrorEvent --------------------------------------

  class CustomEvent extends Event {
    #detail;

    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "CustomEvent constructor");
      type = toDOMString(type);
      const init = dictionary(eventInitDict, "CustomEvent constructor");
      super(type, init);
      this.#detail = init === undefined || init.detail === undefined ? null : init.detail;
    }

    get detail() {
      if (!(#detail in this)) {
        throw new TypeError("CustomEvent.prototype.detail: 'this' is not a CustomEvent; call it on a CustomEvent object");
      }
      return this.#detail;
    }

    initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
      if (!(#detail in this)) {
        throw new TypeError("CustomEvent.prototype.initCustomEvent: 'this' is not a CustomEvent; call it on a CustomEvent object");
      }
      requireArgs(arguments.length, 1, "CustomEvent.initCustomEvent");
      type = toDOMString(type);
      const s = eventState(this, "initCustomEvent");
      if (s.dispatching) return;
      initialize(s, type, Boolean(bubbles), Boolean(cancelable));
      this.#detail = detail;
    }
  }

  class ErrorEvent extends Event {
    #message;
    #filename;
    #lineno;
    #colno;
    #error;

    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "ErrorEvent constructor");
      type = toDOMString(type);
      const init = dictionary(eventInitDict, "ErrorEvent constructor");
      super(type, init);
      // Own members, after the inherited ones, in lexicographic order.
      const get = (k) => (init === undefined ? undefined : init[k]);
      const colno = get("colno");
      const error = get("error");
      const filename = get("filename");
      const lineno = get("lineno");
      const message = get("message");
      this.#colno = colno === undefined ? 0 : toUnsignedLong(colno);
      this.#error = error;
      this.#filename = filename === undefined ? "" : toDOMString(filename);
      this.#lineno = lineno === undefined ? 0 : toUnsignedLong(lineno);
      this.#message = message === undefined ? "" : toDOMString(message);
    }

    get message() { return errorEventField(this, "message", (e) => e.#message); }
    get filename() { return errorEventField(this, "filename", (e) => e.#filename); }
    get lineno() { return errorEventField(this, "lineno", (e) => e.#lineno); }
    get colno() { return errorEventField(this, "colno", (e) => e.#colno); }
    get error() { return errorEventField(this, "error", (e) => e.#error); }

    static isErrorEvent(e) { return e !== null && typeof e === "object" && #error in e; }
  }
  const isErrorEvent = ErrorEvent.isErrorEvent;
  delete ErrorEvent.isErrorEvent;

  function errorEventField(e, what, read) {
    if (!isErrorEvent(e)) {
      throw new TypeError(`ErrorEvent.prototype.${what}: 'this' is not an ErrorEvent; call it on an ErrorEvent object`);
    }
    return read(e);
  }

  // ---- EventTarget ----------------------------------------------------

  // A target's listeners live in a symbol slot rather than a private field:
  // the global object becomes an EventTarget without being constructed as
  // one. The slot holds a Map from event type to an array of listeners
  // { callback, capture, passive, once, signal, removed, algorithm }.
  const LISTENERS = Symbol("eventListeners");

  function targetOf(self, what, iface = "EventTarget") {
    // WebIDL: on an interface the global object implements, an undefined or
    // null `this` means the global object (so a bare addEventListener()
    // call works).
    if (self === undefined || self === null) self = globalThis;
    if ((typeof self !== "object" && typeof self !== "function") || !Object.prototype.hasOwnProperty.call(self, LISTENERS)) {
      throw new TypeError(`${iface}.prototype.${what}: 'this' is not an ${iface}; call it on an ${iface} object`);
    }
    return self;
  }

  function makeTarget(obj) {
    Object.defineProperty(obj, LISTENERS, { value: new Map(), writable: false, enumerable: false, configurable: false });
  }

  function listenerCallback(callback, where) {
    if (callback === undefined || callback === null) return null;
    if (typeof callback !== "object" && typeof callback !== "function") {
      throw new TypeError(`${where}: the listener must be a function or an object with a handleEvent method`);
    }
    return callback;
  }

  // flatten + flatten more: the AddEventListenerOptions (or boolean) union.
  function addOptions(options) {
    const o = { capture: false, once: false, passive: false, signal: null };
    if (options === undefined || options === null) return o;
    if (typeof options !== "object" && typeof options !== "function") {
      o.capture = Boolean(options);
      return o;
    }
    o.capture = Boolean(options.capture);
    o.once = Boolean(options.once);
    const passive = options.passive;
    if (passive !== undefined) o.passive = Boolean(passive);
    const signal = options.signal;
    if (signal !== undefined) {
      if (typeof internal.isAbortSignal !== "function" || !internal.isAbortSignal(signal)) {
        throw new TypeError("EventTarget.addEventListener: options.signal must be an AbortSignal");
      }
      o.signal = signal;
    }
    return o;
  }

  // flatten: the EventListenerOptions (or boolean) union; only capture.
  function removeCapture(options) {
    if (options === undefined || options === null) return false;
    if (typeof options !== "object" && typeof options !== "function") return Boolean(options);
    return Boolean(options.capture);
  }

  function removeListener(target, type, listener) {
    const list = target[LISTENERS].get(type);
    listener.removed = true;
    if (listener.algorithm !== null) {
      internal.signalRemoveAlgorithm(listener.signal, listener.algorithm);
      listener.algorithm = null;
    }
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) target[LISTENERS].delete(type);
  }

  function addListener(target, type, callback, opts) {
    if (opts.signal !== null && opts.signal.aborted) return;
    if (callback === null) return;
    const map = target[LISTENERS];
    let list = map.get(type);
    if (list) {
      for (const l of list) {
        if (l.callback === callback && l.capture === opts.capture) return;
      }
    } else {
      list = [];
      map.set(type, list);
    }
    const listener = {
      callback,
      capture: opts.capture,
      passive: opts.passive,
      once: opts.once,
      signal: opts.signal,
      removed: false,
      algorithm: null,
    };
    list.push(listener);
    if (opts.signal !== null) {
      listener.algorithm = () => {
        listener.algorithm = null;
        removeListener(target, type, listener);
      };
      internal.signalAddAlgorithm(opts.signal, listener.algorithm);
    }
    return listener;
  }

  class EventTarget {
    constructor() {
      makeTarget(this);
    }

    addEventListener(type, callback, options = undefined) {
      const target = targetOf(this, "addEventListener");
      requireArgs(arguments.length, 2, "EventTarget.addEventListener");
      type = toDOMString(type);
      callback = listenerCallback(callback, "EventTarget.addEventListener");
      addListener(target, type, callback, addOptions(options));
    }

    removeEventListener(type, callback, options = undefined) {
      const target = targetOf(this, "removeEventListener");
      requireArgs(arguments.length, 2, "EventTarget.removeEventListener");
      type = toDOMString(type);
      callback = listenerCallback(callback, "EventTarget.removeEventListener");
      const capture = removeCapture(options);
      const list = target[LISTENERS].get(type);
      if (!list || callback === null) return;
      for (const l of list) {
        if (l.callback === callback && l.capture === capture) {
          removeListener(target, type, l);
          return;
        }
      }
    }

    dispatchEvent(event) {
      const target = targetOf(this, "dispatchEvent");
      requireArgs(arguments.length, 1, "EventTarget.dispatchEvent");
      if (!isEvent(event)) {
        throw new TypeError("EventTarget.dispatchEvent: the argument must be an Event");
      }
      const s = eventState(event, "dispatchEvent");
      if (s.dispatching) {
        throw internal.domException("InvalidStateError", "EventTarget.dispatchEvent: the event is already being dispatched; create a new Event");
      }
      if (!s.initialized) {
        throw internal.domException("InvalidStateError", "EventTarget.dispatchEvent: the event is not initialized; call initEvent first");
      }
      s.trusted = false;
      return dispatch(target, event, s);
    }
  }

  // dispatch runs the DOM dispatch algorithm for a path of one target.
  function dispatch(target, event, s) {
    s.dispatching = true;
    s.target = target;
    try {
      s.phase = AT_TARGET;
      invoke(target, event, s, true);
      invoke(target, event, s, false);
    } finally {
      s.phase = NONE;
      s.currentTarget = null;
      s.dispatching = false;
      s.stopPropagation = false;
      s.stopImmediate = false;
    }
    return !s.canceled;
  }

  function invoke(target, event, s, capturing) {
    const list = target[LISTENERS].get(s.type);
    if (!list) return;
    s.currentTarget = target;
    // Listeners added during dispatch do not run; removed ones are skipped
    // through their removed flag.
    for (const listener of list.slice()) {
      if (s.stopImmediate) break;
      if (listener.removed || listener.capture !== capturing) continue;
      if (listener.once) removeListener(target, s.type, listener);
      if (listener.passive) s.inPassiveListener = true;
      try {
        const cb = listener.callback;
        if (typeof cb === "function") {
          Reflect.apply(cb, target, [event]);
        } else {
          const handleEvent = cb.handleEvent;
          if (typeof handleEvent !== "function") {
            throw new TypeError("the event listener object has no callable handleEvent method");
          }
          Reflect.apply(handleEvent, cb, [event]);
        }
      } catch (err) {
        reportError(err);
      } finally {
        s.inPassiveListener = false;
      }
    }
  }

  // ---- reporting exceptions -----------------------------------------

  // The last stop for an unhandled exception is internal.reportException,
  // which deno.js defines (it logs through the host).

  function describe(err) {
    try {
      if (err instanceof Error || internal.isDOMException(err)) {
        return err.message === "" ? String(err.name) : err.name + ": " + err.message;
      }
      return String(err);
    } catch {
      return "exception";
    }
  }

  // HTML's "report the exception": fire a cancelable, trusted "error"
  // ErrorEvent at the global object; if nothing cancels it, hand the error
  // to internal.reportException. An error thrown while already reporting
  // goes straight to internal.reportException.
  let reporting = false;
  function reportError(err) {
    if (reporting) {
      internal.reportException(err);
      return;
    }
    reporting = true;
    let canceled = false;
    try {
      const ev = new ErrorEvent("error", { cancelable: true, message: "Uncaught " + describe(err), error: err });
      canceled = !fire(globalThis, ev);
    } finally {
      reporting = false;
    }
    if (!canceled) internal.reportException(err);
  }
  internal.reportError = reportError;

  // fire dispatches a trusted event from platform code, bypassing any
  // dispatchEvent the user may have overridden.
  function fire(target, event) {
    const s = eventState(event, "dispatchEvent");
    if (s.dispatching) {
      throw internal.domException("InvalidStateError", "the event is already being dispatched; create a new Event");
    }
    s.trusted = true;
    return dispatch(target, event, s);
  }
  internal.fireEvent = fire;
  internal.isEvent = isEvent;
  internal.isEventTarget = (x) =>
    x !== null && (typeof x === "object" || typeof x === "function") && Object.prototype.hasOwnProperty.call(x, LISTENERS);

  // ---- event handler attributes (onabort and friends) --------------------

  // HTML event handlers: setting a callable value (or any object) installs
  // one listener the first time, whose position in the listener list stays
  // put while the handler changes; setting anything else removes it.
  const HANDLERS = Symbol("eventHandlers");
  // iface names the interface in error messages; check, if given, is its
  // brand check.
  internal.defineEventHandler = function (proto, name, iface = "EventTarget", check = undefined) {
    const prop = "on" + name;
    const checked = (self) => {
      if (check !== undefined && !check(self)) {
        throw new TypeError(`${iface}.prototype.${prop}: 'this' is not an ${iface}; call it on an ${iface} object`);
      }
      return targetOf(self, prop, iface);
    };
    Object.defineProperty(proto, prop, {
      get() {
        const target = checked(this);
        const h = target[HANDLERS] && target[HANDLERS].get(name);
        return h ? h.value : null;
      },
      set(value) {
        const target = checked(this);
        if (!Object.prototype.hasOwnProperty.call(target, HANDLERS)) {
          Object.defineProperty(target, HANDLERS, { value: new Map() });
        }
        const handlers = target[HANDLERS];
        let h = handlers.get(name);
        if (value === null || (typeof value !== "object" && typeof value !== "function")) {
          if (h) {
            removeListener(target, name, h.listener);
            handlers.delete(name);
          }
          return;
        }
        if (h) {
          h.value = value;
          return;
        }
        h = { value, listener: null };
        const callback = function (event) {
          if (typeof h.value !== "function") return;
          // The global object's onerror gets the error's details as
          // arguments and cancels the event by returning true.
          if (name === "error" && this === globalThis && isErrorEvent(event)) {
            const ret = Reflect.apply(h.value, this, [event.message, event.filename, event.lineno, event.colno, event.error]);
            if (ret === true) event.preventDefault();
            return;
          }
          const ret = Reflect.apply(h.value, this, [event]);
          if (ret === false) event.preventDefault();
        };
        handlers.set(name, h);
        h.listener = addListener(target, name, callback, { capture: false, once: false, passive: false, signal: null });
      },
      enumerable: true,
      configurable: true,
    });
  };

  // ---- console formatting ---------------------------------------------

  function inspectFields(name, obj, keys, fmt) {
    return name + " { " + keys.map((k) => k + ": " + fmt(obj[k])).join(", ") + " }";
  }
  Object.defineProperty(Event.prototype, internal.inspectSymbol, {
    value: function (fmt) {
      const keys = ["type", "bubbles", "cancelable", "composed", "isTrusted", "defaultPrevented", "eventPhase", "timeStamp"];
      if (isErrorEvent(this)) keys.push("message", "filename", "lineno", "colno", "error");
      else if (this instanceof CustomEvent) keys.push("detail");
      return inspectFields(this.constructor && this.constructor.name || "Event", this, keys, fmt);
    },
    configurable: true,
  });
  Object.defineProperty(EventTarget.prototype, internal.inspectSymbol, {
    value: function () { return (this.constructor && this.constructor.name || "EventTarget") + " {}"; },
    configurable: true,
  });

  // ---- installing ----------------------------------------------------

  for (const [cls, tag] of [[Event, "Event"], [CustomEvent, "CustomEvent"], [ErrorEvent, "ErrorEvent"], [EventTarget, "EventTarget"]]) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
    Object.defineProperty(globalThis, tag, { value: cls, writable: true, configurable: true, enumerable: false });
  }

  // The global object is an EventTarget: it inherits addEventListener and
  // friends (so `globalThis instanceof EventTarget`), with its own list.
  makeTarget(globalThis);
  internal.setGlobalPrototype(EventTarget.prototype);

  Object.defineProperty(globalThis, "reportError", {
    value: function reportError_(e) {
      requireArgs(arguments.length, 1, "reportError");
      reportError(e);
    },
    writable: true,
    configurable: true,
    enumerable: true,
  });
  Object.defineProperty(globalThis.reportError, "name", { value: "reportError" });
  internal.defineEventHandler(globalThis, "error");
})
