// Deno KV atomic operations: checks that hold and fail, one versionstamp
// per commit, sum/min/max on Deno.KvU64 (sum wraps at 2^64), mutate(), and
// set/delete results. Versionstamps differ between runtimes: only their
// shape and order are reported.
Deno.serve(async () => {
  const kv = await Deno.openKv(Deno.env.get("KV_PATH"));
  for await (const e of kv.list({ prefix: [] })) await kv.delete(e.key);
  const r = {};
  const stamps = [];
  const vs = (v) => { stamps.push(v); return /^[0-9a-f]{20}$/.test(v) ? "vs" : "bad:" + v; };
  const s1 = await kv.set(["x"], 1);
  r.set = [s1.ok, vs(s1.versionstamp), Object.keys(s1).join()];
  const e1 = await kv.get(["x"]);
  r.getAfterSet = [e1.value, e1.versionstamp === s1.versionstamp];
  const a1 = await kv.atomic().check(e1).set(["x"], 2).set(["y"], 3).commit();
  r.checkOk = [a1.ok, vs(a1.versionstamp)];
  r.sameStamp = (await kv.get(["x"])).versionstamp === a1.versionstamp && (await kv.get(["y"])).versionstamp === a1.versionstamp;
  const a2 = await kv.atomic().check(e1).set(["x"], 9).commit();
  r.checkStale = [JSON.stringify(a2), (await kv.get(["x"])).value];
  r.checkAbsent = [(await kv.atomic().check({ key: ["x"], versionstamp: null }).commit()).ok, (await kv.atomic().check({ key: ["nope"], versionstamp: null }).commit()).ok];
  r.emptyCommit = (await kv.atomic().commit()).ok;
  await kv.atomic().sum(["n"], 5n).commit();
  await kv.atomic().sum(["n"], 2n ** 64n - 1n).commit();
  const n = (await kv.get(["n"])).value;
  r.sumWraps = [n instanceof Deno.KvU64, String(n.value), String(n), Object.prototype.toString.call(n)];
  await kv.atomic().min(["n"], 2n).max(["m"], 7n).commit();
  r.minMax = [String((await kv.get(["n"])).value.value), String((await kv.get(["m"])).value.value)];
  await kv.atomic().mutate({ type: "sum", key: ["n"], value: new Deno.KvU64(10n) }, { type: "max", key: ["n"], value: new Deno.KvU64(11n) }, { type: "set", key: ["z"], value: "z" }, { type: "delete", key: ["y"] }).commit();
  r.mutate = [String((await kv.get(["n"])).value.value), (await kv.get(["z"])).value, (await kv.get(["y"])).value];
  r.deleteResult = String(await kv.delete(["z"]));
  await kv.set(["s"], "text");
  try {
    await kv.atomic().sum(["s"], 1n).commit();
    r.sumOnText = "committed";
  } catch (e) {
    r.sumOnText = e.name + ": " + e.message;
  }
  const expiring = await kv.set(["e"], 1, { expireIn: 60000 });
  r.expireIn = [expiring.ok, (await kv.get(["e"])).value];
  r.increasing = stamps.every((s, i) => i === 0 || s > stamps[i - 1]);
  r.u64 = [String(new Deno.KvU64(0n)), new Deno.KvU64(2n ** 64n - 1n).valueOf() === 2n ** 64n - 1n, Object.keys(new Deno.KvU64(1n)).join(), Object.isFrozen(new Deno.KvU64(1n))];
  kv.close();
  return new Response(JSON.stringify(r, null, 1), { headers: { "content-type": "application/json" } });
});
