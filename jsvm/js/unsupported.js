// Web APIs edge does not provide. Each name exists so that using it fails
// at the call with what to do instead, rather than with "X is not defined"
// or, worse, silently: constructing one of the classes, or calling a method
// of one of the objects, throws TypeError("<API> is not supported by edge: …").
(function (globalThis, host, internal) {
  "use strict";

  const reasons = {
    WebSocket: "instances serve HTTP only; stream server-sent events from a Response body instead",
    WebSocketStream: "instances serve HTTP only; stream server-sent events from a Response body instead",
    EventSource: "outbound event streams are not available; read the fetch() response body as a stream instead",
    XMLHttpRequest: "use fetch()",
    BroadcastChannel: "instances do not share memory; fetch() a coordinator to coordinate them",
    MessageChannel: "there is one JavaScript realm per instance",
    MessagePort: "there is one JavaScript realm per instance",
    Worker: "an instance runs on one event loop; deploy another project and fetch() it",
    SharedWorker: "an instance runs on one event loop; deploy another project and fetch() it",
  };
  for (const [name, why] of Object.entries(reasons)) {
    const cls = class {
      constructor() { throw new TypeError(`${name} is not supported by edge: ${why}`); }
    };
    Object.defineProperty(cls, "name", { value: name });
    Object.defineProperty(globalThis, name, { value: cls, writable: true, configurable: true, enumerable: false });
  }

  function unsupportedObject(name, why, methods) {
    const obj = {};
    for (const m of methods) {
      obj[m] = function () { throw new TypeError(`${name}.${m} is not supported by edge: ${why}`); };
    }
    Object.defineProperty(globalThis, name, { value: obj, writable: true, configurable: true, enumerable: false });
  }
  const STORAGE = "keep state in a coordinator's Deno.storage";
  unsupportedObject("localStorage", STORAGE, ["getItem", "setItem", "removeItem", "clear", "key"]);
  unsupportedObject("sessionStorage", STORAGE, ["getItem", "setItem", "removeItem", "clear", "key"]);
  unsupportedObject("caches", "there is no Cache API; keep responses in a coordinator's Deno.storage", ["open", "match", "has", "delete", "keys"]);
})
