// Deno.serve(options, handler): the port and hostname given here are
// overridden by the harness (DENO_SERVE_ADDRESS) under Deno.
const server = Deno.serve({ port: 8765, hostname: "127.0.0.1", onListen() {} }, (req) => {
  return new Response(JSON.stringify({ form: "options, handler", method: req.method, hasFinished: server.finished instanceof Promise }), {
    headers: { "content-type": "application/json" },
  });
});
