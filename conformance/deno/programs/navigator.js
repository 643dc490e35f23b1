// navigator: only shapes (userAgent and hardwareConcurrency differ by
// design).
Deno.serve(() => {
  return new Response(JSON.stringify({
    userAgent: typeof navigator.userAgent,
    hardwareConcurrency: Number.isInteger(navigator.hardwareConcurrency) && navigator.hardwareConcurrency > 0,
    language: typeof navigator.language,
    languages: Array.isArray(navigator.languages),
  }), { headers: { "content-type": "application/json" } });
});
