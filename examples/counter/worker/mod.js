import { serve } from "https://deno.land/std@0.114.0/http/server.ts";

serve(handleRequest);

async function handleRequest(request) {
    const pathname = new URL(request.url).pathname;
    // use default Coordinator instead of duplicate Coordinator since doesn't need more than one
    // no first request performance penalty since default Coordinator has been created at deployment
    const url = new URL(pathname, `https://difficult-butterfly-42.deno.dev/`)
    const res = await fetch(url);
    const count = await res.text();

    return new Response("Coordinator count: " + count);
}
