// setTimeout / setInterval / clearTimeout / clearInterval and queueMicrotask.
// The host owns the clock; it calls internal.fireTimer(id) on the instance's
// event loop when a timer is due.
(function (globalThis, host, internal) {
  "use strict";

  const timers = new Map();
  let nextId = 1;

  function schedule(callback, delay, args, repeat) {
    if (typeof callback !== "function") {
      throw new TypeError("setTimeout/setInterval: the callback must be a function (strings are not evaluated)");
    }
    let ms = Number(delay);
    if (!(ms >= 0)) ms = 0; // NaN, negative and undefined become 0
    const id = nextId++;
    timers.set(id, { callback, args, repeat, ms });
    host.setTimer(id, ms);
    return id;
  }

  internal.fireTimer = function (id) {
    const t = timers.get(id);
    if (!t) return;
    if (t.repeat) host.setTimer(id, t.ms);
    else timers.delete(id);
    // An exception in a callback is reported (an "error" event on the
    // global, then the log), as HTML's timers do; the loop keeps running.
    try {
      t.callback.apply(globalThis, t.args);
    } catch (e) {
      internal.reportError(e);
    }
  };

  function clear(id) {
    id = Number(id);
    if (timers.delete(id)) host.clearTimer(id);
  }

  // For platform code (AbortSignal.timeout): timers user code cannot
  // intercept by replacing the globals.
  internal.setTimer = (fn, ms) => schedule(fn, ms, [], false);
  internal.clearTimer = clear;

  Object.assign(globalThis, {
    setTimeout(callback, delay = 0, ...args) { return schedule(callback, delay, args, false); },
    setInterval(callback, delay = 0, ...args) { return schedule(callback, delay, args, true); },
    clearTimeout: clear,
    clearInterval: clear,
    queueMicrotask(callback) {
      if (typeof callback !== "function") throw new TypeError("queueMicrotask: the callback must be a function");
      Promise.resolve().then(() => callback());
    },
  });
})
