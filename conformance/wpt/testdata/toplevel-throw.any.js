test(() => {}, "before the throw");
throw new Error("top-level boom");
