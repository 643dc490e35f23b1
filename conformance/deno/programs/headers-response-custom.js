// Response headers on the wire: pairs, repeated names, a user content-type.
Deno.serve(() => {
  const res = new Response("custom", {
    headers: [
      ["X-Multi", "a"],
      ["x-multi", "b"],
      ["Content-Type", "text/x-custom; charset=utf-8"],
      ["Cache-Control", "no-store"],
      ["X-Empty", ""],
    ],
  });
  res.headers.append("x-late", "added after construction");
  return res;
});
