// Scenario 2, worker → coordinator, read, against a running edge (see docs/BENCHMARKS.md, "k6"):
//
//   edge dev --config loadtest/edge/edge.yaml --listen 127.0.0.1:8080
//   k6 run -e BASE_URL=http://127.0.0.1:8080 loadtest/k6/read.js
//
// Environment: BASE_URL (edge's listener), HOST (the project's host, sent
// as the Host header since edge routes projects by Host; default bench.deno.dev),
// VUS (connections, default 32), DURATION (default 10s).
// The only threshold is on the error rate: the numbers we quote come from
// the Go harness (go run ./loadtest), not from this script.
import http from "k6/http";
import { check } from "k6";

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8080";
const HOST = __ENV.HOST || "bench.deno.dev";

export const options = {
  vus: Number(__ENV.VUS || 32),
  duration: __ENV.DURATION || "10s",
  thresholds: {
    http_req_failed: ["rate<0.01"],
  },
};

export default function () {
  const res = http.get(`${BASE_URL}/read`, { headers: { Host: HOST } });
  check(res, {
    "status is 200": (r) => r.status === 200,
    "body is a count": (r) => /^\d+$/.test(r.body),
  });
}
