// Headers: get/set/append/delete/has, case-insensitivity, combined values.
Deno.serve(() => {
  const h = new Headers({ "Content-Type": "text/plain", "X-A": "1" });
  const r = {};
  r.get = [h.get("content-type"), h.get("CONTENT-TYPE"), h.get("missing")];
  h.append("x-a", "2");
  r.combined = h.get("X-A");
  h.set("X-A", "3");
  r.afterSet = h.get("x-a");
  r.has = [h.has("x-a"), h.has("x-b")];
  h.delete("X-A");
  r.afterDelete = [h.has("x-a"), h.get("x-a")];
  r.trimmed = new Headers({ "x-t": "  \t padded \t " }).get("x-t");
  r.emptyValue = new Headers([["x-e", ""]]).get("x-e");
  r.fromHeaders = [...new Headers(new Headers({ a: "1" }))];
  r.fromPairs = [...new Headers([["b", "2"], ["a", "1"], ["b", "3"]])];
  r.numberValue = new Headers({ n: 42 }).get("n");
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
