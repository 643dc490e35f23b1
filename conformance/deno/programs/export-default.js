// The export default { fetch } form.
export default {
  fetch(req) {
    const u = new URL(req.url);
    return new Response(JSON.stringify({ form: "export default", method: req.method, path: u.pathname, q: u.searchParams.get("q") }), {
      headers: { "content-type": "application/json" },
    });
  },
};
