// queueMicrotask and promise jobs interleave in FIFO order, before timers.
Deno.serve(async () => {
  const log = [];
  await new Promise((done) => {
    setTimeout(() => {
      log.push("timeout");
      done();
    }, 0);
    queueMicrotask(() => {
      log.push("q1");
      queueMicrotask(() => log.push("q1-nested"));
      Promise.resolve().then(() => log.push("p-in-q1"));
    });
    Promise.resolve().then(() => log.push("p1")).then(() => log.push("p1-then"));
    queueMicrotask(() => log.push("q2"));
    log.push("sync");
  });
  let threw;
  try {
    queueMicrotask("not a function");
  } catch (e) {
    threw = e.name;
  }
  return new Response(JSON.stringify({ log, threw }), { headers: { "content-type": "application/json" } });
});
