package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
)

// countingStore is a kv.Memory that counts the reads that reach it and can
// hold commits.
type countingStore struct {
	*kv.Memory
	mu    sync.Mutex
	gets  int
	holdC chan struct{} // if non-nil, each Commit waits for a receive
}

func newCountingStore() *countingStore { return &countingStore{Memory: kv.NewMemory(time.Now)} }

func (s *countingStore) Get(ctx context.Context, sc kv.Scope, keys [][]byte) ([]*kv.Entry, error) {
	s.mu.Lock()
	s.gets++
	s.mu.Unlock()
	return s.Memory.Get(ctx, sc, keys)
}

func (s *countingStore) Commit(ctx context.Context, sc kv.Scope, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error) {
	s.mu.Lock()
	h := s.holdC
	s.mu.Unlock()
	if h != nil {
		<-h
	}
	return s.Memory.Commit(ctx, sc, checks, muts)
}

func (s *countingStore) reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets
}

func json(s string) kv.Value { return kv.Value{Kind: kv.KindJSON, Data: []byte(s)} }

func mustKey(t *testing.T, parts ...any) []byte {
	t.Helper()
	k, err := kv.EncodeKey(parts)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// activator is the part of Store a coordinator's view needs.
type activator interface {
	kv.Store
	Activate(ctx context.Context, project, instance, owner string) (int64, error)
}

func coordinatorView(t *testing.T, s activator, instance string) *kvView {
	t.Helper()
	epoch, err := s.Activate(context.Background(), "p", instance, "node")
	if err != nil {
		t.Fatal(err)
	}
	return newKVView(s, kv.Scope{Project: "p", Instance: instance, Epoch: epoch}, true)
}

func storedValue(t *testing.T, s kv.Store, sc kv.Scope, key []byte) *kv.Entry {
	t.Helper()
	got, err := s.Get(context.Background(), kv.Scope{Project: sc.Project, Instance: sc.Instance}, [][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	return got[0]
}

func TestStorageViewReadsItsOwnWritesBeforeCommit(t *testing.T) {
	ctx := context.Background()
	s := newCountingStore()
	v := coordinatorView(t, s, "i")
	st := &storageView{kv: v}
	s.holdC = make(chan struct{})
	d, err := st.Put(ctx, "k", json("1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, found, _ := st.Get(ctx, "k"); !found || string(got.Data) != "1" {
		t.Fatalf("read after put = %q %v", got.Data, found)
	}
	if e := storedValue(t, s, v.scope, mustKey(t, "k")); e != nil {
		t.Fatal("committed before the commit was released")
	}
	close(s.holdC)
	if err := d(ctx); err != nil {
		t.Fatal(err)
	}
	if e := storedValue(t, s, v.scope, mustKey(t, "k")); e == nil || string(e.Value.Data) != "1" {
		t.Fatalf("store after durable = %+v", e)
	}
	existed, d2, err := st.Delete(ctx, "k")
	if err != nil || !existed {
		t.Fatalf("delete: existed=%v err=%v", existed, err)
	}
	if _, found, _ := st.Get(ctx, "k"); found {
		t.Fatal("deleted key still visible")
	}
	if err := d2(ctx); err != nil {
		t.Fatal(err)
	}
	if e := storedValue(t, s, v.scope, mustKey(t, "k")); e != nil {
		t.Fatal("delete not committed")
	}
}

// docs/SEMANTICS.md, "Fencing": once a newer activation exists, the old
// one's writes fail and nothing it wrote after that reaches storage.
func TestStorageViewOfSupersededActivationIsFenced(t *testing.T) {
	ctx := context.Background()
	s := newCountingStore()
	stale := &storageView{kv: coordinatorView(t, s, "i")}
	fresh := coordinatorView(t, s, "i")
	d, err := stale.Put(ctx, "k", json(`"stale"`))
	if err != nil {
		t.Fatal(err)
	}
	if err := d(ctx); !errors.Is(err, kv.ErrFenced) {
		t.Fatalf("got %v, want ErrFenced", err)
	}
	if _, err := stale.Put(ctx, "k2", json("1")); !errors.Is(err, kv.ErrFenced) {
		t.Fatalf("write after fencing: got %v, want ErrFenced", err)
	}
	if _, _, err := stale.kv.Commit(ctx, nil, []kv.Mutation{{Key: mustKey(t, "k3"), Op: kv.OpSet, Value: json("1")}}); !errors.Is(err, kv.ErrFenced) {
		t.Fatalf("KV commit after fencing: got %v, want ErrFenced", err)
	}
	if e := storedValue(t, s, fresh.scope, mustKey(t, "k")); e != nil {
		t.Fatal("a fenced write reached storage")
	}
	// The newer activation writes.
	if _, ok, err := fresh.Commit(ctx, nil, []kv.Mutation{{Key: mustKey(t, "k"), Op: kv.OpSet, Value: json("2")}}); !ok || err != nil {
		t.Fatalf("newer activation's commit: %v %v", ok, err)
	}
}

// A coordinator reads a key from the store once; after that, and after its
// own writes, from its cache.
func TestCoordinatorReadsFromItsCache(t *testing.T) {
	ctx := context.Background()
	s := newCountingStore()
	v := coordinatorView(t, s, "i")
	k := mustKey(t, "n")
	for range 3 {
		got, err := v.Get(ctx, [][]byte{k})
		if err != nil || got[0] != nil {
			t.Fatalf("get = %v %v", got, err)
		}
	}
	if n := s.reads(); n != 1 {
		t.Fatalf("%d store reads for three gets of one absent key, want 1", n)
	}
	vs, ok, err := v.Commit(ctx, nil, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: json("7")}})
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	got, _ := v.Get(ctx, [][]byte{k})
	if got[0] == nil || string(got[0].Value.Data) != "7" || got[0].Versionstamp != vs {
		t.Fatalf("after set: %+v", got[0])
	}
	if n := s.reads(); n != 1 {
		t.Fatalf("a read after its own set went to the store (%d reads)", n)
	}
	// A sum's result is not known here: the next read goes to the store,
	// and is cached again.
	if _, ok, err := v.Commit(ctx, nil, []kv.Mutation{{Key: k, Op: kv.OpDelete}, {Key: k, Op: kv.OpSum, Value: *kv.U64(5)}}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	for range 2 {
		got, _ = v.Get(ctx, [][]byte{k})
		if n, ok := kv.AsU64(got[0].Value); !ok || n != 5 {
			t.Fatalf("after sum: %+v", got[0])
		}
	}
	if n := s.reads(); n != 2 {
		t.Fatalf("%d store reads, want 2 (one after the sum)", n)
	}
}

// An entry with an expiry leaves the cache when it expires.
func TestCoordinatorCacheExpires(t *testing.T) {
	ctx := context.Background()
	s := newCountingStore()
	v := coordinatorView(t, s, "i")
	now := time.Now()
	v.cache.now = func() time.Time { return now }
	k := mustKey(t, "e")
	if _, ok, err := v.Commit(ctx, nil, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: json("1"), ExpireAt: now.Add(time.Minute)}}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got, _ := v.Get(ctx, [][]byte{k}); got[0] == nil {
		t.Fatal("entry gone before its expiry")
	}
	now = now.Add(2 * time.Minute)
	if got, _ := v.Get(ctx, [][]byte{k}); got[0] != nil {
		t.Fatalf("entry visible after its expiry: %+v", got[0])
	}
}

func vsn(n byte) kv.Versionstamp { return kv.Versionstamp{7: n} }

// A read from the store that overlaps a commit is not cached: it may be
// older than the commit.
func TestCoordinatorCacheSkipsReadsThatRaceACommit(t *testing.T) {
	c := newEntryCache(time.Now)
	k := []byte("k")
	tok := c.beginRead()
	c.beginCommit()
	c.endCommit(vsn(1), true, []kv.Mutation{{Key: k, Op: kv.OpSum, Value: *kv.U64(1)}}, nil)
	c.fill(tok, [][]byte{k}, []*kv.Entry{nil}) // read before the commit: stale
	if _, ok := c.get(k); ok {
		t.Fatal("a read that raced a commit was cached")
	}
	// Commits completing out of order: the older set does not overwrite
	// the newer one.
	c.beginCommit()
	c.beginCommit()
	c.endCommit(vsn(3), true, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: json("new")}}, nil)
	c.endCommit(vsn(2), true, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: json("old")}}, nil)
	if e, ok := c.get(k); !ok || e == nil || string(e.Value.Data) != "new" {
		t.Fatalf("out-of-order commits left %+v", e)
	}
	// A sum (result unknown) then an older set completing late: the key
	// stays unknown.
	c.beginCommit()
	c.beginCommit()
	c.endCommit(vsn(5), true, []kv.Mutation{{Key: k, Op: kv.OpSum, Value: *kv.U64(1)}}, nil)
	c.endCommit(vsn(4), true, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: json("older")}}, nil)
	if _, ok := c.get(k); ok {
		t.Fatal("an older set overwrote a newer sum's unknown result")
	}
}

