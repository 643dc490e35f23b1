// Top-level await before Deno.serve: a timer, a promise chain and a body
// read.
const config = await new Promise((resolve) => setTimeout(() => resolve({ ready: true, steps: 1 }), 10));
config.steps += await Promise.resolve(1);
config.text = await new Response("read at top level").text();
Deno.serve(() => new Response(JSON.stringify(config), { headers: { "content-type": "application/json" } }));
