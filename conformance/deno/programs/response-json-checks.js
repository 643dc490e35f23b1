// Response.json(): content type, init, and values it cannot serialise.
const t = async (r, k, f) => {
  try {
    r[k] = await f();
  } catch (e) {
    r[k] = "threw " + e.name;
  }
};
Deno.serve(async () => {
  const r = {};
  await t(r, "basic", async () => { const x = Response.json([1]); return [x.status, x.headers.get("content-type"), await x.text()]; });
  await t(r, "ownType", () => Response.json({}, { headers: { "content-type": "application/vnd.api+json" } }).headers.get("content-type"));
  await t(r, "string", () => Response.json("str").text());
  await t(r, "null", () => Response.json(null).text());
  await t(r, "undefined", () => Response.json(undefined));
  await t(r, "function", () => Response.json(() => 1));
  await t(r, "bigint", () => Response.json(1n));
  await t(r, "cycle", () => { const o = {}; o.o = o; return Response.json(o); });
  await t(r, "nullBodyStatus", () => Response.json({}, { status: 204 }));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
