// Blob: size, type, slice, text, arrayBuffer, bytes, stream.
Deno.serve(async () => {
  const r = {};
  const b = new Blob(["héllo ", new Uint8Array([119, 111]), new Blob(["rld"])], { type: "Text/Plain" });
  r.props = [b.size, b.type];
  r.text = await b.text();
  r.slice = await b.slice(1, 4).text();
  r.sliceNegative = await b.slice(-3).text();
  r.sliceType = b.slice(0, 1, "application/x-sliced").type;
  r.sliceOut = b.slice(100).size;
  r.arrayBuffer = (await b.arrayBuffer()).byteLength;
  r.bytes = (await b.bytes()).slice(0, 3);
  r.bytesArray = [...(await b.bytes()).slice(0, 3)];
  let streamed = 0;
  for await (const chunk of b.stream()) streamed += chunk.length;
  r.stream = streamed;
  r.empty = [new Blob().size, new Blob().type];
  r.badType = new Blob(["x"], { type: "a\u0100b" }).type;
  r.endings = (await new Blob(["a\nb"], { endings: "transparent" }).text()).length;
  r.tag = Object.prototype.toString.call(b);
  try {
    new Blob("not a sequence");
    r.badParts = "no error";
  } catch (e) {
    r.badParts = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
