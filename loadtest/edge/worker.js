// The public worker of scenarios 2-4. It forwards to the private coordinator
// project "counter" and returns the coordinator's answer (the count).
//   /read            -> https://counter.deno.dev/           (read the count)
//   /increment       -> https://counter.deno.dev/increment  (one hot coordinator)
//   /spread[?k=K|?n=N]    -> https://c<k>.counter.deno.dev/increment, k random in
//                       [0, 1000) unless given (the harness primes all 1000)
//   /spread-read     -> https://c<k>.counter.deno.dev/  (the count: no write)
//   /spread-floor    -> https://c<k>.floor.deno.dev/    (a coordinator that does
//                       nothing). Diagnostics the harness does not use (both
//                       take ?k= and ?n=): what visiting one of many
//                       coordinators costs without the durable write, and
//                       without any work at all. Paths, not a query
//                       parameter, so that /spread itself does no more work.
//   /create/<name>   -> https://<name>.store.deno.dev/ (a new duplicate of the
//                       "store" coordinator: created by this request)
const COORDINATOR = "counter.deno.dev";
const SPREAD = 1000;
const STORE = "store.deno.dev";
const FLOOR = "floor.deno.dev";

Deno.serve(async (req) => {
  const url = new URL(req.url);
  let target;
  switch (url.pathname) {
    case "/read":
      target = `https://${COORDINATOR}/`;
      break;
    case "/increment":
      target = `https://${COORDINATOR}/increment`;
      break;
    case "/spread":
    case "/spread-read":
    case "/spread-floor": {
      const given = url.searchParams.get("k");
      // ?n=N spreads over the first N instead (a diagnostic: cost by number of objects).
      const n = url.searchParams.get("n");
      const k = given === null ? Math.floor(Math.random() * (n === null ? SPREAD : Number(n))) : Number(given);
      if (url.pathname === "/spread") target = `https://c${k}.${COORDINATOR}/increment`;
      else if (url.pathname === "/spread-read") target = `https://c${k}.${COORDINATOR}/`;
      else target = `https://c${k}.${FLOOR}/`;
      break;
    }
    default:
      if (url.pathname.startsWith("/create/")) {
        target = `https://${url.pathname.slice(8)}.${STORE}/`;
        break;
      }
      return new Response("not found", { status: 404 });
  }
  const res = await fetch(target);
  const text = await res.text();
  return new Response(text, { status: res.status });
});
