// META: variant=?first
// META: variant=?second
test(() => {
  assert_equals(location.search, "?second");
}, "search is ?second");
test(() => {}, "search " + location.search);
