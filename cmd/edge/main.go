// Command edge runs the edge platform. `edge dev` serves a config's projects
// on one node with the embedded store; deploy, projects, versions, rollback,
// coordinators, kv and logs drive a running edge through its admin API. main only parses flags and config,
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
  edge deploy [--config edge.yaml] [--message M] [project ...]
      Bundle the config's projects (all, or those named) and upload each as a new version.
  edge projects ls | rm <project>
      List your projects, or delete one with its versions and stored data.
  edge versions <project>
      List a project's versions.
  edge rollback <project> [<version>]
      Make an earlier version current (default: the one before the current one).
  edge coordinators ls <project> | rm <project> <name>
      List a coordinator project's instances, or delete one with its store.
  edge kv ls <project> [<name>] [--prefix P] [--limit N]
  edge kv get <project> [<name>] <key>
      Read a store: a coordinator instance's (default: its default instance) or a
      worker's shared one. Keys and prefixes are JSON arrays ('["users", 1]') or one
      string part (users).
  edge logs <project> [--follow] [--tail N]
      Print a project's console output and uncaught errors.
  edge help
      Show this help.

The admin commands also take --server URL (default $EDGE_SERVER, else
http://127.0.0.1:8081: the admin.listen address of edge serve), --token T (default
$EDGE_TOKEN: one of your account's tokens) and --json (print the API's JSON instead of
a table). Exit codes: 0 done, 1 the command failed (the message says why), 2 bad
command line.
`

func main() {
	// The heap of a busy edge is mostly short-lived request garbage, so Go's
	// default GOGC=100 collects very often. gctune lets the heap grow by a
	// fixed headroom past the live data (at least 200 % of it) before a
	// collection: a large GOGC while little is live, 200 while a thousand
	// coordinators are (see gctune and docs/BENCHMARKS.md). An explicit
	// GOGC in the environment wins.
	if _, err := tuneGC(os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "edge: %v\n", err)
		os.Exit(exitUsage)
	}
	// EDGE_PPROF=127.0.0.1:6060 serves Go's profiler (net/http/pprof) there,
	// for measuring edge under load; keep it on a loopback address.
	if addr := os.Getenv("EDGE_PPROF"); addr != "" {
		http.HandleFunc("/debug/jsprofile", serveJSProfile)
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
	case "deploy":
		return runDeploy(ctx, args[1:], stdout, stderr)
	case "projects":
		return runProjects(ctx, args[1:], stdout, stderr)
	case "versions":
		return runVersions(ctx, args[1:], stdout, stderr)
	case "rollback":
		return runRollback(ctx, args[1:], stdout, stderr)
	case "coordinators":
		return runCoordinators(ctx, args[1:], stdout, stderr)
	case "kv":
		return runKV(ctx, args[1:], stdout, stderr)
	case "logs":
		return runLogs(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "edge: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}
