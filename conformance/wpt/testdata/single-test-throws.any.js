// META: title=The single test
setup({ single_test: true });
assert_equals(1, 2, "top-level assertion");
done();
