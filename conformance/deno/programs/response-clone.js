// response.clone(): both readable, props copied, cloning a used one throws.
Deno.serve(async () => {
  const r = {};
  const a = new Response("clone me", { status: 202, statusText: "Accepted", headers: { "x-a": "1" } });
  const b = a.clone();
  r.props = [b.status, b.statusText, b.headers.get("x-a"), b.headers !== a.headers];
  r.texts = [await a.text(), await b.text()];
  try {
    a.clone();
    r.cloneUsed = "no error";
  } catch (e) {
    r.cloneUsed = "threw " + e.name;
  }
  const s = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([65, 66])); c.close(); } }));
  const s2 = s.clone();
  r.streamClone = [await s2.text(), await s.text()];
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
