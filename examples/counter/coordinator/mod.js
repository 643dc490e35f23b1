import { serve } from "https://deno.land/std@0.114.0/http/server.ts";

const stored = await Deno.storage.get("value");
let value = stored || 0;

serve(handleRequest);

async function handleRequest(request) {
    const url = new URL(request.url);
    let currentValue = value;
    switch (url.pathname) {
        case "/increment":
            currentValue = ++value;
            await Deno.storage.put("value", value);
            break;
        case "/decrement":
            currentValue = --value;
            await Deno.storage.put("value", value);
            break;
        case "/":
            break;
        default:
            return new Response("Not found", { status: 404 });
    }

    return new Response(currentValue);
}
