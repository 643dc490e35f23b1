// The private coordinator of scenarios 2-4: the counter example's program.
// The value lives in memory; an increment is stored with Deno.storage.put,
// which is durable before the response is sent.
const stored = await Deno.storage.get("value");
let value = stored || 0;

Deno.serve(async (req) => {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/increment": {
      value++;
      const current = value;
      await Deno.storage.put("value", current);
      return new Response(String(current));
    }
    case "/":
      return new Response(String(value));
    default:
      return new Response("not found", { status: 404 });
  }
});
