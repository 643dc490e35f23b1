let cleaned = [];
promise_test(async t => {
  t.add_cleanup(() => cleaned.push("a"));
  t.add_cleanup(() => new Promise(r => setTimeout(() => { cleaned.push("b"); r(); }, 5)));
}, "with cleanups");
promise_test(async () => {
  assert_array_equals(cleaned, ["a", "b"]);
}, "cleanups ran before the next promise_test");
test(t => {
  t.add_cleanup(() => { globalThis.syncCleaned = true; });
  assert_equals(cleaned.length, 0, "sync test runs before promise tests start");
}, "sync test runs first");
add_completion_callback((tests, status) => {
  if (tests.length !== 3) throw new Error("completion callback got " + tests.length + " tests");
});
