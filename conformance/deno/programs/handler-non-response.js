// A handler that returns something other than a Response: a 500.
Deno.serve((req) => {
  switch (new URL(req.url).pathname) {
    case "/string":
      return "just a string";
    case "/object":
      return { status: 200, body: "looks like a response" };
    case "/undefined":
      return undefined;
    case "/promise-of-string":
      return Promise.resolve("later");
    default:
      return new Response("a real response");
  }
});
