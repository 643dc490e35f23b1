// Command loadgen drives closed-loop HTTP/1.1 keep-alive load at one URL on
// this machine and prints req/s, latency percentiles and non-2xx counts.
//
//	go run ./loadtest/cmd/loadgen -c 32 -d 10s -H hello.deno.dev http://127.0.0.1:8080/
//
// It only targets loopback addresses and stops by itself after -warmup + -d.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/edge-platform/edge/loadtest/loadgen"
)

func main() {
	conns := flag.Int("c", 32, "connections")
	dur := flag.Duration("d", 10*time.Second, "measured duration")
	warmup := flag.Duration("warmup", time.Second, "warmup before measuring (not counted)")
	host := flag.String("H", "", "Host header (default: the URL's host)")
	timeout := flag.Duration("timeout", 10*time.Second, "timeout of one request")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: loadgen [flags] http://127.0.0.1:PORT/path\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	u, err := url.Parse(flag.Arg(0))
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		fmt.Fprintf(os.Stderr, "loadgen: want a URL like http://127.0.0.1:8080/path, got %q\n", flag.Arg(0))
		os.Exit(2)
	}
	h := *host
	if h == "" {
		h = u.Host
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := loadgen.Run(ctx, loadgen.Config{
		Addr:        u.Host,
		Host:        h,
		Path:        u.RequestURI(),
		Connections: *conns,
		Warmup:      *warmup,
		Duration:    *dur,
		Timeout:     *timeout,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return
	}
	fmt.Printf("%d connections, %v (after %v warmup), %s%s (Host: %s)\n", *conns, res.Elapsed.Round(time.Millisecond), *warmup, u.Host, u.RequestURI(), h)
	fmt.Printf("  requests  %d   %.0f req/s\n", res.Requests, res.ReqPerSec)
	fmt.Printf("  latency   p50 %v   p90 %v   p99 %v   max %v   mean %v\n", res.P50, res.P90, res.P99, res.Max, res.Mean)
	fmt.Printf("  statuses  %s   non-2xx %d   errors %d\n", loadgen.StatusSummary(res.Statuses), res.Non2xx, res.Errors)
	if res.FirstError != "" {
		fmt.Printf("  first error: %s\n", res.FirstError)
	}
}
