promise_test(() => new Promise(() => {}), "hangs");
promise_test(async () => {}, "after the hang");
