// Deno KV's errors for bad input: key parts, key and value sizes, getMany
// and watch counts, list selectors and options, cursors, atomic limits and
// malformed mutations, Deno.KvU64 ranges, values that cannot be cloned,
// and use after close. Each is reported as "sync"/"async" + name + message.
const sync = (f) => {
  try {
    const v = f();
    return v && typeof v.then === "function" && !(v instanceof Deno.AtomicOperation) ? v.then(() => "async ok", (e) => "async " + e.name + ": " + e.message) : "sync ok";
  } catch (e) {
    return "sync " + e.name + ": " + e.message;
  }
};
const drain = async (it) => { for await (const _ of it); };

Deno.serve(async () => {
  const kv = await Deno.openKv(Deno.env.get("KV_PATH"));
  await kv.set(["a"], 1);
  await kv.set(["s"], "text");
  const many = kv.atomic();
  for (let i = 0; i < 1001; i++) many.set([i], 1);
  const checks = kv.atomic();
  for (let i = 0; i < 101; i++) checks.check({ key: [i], versionstamp: null });
  const cases = {
    keyObject: () => kv.get([{}]),
    keyNull: () => kv.get([null]),
    keyUndefined: () => kv.get([undefined]),
    keySymbol: () => kv.get([Symbol("s")]),
    keyArrayBuffer: () => kv.get([new ArrayBuffer(1)]),
    keyStringObject: () => kv.get([new String("a")]),
    keyNotArray: () => kv.get("a"),
    keyMissing: () => kv.get(),
    keyEmptyWrite: () => kv.set([], 1),
    keyEmptyDelete: () => kv.delete([]),
    keyTooLargeWrite: () => kv.set(["x".repeat(3000)], 1),
    keyTooLargeRead: () => kv.get(["x".repeat(3000)]),
    keyBigintTooLarge: () => kv.get([2n ** 2100n]),
    valueTooLarge: () => kv.set(["v"], "x".repeat(70000)),
    valueFunction: () => kv.set(["v"], (x) => x),
    valueSymbol: () => kv.set(["v"], Symbol("x")),
    valueWeakMap: () => kv.set(["v"], new WeakMap()),
    valuePromise: () => kv.set(["v"], Promise.resolve(1)),
    valueNestedFunction: () => kv.set(["v"], { a: [() => 1] }),
    getMany11: () => kv.getMany(Array.from({ length: 11 }, (_, i) => [i])),
    getManyNotArray: () => kv.getMany("a"),
    consistencyBogus: () => kv.get(["a"], { consistency: "bogus" }),
    listNoSelector: () => kv.list(),
    listEmptySelector: () => kv.list({}),
    listAllThree: () => kv.list({ prefix: ["a"], start: ["a", 1], end: ["a", 2] }),
    listStartOnly: () => kv.list({ start: ["a"] }),
    listLimitZero: () => kv.list({ prefix: [] }, { limit: 0 }),
    listLimitFraction: () => kv.list({ prefix: [] }, { limit: 1.5 }),
    listBatchZero: () => kv.list({ prefix: [] }, { batchSize: 0 }),
    listBatch1001: () => drain(kv.list({ prefix: [] }, { batchSize: 1001 })),
    listStartAfterEnd: () => drain(kv.list({ start: ["b"], end: ["a"] })),
    listStartOutsidePrefix: () => drain(kv.list({ prefix: ["a"], start: ["b"] })),
    listEndOutsidePrefix: () => drain(kv.list({ prefix: ["a"], end: ["b"] })),
    listBadCursor: () => drain(kv.list({ prefix: [] }, { cursor: "!!!" })),
    listUnpaddedCursor: () => drain(kv.list({ prefix: [] }, { cursor: "AmE" })),
    listCursorOutOfBounds: () => drain(kv.list({ start: ["a", 1], end: ["b"] }, { cursor: "AQ==" })),
    listBadPrefixKey: () => drain(kv.list({ prefix: [{}] })),
    cursorBeforeIteration: () => kv.list({ prefix: [] }).cursor,
    tooManyMutations: () => many.commit(),
    tooManyChecks: () => checks.commit(),
    invalidCheck: () => kv.atomic().check({ key: ["a"], versionstamp: "zz" }).commit(),
    atomicBadKeyAtSet: () => kv.atomic().set([{}], 1),
    atomicBadKeyAtCommit: () => kv.atomic().set([{}], 1).commit(),
    atomicFunctionValue: () => kv.atomic().set(["a"], () => 1),
    mutateBogus: () => kv.atomic().mutate({ key: ["a"], type: "bogus" }),
    mutateSetWithoutValue: () => kv.atomic().mutate({ key: ["a"], type: "set" }),
    expireInNegative: () => kv.set(["e"], 1, { expireIn: -5 }),
    expireInString: () => kv.set(["e"], 1, { expireIn: "x" }),
    expireInFraction: () => kv.atomic().set(["e"], 1, { expireIn: 1.5 }),
    sumNegative: () => kv.atomic().sum(["n"], -1n),
    sumKvU64: () => kv.atomic().sum(["n"], new Deno.KvU64(1n)),
    sumOnText: () => kv.atomic().sum(["s"], 1n).commit(),
    minOnText: () => kv.atomic().min(["s"], 1n).commit(),
    u64Negative: () => new Deno.KvU64(-1n),
    u64TooLarge: () => new Deno.KvU64(2n ** 64n),
    u64Number: () => new Deno.KvU64(5),
    u64Missing: () => new Deno.KvU64(),
    awaitAtomic: async () => await kv.atomic(),
    watch11: () => kv.watch(Array.from({ length: 11 }, (_, i) => [i])),
    watchBadKey: () => kv.watch([[{}]]),
  };
  const r = {};
  for (const [name, f] of Object.entries(cases)) r[name] = await sync(f);
  kv.close();
  r.afterClose = await sync(() => kv.get(["a"]));
  r.closeTwice = await sync(() => kv.close());
  return new Response(JSON.stringify(r, null, 1), { headers: { "content-type": "application/json" } });
});
