// crypto.subtle.digest: SHA-1/256/384/512 as hex, over several inputs.
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
Deno.serve(async () => {
  const r = {};
  const enc = new TextEncoder();
  for (const alg of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
    r[alg] = {
      empty: hex(await crypto.subtle.digest(alg, new Uint8Array())),
      abc: hex(await crypto.subtle.digest(alg, enc.encode("abc"))),
    };
  }
  r.lowercaseName = hex(await crypto.subtle.digest("sha-256", enc.encode("x")));
  r.objectName = hex(await crypto.subtle.digest({ name: "SHA-256" }, enc.encode("x")));
  r.arrayBuffer = hex(await crypto.subtle.digest("SHA-256", enc.encode("abc").buffer));
  r.dataView = hex(await crypto.subtle.digest("SHA-256", new DataView(enc.encode("zabc").buffer, 1)));
  r.large = hex(await crypto.subtle.digest("SHA-256", new Uint8Array(1 << 20).fill(97)));
  r.isArrayBuffer = (await crypto.subtle.digest("SHA-1", enc.encode(""))) instanceof ArrayBuffer;
  for (const [k, f] of Object.entries({
    unknownAlgorithm: () => crypto.subtle.digest("MD5", enc.encode("x")),
    stringData: () => crypto.subtle.digest("SHA-256", "abc"),
  })) {
    try {
      await f();
      r[k] = "no error";
    } catch (e) {
      r[k] = "threw " + e.name;
    }
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
