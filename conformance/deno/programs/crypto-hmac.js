// HMAC with crypto.subtle: importKey (raw, jwk), sign, verify, exportKey.
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
Deno.serve(async () => {
  const r = {};
  const enc = new TextEncoder();
  const raw = enc.encode("key");
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
  r.key = [key.type, key.extractable, key.algorithm.name, key.algorithm.hash.name, key.algorithm.length, [...key.usages].sort(), key instanceof CryptoKey];
  const sig = await crypto.subtle.sign("HMAC", key, enc.encode("The quick brown fox jumps over the lazy dog"));
  r.signature = hex(sig);
  r.verify = await crypto.subtle.verify("HMAC", key, sig, enc.encode("The quick brown fox jumps over the lazy dog"));
  r.verifyWrong = await crypto.subtle.verify("HMAC", key, sig, enc.encode("tampered"));
  r.exportRaw = hex(await crypto.subtle.exportKey("raw", key));
  const jwk = await crypto.subtle.exportKey("jwk", key);
  r.exportJwk = [jwk.kty, jwk.k, jwk.alg, jwk.ext, [...jwk.key_ops].sort()];
  const fromJwk = await crypto.subtle.importKey("jwk", { kty: "oct", k: jwk.k, alg: "HS256" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  r.jwkSignature = hex(await crypto.subtle.sign("HMAC", fromJwk, enc.encode("The quick brown fox jumps over the lazy dog")));
  for (const hash of ["SHA-1", "SHA-384", "SHA-512"]) {
    const k = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["sign"]);
    r[hash] = hex(await crypto.subtle.sign({ name: "HMAC" }, k, enc.encode("msg")));
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
