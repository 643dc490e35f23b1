// Bodies returned as is; the default content type comes from the body kind.
Deno.serve((req) => {
  switch (new URL(req.url).pathname) {
    case "/params":
      return new Response(new URLSearchParams({ a: "1", b: "x y" }));
    case "/blob":
      return new Response(new Blob(["<b>blob</b>"], { type: "text/html" }));
    case "/blob-untyped":
      return new Response(new Blob(["untyped"]));
    case "/buffer":
      return new Response(new TextEncoder().encode("buffer").buffer);
    case "/string":
      return new Response("string é");
    default:
      return new Response("unknown path", { status: 404 });
  }
});
