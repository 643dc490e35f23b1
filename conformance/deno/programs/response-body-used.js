// bodyUsed and double reads for every mixin.
Deno.serve(async () => {
  const r = {};
  for (const m of ["text", "json", "arrayBuffer", "bytes", "blob", "formData"]) {
    const res = new Response(m === "formData" ? new URLSearchParams("a=1") : "1");
    const before = res.bodyUsed;
    await res[m]();
    let second;
    try {
      await res.text();
      second = "no error";
    } catch (e) {
      second = "threw " + e.name;
    }
    r[m] = [before, res.bodyUsed, second];
  }
  const empty = new Response(null);
  r.nullBody = [empty.bodyUsed, await empty.text(), empty.bodyUsed, await empty.text()];
  const streamed = new Response("abc");
  const reader = streamed.body.getReader();
  r.locked = [streamed.bodyUsed, streamed.body.locked];
  await reader.read();
  r.afterRead = streamed.bodyUsed;
  try {
    await streamed.text();
    r.textWhileLocked = "no error";
  } catch (e) {
    r.textWhileLocked = "threw " + e.name;
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
