setup({ explicit_done: true });
setTimeout(() => {
  test(() => {}, "registered late");
  done();
}, 10);
