// Statuses on the wire: the status from the path, with a body unless it is a
// null-body status.
Deno.serve((req) => {
  const status = Number(new URL(req.url).pathname.slice(1));
  const nullBody = [204, 205, 304].includes(status);
  return new Response(nullBody ? null : "status " + status, { status, headers: { "x-status": String(status) } });
});
