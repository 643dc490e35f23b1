// Command edge runs the edge platform. `edge dev` serves a config's projects
// on one node with the embedded store. main only parses flags and config,
// wires the parts, runs and waits; the logic lives in the packages.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	_ "net/http/pprof" // served only when EDGE_PPROF is set
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // could not start or failed while running
	exitUsage   = 2 // bad command line or config
)

const usage = `edge: self-hostable serverless JavaScript with workers and coordinators.

Usage:
  edge serve [--config edge.yaml] [--listen 127.0.0.1:8080] [--admin-listen 127.0.0.1:8081] [--data .edge] [--log-level info]
      Run a node: the config's projects plus those deployed through the admin API.
  edge dev [same flags as serve]
      edge serve, and redeploy a config project whenever its files change.
  edge help
      Show this help.
`

func main() {
	// The heap of a busy edge is mostly short-lived request garbage, so Go's
	// default GOGC=100 collects very often. 200 buys throughput for a
	// bounded amount of memory; 400 was measured faster still but multiplied
	// the live heap of a thousand active coordinators into gigabytes (see
	// docs/BENCHMARKS.md). An explicit GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	// EDGE_PPROF=127.0.0.1:6060 serves Go's profiler (net/http/pprof) there,
	// for measuring edge under load; keep it on a loopback address.
	if addr := os.Getenv("EDGE_PPROF"); addr != "" {
		go func() {
			if err := http.ListenAndServe(addr, nil); err != nil {
				fmt.Fprintf(os.Stderr, "edge: EDGE_PPROF=%s: %v\n", addr, err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "dev":
		return runDev(ctx, args[1:], stderr)
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "edge: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}
