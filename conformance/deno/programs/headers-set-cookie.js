// Headers: getSetCookie, and several Set-Cookie headers on the wire.
Deno.serve(() => {
  const h = new Headers();
  h.append("Set-Cookie", "a=1; Path=/; HttpOnly");
  h.append("Set-Cookie", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
  h.append("x-summary", JSON.stringify({ getSetCookie: h.getSetCookie(), get: h.get("set-cookie"), none: new Headers().getSetCookie() }));
  h.set("content-type", "text/plain");
  return new Response("cookies", { headers: h });
});
