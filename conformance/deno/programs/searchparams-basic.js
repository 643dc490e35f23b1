// URLSearchParams: constructors and the mutating methods.
Deno.serve(() => {
  const r = {};
  r.fromString = new URLSearchParams("?a=1&b=2&a=3").toString();
  r.fromObject = new URLSearchParams({ x: "1", y: "two words" }).toString();
  r.fromPairs = new URLSearchParams([["k", "v"], ["k", "w"]]).toString();
  r.fromMap = new URLSearchParams(new Map([["m", "1"]])).toString();
  r.fromOther = new URLSearchParams(new URLSearchParams("c=3")).toString();
  const p = new URLSearchParams("a=1&b=2&a=3&c=4");
  r.get = [p.get("a"), p.get("missing"), p.getAll("a"), p.has("b"), p.has("a", "3"), p.has("a", "9")];
  p.append("d", "5");
  p.set("a", "only");
  r.afterSet = p.toString();
  p.delete("b");
  p.append("c", "6");
  p.delete("c", "4");
  r.afterDelete = p.toString();
  r.size = p.size;
  const s = new URLSearchParams("z=1&b=2&a=3&b=1&a=0");
  s.sort();
  r.sorted = s.toString();
  try {
    new URLSearchParams([["only-one"]]);
    r.badPair = "no error";
  } catch (e) {
    r.badPair = "threw " + e.name;
  }
  const u = new URL("https://example.com/?a=1");
  u.searchParams.append("b", "x y");
  r.linked = u.href;
  u.search = "?c=3";
  r.linkedBack = u.searchParams.get("c");
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
