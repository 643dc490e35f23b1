package persistence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func openTemp(t *testing.T) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "edge.db")
	s, err := OpenSQLite(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

func TestActivateIncrementsEpoch(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	for want := int64(1); want <= 3; want++ {
		got, err := s.Activate(ctx, "p", "i", "node-a")
		if err != nil || got != want {
			t.Fatalf("Activate = %d, %v; want %d", got, err, want)
		}
	}
	if e, _ := s.Activate(ctx, "p", "other", "node-a"); e != 1 {
		t.Fatalf("epochs are per instance: got %d for a new instance", e)
	}
}

// docs/SEMANTICS.md, "Fencing": a superseded activation can never write.
func TestStaleEpochIsFencedAndWritesNothing(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	old, _ := s.Activate(ctx, "p", "i", "node-a")
	if err := s.Commit(ctx, Batch{Project: "p", Instance: "i", Epoch: old, Mutations: []Mutation{{Key: "k", Value: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	cur, _ := s.Activate(ctx, "p", "i", "node-b")
	err := s.Commit(ctx, Batch{Project: "p", Instance: "i", Epoch: old, Mutations: []Mutation{{Key: "k", Value: []byte("stale")}}})
	if !errors.Is(err, ErrFenced) {
		t.Fatalf("stale commit: got %v, want ErrFenced", err)
	}
	if v, _, _ := s.Get(ctx, "p", "i", "k"); string(v) != "1" {
		t.Fatalf("value %q after fenced commit, want 1", v)
	}
	if err := s.Commit(ctx, Batch{Project: "p", Instance: "i", Epoch: cur, Mutations: []Mutation{{Key: "k", Delete: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Get(ctx, "p", "i", "k"); found {
		t.Fatal("delete was not applied")
	}
}

func TestCommitWithoutActivationIsFenced(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	err := s.Commit(context.Background(), Batch{Project: "p", Instance: "never", Epoch: 1, Mutations: []Mutation{{Key: "k", Value: []byte("v")}}})
	if !errors.Is(err, ErrFenced) {
		t.Fatalf("got %v, want ErrFenced", err)
	}
}

func TestCommittedDataSurvivesReopen(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	e, _ := s.Activate(ctx, "p", "i", "n")
	if err := s.Commit(ctx, Batch{Project: "p", Instance: "i", Epoch: e, Mutations: []Mutation{{Key: "a", Value: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenSQLite(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, found, err := s2.Get(ctx, "p", "i", "a"); err != nil || !found || string(v) != "x" {
		t.Fatalf("Get after reopen = %q %v %v", v, found, err)
	}
}

func TestConcurrentCommitsFromManyInstances(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	const n = 50
	epochs := make([]int64, n)
	for i := range epochs {
		epochs[i], _ = s.Activate(ctx, "p", fmt.Sprint(i), "n")
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				b := Batch{Project: "p", Instance: fmt.Sprint(i), Epoch: epochs[i], Mutations: []Mutation{{Key: "k", Value: []byte(fmt.Sprint(j))}}}
				if err := s.Commit(ctx, b); err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if v, _, _ := s.Get(ctx, "p", fmt.Sprint(i), "k"); string(v) != "9" {
			t.Fatalf("instance %d: got %q want 9", i, v)
		}
	}
}

func TestCommitAfterClose(t *testing.T) {
	s, _ := openTemp(t)
	s.Close()
	if err := s.Commit(context.Background(), Batch{Project: "p", Instance: "i"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "edge.db")
	if err := os.WriteFile(path, []byte("this is not a database, just text that is long enough to have a header........"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSQLite(context.Background(), path, nil); err == nil {
		t.Fatal("opening a text file as a database succeeded")
	}
}
