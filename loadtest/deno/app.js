// Scenarios 2-4 for Deno, in one process with Deno KV (SQLite on local disk):
//   deno run -A --unstable-kv app.js <port> <kv path>
//   /read          kv.get(["count"])
//   /increment     check+set increment of ["count"] (retried on conflict)
//   /spread[?k=K|?n=N]  the same on ["c", k], k random in [0, 1000) unless given
//   /create/<name> set ["created", name] if absent (one atomic commit):
//                  "new", or "old" if the key existed
// There is no second process: the "coordinator" is the KV store itself.
const port = Number(Deno.args[0] ?? 8000);
const kv = await Deno.openKv(Deno.args[1]);
const SPREAD = 1000;

async function increment(key) {
  for (;;) {
    const cur = await kv.get(key);
    const next = (cur.value ?? 0) + 1;
    const res = await kv.atomic().check(cur).set(key, next).commit();
    if (res.ok) return next;
  }
}

Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/read": {
      const e = await kv.get(["count"]);
      return new Response(String(e.value ?? 0));
    }
    case "/increment":
      return new Response(String(await increment(["count"])));
    case "/spread": {
      const given = url.searchParams.get("k");
      // ?n=N spreads over the first N instead (a diagnostic: cost by number of objects).
      const n = url.searchParams.get("n");
      const k = given === null ? Math.floor(Math.random() * (n === null ? SPREAD : Number(n))) : Number(given);
      return new Response(String(await increment(["c", k])));
    }
    default:
      if (url.pathname.startsWith("/create/")) {
        const key = ["created", url.pathname.slice(8)];
        const res = await kv.atomic().check({ key, versionstamp: null }).set(key, Date.now()).commit();
        return new Response(res.ok ? "new" : "old");
      }
      return new Response("not found", { status: 404 });
  }
});
