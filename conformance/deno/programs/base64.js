// atob and btoa, including what they throw.
const t = (r, k, f) => {
  try {
    r[k] = f();
  } catch (e) {
    r[k] = "threw " + e.name + (e instanceof DOMException ? " (DOMException)" : "");
  }
};
Deno.serve(() => {
  const r = {};
  t(r, "btoa", () => btoa("hello, world"));
  t(r, "btoaLatin1", () => btoa("\xff\xfe\x00"));
  t(r, "btoaEmpty", () => btoa(""));
  t(r, "btoaNonLatin1", () => btoa("€"));
  t(r, "btoaCoerce", () => btoa(123));
  t(r, "atob", () => atob("aGVsbG8sIHdvcmxk"));
  t(r, "atobNoPadding", () => atob("YWI"));
  t(r, "atobWhitespace", () => atob(" YW\nJj\tZA== "));
  t(r, "atobInvalidChar", () => atob("a*b="));
  t(r, "atobBadLength", () => atob("abcde"));
  t(r, "atobBinary", () => [...atob("/+8A")].map((c) => c.charCodeAt(0)));
  t(r, "roundTrip", () => atob(btoa("\x00\x01\x80\xff")) === "\x00\x01\x80\xff");
  t(r, "noArgs", () => atob());
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
