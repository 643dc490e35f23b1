// EventTarget: listener order, once, removal, handleEvent objects,
// preventDefault, stopImmediatePropagation.
Deno.serve(() => {
  const r = {};
  const et = new EventTarget();
  const log = [];
  const a = () => log.push("a");
  et.addEventListener("x", a);
  et.addEventListener("x", a); // duplicate: ignored
  et.addEventListener("x", () => log.push("once"), { once: true });
  et.addEventListener("x", { handleEvent(e) { log.push("obj:" + e.type); } });
  et.addEventListener("x", function (e) { log.push("this:" + (this === et) + ":" + (e.target === et) + ":" + (e.currentTarget === et) + ":" + e.eventPhase); });
  et.dispatchEvent(new Event("x"));
  et.removeEventListener("x", a);
  et.dispatchEvent(new Event("x"));
  r.log = log;
  const c = new EventTarget();
  c.addEventListener("c", (e) => e.preventDefault());
  r.cancelable = c.dispatchEvent(new Event("c", { cancelable: true }));
  r.notCancelable = c.dispatchEvent(new Event("c"));
  const s = new EventTarget();
  const slog = [];
  s.addEventListener("s", (e) => { slog.push(1); e.stopImmediatePropagation(); });
  s.addEventListener("s", () => slog.push(2));
  s.dispatchEvent(new Event("s"));
  r.stopImmediate = slog;
  const ac = new AbortController();
  const sig = new EventTarget();
  let n = 0;
  sig.addEventListener("t", () => n++, { signal: ac.signal });
  sig.dispatchEvent(new Event("t"));
  ac.abort();
  sig.dispatchEvent(new Event("t"));
  r.signalOption = n;
  const ev = new Event("after");
  r.afterDispatch = [ev.eventPhase, ev.target, ev.currentTarget];
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
