// Headers: invalid names and values, and immutable headers.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(() => {
  const r = {};
  t(r, "spaceInName", () => new Headers({ "a b": "c" }));
  t(r, "emptyName", () => new Headers({ "": "c" }));
  t(r, "colonInName", () => new Headers([["a:b", "c"]]));
  t(r, "newlineInValue", () => new Headers({ a: "b\nc" }));
  t(r, "nulInValue", () => new Headers({ a: "b\0c" }));
  t(r, "nonLatin1Name", () => new Headers({ "é": "c" }));
  t(r, "nonLatin1Value", () => new Headers({ a: "€" }).get("a"));
  t(r, "badInit", () => new Headers(42));
  t(r, "badPair", () => new Headers([["a", "b", "c"]]));
  t(r, "getInvalid", () => new Headers().get("a b"));
  t(r, "setInvalid", () => new Headers().set("a b", "c"));
  t(r, "redirectImmutable", () => Response.redirect("https://example.com/").headers.set("x", "y"));
  t(r, "errorImmutable", () => Response.error().headers.append("x", "y"));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
