// TextEncoderStream and TextDecoderStream, with a character split across
// chunks.
Deno.serve(async () => {
  const r = {};
  const chunks = [new Uint8Array([0x61, 0xe2]), new Uint8Array([0x82]), new Uint8Array([0xac, 0x62])];
  const decoded = [];
  for await (const s of ReadableStream.from(chunks).pipeThrough(new TextDecoderStream())) decoded.push(s);
  r.decoded = decoded.join("");
  const ds = new TextDecoderStream("utf-16le", { fatal: false });
  r.decoderProps = [ds.encoding, ds.fatal, ds.ignoreBOM];
  const encoded = [];
  for await (const b of ReadableStream.from(["x", "é", "\uD83D", "\uDE00"]).pipeThrough(new TextEncoderStream())) encoded.push(...b);
  r.encoded = encoded;
  r.encoderEncoding = new TextEncoderStream().encoding;
  try {
    const fatal = ReadableStream.from([new Uint8Array([0xff])]).pipeThrough(new TextDecoderStream("utf-8", { fatal: true }));
    for await (const _ of fatal) { /* drain */ }
    r.fatal = "no error";
  } catch (e) {
    r.fatal = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
