package kv_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/kv/kvtest"
)

// sabotaged wraps Memory with one deliberate bug. The suite must fail on
// each; otherwise it does not check what it claims to.
type sabotaged struct {
	*kv.Memory
	bug string
}

var sabotages = map[string]string{
	"ignore-checks":      "commits without evaluating checks",
	"no-fencing":         "accepts commits with a superseded epoch",
	"partial-on-error":   "keeps the mutations before a failing sum (deno 2.9.6's SQLite backend)",
	"expiry-ignored":     "never expires entries",
	"one-scope":          "stores every scope of a project together",
	"no-changes":         "never notifies",
	"reverse-ignored":    "lists forward when asked for reverse",
	"limit-ignored":      "returns all entries regardless of the limit",
	"vs-not-incremented": "reuses the previous versionstamp for an overwrite",
}

func (s *sabotaged) Commit(ctx context.Context, sc kv.Scope, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error) {
	switch s.bug {
	case "ignore-checks":
		checks = nil
	case "no-fencing":
		sc.Epoch = 0
	case "partial-on-error":
		vs, ok, err := s.Memory.Commit(ctx, sc, checks, muts)
		var me *kv.MutationError
		if errors.As(err, &me) {
			for i := range muts {
				if _, _, err2 := s.Memory.Commit(ctx, sc, checks, muts[:i+1]); err2 != nil {
					break
				}
			}
		}
		return vs, ok, err
	case "expiry-ignored":
		for i := range muts {
			muts[i].ExpireAt = muts[i].ExpireAt.AddDate(100, 0, 0)
		}
	case "one-scope":
		sc.Instance = ""
	case "vs-not-incremented":
		if len(muts) != 1 || muts[0].Op != kv.OpSet {
			break
		}
		if es, err := s.Memory.Get(ctx, sc, [][]byte{muts[0].Key}); err == nil && es[0] != nil {
			if _, ok, err := s.Memory.Commit(ctx, sc, checks, muts); !ok || err != nil {
				return kv.Versionstamp{}, ok, err
			}
			return es[0].Versionstamp, true, nil
		}
	}
	return s.Memory.Commit(ctx, sc, checks, muts)
}

func (s *sabotaged) Get(ctx context.Context, sc kv.Scope, keys [][]byte) ([]*kv.Entry, error) {
	if s.bug == "one-scope" {
		sc.Instance = ""
	}
	return s.Memory.Get(ctx, sc, keys)
}

func (s *sabotaged) List(ctx context.Context, sc kv.Scope, r kv.Range) ([]kv.Entry, error) {
	switch s.bug {
	case "one-scope":
		sc.Instance = ""
	case "reverse-ignored":
		r.Reverse = false
	case "limit-ignored":
		r.Limit = 0
	}
	return s.Memory.List(ctx, sc, r)
}

func (s *sabotaged) Changes(sc kv.Scope) (<-chan struct{}, func()) {
	if s.bug == "no-changes" {
		return make(chan struct{}), func() {}
	}
	return s.Memory.Changes(sc)
}

// TestSuiteCatchesSabotage runs the suite on each sabotaged Memory in a
// child process (a failing suite cannot be contained in this one) and
// requires it to fail.
func TestSuiteCatchesSabotage(t *testing.T) {
	if bug := os.Getenv("KVTEST_SABOTAGE"); bug != "" {
		kvtest.Deadline = time.Second // the waits are expected to time out
		kvtest.Run(t, func(t *testing.T) kvtest.Backend {
			return &sabotaged{Memory: kv.NewMemory(nil), bug: bug}
		})
		return
	}
	if testing.Short() {
		t.Skip("runs the suite once per sabotage")
	}
	for bug, what := range sabotages {
		t.Run(bug, func(t *testing.T) {
			t.Parallel() // most of the time is spent waiting for a deadline
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteCatchesSabotage$")
			cmd.Env = append(os.Environ(), "KVTEST_SABOTAGE="+bug)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("the suite passed a store that %s (err %v):\n%s", what, err, out)
			}
			if !bytes.Contains(out, []byte("--- FAIL")) || bytes.Contains(out, []byte("panic:")) {
				t.Errorf("the suite did not fail cleanly on a store that %s:\n%s", what, out)
			}
		})
	}
}
