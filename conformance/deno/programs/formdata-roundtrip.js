// FormData through new Response(formData) and back with .formData().
Deno.serve(async () => {
  const fd = new FormData();
  fd.append("text", "hello world");
  fd.append("unicode", "é€😀");
  fd.append("quote", 'a "quoted" name');
  fd.append("multi", "1");
  fd.append("multi", "2");
  fd.append("upload", new File(["line1\r\nline2"], "up load.txt", { type: "text/plain" }));
  fd.append("bin", new File([new Uint8Array([0, 255, 13, 10])], "data.bin", { type: "application/octet-stream" }));
  const res = new Response(fd);
  const ct = res.headers.get("content-type");
  const back = await res.formData();
  const out = [];
  for (const [k, v] of back) {
    out.push(typeof v === "string" ? [k, v] : [k, v.name, v.type, v.size, [...new Uint8Array(await v.arrayBuffer())].slice(0, 12)]);
  }
  return new Response(JSON.stringify({ multipart: ct.startsWith("multipart/form-data; boundary="), entries: out }), {
    headers: { "content-type": "application/json" },
  });
});
