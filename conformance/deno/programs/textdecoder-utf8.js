// TextDecoder (utf-8): BOM, replacement, fatal mode, streaming.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(() => {
  const r = {};
  const bytes = (...b) => new Uint8Array(b);
  t(r, "props", () => { const d = new TextDecoder(); return [d.encoding, d.fatal, d.ignoreBOM]; });
  t(r, "plain", () => new TextDecoder().decode(bytes(0xc3, 0xa9, 0xe2, 0x82, 0xac)));
  t(r, "bomStripped", () => new TextDecoder().decode(bytes(0xef, 0xbb, 0xbf, 0x61)));
  t(r, "bomKept", () => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes(0xef, 0xbb, 0xbf, 0x61)).length);
  t(r, "invalid", () => new TextDecoder().decode(bytes(0x61, 0xff, 0x62, 0xc3)));
  t(r, "overlong", () => new TextDecoder().decode(bytes(0xc0, 0xaf)));
  t(r, "fatalInvalid", () => new TextDecoder("utf-8", { fatal: true }).decode(bytes(0xff)));
  t(r, "fatalTruncated", () => new TextDecoder("utf-8", { fatal: true }).decode(bytes(0xe2, 0x82)));
  t(r, "fatalOk", () => new TextDecoder("utf-8", { fatal: true }).decode(bytes(0x6f, 0x6b)));
  t(r, "stream", () => {
    const d = new TextDecoder();
    return [d.decode(bytes(0xe2), { stream: true }), d.decode(bytes(0x82), { stream: true }), d.decode(bytes(0xac)), d.decode()];
  });
  t(r, "streamTruncatedEnd", () => { const d = new TextDecoder(); return [d.decode(bytes(0xf0, 0x9f), { stream: true }), d.decode()]; });
  t(r, "arrayBuffer", () => new TextDecoder().decode(new Uint8Array([104, 105]).buffer));
  t(r, "dataView", () => new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105]).buffer, 1)));
  t(r, "noInput", () => new TextDecoder().decode());
  t(r, "labels", () => ["UTF8", " utf-8 ", "unicode-1-1-utf-8"].map((l) => new TextDecoder(l).encoding));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
