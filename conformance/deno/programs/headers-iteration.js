// Headers: iteration is sorted by lowercase name, and set-cookie values are
// not combined.
Deno.serve(() => {
  const h = new Headers();
  h.append("Zeta", "z");
  h.append("alpha", "a1");
  h.append("Beta", "b");
  h.append("ALPHA", "a2");
  h.append("Set-Cookie", "s=1");
  h.append("set-cookie", "t=2");
  const fe = [];
  h.forEach((v, k) => fe.push(k + "=" + v));
  return new Response(JSON.stringify({
    entries: [...h],
    keys: [...h.keys()],
    values: [...h.values()],
    forEach: fe,
    tag: Object.prototype.toString.call(h),
  }), { headers: { "content-type": "application/json" } });
});
