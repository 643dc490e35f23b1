// Deno.version reports the runtime (a known, intended difference).
Deno.serve(() => new Response(JSON.stringify({ deno: Deno.version.deno, typescript: Deno.version.typescript })));
