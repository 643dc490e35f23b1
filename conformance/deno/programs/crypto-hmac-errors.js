// HMAC errors: usages, extractability, bad formats; generateKey shape.
const t = async (r, k, f) => {
  try {
    r[k] = await f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(async () => {
  const r = {};
  const enc = new TextEncoder();
  const alg = { name: "HMAC", hash: "SHA-256" };
  const signOnly = await crypto.subtle.importKey("raw", enc.encode("k"), alg, false, ["sign"]);
  await t(r, "verifyWithoutUsage", () => crypto.subtle.verify("HMAC", signOnly, new Uint8Array(32), enc.encode("m")));
  await t(r, "exportNotExtractable", () => crypto.subtle.exportKey("raw", signOnly));
  await t(r, "badUsage", () => crypto.subtle.importKey("raw", enc.encode("k"), alg, false, ["encrypt"]));
  await t(r, "emptyUsages", () => crypto.subtle.importKey("raw", enc.encode("k"), alg, false, []));
  await t(r, "badFormat", () => crypto.subtle.importKey("pkcs8", enc.encode("k"), alg, false, ["sign"]));
  await t(r, "emptyKey", () => crypto.subtle.importKey("raw", new Uint8Array(), alg, false, ["sign"]));
  await t(r, "jwkWrongKty", () => crypto.subtle.importKey("jwk", { kty: "RSA", k: "AA" }, alg, false, ["sign"]));
  await t(r, "wrongSigLength", () => crypto.subtle.verify("HMAC", signOnly, new Uint8Array(3), enc.encode("m")));
  await t(r, "generateKey", async () => {
    const k = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
    return [k.type, k.algorithm.length, (await crypto.subtle.exportKey("raw", k)).byteLength];
  });
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