// Workers share their project's store: no cache, so another instance's
// commit is seen at once.
func TestWorkersShareTheProjectStore(t *testing.T) {
	ctx := context.Background()
	s := newCountingStore()
	a := newKVView(s, kv.Scope{Project: "p"}, false)
	b := newKVView(s, kv.Scope{Project: "p"}, false)
	k := mustKey(t, "shared")
	if got, _ := a.Get(ctx, [][]byte{k}); got[0] != nil {
		t.Fatal("not empty")
	}
	if _, ok, err := b.Commit(ctx, nil, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: json("1")}}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got, _ := a.Get(ctx, [][]byte{k}); got[0] == nil {
		t.Fatal("worker a did not see worker b's commit")
	}
	// And a coordinator's own store is another scope.
	c := coordinatorView(t, s, "c")
	if got, _ := c.Get(ctx, [][]byte{k}); got[0] != nil {
		t.Fatal("a coordinator sees the workers' shared store")
	}
}

func TestStorageList(t *testing.T) {
	ctx := context.Background()
	s := newCountingStore()
	v := coordinatorView(t, s, "i")
	st := &storageView{kv: v}
	for _, k := range []string{"a", "b1", "b2", "b3", "c", "b\x00x", "bz"} {
		d, err := st.Put(ctx, k, json(fmt.Sprintf("%q", k)))
		if err != nil {
			t.Fatal(err)
		}
		if err := d(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Deno KV keys that are not a single string are not Deno.storage's.
	if _, ok, err := v.Commit(ctx, nil, []kv.Mutation{
		{Key: mustKey(t, "b1", "deeper"), Op: kv.OpSet, Value: json("0")},
		{Key: mustKey(t, 5.0), Op: kv.OpSet, Value: json("0")},
	}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	// Writes not yet committed count too.
	s.holdC = make(chan struct{})
	defer close(s.holdC)
	st.Put(ctx, "b4", json("4"))
	st.Delete(ctx, "b2")
	keys := func(o jsvm.StorageList) string {
		items, err := st.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var ks []string
		for _, it := range items {
			ks = append(ks, strings.ReplaceAll(it.Key, "\x00", "\\0"))
		}
		return strings.Join(ks, ",")
	}
	str := func(s string) *string { return &s }
	for _, c := range []struct {
		o    jsvm.StorageList
		want string
	}{
		{jsvm.StorageList{}, `a,b\0x,b1,b3,b4,bz,c`},
		{jsvm.StorageList{Prefix: "b"}, `b\0x,b1,b3,b4,bz`},
		{jsvm.StorageList{Prefix: "b", Reverse: true, Limit: 2}, `bz,b4`},
		{jsvm.StorageList{Prefix: "b", Limit: 3}, `b\0x,b1,b3`},
		{jsvm.StorageList{Start: str("b1"), End: str("c")}, `b1,b3,b4,bz`},
		{jsvm.StorageList{Prefix: "b", Start: str("b3")}, `b3,b4,bz`},
		{jsvm.StorageList{Start: str("c"), End: str("a")}, ``},
	} {
		if got := keys(c.o); got != c.want {
			t.Errorf("list %+v = %q, want %q", c.o, got, c.want)
		}
	}
}
