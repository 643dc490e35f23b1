// URLSearchParams: iteration order and the iterator methods.
Deno.serve(() => {
  const p = new URLSearchParams("b=1&a=2&b=3");
  const seen = [];
  p.forEach((v, k, obj) => seen.push([k, v, obj === p]));
  return new Response(JSON.stringify({
    entries: [...p.entries()],
    keys: [...p.keys()],
    values: [...p.values()],
    spread: [...p],
    forEach: seen,
    fromEntries: Object.fromEntries(p),
    tag: Object.prototype.toString.call(p),
    iterTag: Object.prototype.toString.call(p.entries()),
  }), { headers: { "content-type": "application/json" } });
});
