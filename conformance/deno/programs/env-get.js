// Deno.env: a configured variable and an unset one.
Deno.serve(() => {
  return new Response(JSON.stringify({
    greeting: Deno.env.get("GREETING"),
    unset: String(Deno.env.get("EDGE_DIFF_SURELY_UNSET")),
    hasUnset: Deno.env.has("EDGE_DIFF_SURELY_UNSET"),
    hasGreeting: Deno.env.has("GREETING"),
  }), { headers: { "content-type": "application/json" } });
});
