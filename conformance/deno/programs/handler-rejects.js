// An async handler whose promise rejects: a 500.
Deno.serve(async (req) => {
  await new Promise((r) => setTimeout(r, 1));
  if (new URL(req.url).pathname === "/ok") return new Response("fine");
  throw new TypeError("rejected on purpose");
});
