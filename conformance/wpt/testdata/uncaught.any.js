async_test(t => {
  setTimeout(() => { throw new Error("escaped the test"); }, 1);
  setTimeout(t.step_func_done(), 50);
}, "async with an escaped exception");
