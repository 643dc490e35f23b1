package wpt

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"testing"
)

// TestWPT runs every WPT file and fails on any difference from
// expectations.json: a new failure, an expected failure that now passes, or
// an unexpected harness error or timeout. Without the WPT data it skips,
// except under CI, where it fails.
func TestWPT(t *testing.T) {
	paths, err := Locate(".")
	if err != nil {
		t.Fatal(err)
	}
	if err := paths.DirExists(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (CI is set, so the WPT suite must run)", err)
		}
		t.Skip(err)
	}
	exp, err := LoadExpectations(paths.Expectations)
	if err != nil {
		t.Fatal(err)
	}
	suite, err := Plan(paths.Dir, exp, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range exp.Stale(suite.AllIDs) {
		t.Error(p)
	}
	runner := &Runner{Dir: paths.Dir}
	// Files run in parallel subtests, at most GOMAXPROCS at a time.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	var results []Result
	t.Run("files", func(t *testing.T) {
		for _, job := range suite.Jobs {
			id := ID(job.File.Path, job.Variant)
			t.Run(id, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				res := runner.Run(context.Background(), job.File, job.Variant)
				<-sem
				mu.Lock()
				results = append(results, res)
				mu.Unlock()
				for _, p := range exp.Check(res) {
					t.Error(p)
				}
			})
		}
	})
	sort.Slice(results, func(i, j int) bool { return results[i].ID() < results[j].ID() })
	rows, total := Summarize(results)
	t.Log("\n" + Table(rows, total))
	t.Logf("WPT: %d/%d subtests pass (%.1f%%) in %d file runs; %d skipped by expectations",
		total.Passed, total.Subtests, total.Percent(), len(results), len(suite.Skipped))
	if t.Failed() {
		t.Log(fmt.Sprintf("if the differences are intended, run %s and review the diff", UpdateCommand))
	}
}
