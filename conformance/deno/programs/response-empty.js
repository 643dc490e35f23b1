// new Response() returned as is: 200, no body, no content type.
Deno.serve(() => new Response());
