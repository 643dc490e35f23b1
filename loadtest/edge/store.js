// The private coordinator project "store" of the create and idle-memory
// scenarios. Every request goes to a duplicate that was never asked for
// before (https://<name>.store.deno.dev/), so it is created by that request;
// the first request stores one value, durable before the response, and
// answers "new". A later request to the same name finds the value (also
// after the duplicate was passivated) and answers "old".
let created = await Deno.storage.get("created");

Deno.serve(async () => {
  if (created !== undefined) {
    return new Response("old");
  }
  created = Date.now();
  await Deno.storage.put("created", created);
  return new Response("new");
});
