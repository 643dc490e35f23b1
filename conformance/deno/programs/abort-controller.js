// AbortController and AbortSignal: reasons, events, throwIfAborted.
Deno.serve(() => {
  const r = {};
  const ac = new AbortController();
  const log = [];
  ac.signal.addEventListener("abort", (e) => log.push("listener:" + e.type));
  ac.signal.onabort = () => log.push("onabort");
  r.before = [ac.signal.aborted, ac.signal.reason];
  ac.abort();
  ac.abort(); // second abort: no second event
  r.after = [ac.signal.aborted, ac.signal.reason instanceof DOMException, ac.signal.reason.name];
  r.events = log;
  try {
    ac.signal.throwIfAborted();
    r.throwIfAborted = "no error";
  } catch (e) {
    r.throwIfAborted = "threw " + e.name;
  }
  const custom = new AbortController();
  custom.abort(new Error("custom reason"));
  r.custom = [custom.signal.reason.message];
  custom.abort("ignored");
  r.customKept = custom.signal.reason.message;
  const s = AbortSignal.abort("why");
  r.staticAbort = [s.aborted, s.reason];
  r.staticAbortDefault = AbortSignal.abort().reason.name;
  new AbortController().signal.throwIfAborted();
  r.notAborted = "ok";
  try {
    new AbortSignal();
    r.constructSignal = "no error";
  } catch (e) {
    r.constructSignal = "threw " + e.name;
  }
  r.isEventTarget = ac.signal instanceof EventTarget;
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
