// Response body mixins on every kind of body, and default content types.
Deno.serve(async () => {
  const r = {};
  const bodies = {
    string: () => "héllo",
    uint8: () => new Uint8Array([104, 105]),
    arrayBuffer: () => new Uint8Array([1, 2, 3]).buffer,
    dataView: () => new DataView(new Uint8Array([4, 5]).buffer),
    blob: () => new Blob(["blob"], { type: "text/x-blob" }),
    params: () => new URLSearchParams("a=1&b=2"),
    stream: () => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("streamed")); c.close(); } }),
  };
  for (const [k, make] of Object.entries(bodies)) {
    r[k] = {
      type: new Response(make()).headers.get("content-type"),
      text: await new Response(make()).text(),
      bytes: [...new Uint8Array(await new Response(make()).arrayBuffer())].length,
      bytesMixin: (await new Response(make()).bytes()).length,
      blob: await new Response(make()).blob().then((b) => [b.size, b.type]),
    };
  }
  r.json = await new Response('{"a":[1,2]}').json();
  try {
    await new Response("{bad").json();
    r.badJson = "no error";
  } catch (e) {
    r.badJson = "threw " + e.name;
  }
  r.formData = (await new Response(new URLSearchParams("x=1&y=2")).formData()).get("y");
  try {
    await new Response("not a form", { headers: { "content-type": "text/plain" } }).formData();
    r.badFormData = "no error";
  } catch (e) {
    r.badFormData = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
