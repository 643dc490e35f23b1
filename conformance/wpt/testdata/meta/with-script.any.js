// META: title=Meta title
// META: script=/common/helper.js
// META: script=resources/local.js
// META: timeout=long
test(() => {
  assert_equals(fromAbsoluteHelper(), "abs");
  assert_equals(fromRelativeHelper(), "rel");
}, "META scripts loaded");
promise_test(async () => {
  const j = await fetch_json("resources/data.json");
  assert_equals(j.answer, 42);
}, "fetch_json relative to the test file");
promise_test(async () => {
  const r = await fetch("resources/missing.json");
  assert_equals(r.status, 404);
}, "missing file is 404");
test(() => {
  assert_equals(location.href, "http://wpt.test/meta/with-script.any.js");
}, "location");
test(() => {});
