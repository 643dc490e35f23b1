// The request's URL as the handler sees it (both runtimes get the same Host
// header), and its query through searchParams.
Deno.serve((req) => {
  const u = new URL(req.url);
  return new Response(JSON.stringify({
    url: req.url,
    pathname: u.pathname,
    search: u.search,
    params: [...u.searchParams],
    host: u.host,
  }), { headers: { "content-type": "application/json" } });
});
