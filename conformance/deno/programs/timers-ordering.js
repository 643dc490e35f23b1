// Timers and microtasks: ordering across distinct delays, intervals,
// clearing, arguments. The delays are far apart so that the order does not
// depend on how busy the machine is (with 20 ms, a loaded CI machine made
// Deno's three 1 ms intervals finish after the 20 ms timeout).
Deno.serve(async () => {
  const log = [];
  await new Promise((done) => {
    setTimeout(() => log.push("timeout 200"), 200);
    setTimeout((a, b) => log.push("timeout 0 args " + a + b), 0, "x", "y");
    const cleared = setTimeout(() => log.push("cleared!"), 5);
    clearTimeout(cleared);
    let n = 0;
    const iv = setInterval(() => {
      n++;
      log.push("interval " + n);
      if (n === 3) {
        clearInterval(iv);
        setTimeout(() => setTimeout(done, 40), 200);
      }
    }, 1);
    Promise.resolve().then(() => log.push("microtask 1"));
    queueMicrotask(() => log.push("microtask 2"));
    log.push("sync");
  });
  const id = setTimeout(() => {}, 0);
  clearTimeout(id);
  clearTimeout(undefined);
  clearInterval(null);
  return new Response(JSON.stringify({
    log: log.filter((l) => !l.startsWith("interval")),
    intervals: log.filter((l) => l.startsWith("interval")),
    intervalBeforeTimeout200: log.indexOf("interval 3") < log.indexOf("timeout 200"),
  }), { headers: { "content-type": "application/json" } });
});
