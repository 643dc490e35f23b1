package persistence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/edge-platform/edge/kv"
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

func setJSON(t testing.TB, key, value string) kv.Mutation {
	k, err := kv.EncodeKey(kv.Key{key})
	if err != nil {
		t.Fatal(err)
	}
	return kv.Mutation{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(value)}}
}

func getJSON(t testing.TB, s *SQLite, sc kv.Scope, key string) (string, bool) {
	k, _ := kv.EncodeKey(kv.Key{key})
	es, err := s.Get(context.Background(), kv.Scope{Project: sc.Project, Instance: sc.Instance}, [][]byte{k})
	if err != nil {
		t.Fatal(err)
	}
	if es[0] == nil {
		return "", false
	}
	return string(es[0].Value.Data), true
}

// A commit for an instance that was never activated is fenced.
func TestCommitWithoutActivationIsFenced(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	_, _, err := s.Commit(context.Background(), kv.Scope{Project: "p", Instance: "never", Epoch: 1}, nil, []kv.Mutation{setJSON(t, "k", "1")})
	if !errors.Is(err, kv.ErrFenced) {
		t.Fatalf("got %v, want ErrFenced", err)
	}
}

func TestCommittedDataSurvivesReopen(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	e, _ := s.Activate(ctx, "p", "i", "n")
	sc := kv.Scope{Project: "p", Instance: "i", Epoch: e}
	if _, _, err := s.Commit(ctx, sc, nil, []kv.Mutation{setJSON(t, "a", `"x"`)}); err != nil {
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
	if v, found := getJSON(t, s2, sc, "a"); !found || v != `"x"` {
		t.Fatalf("Get after reopen = %q %v", v, found)
	}
	// The epoch survives too: the next activation supersedes the old one.
	if e2, _ := s2.Activate(ctx, "p", "i", "n"); e2 != e+1 {
		t.Fatalf("epoch after reopen %d, want %d", e2, e+1)
	}
}

func TestConcurrentCommitsFromManyInstances(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	const n = 50
	scopes := make([]kv.Scope, n)
	for i := range scopes {
		e, _ := s.Activate(ctx, "p", fmt.Sprint(i), "n")
		scopes[i] = kv.Scope{Project: "p", Instance: fmt.Sprint(i), Epoch: e}
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, _, err := s.Commit(ctx, scopes[i], nil, []kv.Mutation{setJSON(t, "k", fmt.Sprint(j))}); err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if v, _ := getJSON(t, s, scopes[i], "k"); v != "9" {
			t.Fatalf("instance %d: got %q want 9", i, v)
		}
	}
}

func TestCommitAfterClose(t *testing.T) {
	s, _ := openTemp(t)
	s.Close()
	if _, _, err := s.Commit(context.Background(), kv.Scope{Project: "p"}, nil, []kv.Mutation{setJSON(t, "k", "1")}); !errors.Is(err, kv.ErrClosed) {
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
