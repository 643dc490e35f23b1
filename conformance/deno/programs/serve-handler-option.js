// Deno.serve({ handler }): the handler inside the options object.
Deno.serve({
  onListen() {},
  handler(req) {
    return new Response("handler option: " + new URL(req.url).pathname);
  },
});
