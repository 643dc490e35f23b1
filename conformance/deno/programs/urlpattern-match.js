// URLPattern: test and exec with named groups, wildcards and regexps.
Deno.serve((req) => {
  const r = {};
  const books = new URLPattern({ pathname: "/books/:id" });
  r.test = [books.test("https://example.com/books/123"), books.test("https://example.com/books"), books.test("https://example.com/books/1/2")];
  const m = books.exec("https://example.com/books/123?x=1");
  r.execGroups = m.pathname.groups;
  r.execInput = m.pathname.input;
  r.execNull = books.exec("https://example.com/other");
  const wild = new URLPattern({ pathname: "/static/*" });
  r.wildcard = wild.exec({ pathname: "/static/css/site.css" }).pathname.groups;
  const re = new URLPattern({ pathname: "/items/:id(\\d+)" });
  r.regexp = [re.test({ pathname: "/items/42" }), re.test({ pathname: "/items/abc" })];
  const opt = new URLPattern({ pathname: "/files/:name?" });
  r.optional = [opt.test({ pathname: "/files" }), opt.test({ pathname: "/files/a" })];
  const host = new URLPattern({ hostname: "{:sub.}?example.com" });
  r.hostname = host.exec("https://api.example.com/").hostname.groups;
  const self = new URLPattern({ pathname: "/route/:name" });
  r.request = self.exec(req.url)?.pathname.groups ?? null;
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
