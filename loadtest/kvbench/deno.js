// The Deno side of `go run ./loadtest -kv`: durable increments on Deno KV
// with no HTTP. Arguments: store file, keys (1 = one hot key), concurrent
// loops, warmup ms, measured ms. Prints one JSON line.
const [path, keysArg, loopsArg, warmupArg, durationArg] = Deno.args;
const keys = Number(keysArg), loops = Number(loopsArg);
const kv = await Deno.openKv(path);

// The handler body edge's coordinator runs, called directly.
async function increment(k) {
  await kv.atomic().sum(k === null ? ["n"] : ["c", k], 1n).commit();
}

let measuring = false, stop = false, ops = 0;
const lats = [];
async function loop() {
  while (!stop) {
    const t0 = performance.now();
    await increment(keys === 1 ? null : Math.floor(Math.random() * keys));
    if (measuring) {
      ops++;
      lats.push(performance.now() - t0);
    }
  }
}
const running = Array.from({ length: loops }, loop);
await new Promise((r) => setTimeout(r, Number(warmupArg)));
measuring = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, Number(durationArg)));
measuring = false;
const seconds = (performance.now() - start) / 1000;
stop = true;
await Promise.all(running);
lats.sort((a, b) => a - b);
console.log(JSON.stringify({
  ops, seconds, opsPerSecond: ops / seconds,
  p50ms: lats[Math.floor(lats.length / 2)] ?? 0,
  p99ms: lats[Math.floor(lats.length * 99 / 100)] ?? 0,
}));
kv.close();
