// Scenario 4, durable increments spread over 1,000 coordinators, against a
// running edge (see docs/BENCHMARKS.md, "k6"):
//
//   edge dev --config loadtest/edge/edge.yaml --listen 127.0.0.1:8080
//   k6 run -e BASE_URL=http://127.0.0.1:8080 loadtest/k6/spread.js
//
// Each request increments coordinator c<k> (https://c<k>.counter.deno.dev/,
// a named duplicate) for a random k in [0, 1000). setup() first sends one
// request to each of the 1,000, as the Go harness does, so that the measured
// load finds them created (set PRIME=0 to skip).
//
// Environment: BASE_URL (edge's listener), HOST (the worker's host, sent as
// the Host header since edge routes projects by Host; default
// bench.deno.dev), VUS (connections, default 32), DURATION (default 10s).
// The only threshold is on the error rate: the numbers we quote come from
// the Go harness (go run ./loadtest), not from this script.
import http from "k6/http";
import { check } from "k6";

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8080";
const HOST = __ENV.HOST || "bench.deno.dev";
const SPREAD = 1000;

export const options = {
  vus: Number(__ENV.VUS || 32),
  duration: __ENV.DURATION || "10s",
  setupTimeout: "5m",
  thresholds: {
    http_req_failed: ["rate<0.01"],
  },
};

export function setup() {
  if (__ENV.PRIME === "0") {
    return;
  }
  // http.batch sends up to options.batch (default 20) requests at a time.
  for (let k = 0; k < SPREAD; k += 20) {
    const reqs = [];
    for (let i = k; i < Math.min(k + 20, SPREAD); i++) {
      reqs.push(["GET", `${BASE_URL}/spread?k=${i}`, null, { headers: { Host: HOST } }]);
    }
    http.batch(reqs);
  }
}

export default function () {
  const k = Math.floor(Math.random() * SPREAD);
  const res = http.get(`${BASE_URL}/spread?k=${k}`, { headers: { Host: HOST } });
  check(res, {
    "status is 200": (r) => r.status === 200,
    "body is a count": (r) => /^\d+$/.test(r.body),
  });
}
