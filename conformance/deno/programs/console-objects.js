// console methods do not throw, whatever they are given.
Deno.serve(() => {
  const cyclic = { name: "cyclic" };
  cyclic.self = cyclic;
  const values = [
    "string", 42, 1.5, -0, NaN, Infinity, 10n, true, null, undefined, Symbol("sym"),
    { a: { b: { c: { d: { e: 1 } } } } }, [1, [2, [3, [4]]]], cyclic, new Map([[1, { x: 1 }]]), new Set([1, 2]),
    new Date(0), /re/g, new Error("an error"), new TypeError("type"), () => 1, class Foo {}, new Uint8Array(3),
    new ArrayBuffer(2), Promise.resolve(1), new URL("https://example.com"), new Headers({ a: "1" }),
    new Response("x"), new Request("https://example.com"), Object.create(null), new Proxy({}, {}), new WeakMap(),
  ];
  const results = {};
  for (const m of ["log", "info", "warn", "error", "debug", "trace", "dir"]) {
    try {
      for (const v of values) console[m](v);
      console[m]("%s and %d and %o", "str", 5, { o: 1 });
      results[m] = "ok";
    } catch (e) {
      results[m] = "threw " + e.name;
    }
  }
  try {
    console.assert(1 === 1, "fine");
    console.assert(false, "assertion message");
    console.count();
    console.count("label");
    console.countReset("label");
    console.table([{ a: 1, b: "x" }, { a: 2, c: true }]);
    console.table([[1, 2], [3, 4]], ["0"]);
    console.group("g");
    console.groupEnd();
    results.others = "ok";
  } catch (e) {
    results.others = "threw " + e.name;
  }
  return new Response(JSON.stringify(results), { headers: { "content-type": "application/json" } });
});
