// performance.now: a number that does not go backwards (values are not
// reported: they are times).
Deno.serve(async () => {
  const a = performance.now();
  await new Promise((r) => setTimeout(r, 15));
  const b = performance.now();
  const samples = Array.from({ length: 100 }, () => performance.now());
  return new Response(JSON.stringify({
    type: typeof a,
    monotonic: samples.every((v, i) => i === 0 || v >= samples[i - 1]),
    advanced: b - a >= 10,
    timeOrigin: typeof performance.timeOrigin,
    nonNegative: a >= 0,
    toJSON: typeof performance.toJSON,
  }), { headers: { "content-type": "application/json" } });
});
