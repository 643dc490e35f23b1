package deno_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edge-platform/edge/conformance/deno"

	// The test builds ./cmd/edge with `go build`, which go test's cache
	// does not see. Importing the binary's packages makes a change to any of
	// them (including the prelude's embedded JavaScript) rerun this test
	// instead of answering from the cache.
	_ "github.com/edge-platform/edge/actors"
	_ "github.com/edge-platform/edge/cluster"
	_ "github.com/edge-platform/edge/configs"
	_ "github.com/edge-platform/edge/frontend"
	_ "github.com/edge-platform/edge/jsvm"
	_ "github.com/edge-platform/edge/persistence"
	_ "github.com/edge-platform/edge/router"
)

// TestDenoDifferential runs every program in programs/ under real Deno and
// under edge, sends each case of cases.json to both and fails on any
// difference that deviations.json does not list, and on any listed deviation
// that no longer differs. Deno comes from $EDGE_DENO or `make deno`.
func TestDenoDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the differential suite starts edge and a Deno per program")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := deno.FindDeno(dir)
	if bin == "" {
		msg := "no deno: run `make deno` (installs deno@" + deno.DenoVersion + " from npm into conformance/deno/.npm) or set EDGE_DENO to a deno binary"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI must run this suite")
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("deno: %v (from EDGE_DENO?)", err)
	}
	corpus, err := deno.LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	rep, err := deno.Run(ctx, corpus, deno.Options{
		Root: filepath.Join(dir, "..", ".."),
		Deno: bin,
		Race: raceEnabled,
		Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems() {
		t.Error(p)
	}
	t.Log(rep.Summary())
}
