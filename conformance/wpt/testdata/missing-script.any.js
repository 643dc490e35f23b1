// META: script=/common/does-not-exist.js
test(() => {}, "never registered");
