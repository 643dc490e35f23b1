// Response constructor: status and statusText validation, null-body statuses.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(() => {
  const r = {};
  for (const s of [99, 100, 199, 200, 299, 599, 600, 0, -1, 200.5, 65736, "201"]) {
    t(r, "status " + s, () => new Response(null, { status: s }).status);
  }
  t(r, "statusTextNewline", () => new Response(null, { statusText: "a\nb" }));
  t(r, "statusTextNonLatin1", () => new Response(null, { statusText: "€" }));
  t(r, "statusTextOk", () => new Response(null, { statusText: "Fine Thanks" }).statusText);
  for (const s of [204, 205, 304]) {
    t(r, "body with " + s, () => new Response("x", { status: s }).status);
    t(r, "empty string body with " + s, () => new Response("", { status: s }).status);
    t(r, "null body with " + s, () => new Response(null, { status: s }).status);
  }
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
