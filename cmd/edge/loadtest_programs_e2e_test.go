package main

import (
	"path/filepath"
	"testing"
)

// The loadtest's edge programs (loadtest/edge/) through the real binary:
// every path the harness and loadtest/ab.sh load answers as worker.js says,
// so that a benchmark never measures an error page.
func TestLoadtestProgramsAnswer(t *testing.T) {
	config, _ := filepath.Abs("../../loadtest/edge/edge.yaml")
	p := startEdge(t, config, t.TempDir())
	const bench = "bench.deno.dev"
	p.expect("hello.deno.dev", "/", 200, "hello")
	p.expect(bench, "/read", 200, "0")
	p.expect(bench, "/increment", 200, "1")
	p.expect(bench, "/read", 200, "1")
	// /spread increments duplicate c<k> of "counter", durably.
	p.expect(bench, "/spread?k=7", 200, "1")
	p.expect(bench, "/spread?k=7", 200, "2")
	p.expect(bench, "/spread?k=8", 200, "1")
	// /spread-read reads it without a write; /spread-floor reaches
	// "floor", which does nothing.
	p.expect(bench, "/spread-read?k=7", 200, "2")
	p.expect(bench, "/spread-floor?k=7", 200, "0")
	p.expect(bench, "/spread?k=7", 200, "3")
	p.expect(bench, "/spread-write", 404, "not found")
	// ?n=N picks k in [0, N): with N=1, always c0.
	p.expect(bench, "/spread?n=1", 200, "1")
	p.expect(bench, "/spread-read?n=1", 200, "1")
	p.expect(bench, "/spread-floor?n=1", 200, "0")
	p.expect(bench, "/create/fresh-1", 200, "new")
	p.expect(bench, "/create/fresh-1", 200, "old")
}
