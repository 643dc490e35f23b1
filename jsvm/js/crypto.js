// Web Crypto: crypto.getRandomValues, crypto.randomUUID and the part of
// crypto.subtle edge supports (SHA digests and HMAC). The cryptography is Go's
// standard library behind host ops; this file does the WebIDL conversions,
// algorithm normalization and key bookkeeping of the Web Cryptography API.
(function (globalThis, host, internal) {
  "use strict";

  const SUPPORTED = "supported: SHA-1/256/384/512 digest, HMAC";
  const ILLEGAL = Symbol("illegal constructor guard");

  // DOMException is looked up when an error is made, so this file does not
  // depend on the order the prelude defines it in.
  function domError(message, name) {
    const DOMException = internal.DOMException || globalThis.DOMException;
    if (typeof DOMException === "function") return new DOMException(message, name);
    const e = new Error(message);
    e.name = name;
    return e;
  }
  function notSupported(what) {
    return domError(`${what} is not supported by edge (${SUPPORTED})`, "NotSupportedError");
  }

  function defineToStringTag(cls, tag) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  }
  // Class methods and accessors are already non-enumerable; WebIDL makes them
  // enumerable, so flip them as the platform does.
  function enumerableMembers(cls, names) {
    for (const name of names) {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, name);
      d.enumerable = true;
      Object.defineProperty(cls.prototype, name, d);
    }
  }

  function requiredArguments(got, need, prefix) {
    if (got < need) {
      throw new TypeError(`${prefix}: ${need} argument${need === 1 ? "" : "s"} required, but only ${got} present`);
    }
  }

  // copyBufferSource converts a WebIDL BufferSource, copying its bytes now.
  function copyBufferSource(v, prefix, what) {
    if (v instanceof ArrayBuffer) {
      if (host.bufferDetached(v)) throw new TypeError(`${prefix}: ${what} is a detached ArrayBuffer`);
      return v.slice(0);
    }
    if (ArrayBuffer.isView(v)) {
      if (host.bufferDetached(v.buffer)) throw new TypeError(`${prefix}: ${what} is a view on a detached ArrayBuffer`);
      return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
    }
    throw new TypeError(`${prefix}: ${what} must be an ArrayBuffer, a TypedArray or a DataView`);
  }

  function toBoolean(v) { return Boolean(v); }

  // ---- Crypto -------------------------------------------------------------

  const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
  const typedArrayTag = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

  let subtleInstance;

  class Crypto {
    #brand = true;
    constructor(guard) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: use the global crypto object");
    }
    static #check(self, what) {
      if (!(typeof self === "object" && self !== null && #brand in self)) {
        throw new TypeError(`Crypto.${what}: illegal invocation (call it on crypto)`);
      }
    }
    get subtle() {
      Crypto.#check(this, "subtle");
      return subtleInstance;
    }
    getRandomValues(array) {
      Crypto.#check(this, "getRandomValues");
      requiredArguments(arguments.length, 1, "Failed to execute 'getRandomValues' on 'Crypto'");
      if (!ArrayBuffer.isView(array)) {
        throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': the argument must be an integer TypedArray");
      }
      const tag = typedArrayTag.call(array);
      if (tag === undefined || !INTEGER_ARRAYS.some((c) => c.name === tag)) {
        throw domError(`getRandomValues: ${tag || "DataView"} is not an integer-type array; ` +
          "pass an Int8/Uint8/Uint8Clamped/Int16/Uint16/Int32/Uint32/BigInt64/BigUint64 array", "TypeMismatchError");
      }
      if (array.byteLength > 65536) {
        throw domError(`getRandomValues: the array is ${array.byteLength} bytes, more than the 65536 bytes ` +
          "of entropy one call may request; fill it in chunks with subarray()", "QuotaExceededError");
      }
      if (array.byteLength > 0) host.cryptoFillRandom(array.buffer, array.byteOffset, array.byteLength);
      return array;
    }
    randomUUID() {
      Crypto.#check(this, "randomUUID");
      return host.cryptoRandomUUID();
    }
  }
  defineToStringTag(Crypto, "Crypto");
  enumerableMembers(Crypto, ["subtle", "getRandomValues", "randomUUID"]);

  // ---- algorithm normalization ---------------------------------------------

  const HASHES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
  // Names WebCrypto defines that edge does not implement, so the error can say
  // "not supported" rather than "unknown".
  const KNOWN_UNSUPPORTED = ["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH", "Ed25519",
    "X25519", "Ed448", "X448", "AES-CTR", "AES-CBC", "AES-GCM", "AES-KW", "HKDF", "PBKDF2"];

  function canonical(name, list) {
    const lower = name.toLowerCase();
    return list.find((n) => n.toLowerCase() === lower);
  }

  // normalizeAlgorithm implements WebCrypto's "normalize an algorithm" for the
  // operations edge supports: op is "digest", "generateKey", "importKey",
  // "sign" or "verify". Throws a TypeError or NotSupportedError.
  function normalizeAlgorithm(alg, op, prefix) {
    const obj = typeof alg === "object" && alg !== null ? alg : { name: String(alg) };
    const rawName = obj.name;
    if (rawName === undefined) throw new TypeError(`${prefix}: the algorithm is missing its required "name" member`);
    const name = String(rawName);
    if (op === "digest") {
      const hash = canonical(name, HASHES);
      if (!hash) throw unsupportedAlgorithm(name, "digest");
      return { name: hash };
    }
    if (canonical(name, ["HMAC"]) === undefined) throw unsupportedAlgorithm(name, op);
    const out = { name: "HMAC" };
    if (op === "sign" || op === "verify") return out;
    // HmacKeyGenParams / HmacImportParams: hash is required, length optional.
    const hash = obj.hash;
    if (hash === undefined) throw new TypeError(`${prefix}: HMAC parameters are missing their required "hash" member`);
    out.hash = normalizeAlgorithm(hash, "digest", prefix);
    const length = obj.length;
    if (length !== undefined) out.length = enforceRangeUnsignedLong(length, prefix, "HMAC length");
    return out;
  }

  function unsupportedAlgorithm(name, op) {
    const known = canonical(name, KNOWN_UNSUPPORTED) || canonical(name, HASHES) || canonical(name, ["HMAC"]);
    if (known) return notSupported(`${known} for ${op}`);
    return notSupported(`The algorithm "${name}"`);
  }

  function enforceRangeUnsignedLong(v, prefix, what) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeError(`${prefix}: ${what} must be a finite number`);
    const i = Math.trunc(n);
    if (i < 0 || i > 4294967295) throw new TypeError(`${prefix}: ${what} is outside the range of an unsigned long`);
    return i;
  }

  // Block size in bits of each hash: HMAC's default key length.
  const BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
  const JWK_ALG = { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };
  const KEY_USAGES = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];
  const KEY_FORMATS = ["raw", "spki", "pkcs8", "jwk"];

  function toUsages(v, prefix) {
    if (typeof v !== "object" || v === null || typeof v[Symbol.iterator] !== "function") {
      throw new TypeError(`${prefix}: keyUsages must be a sequence of strings`);
    }
    const out = [];
    for (const u of v) {
      const s = String(u);
      if (!KEY_USAGES.includes(s)) throw new TypeError(`${prefix}: "${s}" is not a valid KeyUsage`);
      out.push(s);
    }
    return out;
  }
  function toFormat(v, prefix) {
    const s = String(v);
    if (!KEY_FORMATS.includes(s)) throw new TypeError(`${prefix}: "${s}" is not a valid KeyFormat (raw, spki, pkcs8, jwk)`);
    return s;
  }
  function checkHmacUsages(usages) {
    for (const u of usages) {
      if (u !== "sign" && u !== "verify") {
        throw domError(`HMAC keys may only be used to "sign" and "verify", not "${u}"`, "SyntaxError");
      }
    }
  }

  // ---- CryptoKey -------------------------------------------------------------

  // A CryptoKey keeps its algorithm and usages twice: the internal slots the
  // operations read, and the objects the getters hand out (which user code may
  // mutate without effect on the key).
  class CryptoKey {
    #type; #extractable; #alg; #usages; #data; #algorithmObject; #usagesObject;
    constructor(guard, type, extractable, alg, usages, data) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: CryptoKeys come from crypto.subtle.generateKey or importKey");
      this.#type = type;
      this.#extractable = extractable;
      this.#alg = alg;
      this.#usages = usages;
      this.#data = data;
      this.#algorithmObject = { name: alg.name, hash: { name: alg.hash }, length: alg.length };
      this.#usagesObject = usages.slice();
    }
    static #check(self, what) {
      if (!(typeof self === "object" && self !== null && #data in self)) {
        throw new TypeError(`CryptoKey.${what}: illegal invocation`);
      }
    }
    get type() { CryptoKey.#check(this, "type"); return this.#type; }
    get extractable() { CryptoKey.#check(this, "extractable"); return this.#extractable; }
    get algorithm() { CryptoKey.#check(this, "algorithm"); return this.#algorithmObject; }
    get usages() { CryptoKey.#check(this, "usages"); return this.#usagesObject; }

    static isKey(v) { return typeof v === "object" && v !== null && #data in v; }
    static slots(k) {
      return { type: k.#type, extractable: k.#extractable, alg: k.#alg, usages: k.#usages, data: k.#data };
    }
    [internal.inspectSymbol](inspect) {
      return `CryptoKey { type: ${inspect(this.#type)}, extractable: ${inspect(this.#extractable)}, ` +
        `algorithm: ${inspect(this.#algorithmObject)}, usages: ${inspect(this.#usagesObject)} }`;
    }
  }
  defineToStringTag(CryptoKey, "CryptoKey");
  enumerableMembers(CryptoKey, ["type", "extractable", "algorithm", "usages"]);
  const keyIsKey = CryptoKey.isKey;
  const keySlots = CryptoKey.slots;
  delete CryptoKey.isKey;
  delete CryptoKey.slots;

  function newHmacKey(data, lengthBits, hash, extractable, usages) {
    const alg = Object.freeze({ name: "HMAC", hash, length: lengthBits });
    return new CryptoKey(ILLEGAL, "secret", extractable, alg, Object.freeze(usages), data);
  }

  // structuredClone copies CryptoKeys (they are serializable objects).
  internal.cloneCryptoKey = function (v) {
    if (!keyIsKey(v)) return undefined;
    const k = keySlots(v);
    return new CryptoKey(ILLEGAL, k.type, k.extractable, k.alg, k.usages, k.data.slice(0));
  };

  function toKey(v, prefix, what) {
    if (!keyIsKey(v)) throw new TypeError(`${prefix}: ${what} must be a CryptoKey`);
    return keySlots(v);
  }

  // ---- JWK helpers -----------------------------------------------------------

  function base64urlDecode(s) {
    const ab = host.cryptoBase64urlDecode(String(s));
    if (ab === null) throw domError('The JWK "k" member is not valid base64url', "DataError");
    return ab;
  }

  function importJwk(jwk, normalized, extractable, usages) {
    if (jwk.kty !== "oct") throw domError(`The JWK "kty" member must be "oct" for HMAC keys, not ${JSON.stringify(jwk.kty)}`, "DataError");
    if (typeof jwk.k !== "string") throw domError('The JWK is missing its "k" member (the key bytes, base64url)', "DataError");
    const data = base64urlDecode(jwk.k);
    const want = JWK_ALG[normalized.hash.name];
    if (jwk.alg !== undefined && jwk.alg !== want) {
      throw domError(`The JWK "alg" member is ${JSON.stringify(jwk.alg)} but the key is imported for HMAC with ` +
        `${normalized.hash.name} ("${want}")`, "DataError");
    }
    if (usages.length > 0 && jwk.use !== undefined && jwk.use !== "sig") {
      throw domError(`The JWK "use" member must be "sig" for HMAC keys, not ${JSON.stringify(jwk.use)}`, "DataError");
    }
    if (jwk.key_ops !== undefined) {
      const ops = jwk.key_ops;
      if (!Array.isArray(ops) || ops.some((o) => typeof o !== "string") || new Set(ops).size !== ops.length) {
        throw domError('The JWK "key_ops" member must be a list of distinct strings', "DataError");
      }
      for (const u of usages) {
        if (!ops.includes(u)) throw domError(`The JWK "key_ops" member does not allow the requested usage "${u}"`, "DataError");
      }
    }
    if (jwk.ext === false && extractable) {
      throw domError('The JWK has "ext": false, so it cannot be imported as extractable', "DataError");
    }
    return data;
  }

  // toJwk converts a JsonWebKey dictionary argument (WebIDL), keeping the
  // members HMAC looks at.
  function toJwkDictionary(v, prefix) {
    if (v === undefined || v === null) v = {};
    if (typeof v !== "object") throw new TypeError(`${prefix}: keyData must be a JsonWebKey object for the "jwk" format`);
    const out = {};
    for (const k of ["kty", "use", "alg", "k"]) {
      if (v[k] !== undefined) out[k] = String(v[k]);
    }
    if (v.ext !== undefined) out.ext = Boolean(v.ext);
    if (v.key_ops !== undefined) {
      if (typeof v.key_ops !== "object" || v.key_ops === null || typeof v.key_ops[Symbol.iterator] !== "function") {
        throw new TypeError(`${prefix}: the JWK "key_ops" member must be a sequence of strings`);
      }
      out.key_ops = Array.from(v.key_ops, String);
    }
    return out;
  }

  // ---- SubtleCrypto ------------------------------------------------------------

  class SubtleCrypto {
    #brand = true;
    constructor(guard) {
      if (guard !== ILLEGAL) throw new TypeError("Illegal constructor: use crypto.subtle");
    }
    static check(self, what) {
      if (!(typeof self === "object" && self !== null && #brand in self)) {
        throw new TypeError(`SubtleCrypto.${what}: illegal invocation (call it on crypto.subtle)`);
      }
    }

    async digest(algorithm, data) {
      const prefix = "Failed to execute 'digest' on 'SubtleCrypto'";
      subtleCheck(this, "digest");
      requiredArguments(arguments.length, 2, prefix);
      const normalized = normalizeAlgorithm(algorithm, "digest", prefix);
      const bytes = copyBufferSource(data, prefix, "data");
      return host.cryptoDigest(normalized.name, bytes);
    }

    async generateKey(algorithm, extractable, keyUsages) {
      const prefix = "Failed to execute 'generateKey' on 'SubtleCrypto'";
      subtleCheck(this, "generateKey");
      requiredArguments(arguments.length, 3, prefix);
      extractable = toBoolean(extractable);
      const usages = toUsages(keyUsages, prefix);
      const normalized = normalizeAlgorithm(algorithm, "generateKey", prefix);
      checkHmacUsages(usages);
      let length = normalized.length;
      if (length === undefined) length = BLOCK_BITS[normalized.hash.name];
      else if (length === 0) throw domError("HMAC key length must not be zero", "OperationError");
      const data = host.cryptoRandomBytes(Math.ceil(length / 8));
      if (length % 8 !== 0) {
        const bytes = new Uint8Array(data);
        bytes[bytes.length - 1] &= (0xff << (8 - (length % 8))) & 0xff;
      }
      if (usages.length === 0) throw domError("A secret key needs at least one usage (\"sign\" or \"verify\")", "SyntaxError");
      return newHmacKey(data, length, normalized.hash.name, extractable, usages);
    }

    async importKey(format, keyData, algorithm, extractable, keyUsages) {
      const prefix = "Failed to execute 'importKey' on 'SubtleCrypto'";
      subtleCheck(this, "importKey");
      requiredArguments(arguments.length, 5, prefix);
      format = toFormat(format, prefix);
      if (format === "jwk") {
        if (keyData instanceof ArrayBuffer || ArrayBuffer.isView(keyData)) {
          throw new TypeError(`${prefix}: keyData must be a JsonWebKey object for the "jwk" format, not a buffer`);
        }
        keyData = toJwkDictionary(keyData, prefix);
      }
      else keyData = copyBufferSource(keyData, prefix, "keyData");
      extractable = toBoolean(extractable);
      const usages = toUsages(keyUsages, prefix);
      const normalized = normalizeAlgorithm(algorithm, "importKey", prefix);
      checkHmacUsages(usages);
      let data;
      if (format === "raw") data = keyData;
      else if (format === "jwk") data = importJwk(keyData, normalized, extractable, usages);
      else throw notSupported(`Importing HMAC keys in the "${format}" format`);
      let length = data.byteLength * 8;
      if (length === 0) throw domError("An HMAC key must not be empty", "DataError");
      if (normalized.length !== undefined) {
        if (normalized.length > length) {
          throw domError(`The HMAC length (${normalized.length} bits) is longer than the key data (${length} bits)`, "DataError");
        }
        if (normalized.length <= length - 8) {
          throw domError(`The HMAC length (${normalized.length} bits) must be within the last byte of the key data (${length} bits)`, "DataError");
        }
        length = normalized.length;
      }
      if (usages.length === 0) throw domError("A secret key needs at least one usage (\"sign\" or \"verify\")", "SyntaxError");
      return newHmacKey(data, length, normalized.hash.name, extractable, usages);
    }

    async exportKey(format, key) {
      const prefix = "Failed to execute 'exportKey' on 'SubtleCrypto'";
      subtleCheck(this, "exportKey");
      requiredArguments(arguments.length, 2, prefix);
      format = toFormat(format, prefix);
      const k = toKey(key, prefix, "key");
      if (k.alg.name !== "HMAC") throw notSupported(`Exporting ${k.alg.name} keys`);
      if (!k.extractable) throw domError("The key is not extractable; import or generate it with extractable = true", "InvalidAccessError");
      if (format === "raw") return k.data.slice(0);
      if (format === "jwk") {
        return {
          kty: "oct",
          k: host.cryptoBase64urlEncode(k.data),
          alg: JWK_ALG[k.alg.hash],
          key_ops: k.usages.slice(),
          ext: k.extractable,
        };
      }
      throw notSupported(`Exporting HMAC keys in the "${format}" format`);
    }

    async sign(algorithm, key, data) {
      const prefix = "Failed to execute 'sign' on 'SubtleCrypto'";
      subtleCheck(this, "sign");
      requiredArguments(arguments.length, 3, prefix);
      const k = toKey(key, prefix, "key");
      const bytes = copyBufferSource(data, prefix, "data");
      const normalized = normalizeAlgorithm(algorithm, "sign", prefix);
      checkKeyFor(k, normalized, "sign");
      return host.cryptoHmacSign(k.alg.hash, k.data, bytes);
    }

    async verify(algorithm, key, signature, data) {
      const prefix = "Failed to execute 'verify' on 'SubtleCrypto'";
      subtleCheck(this, "verify");
      requiredArguments(arguments.length, 4, prefix);
      const k = toKey(key, prefix, "key");
      const sig = copyBufferSource(signature, prefix, "signature");
      const bytes = copyBufferSource(data, prefix, "data");
      const normalized = normalizeAlgorithm(algorithm, "verify", prefix);
      checkKeyFor(k, normalized, "verify");
      return host.cryptoHmacVerify(k.alg.hash, k.data, sig, bytes);
    }
  }
  const subtleCheck = SubtleCrypto.check;
  delete SubtleCrypto.check;

  function checkKeyFor(k, normalized, usage) {
    if (normalized.name !== k.alg.name) {
      throw domError(`The key is a ${k.alg.name} key and cannot be used with ${normalized.name}`, "InvalidAccessError");
    }
    if (!k.usages.includes(usage)) {
      throw domError(`The key's usages (${k.usages.join(", ")}) do not include "${usage}"`, "InvalidAccessError");
    }
  }

  // The operations edge does not implement: each rejects with NotSupportedError
  // after the WebIDL argument-count check.
  const UNSUPPORTED_OPS = { encrypt: 3, decrypt: 3, deriveBits: 2, deriveKey: 5, wrapKey: 4, unwrapKey: 7 };
  for (const [op, need] of Object.entries(UNSUPPORTED_OPS)) {
    const fn = {
      async [op](...args) {
        subtleCheck(this, op);
        requiredArguments(args.length, need, `Failed to execute '${op}' on 'SubtleCrypto'`);
        throw notSupported(`crypto.subtle.${op}`);
      },
    }[op];
    Object.defineProperty(fn, "length", { value: need });
    Object.defineProperty(SubtleCrypto.prototype, op, { value: fn, writable: true, enumerable: true, configurable: true });
  }
  defineToStringTag(SubtleCrypto, "SubtleCrypto");
  enumerableMembers(SubtleCrypto, ["digest", "generateKey", "importKey", "exportKey", "sign", "verify"]);

  subtleInstance = new SubtleCrypto(ILLEGAL);
  const crypto = new Crypto(ILLEGAL);

  for (const [name, value] of Object.entries({ Crypto, CryptoKey, SubtleCrypto })) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  Object.defineProperty(globalThis, "crypto", { value: crypto, writable: true, configurable: true, enumerable: false });
})
