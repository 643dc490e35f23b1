// structuredClone (HTML's StructuredSerializeWithTransfer followed by
// StructuredDeserializeWithTransfer, done in one pass: each value is copied as
// it is serialized). Transfer moves ArrayBuffers: the originals are detached.
(function (globalThis, host, internal) {
  "use strict";

  function domError(message, name) {
    const DOMException = internal.DOMException || globalThis.DOMException;
    if (typeof DOMException === "function") return new DOMException(message, name);
    const e = new Error(message);
    e.name = name;
    return e;
  }
  function cloneError(message) {
    return domError("structuredClone: " + message, "DataCloneError");
  }

  // Brand checks and accessors captured now, so user code that patches the
  // built-ins cannot change what is cloned. Each getter throws a TypeError for
  // a receiver without the right internal slot.
  const getter = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
  const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
  const typedArrayTag = getter(TypedArrayProto, Symbol.toStringTag);
  const typedArrayBuffer = getter(TypedArrayProto, "buffer");
  const typedArrayOffset = getter(TypedArrayProto, "byteOffset");
  const typedArrayLength = getter(TypedArrayProto, "length");
  const arrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
  const arrayBufferSlice = ArrayBuffer.prototype.slice;
  const dataViewBuffer = getter(DataView.prototype, "buffer");
  const dataViewOffset = getter(DataView.prototype, "byteOffset");
  const dataViewLength = getter(DataView.prototype, "byteLength");
  const mapSize = getter(Map.prototype, "size");
  const mapForEach = Map.prototype.forEach;
  const mapSet = Map.prototype.set;
  const setSize = getter(Set.prototype, "size");
  const setForEach = Set.prototype.forEach;
  const setAdd = Set.prototype.add;
  const weakMapHas = WeakMap.prototype.has;
  const weakSetHas = WeakSet.prototype.has;
  const booleanValueOf = Boolean.prototype.valueOf;
  const numberValueOf = Number.prototype.valueOf;
  const stringValueOf = String.prototype.valueOf;
  const bigintValueOf = BigInt.prototype.valueOf;
  const symbolValueOf = Symbol.prototype.valueOf;
  const dateGetTime = Date.prototype.getTime;
  const regexpSource = getter(RegExp.prototype, "source");
  // RegExp flags in the order RegExp.prototype.flags gives them, from the
  // per-flag getters (which check the receiver), as far as goja has them.
  const regexpFlagGetters = [["d", "hasIndices"], ["g", "global"], ["i", "ignoreCase"], ["m", "multiline"],
    ["s", "dotAll"], ["u", "unicode"], ["v", "unicodeSets"], ["y", "sticky"]]
    .map(([c, name]) => {
      const d = Object.getOwnPropertyDescriptor(RegExp.prototype, name);
      return d && d.get ? [c, d.get] : null;
    })
    .filter(Boolean);
  const TYPED_ARRAYS = {};
  for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array]) {
    TYPED_ARRAYS[C.name] = C;
  }
  if (typeof globalThis.Float16Array === "function") TYPED_ARRAYS.Float16Array = globalThis.Float16Array;
  const ERROR_CTORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const objectKeys = Object.keys;
  const getOwnDesc = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;

  // has calls a brand-checking function, saying whether value passed.
  function has(check, value, ...args) {
    try {
      check.call(value, ...args);
      return true;
    } catch {
      return false;
    }
  }

  function describe(value) {
    if (typeof value === "function") return `the function ${value.name || "(anonymous)"}`;
    if (typeof value === "symbol") return `the symbol ${String(value.description === undefined ? "Symbol()" : `Symbol(${value.description})`)}`;
    return "the value";
  }

  // Brand checks by kind of object; each is true only for a value with the
  // matching internal slots.
  const CHECKS = {
    Boolean: (v) => has(booleanValueOf, v),
    Number: (v) => has(numberValueOf, v),
    String: (v) => has(stringValueOf, v),
    BigInt: (v) => has(bigintValueOf, v),
    Symbol: (v) => has(symbolValueOf, v),
    Date: (v) => has(dateGetTime, v),
    RegExp: (v) => v !== RegExp.prototype && has(regexpSource, v),
    ArrayBuffer: (v) => has(arrayBufferByteLength, v),
    TypedArray: (v) => typedArrayTag.call(v) !== undefined,
    DataView: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === undefined,
    Map: (v) => has(mapSize, v),
    Set: (v) => has(setSize, v),
    WeakMap: (v) => has(weakMapHas, v, {}),
    WeakSet: (v) => has(weakSetHas, v, {}),
  };
  const CHECK_ORDER = Object.keys(CHECKS);
  const getPrototypeOf = Object.getPrototypeOf;
  const ObjectPrototype = Object.prototype;
  const ArrayPrototype = Array.prototype;

  // classify says which kind of object value is (a CHECKS name, "Error",
  // "Array" or "Object"). kind, the host's guess, picks the one brand check to
  // try first; plain objects and arrays skip the throwing checks altogether.
  function classify(value, kind) {
    if (kind === "Error") return "Error";
    if (CHECKS[kind] && CHECKS[kind](value)) return kind;
    if (ArrayBuffer.isView(value)) return typedArrayTag.call(value) !== undefined ? "TypedArray" : "DataView";
    if (kind === "Object" || kind === "Array") {
      const proto = getPrototypeOf(value);
      if (proto === ObjectPrototype || proto === ArrayPrototype || proto === null) return "Object";
    }
    for (const name of CHECK_ORDER) if (CHECKS[name](value)) return name;
    return "Object";
  }

  function isArrayBuffer(v) {
    return has(arrayBufferByteLength, v);
  }

  // clone copies value, recording each copied object in memory (original ->
  // copy) before copying what it contains, so cycles and shared references
  // come out the same.
  function clone(value, memory) {
    const type = typeof value;
    if (type === "symbol") throw cloneError(`${describe(value)} could not be cloned (symbols are not serializable)`);
    if (type === "function") throw cloneError(`${describe(value)} could not be cloned (functions are not serializable)`);
    if (type !== "object" || value === null) return value;
    if (memory.has(value)) return memory.get(value);

    const kind = host.objectKind(value);
    if (kind === "Proxy") throw cloneError("a Proxy could not be cloned (proxies are not serializable)");
    if (kind === "Promise") throw cloneError("a Promise could not be cloned (promises are not serializable)");
    if (kind === "Arguments") throw cloneError("an arguments object could not be cloned (copy it first: Array.from(arguments))");

    let out = clonePlatformObject(value);
    if (out !== undefined) {
      // A serializable platform object (Blob, File, DOMException, CryptoKey).
      memory.set(value, out);
      return out;
    }
    const cls = classify(value, kind);
    switch (cls) {
      case "Boolean": out = Object(booleanValueOf.call(value)); break;
      case "Number": out = Object(numberValueOf.call(value)); break;
      case "String": out = Object(stringValueOf.call(value)); break;
      case "BigInt": out = Object(bigintValueOf.call(value)); break;
      case "Symbol": throw cloneError("a Symbol wrapper object could not be cloned (symbols are not serializable)");
      case "Date": out = new Date(dateGetTime.call(value)); break;
      case "RegExp": {
        let flags = "";
        for (const [c, get] of regexpFlagGetters) if (get.call(value)) flags += c;
        out = new RegExp(regexpSource.call(value), flags);
        break;
      }
      case "ArrayBuffer":
        if (host.bufferDetached(value)) throw cloneError("a detached ArrayBuffer could not be cloned");
        out = arrayBufferSlice.call(value, 0);
        break;
      case "TypedArray": {
        const buffer = clone(typedArrayBuffer.call(value), memory);
        const C = TYPED_ARRAYS[typedArrayTag.call(value)];
        out = new C(buffer, typedArrayOffset.call(value), typedArrayLength.call(value));
        break;
      }
      case "DataView": {
        const buffer = clone(dataViewBuffer.call(value), memory);
        out = new DataView(buffer, dataViewOffset.call(value), dataViewLength.call(value));
        break;
      }
      case "Map": {
        out = new Map();
        memory.set(value, out);
        // The entries are listed first: what cloning them does to the map
        // (through getters) does not change what is copied.
        const entries = [];
        mapForEach.call(value, (v, k) => { entries.push(k, v); });
        for (let i = 0; i < entries.length; i += 2) {
          const k = clone(entries[i], memory);
          mapSet.call(out, k, clone(entries[i + 1], memory));
        }
        return out;
      }
      case "Set": {
        out = new Set();
        memory.set(value, out);
        const items = [];
        setForEach.call(value, (v) => { items.push(v); });
        for (const v of items) setAdd.call(out, clone(v, memory));
        return out;
      }
      case "WeakMap":
      case "WeakSet":
        throw cloneError(`a ${cls} could not be cloned (weak collections are not serializable)`);
      case "Error":
        return cloneErrorObject(value, memory);
      default:
        out = Array.isArray(value) ? new Array(value.length) : {};
        memory.set(value, out);
        copyProperties(value, out, memory);
        return out;
    }
    memory.set(value, out);
    return out;
  }

  // copyProperties copies value's own enumerable string-keyed properties (read
  // with [[Get]], so getters run) onto out as data properties.
  function copyProperties(value, out, memory) {
    for (const key of objectKeys(value)) {
      if (!hasOwn(value, key)) continue; // deleted by an earlier getter
      const v = clone(value[key], memory);
      // One descriptor object for all: define copies it.
      dataDesc.value = v;
      defineProperty(out, key, dataDesc);
    }
    dataDesc.value = undefined;
  }
  const dataDesc = { value: undefined, writable: true, enumerable: true, configurable: true };
  const hasOwnProperty = Object.prototype.hasOwnProperty;
  const hasOwn = (o, k) => hasOwnProperty.call(o, k);

  function cloneErrorObject(value, memory) {
    let name = value.name;
    if (typeof name !== "string" || !hasOwn(ERROR_CTORS, name)) name = "Error";
    const messageDesc = getOwnDesc(value, "message");
    const message = messageDesc && "value" in messageDesc ? String(messageDesc.value) : undefined;
    const out = Object.create(ERROR_CTORS[name].prototype);
    memory.set(value, out);
    if (message !== undefined) {
      defineProperty(out, "message", { value: message, writable: true, enumerable: false, configurable: true });
    }
    const stackDesc = getOwnDesc(value, "stack");
    if (stackDesc && typeof stackDesc.value === "string") {
      defineProperty(out, "stack", { value: stackDesc.value, writable: true, enumerable: false, configurable: true });
    }
    const causeDesc = getOwnDesc(value, "cause");
    if (causeDesc && "value" in causeDesc) {
      defineProperty(out, "cause", { value: clone(causeDesc.value, memory), writable: true, enumerable: false, configurable: true });
    }
    return out;
  }

  // clonePlatformObject asks the API files that own serializable platform
  // objects to copy value: Blob and File through blob.js (which throws for
  // anything else, so it is asked only about blobs); the other hooks
  // return undefined for a value they do not own.
  function clonePlatformObject(value) {
    if (typeof internal.isBlob === "function" && internal.isBlob(value)) return internal.cloneBlob(value);
    for (const hook of ["cloneDOMException", "cloneCryptoKey"]) {
      if (typeof internal[hook] === "function") {
        const out = internal[hook](value);
        if (out !== undefined) return out;
      }
    }
    // Without a hook from dom_exception.js, a DOMException is copied through
    // its public constructor.
    const DOMException = internal.DOMException || globalThis.DOMException;
    if (typeof internal.cloneDOMException !== "function" && typeof DOMException === "function" &&
      value instanceof DOMException) {
      return new DOMException(value.message, value.name);
    }
    return undefined;
  }

  function structuredClone(value, options = undefined) {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present");
    }
    let transfer = [];
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" && typeof options !== "function") {
        throw new TypeError("structuredClone: options must be an object like { transfer: [buffer] }");
      }
      const t = options.transfer;
      if (t !== undefined) {
        if (typeof t !== "object" || t === null || typeof t[Symbol.iterator] !== "function") {
          throw new TypeError("structuredClone: options.transfer must be a sequence of objects");
        }
        transfer = Array.from(t);
        for (const item of transfer) {
          if ((typeof item !== "object" && typeof item !== "function") || item === null) {
            throw new TypeError("structuredClone: each options.transfer entry must be an object");
          }
        }
      }
    }
    const memory = new Map();
    for (const item of transfer) {
      if (!isArrayBuffer(item)) {
        throw cloneError("only ArrayBuffers can be transferred; remove the other values from options.transfer");
      }
      if (memory.has(item)) throw cloneError("an ArrayBuffer is listed twice in options.transfer");
      if (host.bufferDetached(item)) throw cloneError("a detached ArrayBuffer cannot be transferred");
      // The copy shares the bytes; the original is detached only once the
      // whole value has been cloned.
      memory.set(item, host.bufferShare(item));
    }
    const out = clone(value, memory);
    for (const item of transfer) {
      if (host.bufferDetached(item)) throw cloneError("an ArrayBuffer in options.transfer was detached while cloning");
    }
    for (const item of transfer) host.bufferDetach(item);
    return out;
  }

  internal.structuredClone = structuredClone;
  // What kv_value.js needs to serialize the same values the same way: the
  // brand checks and the accessors captured before user code ran.
  internal.cloneParts = Object.freeze({
    classify: (value) => classify(value, host.objectKind(value)),
    isPlatformObject: (value) => clonePlatformObject(value) !== undefined,
    regexpFlags(value) {
      let flags = "";
      for (const [c, get] of regexpFlagGetters) if (get.call(value)) flags += c;
      return flags;
    },
    typedArrayTag, typedArrayBuffer, typedArrayOffset, typedArrayLength, arrayBufferSlice,
    dataViewBuffer, dataViewOffset, dataViewLength, mapForEach, setForEach,
    booleanValueOf, numberValueOf, stringValueOf, bigintValueOf, dateGetTime, regexpSource,
    TYPED_ARRAYS, ERROR_CTORS,
  });
  defineProperty(globalThis, "structuredClone", { value: structuredClone, writable: true, enumerable: false, configurable: true });
})
