// The public worker "api" of the cluster benchmark (go run ./loadtest
// -cluster). It forwards to the duplicate of coordinator project "counter"
// (coordinator.js) named in the query string and returns its answer:
//   /read?name=N        -> https://N.counter.deno.dev/           (its count)
//   /increment?name=N   -> https://N.counter.deno.dev/increment  (a durable increment)
// With &region=R the request carries Edge-Coordinator-Settings:
// {"region": R}, which places a duplicate that does not exist yet in
// region R (the header is ignored for one that exists).
const COUNTER = "counter.deno.dev";

Deno.serve(async (req) => {
  const url = new URL(req.url);
  const name = url.searchParams.get("name");
  if (!name) {
    return new Response("?name= is required", { status: 400 });
  }
  let path;
  switch (url.pathname) {
    case "/read":
      path = "/";
      break;
    case "/increment":
      path = "/increment";
      break;
    default:
      return new Response("not found", { status: 404 });
  }
  const target = `https://${name}.${COUNTER}${path}`;
  const region = url.searchParams.get("region");
  const res = region
    ? await fetch(target, { headers: { "Edge-Coordinator-Settings": JSON.stringify({ region }) } })
    : await fetch(target);
  const text = await res.text();
  return new Response(text, { status: res.status });
});
