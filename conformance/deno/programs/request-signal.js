// request.signal for a request that completes normally.
Deno.serve((req) => {
  return new Response(JSON.stringify({
    isSignal: req.signal instanceof AbortSignal,
    aborted: req.signal.aborted,
    reason: req.signal.reason === undefined,
  }), { headers: { "content-type": "application/json" } });
});
