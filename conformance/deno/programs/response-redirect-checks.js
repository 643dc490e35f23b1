// Response.redirect(): statuses it accepts, relative URLs, its headers.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(() => {
  const r = {};
  for (const s of [301, 302, 303, 307, 308, 200, 304, 399]) {
    t(r, "status" + s, () => Response.redirect("https://example.com/", s).status);
  }
  t(r, "default", () => { const x = Response.redirect("https://example.com/a"); return [x.status, x.headers.get("location"), x.body, x.type]; });
  t(r, "relative", () => Response.redirect("/relative").headers.get("location"));
  t(r, "invalid", () => Response.redirect("http://exa mple.com"));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
