// File: name, type, lastModified, and File as a Blob.
Deno.serve(async () => {
  const r = {};
  const f = new File(["file body"], "notes.txt", { type: "text/plain", lastModified: 1700000000000 });
  r.props = [f.name, f.type, f.size, f.lastModified, f instanceof Blob, f instanceof File];
  r.text = await f.text();
  r.sliceIsBlob = [f.slice(0, 4) instanceof File, await f.slice(0, 4).text()];
  r.defaultLastModified = typeof new File([], "x").lastModified;
  r.nameCoerced = new File([], 42).name;
  r.slashName = new File([], "a/b.txt").name;
  r.tag = Object.prototype.toString.call(f);
  try {
    new File(["x"]);
    r.noName = "no error";
  } catch (e) {
    r.noName = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
