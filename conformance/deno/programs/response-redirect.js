// Response.redirect() returned as is: status and Location per path.
Deno.serve((req) => {
  const { pathname } = new URL(req.url);
  if (pathname === "/301") return Response.redirect("https://example.com/moved?x=1", 301);
  if (pathname === "/url") return Response.redirect(new URL("https://example.com/ünïcode path"), 307);
  return Response.redirect("https://example.com/default");
});
