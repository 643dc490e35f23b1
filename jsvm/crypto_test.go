package jsvm

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
	"testing"
)

// hexJS is a snippet prelude turning an ArrayBuffer into lowercase hex.
const hexJS = `const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (s) => new TextEncoder().encode(s);
`

func TestCryptoRandom(t *testing.T) {
	runJSCases(t, []jsCase{
		{"fills in place and returns the same array", `const a = new Uint8Array(64); const r = crypto.getRandomValues(a); return (r === a) + " " + a.some((x) => x !== 0);`, "true true"},
		{"all integer arrays", `return [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array].map((C) => crypto.getRandomValues(new C(8)).length).join();`, "8,8,8,8,8,8,8,8,8"},
		{"subarray only touches its window", `const a = new Uint8Array(16); crypto.getRandomValues(a.subarray(4, 8)); return a[0] + a[1] + a[2] + a[3] + a[8] + a[15];`, "0"},
		{"65536 bytes allowed", `return crypto.getRandomValues(new Uint32Array(16384)).byteLength;`, "65536"},
		{"quota", `crypto.getRandomValues(new Uint8Array(65537));`, "throws QuotaExceededError: getRandomValues: the array is 65537 bytes, more than the 65536 bytes of entropy one call may request; fill it in chunks with subarray()"},
		{"float array", `try { crypto.getRandomValues(new Float64Array(2)); } catch (e) { return e.name; }`, "TypeMismatchError"},
		{"float32 array", `try { crypto.getRandomValues(new Float32Array(2)); } catch (e) { return e.name; }`, "TypeMismatchError"},
		{"DataView", `try { crypto.getRandomValues(new DataView(new ArrayBuffer(2))); } catch (e) { return e.name; }`, "TypeMismatchError"},
		{"not a view", `crypto.getRandomValues([1, 2]);`, "throws TypeError: Failed to execute 'getRandomValues' on 'Crypto': the argument must be an integer TypedArray"},
		{"no argument", `crypto.getRandomValues();`, "throws TypeError: Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present"},
		{"illegal invocation", `crypto.getRandomValues.call({}, new Uint8Array(1));`, "throws TypeError: Crypto.getRandomValues: illegal invocation (call it on crypto)"},
		{"randomUUID", `const u = crypto.randomUUID(); return /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u) + " " + (u !== crypto.randomUUID());`, "true true"},
		{"classes", `return [String(crypto), typeof Crypto, crypto instanceof Crypto, crypto.subtle instanceof SubtleCrypto, String(crypto.subtle), crypto.subtle === crypto.subtle, Object.keys(globalThis).includes("crypto")].join();`, "[object Crypto],function,true,true,[object SubtleCrypto],true,false"},
		{"Crypto not constructible", `new Crypto();`, "throws TypeError: Illegal constructor: use the global crypto object"},
		{"SubtleCrypto not constructible", `new SubtleCrypto();`, "throws TypeError: Illegal constructor: use crypto.subtle"},
		{"CryptoKey not constructible", `new CryptoKey();`, "throws TypeError: Illegal constructor: CryptoKeys come from crypto.subtle.generateKey or importKey"},
		{"methods on the prototype, enumerable", `return Object.keys(Crypto.prototype).join() + " " + Object.keys(SubtleCrypto.prototype).sort().join();`,
			"subtle,getRandomValues,randomUUID decrypt,deriveBits,deriveKey,digest,encrypt,exportKey,generateKey,importKey,sign,unwrapKey,verify,wrapKey"},
	})
}

