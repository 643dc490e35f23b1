// The private coordinator project "floor": it answers without looking at
// the request, storing nothing. /spread-floor (worker.js) visits its
// duplicates to measure what reaching one of many coordinators costs by
// itself (docs/BENCHMARKS.md, "The floor").
Deno.serve(() => new Response("0"));
