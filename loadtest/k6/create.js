// The create scenario: first requests to N new coordinators, each storing one
// value, against a running edge (see docs/BENCHMARKS.md, "k6"):
//
//   edge dev --config loadtest/edge/edge.yaml --listen 127.0.0.1:8080
//   k6 run -e BASE_URL=http://127.0.0.1:8080 loadtest/k6/create.js
//
// Every iteration asks for /create/<name> with a name no request used
// before; the worker fetches https://<name>.store.deno.dev/, which creates
// that duplicate of the "store" coordinator; its first request stores one
// value (durable before the answer) and answers "new". Names are
// k6-<run>-<vu>-<iteration>, with <run> from setup() (or RUN), so a second
// run against the same data directory also creates new ones.
//
// Environment: BASE_URL (edge's listener), HOST (the worker's host, sent as
// the Host header since edge routes projects by Host; default
// bench.deno.dev), N (coordinators to create, default 10000), VUS
// (connections, default 8 as in DESIGN.md's anchor), MAX_DURATION (default
// 10m). The Go harness's idle-memory scenario creates the same objects and
// then reads the server's memory, which k6 cannot do.
// The only threshold is on the error rate: the numbers we quote come from
// the Go harness (go run ./loadtest), not from this script.
import http from "k6/http";
import { check } from "k6";

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8080";
const HOST = __ENV.HOST || "bench.deno.dev";

export const options = {
  scenarios: {
    create: {
      executor: "shared-iterations",
      vus: Number(__ENV.VUS || 8),
      iterations: Number(__ENV.N || 10000),
      maxDuration: __ENV.MAX_DURATION || "10m",
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
  },
};

export function setup() {
  // A DNS label part: lowercase letters and digits.
  return { run: (__ENV.RUN || Date.now().toString(36)).toLowerCase() };
}

export default function (data) {
  const name = `k6-${data.run}-${__VU}-${__ITER}`;
  const res = http.get(`${BASE_URL}/create/${name}`, { headers: { Host: HOST } });
  check(res, {
    "status is 200": (r) => r.status === 200,
    "a new coordinator": (r) => r.body === "new",
  });
}
