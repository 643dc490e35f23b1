package persistence

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/metrics"
)

// Interface guard: the node's metrics observe its store's commit groups.
var _ CommitObserver = (*metrics.Metrics)(nil)

// recorder is a CommitObserver that keeps every group it is told about.
type recorder struct {
	mu     sync.Mutex
	groups []observedGroup
}

type observedGroup struct {
	commits, mutations int
	d                  time.Duration
	err                error
}

func (r *recorder) GroupCommitted(commits, mutations int, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.groups = append(r.groups, observedGroup{commits, mutations, d, err})
}

func (r *recorder) all() []observedGroup {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]observedGroup(nil), r.groups...)
}

type observable interface {
	store
	SetCommitObserver(CommitObserver)
}

// Every commit is in exactly one observed group, with its mutations, and
// a group is observed before its callers get their results (so once every
// Commit has returned, every group has been observed).
func TestCommitObserverCountsAddUp(t *testing.T) {
	eachBackend(t, func(t *testing.T, kind, dsn string) {
		s := mustOpen(t, kind, dsn).(observable)
		rec := &recorder{}
		s.SetCommitObserver(rec)
		ctx := context.Background()
		const goroutines, each = 8, 25
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				sc := kv.Scope{Project: "p", Instance: fmt.Sprint(g)}
				for i := range each {
					muts := make([]kv.Mutation, 1+i%3) // 1, 2 or 3 mutations
					for j := range muts {
						muts[j] = sum(mustKey(kv.Key{"n", fmt.Sprint(j)}), 1)
					}
					if _, ok, err := s.Commit(ctx, sc, nil, muts); err != nil || !ok {
						t.Errorf("commit: ok=%v err=%v", ok, err)
					}
				}
			})
		}
		wg.Wait()
		wantMuts := 0
		for i := range each {
			wantMuts += goroutines * (1 + i%3)
		}
		commits, muts, groups := 0, 0, rec.all()
		for _, g := range groups {
			if g.err != nil {
				t.Errorf("group failed: %v", g.err)
			}
			if g.commits < 1 || g.commits > maxGroup {
				t.Errorf("group of %d commits, want 1..%d", g.commits, maxGroup)
			}
			if g.d <= 0 {
				t.Errorf("group took %v, want a positive duration", g.d)
			}
			commits += g.commits
			muts += g.mutations
		}
		if commits != goroutines*each || muts != wantMuts {
			t.Errorf("observed %d commits with %d mutations, want %d with %d", commits, muts, goroutines*each, wantMuts)
		}
		t.Logf("%d commits in %d groups", commits, len(groups))

		// Without an observer, nothing more is observed.
		s.SetCommitObserver(nil)
		if _, _, err := s.Commit(ctx, kv.Scope{Project: "p"}, nil, []kv.Mutation{sum(mustKey(kv.Key{"n"}), 1)}); err != nil {
			t.Fatal(err)
		}
		if n := len(rec.all()); n != len(groups) {
			t.Errorf("%d groups observed after removing the observer, want %d", n, len(groups))
		}
	})
}

// A group whose transaction fails is observed with the error its commits
// got.
func TestCommitObserverSeesFailedGroup(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	rec := &recorder{}
	s.SetCommitObserver(rec)
	s.write.Close() // every transaction now fails to begin
	_, _, err := s.Commit(context.Background(), kv.Scope{Project: "p"}, nil, []kv.Mutation{setJSON(t, "a", "1"), setJSON(t, "b", "2")})
	if err == nil {
		t.Fatal("commit on a closed database succeeded")
	}
	groups := rec.all()
	if len(groups) != 1 {
		t.Fatalf("observed %d groups, want 1", len(groups))
	}
	if g := groups[0]; g.commits != 1 || g.mutations != 2 || !errors.Is(g.err, err) {
		t.Errorf("observed %+v, want 1 commit, 2 mutations and the commit's error %v", g, err)
	}
}

// Setting the observer while commits run is not a data race.
func TestSetCommitObserverDuringCommits(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil && i < 200; i++ {
			if _, _, err := s.Commit(ctx, kv.Scope{Project: "p"}, nil, []kv.Mutation{sum(mustKey(kv.Key{"n"}), 1)}); err != nil && ctx.Err() == nil {
				t.Error(err)
			}
		}
	})
	for range 50 {
		s.SetCommitObserver(&recorder{})
		s.SetCommitObserver(nil)
	}
	cancel()
	wg.Wait()
}
