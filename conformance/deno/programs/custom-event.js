// Event and CustomEvent properties; an EventTarget subclass.
Deno.serve(() => {
  const r = {};
  const e = new Event("plain", { bubbles: true, cancelable: true, composed: true });
  r.event = [e.type, e.bubbles, e.cancelable, e.composed, e.defaultPrevented, e.isTrusted, typeof e.timeStamp, e.eventPhase];
  e.preventDefault();
  r.preventedOutsideDispatch = e.defaultPrevented;
  const ce = new CustomEvent("custom", { detail: { n: 1 } });
  r.custom = [ce.type, ce.detail, ce instanceof Event, new CustomEvent("x").detail];
  class Emitter extends EventTarget {
    fire(detail) { return this.dispatchEvent(new CustomEvent("fire", { detail })); }
  }
  const em = new Emitter();
  const got = [];
  em.addEventListener("fire", (ev) => got.push(ev.detail));
  em.fire("one");
  em.fire(2);
  r.subclass = got;
  r.constants = [Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE];
  try {
    new Event();
    r.noType = "no error";
  } catch (err) {
    r.noType = "threw " + err.name;
  }
  try {
    new EventTarget().dispatchEvent("x");
    r.dispatchNonEvent = "no error";
  } catch (err) {
    r.dispatchNonEvent = "threw " + err.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
