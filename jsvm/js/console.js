// console: Deno-style formatting of values, written through host.print.
(function (globalThis, host, internal) {
  "use strict";

  function quote(s) {
    return JSON.stringify(s);
  }

  function inspect(value, depth, seen) {
    switch (typeof value) {
      case "string":
        return depth === 0 ? value : quote(value);
      case "number":
        return Object.is(value, -0) ? "-0" : String(value);
      case "bigint":
        return value + "n";
      case "undefined":
        return "undefined";
      case "boolean":
        return String(value);
      case "symbol":
        return value.toString();
      case "function": {
        const name = value.name ? ": " + value.name : " (anonymous)";
        const kind = /^class\s/.test(Function.prototype.toString.call(value)) ? "class" : "Function";
        return "[" + kind + name + "]";
      }
    }
    if (value === null) return "null";
    if (seen.includes(value)) return "[Circular]";
    if (value instanceof Error) {
      return value.stack || (value.name + ": " + value.message);
    }
    if (value instanceof Date) return isNaN(value) ? "Invalid Date" : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (depth > 4) return Array.isArray(value) ? "[Array]" : "[Object]";
    const next = seen.concat([value]);
    if (Array.isArray(value)) {
      if (value.length === 0) return "[]";
      const items = value.map((v) => inspect(v, depth + 1, next));
      return "[ " + items.join(", ") + " ]";
    }
    if (value instanceof Map) {
      const items = [];
      value.forEach((v, k) => items.push(inspect(k, depth + 1, next) + " => " + inspect(v, depth + 1, next)));
      return "Map(" + value.size + ") {" + (items.length ? " " + items.join(", ") + " " : "") + "}";
    }
    if (value instanceof Set) {
      const items = [];
      value.forEach((v) => items.push(inspect(v, depth + 1, next)));
      return "Set(" + value.size + ") {" + (items.length ? " " + items.join(", ") + " " : "") + "}";
    }
    if (typeof value[internal.inspectSymbol] === "function") {
      return value[internal.inspectSymbol]((v) => inspect(v, depth + 1, next));
    }
    const keys = Object.keys(value);
    const ctor = Object.getPrototypeOf(value);
    let prefix = "";
    if (ctor === null) prefix = "[Object: null prototype] ";
    else if (ctor.constructor && ctor.constructor !== Object && ctor.constructor.name) prefix = ctor.constructor.name + " ";
    if (keys.length === 0) return prefix + "{}";
    const items = keys.map((k) => {
      const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : quote(k);
      return key + ": " + inspect(value[k], depth + 1, next);
    });
    return prefix + "{ " + items.join(", ") + " }";
  }

  function format(args) {
    return Array.prototype.map.call(args, (a) => inspect(a, 0, [])).join(" ");
  }
  internal.inspect = (v) => inspect(v, 1, []);

  const console = {
    log() { host.print("info", format(arguments)); },
    info() { host.print("info", format(arguments)); },
    debug() { host.print("debug", format(arguments)); },
    warn() { host.print("warn", format(arguments)); },
    error() { host.print("error", format(arguments)); },
    trace() { host.print("error", "Trace: " + format(arguments) + "\n" + new Error().stack); },
  };
  Object.defineProperty(globalThis, "console", { value: console, writable: true, configurable: true });
})
