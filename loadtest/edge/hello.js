// Scenario 1: the smallest worker.
Deno.serve(() => new Response("hello"));
