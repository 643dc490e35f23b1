// DOMException: names, codes, messages, and its place in the Error family.
Deno.serve(() => {
  const r = {};
  const e = new DOMException("not here", "NotFoundError");
  r.props = [e.name, e.message, e.code, e instanceof Error, e instanceof DOMException];
  r.defaults = [new DOMException().name, new DOMException().message, new DOMException().code];
  r.codes = ["IndexSizeError", "SyntaxError", "InvalidStateError", "NotSupportedError", "AbortError", "TimeoutError", "DataCloneError", "QuotaExceededError", "InvalidCharacterError", "CustomName"]
    .map((n) => [n, new DOMException("", n).code]);
  r.constants = [DOMException.ABORT_ERR, DOMException.TIMEOUT_ERR, DOMException.DATA_CLONE_ERR, DOMException.NOT_FOUND_ERR];
  r.toString = String(new DOMException("msg", "AbortError"));
  r.tag = Object.prototype.toString.call(e);
  r.stackType = typeof e.stack;
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
