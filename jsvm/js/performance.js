// performance (High Resolution Time) with the User Timing marks and measures
// and the Performance Timeline getters for them. The host keeps the clock:
// milliseconds since the instance was set up, on Go's monotonic clock.
(function (globalThis, host, internal) {
  "use strict";

  const ILLEGAL = Symbol("illegal constructor guard");

  function domError(message, name) {
    const DOMException = internal.DOMException || globalThis.DOMException;
    if (typeof DOMException === "function") return new DOMException(message, name);
    const e = new Error(message);
    e.name = name;
    return e;
  }
  function cloneDetail(detail) {
    if (detail === undefined || detail === null) return null;
    return internal.structuredClone(detail);
  }

  function toTimestamp(v, prefix, what) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeError(`${prefix}: ${what} must be a finite number`);
    if (n < 0) throw new TypeError(`${prefix}: ${what} must not be negative`);
    return n;
  }
  function requiredArguments(got, need, prefix) {
    if (got < need) {
      throw new TypeError(`${prefix}: ${need} argument${need === 1 ? "" : "s"} required, but only ${got} present`);
    }
  }
  function makeEnumerable(cls, names) {
    for (const name of names) {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, name);
      d.enumerable = true;
      Object.defineProperty(cls.prototype, name, d);
    }
  }
  function toStringTag(cls, tag) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  }

  class PerformanceEntry {
    #name; #entryType; #startTime; #duration;
    constructor(guard, name, entryType, startTime, duration) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: PerformanceEntry objects come from performance");
      this.#name = name;
      this.#entryType = entryType;
      this.#startTime = startTime;
      this.#duration = duration;
    }
    static #check(self, what) {
      if (!(typeof self === "object" && self !== null && #name in self)) {
        throw new TypeError(`PerformanceEntry.${what}: illegal invocation`);
      }
    }
    get name() { PerformanceEntry.#check(this, "name"); return this.#name; }
    get entryType() { PerformanceEntry.#check(this, "entryType"); return this.#entryType; }
    get startTime() { PerformanceEntry.#check(this, "startTime"); return this.#startTime; }
    get duration() { PerformanceEntry.#check(this, "duration"); return this.#duration; }
    toJSON() {
      PerformanceEntry.#check(this, "toJSON");
      return { name: this.#name, entryType: this.#entryType, startTime: this.#startTime, duration: this.#duration };
    }
    [internal.inspectSymbol](inspect) {
      const json = this.toJSON();
      return `${this.constructor.name} ${inspect(json)}`;
    }
  }
  toStringTag(PerformanceEntry, "PerformanceEntry");
  makeEnumerable(PerformanceEntry, ["name", "entryType", "startTime", "duration", "toJSON"]);

  class PerformanceMark extends PerformanceEntry {
    #detail;
    // new PerformanceMark(name, { startTime, detail }) is allowed (User
    // Timing 3); performance.mark also records it.
    constructor(name, markOptions = undefined) {
      const prefix = "Failed to construct 'PerformanceMark'";
      requiredArguments(arguments.length, 1, prefix);
      name = String(name);
      const options = markOptions === undefined || markOptions === null ? {} : markOptions;
      if (typeof options !== "object" && typeof options !== "function") {
        throw new TypeError(`${prefix}: markOptions must be an object like { startTime, detail }`);
      }
      const startTime = options.startTime === undefined ? host.performanceNow() : toTimestamp(options.startTime, prefix, "startTime");
      const detail = cloneDetail(options.detail);
      super(ILLEGAL, name, "mark", startTime, 0);
      this.#detail = detail;
    }
    get detail() {
      if (!(typeof this === "object" && this !== null && #detail in this)) throw new TypeError("PerformanceMark.detail: illegal invocation");
      return this.#detail;
    }
    toJSON() {
      return { ...super.toJSON(), detail: this.detail };
    }
  }
  toStringTag(PerformanceMark, "PerformanceMark");
  makeEnumerable(PerformanceMark, ["detail", "toJSON"]);

  class PerformanceMeasure extends PerformanceEntry {
    #detail;
    constructor(guard, name, startTime, duration, detail) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: measures come from performance.measure()");
      super(ILLEGAL, name, "measure", startTime, duration);
      this.#detail = detail;
    }
    get detail() {
      if (!(typeof this === "object" && this !== null && #detail in this)) throw new TypeError("PerformanceMeasure.detail: illegal invocation");
      return this.#detail;
    }
    toJSON() {
      return { ...super.toJSON(), detail: this.detail };
    }
  }
  toStringTag(PerformanceMeasure, "PerformanceMeasure");
  makeEnumerable(PerformanceMeasure, ["detail", "toJSON"]);

  // Performance is an EventTarget where events.js provides one.
  const Base = typeof globalThis.EventTarget === "function" ? globalThis.EventTarget : Object;

  class Performance extends Base {
    #entries = []; // marks and measures, in the order they were made
    constructor(guard) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: use the global performance object");
      super();
    }
    static #check(self, what) {
      if (!(typeof self === "object" && self !== null && #entries in self)) {
        throw new TypeError(`Performance.${what}: illegal invocation (call it on performance)`);
      }
    }
    now() {
      Performance.#check(this, "now");
      return host.performanceNow();
    }
    get timeOrigin() {
      Performance.#check(this, "timeOrigin");
      return timeOrigin;
    }
    toJSON() {
      Performance.#check(this, "toJSON");
      return { timeOrigin };
    }

    mark(markName, markOptions = undefined) {
      Performance.#check(this, "mark");
      requiredArguments(arguments.length, 1, "Failed to execute 'mark' on 'Performance'");
      const entry = new PerformanceMark(markName, markOptions);
      this.#entries.push(entry);
      return entry;
    }

    measure(measureName, startOrMeasureOptions = undefined, endMark = undefined) {
      Performance.#check(this, "measure");
      const prefix = "Failed to execute 'measure' on 'Performance'";
      requiredArguments(arguments.length, 1, prefix);
      const name = String(measureName);
      const isOptions = startOrMeasureOptions !== null &&
        (typeof startOrMeasureOptions === "object" || typeof startOrMeasureOptions === "function");
      let options = {};
      let startMark;
      if (isOptions) {
        const o = startOrMeasureOptions;
        options = { start: o.start, end: o.end, duration: o.duration, detail: o.detail };
      } else if (startOrMeasureOptions !== undefined) {
        startMark = String(startOrMeasureOptions);
      }
      if (endMark !== undefined) endMark = String(endMark);
      const hasOptions = isOptions && (options.start !== undefined || options.end !== undefined ||
        options.duration !== undefined || options.detail !== undefined);
      if (hasOptions) {
        if (endMark !== undefined) {
          throw new TypeError(`${prefix}: pass either a measure options object or an end mark, not both`);
        }
        if (options.start === undefined && options.end === undefined) {
          throw new TypeError(`${prefix}: the measure options need a "start" or an "end"`);
        }
        if (options.start !== undefined && options.duration !== undefined && options.end !== undefined) {
          throw new TypeError(`${prefix}: the measure options may not have "start", "duration" and "end" all at once`);
        }
      }
      let duration;
      if (options.duration !== undefined) duration = toTimestamp(options.duration, prefix, "duration");
      let end;
      if (endMark !== undefined) end = this.#timestamp(endMark, prefix);
      else if (options.end !== undefined) end = this.#timestamp(options.end, prefix);
      else if (options.start !== undefined && duration !== undefined) end = this.#timestamp(options.start, prefix) + duration;
      else end = host.performanceNow();
      let start;
      if (options.start !== undefined) start = this.#timestamp(options.start, prefix);
      else if (duration !== undefined && options.end !== undefined) start = end - duration;
      else if (startMark !== undefined) start = this.#timestamp(startMark, prefix);
      else start = 0;
      const entry = new PerformanceMeasure(ILLEGAL, name, start, end - start, cloneDetail(options.detail));
      this.#entries.push(entry);
      return entry;
    }

    // #timestamp converts a mark name (its latest time) or a number.
    #timestamp(mark, prefix) {
      if (typeof mark === "string") {
        for (let i = this.#entries.length - 1; i >= 0; i--) {
          const e = this.#entries[i];
          if (e.entryType === "mark" && e.name === mark) return e.startTime;
        }
        throw domError(`${prefix}: there is no mark named "${mark}"; call performance.mark("${mark}") first`, "SyntaxError");
      }
      return toTimestamp(mark, prefix, "the timestamp");
    }

    #list(filter) {
      const out = this.#entries.filter(filter);
      // Stable: entries with equal start times keep the order they were made.
      return out.sort((a, b) => a.startTime - b.startTime);
    }
    getEntries() {
      Performance.#check(this, "getEntries");
      return this.#list(() => true);
    }
    getEntriesByType(type) {
      Performance.#check(this, "getEntriesByType");
      requiredArguments(arguments.length, 1, "Failed to execute 'getEntriesByType' on 'Performance'");
      type = String(type);
      return this.#list((e) => e.entryType === type);
    }
    getEntriesByName(name, type = undefined) {
      Performance.#check(this, "getEntriesByName");
      requiredArguments(arguments.length, 1, "Failed to execute 'getEntriesByName' on 'Performance'");
      name = String(name);
      if (type !== undefined) type = String(type);
      return this.#list((e) => e.name === name && (type === undefined || e.entryType === type));
    }
    clearMarks(markName = undefined) {
      Performance.#check(this, "clearMarks");
      this.#clear("mark", markName);
    }
    clearMeasures(measureName = undefined) {
      Performance.#check(this, "clearMeasures");
      this.#clear("measure", measureName);
    }
    #clear(type, name) {
      if (name !== undefined) name = String(name);
      this.#entries = this.#entries.filter((e) => e.entryType !== type || (name !== undefined && e.name !== name));
    }
    [internal.inspectSymbol](inspect) {
      return `Performance { timeOrigin: ${inspect(timeOrigin)} }`;
    }
  }
  toStringTag(Performance, "Performance");
  makeEnumerable(Performance, ["now", "timeOrigin", "toJSON", "mark", "measure", "getEntries", "getEntriesByType",
    "getEntriesByName", "clearMarks", "clearMeasures"]);

  const timeOrigin = host.performanceTimeOrigin();
  const performance = new Performance(ILLEGAL);

  for (const [name, value] of Object.entries({ Performance, PerformanceEntry, PerformanceMark, PerformanceMeasure, performance })) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
})
