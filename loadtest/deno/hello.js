// Scenario 1 for Deno: deno run -A hello.js <port>
const port = Number(Deno.args[0] ?? 8000);
Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => new Response("hello"));
