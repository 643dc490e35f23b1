package actors

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/edge-platform/edge/persistence"
)

func openStore(t *testing.T) *persistence.SQLite {
	t.Helper()
	s, err := persistence.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "edge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStorageViewReadsItsOwnWritesBeforeCommit(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	epoch, _ := s.Activate(ctx, "p", "i", "n")
	v := newStorageView(s, "p", "i", epoch)
	d, err := v.Put(ctx, "k", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, found, _ := v.Get(ctx, "k"); !found || string(got) != "1" {
		t.Fatalf("read after put = %q %v", got, found)
	}
	if err := d(ctx); err != nil {
		t.Fatal(err)
	}
	if got, found, _ := s.Get(ctx, "p", "i", "k"); !found || string(got) != "1" {
		t.Fatalf("store after durable = %q %v", got, found)
	}
	existed, d2, err := v.Delete(ctx, "k")
	if err != nil || !existed {
		t.Fatalf("delete: existed=%v err=%v", existed, err)
	}
	if _, found, _ := v.Get(ctx, "k"); found {
		t.Fatal("deleted key still visible")
	}
	if err := d2(ctx); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Get(ctx, "p", "i", "k"); found {
		t.Fatal("delete not committed")
	}
}

// docs/SEMANTICS.md, "Fencing": once a newer activation exists, the old
// one's writes fail and nothing it wrote after that reaches storage.
func TestStorageViewOfSupersededActivationIsFenced(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	old, _ := s.Activate(ctx, "p", "i", "node-a")
	stale := newStorageView(s, "p", "i", old)
	if _, err := s.Activate(ctx, "p", "i", "node-b"); err != nil {
		t.Fatal(err)
	}
	d, err := stale.Put(ctx, "k", []byte("stale"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d(ctx); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("got %v, want ErrFenced", err)
	}
	if _, err := stale.Put(ctx, "k2", []byte("x")); !errors.Is(err, persistence.ErrFenced) {
		t.Fatalf("write after fencing: got %v, want ErrFenced", err)
	}
	if _, found, _ := s.Get(ctx, "p", "i", "k"); found {
		t.Fatal("a fenced write reached storage")
	}
}
