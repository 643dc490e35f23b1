// TextDecoder: utf-16le/be, windows-1252, unknown labels.
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
  t(r, "utf16le", () => { const d = new TextDecoder("utf-16le"); return [d.encoding, d.decode(bytes(0x68, 0, 0x69, 0, 0xac, 0x20))]; });
  t(r, "utf16Alias", () => new TextDecoder("utf-16").encoding);
  t(r, "utf16leBOM", () => new TextDecoder("utf-16le").decode(bytes(0xff, 0xfe, 0x41, 0)));
  t(r, "utf16leOdd", () => new TextDecoder("utf-16le").decode(bytes(0x41, 0, 0x42)));
  t(r, "utf16leSurrogates", () => new TextDecoder("utf-16le").decode(bytes(0x3d, 0xd8, 0x00, 0xde)));
  t(r, "utf16leFatal", () => new TextDecoder("utf-16le", { fatal: true }).decode(bytes(0x00, 0xd8)));
  t(r, "utf16be", () => { const d = new TextDecoder("utf-16be"); return [d.encoding, d.decode(bytes(0, 0x68, 0, 0x69))]; });
  t(r, "latin1", () => { const d = new TextDecoder("latin1"); return [d.encoding, d.decode(bytes(0x41, 0x80, 0xe9, 0xff))]; });
  t(r, "windows1252", () => new TextDecoder("windows-1252").decode(bytes(0x93, 0x94, 0x9f)));
  t(r, "ascii", () => new TextDecoder("ascii").encoding);
  t(r, "unknown", () => new TextDecoder("no-such-encoding"));
  t(r, "replacement", () => new TextDecoder("replacement"));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
