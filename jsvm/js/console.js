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

  // format joins the arguments as Deno does, applying printf-style
  // substitutions (%s %d %i %f %o %O %j %c %%) when the first argument is a
  // string.
  function format(args) {
    const out = [];
    let i = 0;
    if (typeof args[0] === "string" && args.length > 1 && args[0].includes("%")) {
      i = 1;
      out.push(args[0].replace(/%([sdifoOjc%])/g, (m, c) => {
        if (c === "%") return "%";
        if (i >= args.length) return m;
        const a = args[i++];
        switch (c) {
          case "s": return typeof a === "string" ? a : inspect(a, 1, []);
          case "d": case "i": return typeof a === "bigint" ? a + "n" : typeof a === "symbol" ? "NaN" : String(c === "i" ? Math.trunc(Number(a)) : Number(a));
          case "f": return typeof a === "symbol" ? "NaN" : String(Number(a));
          case "j": try { return JSON.stringify(a); } catch { return "[Circular]"; }
          case "c": return "";
          default: return inspect(a, 1, []);
        }
      }));
    } else if (args.length > 0) {
      out.push(inspect(args[0], 0, []));
      i = 1;
    }
    for (; i < args.length; i++) out.push(inspect(args[i], 0, []));
    return out.join(" ");
  }
  internal.inspect = (v) => inspect(v, 1, []);

  let indent = "";
  const counts = new Map();
  const timers = new Map();
  function print(level, text) {
    host.print(level, indent === "" ? text : indent + text.split("\n").join("\n" + indent));
  }

  // table renders rows as Deno does: a box with an index column and one
  // column per key (or "Values" for primitive rows).
  function table(data, properties) {
    if (data === null || typeof data !== "object") {
      print("info", format([data]));
      return;
    }
    const rows = [];
    const cols = [];
    let hasValues = false;
    const entries = data instanceof Map ? [...data.entries()] : Object.entries(data);
    for (const [k, v] of entries) {
      const row = { index: String(k), cells: {} };
      if (v !== null && typeof v === "object") {
        for (const c of Object.keys(v)) {
          if (properties && !properties.includes(c)) continue;
          if (!cols.includes(c)) cols.push(c);
          row.cells[c] = inspect(v[c], 1, []);
        }
      } else {
        hasValues = true;
        row.value = inspect(v, 1, []);
      }
      rows.push(row);
    }
    const header = ["(idx)", ...cols, ...(hasValues ? ["Values"] : [])];
    const lines = rows.map((r) => [r.index, ...cols.map((c) => r.cells[c] ?? ""), ...(hasValues ? [r.value ?? ""] : [])]);
    const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j].length)) + 2);
    const pad = (s, w) => { const left = Math.floor((w - s.length) / 2); return " ".repeat(left) + s + " ".repeat(w - s.length - left); };
    const rule = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
    const out = [rule("┌", "┬", "┐"), "│" + header.map((h, j) => pad(h, widths[j])).join("│") + "│", rule("├", "┼", "┤")];
    for (const l of lines) out.push("│" + l.map((c, j) => pad(c, widths[j])).join("│") + "│");
    out.push(rule("└", "┴", "┘"));
    print("info", out.join("\n"));
  }

  const console = {
    log() { print("info", format(arguments)); },
    info() { print("info", format(arguments)); },
    debug() { print("debug", format(arguments)); },
    warn() { print("warn", format(arguments)); },
    error() { print("error", format(arguments)); },
    trace() { print("error", "Trace: " + format(arguments) + "\n" + new Error().stack); },
    dir(v) { print("info", inspect(v, 1, [])); },
    dirxml() { print("info", format(arguments)); },
    assert(cond, ...rest) {
      if (cond) return;
      print("error", rest.length === 0 ? "Assertion failed" : "Assertion failed: " + format(rest));
    },
    count(label = "default") {
      label = String(label);
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      print("info", `${label}: ${n}`);
    },
    countReset(label = "default") {
      label = String(label);
      if (counts.has(label)) counts.set(label, 0);
      else print("warn", `Count for '${label}' does not exist`);
    },
    group() {
      if (arguments.length > 0) print("info", format(arguments));
      indent += "    ";
    },
    groupCollapsed() { console.group(...arguments); },
    groupEnd() { indent = indent.slice(0, -4); },
    table,
    time(label = "default") {
      label = String(label);
      if (timers.has(label)) print("warn", `Timer '${label}' already exists`);
      else timers.set(label, Date.now());
    },
    timeLog(label = "default", ...rest) {
      label = String(label);
      if (!timers.has(label)) { print("warn", `Timer '${label}' does not exist`); return; }
      print("info", `${label}: ${Date.now() - timers.get(label)}ms` + (rest.length ? " " + format(rest) : ""));
    },
    timeEnd(label = "default") {
      label = String(label);
      if (!timers.has(label)) { print("warn", `Timer '${label}' does not exist`); return; }
      print("info", `${label}: ${Date.now() - timers.get(label)}ms`);
      timers.delete(label);
    },
    clear() {},
  };
  Object.defineProperty(globalThis, "console", { value: console, writable: true, configurable: true });
})
