// Top-level await before Deno.serve: a timer and a promise chain.
const config = await new Promise((resolve) => setTimeout(() => resolve({ ready: true, steps: 1 }), 10));
config.steps += await Promise.resolve(1);
const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("tla"));
config.digestBytes = digest.byteLength;
Deno.serve(() => new Response(JSON.stringify(config), { headers: { "content-type": "application/json" } }));
