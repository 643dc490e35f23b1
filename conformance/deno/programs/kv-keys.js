// Deno KV keys: the order of every key type (bigint before number, -0
// before 0, NaN last of the numbers), get echoing its key, list selectors
// (prefix, start/end, prefix with start or end), reverse, limit, batchSize
// and cursor strings, continuing from a cursor. Runs under Deno with
// --unstable-kv and KV_PATH (cases.json "kv": true); under edge on the
// project's store.
const part = (p) => p instanceof Uint8Array ? "u8:" + Array.from(p).join(",") : typeof p === "bigint" ? p + "n" : Object.is(p, -0) ? "-0" : typeof p + ":" + String(p);
const show = (k) => "[" + k.map(part).join(" ") + "]";

async function list(kv, sel, opts) {
  const it = kv.list(sel, opts);
  const out = [];
  for await (const e of it) out.push(show(e.key) + "@" + it.cursor);
  out.push("end@" + JSON.stringify(it.cursor));
  return out;
}

Deno.serve(async () => {
  const kv = await Deno.openKv(Deno.env.get("KV_PATH"));
  for await (const e of kv.list({ prefix: [] })) await kv.delete(e.key);
  const keys = [[1], [2], [1.5], [1n], [-1n], [2n ** 70n], [-(2n ** 70n)], [0n], ["a"], ["b"], [""], ["é"], ["a\u0000b"], [true], [false],
    [new Uint8Array([1])], [new Uint8Array([])], [new Uint8Array([0, 255])], [0], [-0], [NaN], [Infinity], [-Infinity], [-1], [Number.MIN_VALUE],
    ["a", 1], ["a", "b"], ["a", 1n], ["a", true], ["a", "b", "c"], [100n], [Number.MAX_SAFE_INTEGER + 2]];
  for (const k of keys) await kv.set(k, show(k));
  const r = {};
  r.all = await list(kv, { prefix: [] });
  r.reverse = await list(kv, { prefix: [] }, { reverse: true, limit: 5 });
  r.prefixA = await list(kv, { prefix: ["a"] });
  r.prefixAStart = await list(kv, { prefix: ["a"], start: ["a", "b", "c"] });
  r.prefixAEnd = await list(kv, { prefix: ["a"], end: ["a", 1] });
  r.range = await list(kv, { start: ["a"], end: ["b"] });
  r.rangeNumbers = await list(kv, { start: [0], end: [2] });
  r.limit = await list(kv, { prefix: [] }, { limit: 3 });
  r.batches = await list(kv, { prefix: ["a"] }, { batchSize: 1 });
  const first = kv.list({ prefix: [] }, { limit: 4 });
  for await (const _ of first);
  r.continued = await list(kv, { prefix: [] }, { cursor: first.cursor, limit: 3 });
  const back = kv.list({ prefix: [] }, { limit: 2, reverse: true });
  for await (const _ of back);
  r.continuedReverse = await list(kv, { prefix: [] }, { cursor: back.cursor, limit: 2, reverse: true });
  const g = await kv.get([new Uint16Array([1])]);
  r.getEcho = [g.key[0].constructor.name, g.value, g.versionstamp];
  r.getMany = (await kv.getMany([["a"], ["zz"], [1n]])).map((e) => [show(e.key), e.value, typeof e.versionstamp]);
  r.values = (await kv.get(["a", 1])).value;
  kv.close();
  return new Response(JSON.stringify(r, null, 1), { headers: { "content-type": "application/json" } });
});
