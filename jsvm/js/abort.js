// AbortController and AbortSignal (WHATWG DOM), including AbortSignal.any()
// with dependent signals and AbortSignal.timeout().
//
// Internal helpers for other prelude files (fetch, streams):
//   internal.signalAddAlgorithm(signal, fn)     run fn when signal aborts
//   internal.signalRemoveAlgorithm(signal, fn)
//   internal.isAbortSignal(x)
//   internal.newAbortSignal()                   a fresh signal, not aborted
//   internal.signalAbort(signal, reason)        abort a signal
(function (globalThis, host, internal) {
  "use strict";

  // Captured now: user code may replace the globals later.
  const EventTarget = globalThis.EventTarget;
  const Event = globalThis.Event;

  function requireArgs(got, need, where) {
    if (got < need) {
      throw new TypeError(`${where}: ${need} argument${need === 1 ? "" : "s"} required, but only ${got} present`);
    }
  }

  const CREATE = Symbol("create");
  let isAbortSignal;
  let stateOf;

  // Dependent signals (from any()) are kept in plain Sets, not weak ones:
  // goja has no WeakRef. A dependent is dropped from its sources once it
  // aborts; a never-aborted dependent of a long-lived signal stays
  // reachable as long as that signal does.
  class AbortSignal extends EventTarget {
    #s;

    constructor(key = undefined) {
      if (key !== CREATE) {
        throw new TypeError("Illegal constructor: AbortSignal cannot be constructed; use new AbortController().signal, AbortSignal.abort(), AbortSignal.timeout() or AbortSignal.any()");
      }
      super();
      this.#s = {
        aborted: false,
        reason: undefined,
        algorithms: new Set(),
        dependent: false,
        sources: new Set(),
        dependents: new Set(),
      };
    }

    static abort(reason = undefined) {
      const signal = new AbortSignal(CREATE);
      const s = signal.#s;
      s.aborted = true;
      s.reason = reason === undefined ? defaultReason() : reason;
      return signal;
    }

    static timeout(milliseconds) {
      requireArgs(arguments.length, 1, "AbortSignal.timeout");
      const ms = enforceRangeULongLong(milliseconds, "AbortSignal.timeout");
      const signal = new AbortSignal(CREATE);
      internal.setTimer(() => {
        signalAbort(signal, internal.domException("TimeoutError", "signal timed out"));
      }, ms);
      return signal;
    }

    static any(signals) {
      requireArgs(arguments.length, 1, "AbortSignal.any");
      if (signals === null || (typeof signals !== "object" && typeof signals !== "function") || typeof signals[Symbol.iterator] !== "function") {
        throw new TypeError("AbortSignal.any: the argument must be an iterable of AbortSignals");
      }
      const list = [];
      for (const sig of signals) {
        if (!isAbortSignal(sig)) {
          throw new TypeError("AbortSignal.any: every element of the argument must be an AbortSignal");
        }
        list.push(sig);
      }
      const result = new AbortSignal(CREATE);
      const rs = result.#s;
      for (const sig of list) {
        if (sig.#s.aborted) {
          rs.aborted = true;
          rs.reason = sig.#s.reason;
          return result;
        }
      }
      rs.dependent = true;
      for (const sig of list) {
        const ss = sig.#s;
        if (!ss.dependent) {
          rs.sources.add(sig);
          ss.dependents.add(result);
        } else {
          for (const source of ss.sources) {
            rs.sources.add(source);
            source.#s.dependents.add(result);
          }
        }
      }
      return result;
    }

    get aborted() {
      return stateOf(this, "aborted").aborted;
    }

    get reason() {
      return stateOf(this, "reason").reason;
    }

    throwIfAborted() {
      const s = stateOf(this, "throwIfAborted");
      if (s.aborted) throw s.reason;
    }

    static {
      isAbortSignal = (x) => x !== null && typeof x === "object" && #s in x;
      stateOf = (x, what) => {
        if (!isAbortSignal(x)) {
          throw new TypeError(`AbortSignal.prototype.${what}: 'this' is not an AbortSignal; call it on an AbortSignal object`);
        }
        return x.#s;
      };
    }
  }

  function defaultReason() {
    return internal.domException("AbortError", "signal is aborted without reason");
  }

  // WebIDL [EnforceRange] unsigned long long.
  function enforceRangeULongLong(v, where) {
    const n = Number(v);
    if (!Number.isFinite(n)) {
      throw new TypeError(`${where}: the delay must be a finite number of milliseconds, got ${String(n)}`);
    }
    const t = Math.trunc(n);
    if (t < 0 || t > Number.MAX_SAFE_INTEGER) {
      throw new TypeError(`${where}: the delay must be between 0 and ${Number.MAX_SAFE_INTEGER} milliseconds, got ${t}`);
    }
    return t;
  }

  // The DOM's "signal abort": mark the signal and its not-yet-aborted
  // dependents, then run each one's abort steps (algorithms, then the
  // trusted "abort" event), the signal itself first.
  function signalAbort(signal, reason) {
    const s = stateOf(signal, "abort");
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? defaultReason() : reason;
    const toAbort = [];
    for (const dep of s.dependents) {
      const ds = stateOf(dep, "abort");
      if (!ds.aborted) {
        ds.aborted = true;
        ds.reason = s.reason;
        toAbort.push(dep);
      }
    }
    runAbortSteps(signal);
    for (const dep of toAbort) runAbortSteps(dep);
  }

  function runAbortSteps(signal) {
    const s = stateOf(signal, "abort");
    const algorithms = Array.from(s.algorithms);
    s.algorithms.clear();
    for (const fn of algorithms) {
      try {
        fn(s.reason);
      } catch (err) {
        internal.reportError(err);
      }
    }
    // An aborted signal no longer needs its links to other signals.
    for (const source of s.sources) stateOf(source, "abort").dependents.delete(signal);
    s.sources.clear();
    s.dependents.clear();
    internal.fireEvent(signal, new Event("abort"));
  }

  let controllerSignal;

  class AbortController {
    #signal;

    constructor() {
      this.#signal = new AbortSignal(CREATE);
    }

    get signal() {
      return controllerSignal(this, "signal");
    }

    abort(reason = undefined) {
      signalAbort(controllerSignal(this, "abort"), reason);
    }

    static {
      controllerSignal = (c, what) => {
        if (c === null || typeof c !== "object" || !(#signal in c)) {
          throw new TypeError(`AbortController.prototype.${what}: 'this' is not an AbortController; call it on an AbortController object`);
        }
        return c.#signal;
      };
    }
  }

  internal.defineEventHandler(AbortSignal.prototype, "abort", "AbortSignal", isAbortSignal);

  Object.defineProperty(AbortSignal.prototype, internal.inspectSymbol, {
    value: function (fmt) {
      const s = stateOf(this, "inspect");
      return s.aborted ? "AbortSignal { aborted: true, reason: " + fmt(s.reason) + " }" : "AbortSignal { aborted: false }";
    },
    configurable: true,
  });
  Object.defineProperty(AbortController.prototype, internal.inspectSymbol, {
    value: function (fmt) {
      return "AbortController { signal: " + fmt(this.signal) + " }";
    },
    configurable: true,
  });

  for (const [cls, tag] of [[AbortSignal, "AbortSignal"], [AbortController, "AbortController"]]) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
    Object.defineProperty(globalThis, tag, { value: cls, writable: true, configurable: true, enumerable: false });
  }

  internal.isAbortSignal = isAbortSignal;
  internal.signalAddAlgorithm = function (signal, fn) {
    const s = stateOf(signal, "addAlgorithm");
    if (s.aborted) return;
    s.algorithms.add(fn);
  };
  internal.signalRemoveAlgorithm = function (signal, fn) {
    stateOf(signal, "removeAlgorithm").algorithms.delete(fn);
  };
  internal.newAbortSignal = () => new AbortSignal(CREATE);
  internal.signalAbort = signalAbort;
})
