// META: global=window,worker
test(() => {
  assert_equals(1 + 1, 2);
  assert_array_equals([1, NaN], [1, NaN]);
  assert_object_equals({ a: { b: 1 } }, { a: { b: 1 } });
  assert_approx_equals(0.1 + 0.2, 0.3, 1e-9);
  assert_throws_js(TypeError, () => null.x);
  assert_throws(new TypeError(), () => null.x);
  assert_throws_exactly(42, () => { throw 42; });
  assert_class_string([], "Array");
  assert_regexp_match("abc", /b/);
  assert_in_array(2, [1, 2]);
  assert_less_than(1, 2);
  assert_own_property({ x: 1 }, "x");
  assert_inherits({}, "toString");
  assert_not_equals(0, -0);
}, "sync passes");

async_test(t => {
  t.step_timeout(t.step_func_done(() => assert_true(true)), 5);
}, "async passes");

promise_test(async t => {
  await promise_rejects_js(t, TypeError, Promise.reject(new TypeError("x")));
  await promise_rejects_exactly(t, 7, Promise.reject(7));
}, "promise passes");

generate_tests(x => assert_true(x > 0), [["gen 1", 1], ["gen 2", 2]]);

test(() => {
  assert_equals(self, globalThis);
  assert_false(GLOBAL.isWindow());
  assert_equals(format_value("a\n\"b"), '"a\\n\\"b"');
  assert_equals(format_value(-0), "-0");
  assert_equals(format_value([1, "x"]), '[1, "x"]');
}, "globals");
