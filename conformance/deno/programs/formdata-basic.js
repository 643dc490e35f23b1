// FormData: append/set/get/getAll/has/delete, entry order, files.
Deno.serve(async () => {
  const r = {};
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  fd.append("a", "3");
  fd.append("file", new Blob(["blob body"], { type: "text/plain" }));
  fd.append("named", new Blob(["x"]), "custom.bin");
  fd.append("f", new File(["y"], "orig.txt"), "renamed.txt");
  r.get = [fd.get("a"), fd.getAll("a"), fd.get("missing"), fd.has("b")];
  const file = fd.get("file");
  r.file = [file instanceof File, file.name, file.type, file.size];
  r.named = [fd.get("named").name, fd.get("named").type];
  r.renamed = fd.get("f").name;
  fd.set("a", "only");
  r.afterSet = [...fd.keys()];
  fd.delete("b");
  r.afterDelete = [...fd.keys()];
  r.values = [...fd.values()].map((v) => typeof v === "string" ? v : "file:" + v.name);
  fd.append("num", 42);
  r.coerced = fd.get("num");
  r.newline = (() => { const f = new FormData(); f.append("k\r\n", "v\nw\r"); return [...f][0]; })();
  r.tag = Object.prototype.toString.call(fd);
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
