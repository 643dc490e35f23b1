// Argument checks where edge follows WebIDL and the specs and Deno 2.9.6
// does not (listed in deviations.json with the reasons).
const t = async (r, k, f) => {
  try {
    const v = await f();
    r[k] = typeof v === "object" && v !== null ? "no error" : typeof v;
  } catch (e) {
    r[k] = "threw " + e.name + (e instanceof DOMException ? " (DOMException)" : "");
  }
};
Deno.serve(async () => {
  const r = {};
  // getRandomValues(ArrayBufferView): an Array fails the WebIDL conversion.
  await t(r, "getRandomValuesArray", () => crypto.getRandomValues([1, 2]));
  // HmacImportParams.hash is a required member.
  await t(r, "hmacWithoutHash", () => crypto.subtle.importKey("raw", new TextEncoder().encode("k"), { name: "HMAC" }, false, ["sign"]));
  // append(name, value, filename) is the Blob overload only.
  await t(r, "formDataFilenameForString", () => new FormData().append("x", "y", "filename"));
  // HTML's setTimeout returns a number.
  await t(r, "timeoutId", () => { const id = setTimeout(() => {}, 0); clearTimeout(id); return id; });
  // Fetch: a Request URL with credentials is a TypeError.
  await t(r, "requestWithCredentials", () => new Request("https://user:pw@example.com/").url);
  // Fetch: a Response status outside 200-599 is a RangeError (Deno allows
  // 101 for its WebSocket upgrade responses).
  await t(r, "responseStatus101", () => new Response(null, { status: 101 }).status);
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