func goHash(name string) func() hash.Hash {
	return map[string]func() hash.Hash{"SHA-1": sha1.New, "SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New}[name]
}

func TestCryptoDigest(t *testing.T) {
	// FIPS 180-2 appendix examples ("abc" and the two-block message), each
	// cross-checked against Go's standard library.
	fips := map[string]string{
		"SHA-1":   "a9993e364706816aba3e25717850c26c9cd0d89d",
		"SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
		"SHA-512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	}
	var cases []jsCase
	for name, want := range fips {
		h := goHash(name)()
		h.Write([]byte("abc"))
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Fatalf("Go %s(abc) = %s, want the FIPS value %s", name, got, want)
		}
		cases = append(cases, jsCase{name + " abc", hexJS + `return hex(await crypto.subtle.digest("` + name + `", bytes("abc")));`, want})
		long := strings.Repeat("a", 1000) + "0123456789"
		h = goHash(name)()
		h.Write([]byte(long))
		cases = append(cases, jsCase{name + " long, lower-case name object", hexJS + `return hex(await crypto.subtle.digest({ name: "` + strings.ToLower(name) + `" }, bytes("a".repeat(1000) + "0123456789")));`, hex.EncodeToString(h.Sum(nil))})
	}
	cases = append(cases,
		jsCase{"empty SHA-256", hexJS + `return hex(await crypto.subtle.digest("SHA-256", new ArrayBuffer(0)));`, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		jsCase{"view window and ArrayBuffer result", hexJS + `const b = bytes("xxabcxx"); const r = await crypto.subtle.digest("SHA-1", new DataView(b.buffer, 2, 3)); return (r instanceof ArrayBuffer) + " " + hex(r);`, "true a9993e364706816aba3e25717850c26c9cd0d89d"},
		jsCase{"data copied at call time", hexJS + `const b = bytes("abc"); const p = crypto.subtle.digest("SHA-1", b); b[0] = 0; return hex(await p);`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		jsCase{"returns a promise", `const p = crypto.subtle.digest("SHA-256", new Uint8Array(1)); return p instanceof Promise;`, "true"},
		jsCase{"bad data rejects, never throws", `const p = crypto.subtle.digest("SHA-256", "abc"); return p.then(() => "resolved", (e) => "rejects " + e.name);`, "rejects TypeError"},
		jsCase{"missing name", `await crypto.subtle.digest({}, new Uint8Array(1));`, `throws TypeError: Failed to execute 'digest' on 'SubtleCrypto': the algorithm is missing its required "name" member`},
		jsCase{"MD5 not supported", `await crypto.subtle.digest("MD5", new Uint8Array(1));`, `throws NotSupportedError: The algorithm "MD5" is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)`},
		jsCase{"HMAC is no digest", `await crypto.subtle.digest("hmac", new Uint8Array(1));`, `throws NotSupportedError: HMAC for digest is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)`},
		jsCase{"too few arguments", `await crypto.subtle.digest("SHA-1");`, `throws TypeError: Failed to execute 'digest' on 'SubtleCrypto': 2 arguments required, but only 1 present`},
	)
	runJSCases(t, cases)
}

func TestCryptoHMAC(t *testing.T) {
	// RFC 4231 test cases 1 and 2, cross-checked against crypto/hmac.
	rfc := []struct{ key, data, hash, want string }{
		{strings.Repeat("\x0b", 20), "Hi There", "SHA-256", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{strings.Repeat("\x0b", 20), "Hi There", "SHA-512", "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
		{"Jefe", "what do ya want for nothing?", "SHA-256", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{"Jefe", "what do ya want for nothing?", "SHA-384", "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"},
	}
	var cases []jsCase
	for _, v := range rfc {
		m := hmac.New(goHash(v.hash), []byte(v.key))
		m.Write([]byte(v.data))
		if got := hex.EncodeToString(m.Sum(nil)); got != v.want {
			t.Fatalf("Go HMAC-%s = %s, want the RFC 4231 value %s", v.hash, got, v.want)
		}
		keyBytes := hex.EncodeToString([]byte(v.key))
		cases = append(cases, jsCase{"RFC 4231 " + v.hash + " " + v.data, hexJS + `
const raw = Uint8Array.from("` + keyBytes + `".match(/../g), (h) => parseInt(h, 16));
const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "` + v.hash + `" }, false, ["sign", "verify"]);
const sig = await crypto.subtle.sign("HMAC", key, bytes("` + v.data + `"));
const ok = await crypto.subtle.verify({ name: "hmac" }, key, sig, bytes("` + v.data + `"));
const bad = await crypto.subtle.verify("HMAC", key, new Uint8Array(sig.byteLength), bytes("` + v.data + `"));
return hex(sig) + " " + ok + " " + bad;`, v.want + " true false"})
	}
	cases = append(cases,
		jsCase{"generateKey defaults", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: { name: "sha-512" } }, true, ["sign"]);
const raw = await crypto.subtle.exportKey("raw", k);
return [k instanceof CryptoKey, String(k), k.type, k.extractable, k.algorithm.name, k.algorithm.hash.name, k.algorithm.length, k.usages.join(), raw.byteLength, k.algorithm === k.algorithm].join();`,
			"true,[object CryptoKey],secret,true,HMAC,SHA-512,1024,sign,128,true"},
		jsCase{"generateKey length in bits", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 132 }, true, ["verify"]);
const raw = new Uint8Array(await crypto.subtle.exportKey("raw", k));
return k.algorithm.length + " " + raw.length + " " + (raw[16] & 0x0f);`, "132 17 0"},
		jsCase{"generateKey zero length", `await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 0 }, true, ["sign"]);`, "throws OperationError: HMAC key length must not be zero"},
		jsCase{"generateKey empty usages", `await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, []);`, `throws SyntaxError: A secret key needs at least one usage ("sign" or "verify")`},
		jsCase{"generateKey bad usage", `await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["encrypt"]);`, `throws SyntaxError: HMAC keys may only be used to "sign" and "verify", not "encrypt"`},
		jsCase{"generateKey unknown usage", `await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["frob"]);`, `throws TypeError: Failed to execute 'generateKey' on 'SubtleCrypto': "frob" is not a valid KeyUsage`},
		jsCase{"generateKey missing hash", `await crypto.subtle.generateKey({ name: "HMAC" }, true, ["sign"]);`, `throws TypeError: Failed to execute 'generateKey' on 'SubtleCrypto': HMAC parameters are missing their required "hash" member`},
		jsCase{"generateKey AES not supported", `await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);`, "throws NotSupportedError: AES-GCM for generateKey is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)"},
		jsCase{"export not extractable", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-1" }, false, ["sign"]); await crypto.subtle.exportKey("raw", k);`, "throws InvalidAccessError: The key is not extractable; import or generate it with extractable = true"},
		jsCase{"export spki", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-1" }, true, ["sign"]); await crypto.subtle.exportKey("spki", k);`, `throws NotSupportedError: Exporting HMAC keys in the "spki" format is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)`},
		jsCase{"export bad format", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-1" }, true, ["sign"]); await crypto.subtle.exportKey("pem", k);`, `throws TypeError: Failed to execute 'exportKey' on 'SubtleCrypto': "pem" is not a valid KeyFormat (raw, spki, pkcs8, jwk)`},
		jsCase{"sign needs sign usage", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-1" }, true, ["verify"]); await crypto.subtle.sign("HMAC", k, new Uint8Array(1));`, `throws InvalidAccessError: The key's usages (verify) do not include "sign"`},
		jsCase{"verify needs verify usage", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-1" }, true, ["sign"]); await crypto.subtle.verify("HMAC", k, new Uint8Array(20), new Uint8Array(1));`, `throws InvalidAccessError: The key's usages (sign) do not include "verify"`},
		jsCase{"sign with ECDSA", `const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-1" }, true, ["sign"]); await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, k, new Uint8Array(1));`, "throws NotSupportedError: ECDSA for sign is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)"},
		jsCase{"sign with a non-key", `await crypto.subtle.sign("HMAC", {}, new Uint8Array(1));`, "throws TypeError: Failed to execute 'sign' on 'SubtleCrypto': key must be a CryptoKey"},
		jsCase{"jwk round trip", hexJS + `const jwk = { kty: "oct", k: "AAECAwQFBgcICQoLDA0ODw", alg: "HS256", ext: true, key_ops: ["sign", "verify"] };
const k = await crypto.subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
const out = await crypto.subtle.exportKey("jwk", k);
return hex(await crypto.subtle.exportKey("raw", k)) + " " + JSON.stringify(out) + " " + k.algorithm.length;`,
			`000102030405060708090a0b0c0d0e0f {"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw","alg":"HS256","key_ops":["sign"],"ext":true} 128`},
		jsCase{"jwk alg mismatch", `await crypto.subtle.importKey("jwk", { kty: "oct", k: "AAAA", alg: "HS512" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);`, `throws DataError: The JWK "alg" member is "HS512" but the key is imported for HMAC with SHA-256 ("HS256")`},
		jsCase{"jwk kty", `await crypto.subtle.importKey("jwk", { kty: "RSA", k: "AAAA" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);`, `throws DataError: The JWK "kty" member must be "oct" for HMAC keys, not "RSA"`},
		jsCase{"jwk bad base64url", `await crypto.subtle.importKey("jwk", { kty: "oct", k: "A+A/" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);`, `throws DataError: The JWK "k" member is not valid base64url`},
		jsCase{"jwk ext false", `await crypto.subtle.importKey("jwk", { kty: "oct", k: "AAAA", ext: false }, { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);`, `throws DataError: The JWK has "ext": false, so it cannot be imported as extractable`},
		jsCase{"jwk key_ops", `await crypto.subtle.importKey("jwk", { kty: "oct", k: "AAAA", key_ops: ["verify"] }, { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);`, `throws DataError: The JWK "key_ops" member does not allow the requested usage "sign"`},
		jsCase{"jwk with buffer", `await crypto.subtle.importKey("jwk", new Uint8Array(4), { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);`, `throws TypeError: Failed to execute 'importKey' on 'SubtleCrypto': keyData must be a JsonWebKey object for the "jwk" format, not a buffer`},
		jsCase{"import empty key", `await crypto.subtle.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);`, "throws DataError: An HMAC key must not be empty"},
		jsCase{"import length", `const k = await crypto.subtle.importKey("raw", new Uint8Array(4), { name: "HMAC", hash: "SHA-1", length: 28 }, true, ["sign"]); return k.algorithm.length;`, "28"},
		jsCase{"import length too short", `await crypto.subtle.importKey("raw", new Uint8Array(4), { name: "HMAC", hash: "SHA-1", length: 24 }, true, ["sign"]);`, "throws DataError: The HMAC length (24 bits) must be within the last byte of the key data (32 bits)"},
		jsCase{"import pkcs8", `await crypto.subtle.importKey("pkcs8", new Uint8Array(4), { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);`, `throws NotSupportedError: Importing HMAC keys in the "pkcs8" format is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)`},
		jsCase{"import empty usages", `await crypto.subtle.importKey("raw", new Uint8Array(4), { name: "HMAC", hash: "SHA-1" }, true, []);`, `throws SyntaxError: A secret key needs at least one usage ("sign" or "verify")`},
		jsCase{"unsupported operations reject", `const r = []; for (const op of ["encrypt", "decrypt", "deriveBits", "deriveKey", "wrapKey", "unwrapKey"]) { const args = new Array(crypto.subtle[op].length).fill(undefined); try { await crypto.subtle[op](...args); } catch (e) { r.push(e.name + ": " + e.message); } } return r.join("\n");`,
			unsupportedOps("encrypt", "decrypt", "deriveBits", "deriveKey", "wrapKey", "unwrapKey")},
	)
	runJSCases(t, cases)
}

func unsupportedOps(ops ...string) string {
	var lines []string
	for _, op := range ops {
		lines = append(lines, "NotSupportedError: crypto.subtle."+op+" is not supported by edge (supported: SHA-1/256/384/512 digest, HMAC)")
	}
	return strings.Join(lines, "\n")
}
