// URLSearchParams: how names and values are decoded and serialised.
Deno.serve(() => {
  const r = {};
  const p = new URLSearchParams("a=b+c&d=%20e&f=%zz&g=%E2%82%AC&h&=empty&i=j=k&%F0%9F%98%80=smile");
  r.decoded = [...p];
  const q = new URLSearchParams();
  q.append("sp ace", "a+b c");
  q.append("sym", "!'()*~-._&=/?#[]@$,;:");
  q.append("uni", "€😀é");
  q.append("nl", "a\nb\r\nc");
  r.encoded = q.toString();
  r.stringified = String(new URLSearchParams({ "": "" }));
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
