// A handler that throws synchronously: a 500 in both (bodies differ by
// design; only the status is compared).
Deno.serve((req) => {
  if (new URL(req.url).pathname === "/ok") return new Response("fine");
  throw new Error("handler failed on purpose");
});
