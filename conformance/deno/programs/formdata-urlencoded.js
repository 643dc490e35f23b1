// urlencoded bodies to FormData, and FormData to URLSearchParams.
Deno.serve(async () => {
  const r = {};
  const fromParams = await new Response(new URLSearchParams("a=1&b=x+y&c=%E2%82%AC")).formData();
  r.fromParams = [...fromParams];
  const req = new Request("https://example.com/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "name=Ada&lang=js&lang=go",
  });
  const fd = await req.formData();
  r.fromRequest = [fd.get("name"), fd.getAll("lang")];
  r.toParams = new URLSearchParams(fd).toString();
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
