// Several Set-Cookie headers through Response headers, and one that is
// deleted again.
Deno.serve(() => {
  const res = new Response("ok");
  res.headers.append("set-cookie", "session=abc; HttpOnly; Secure");
  res.headers.append("Set-Cookie", "theme=dark; Max-Age=3600");
  res.headers.append("set-cookie", "temp=1");
  res.headers.set("x-count", String(res.headers.getSetCookie().length));
  return res;
});
