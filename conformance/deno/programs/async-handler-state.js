// Module state between requests on one instance, and an async handler that
// awaits several kinds of work before answering.
let count = 0;
Deno.serve(async (req) => {
  count++;
  await null;
  await new Promise((r) => setTimeout(r, 1));
  const body = req.method === "POST" ? await req.text() : "";
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(body)));
  return new Response(JSON.stringify({ count, body, digestFirst: digest[0] }), { headers: { "content-type": "application/json" } });
});
