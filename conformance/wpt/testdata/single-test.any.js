// META: title=The single test
setup({ single_test: true });
assert_true(true);
setTimeout(() => done(), 5);
