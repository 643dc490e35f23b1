package kvtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

func testExpired(t *testing.T, b Backend) {
	past, future := time.Now().Add(-time.Second), time.Now().Add(time.Hour)
	gone, stays, forever := key(t, "gone"), key(t, "stays"), key(t, "forever")
	m1, m2 := set(gone, text("g")), set(stays, text("s"))
	m1.ExpireAt, m2.ExpireAt = past, future
	commit(t, b, shared, nil, m1, m2, set(forever, text("f")))
	if e := get(t, b, shared, gone); e != nil {
		t.Errorf("expired entry visible to get: %v", e)
	}
	wantValue(t, "entry expiring in an hour", get(t, b, shared, stays), text("s"))
	wantKeys(t, "list with an expired entry", list(t, b, shared, prefix(t)), forever, stays)
	// An expired entry is absent to checks and to sum/min/max.
	commit(t, b, shared, []kv.Check{{Key: gone}}, u64op(kv.OpSum, gone, 3))
	wantU64(t, "sum onto an expired string", get(t, b, shared, gone), 3)
	// A later set without expiry makes the entry permanent.
	m2.ExpireAt = time.Time{}
	commit(t, b, shared, nil, m2)
	wantValue(t, "set again without expiry", get(t, b, shared, stays), text("s"))
}

func testExpiresLater(t *testing.T, b Backend) {
	k := key(t, "k")
	m := set(k, text("v"))
	m.ExpireAt = time.Now().Add(100 * time.Millisecond)
	commit(t, b, shared, nil, m)
	e := get(t, b, shared, k)
	if e == nil && time.Now().Before(m.ExpireAt) {
		t.Fatal("entry invisible before it expires")
	}
	// A sum onto an expiring entry leaves one that never expires: deno
	// 2.9.6 stores its result with no expiration.
	n := key(t, "n")
	mn := set(n, *kv.U64(1))
	mn.ExpireAt = m.ExpireAt
	commit(t, b, shared, nil, mn)
	commit(t, b, shared, nil, u64op(kv.OpSum, n, 1))

	eventually(t, "entry expired from get", func() bool { return get(t, b, shared, k) == nil })
	eventually(t, "entry expired from list", func() bool { return len(list(t, b, shared, prefix(t))) == 1 })
	wantU64(t, "summed after its set's expiry", get(t, b, shared, n), 2)
}

func testScopes(t *testing.T, b Backend) {
	scopes := []kv.Scope{
		{Project: "p"},
		{Project: "p", Instance: "a"},
		{Project: "p", Instance: "b"},
		{Project: "q"},
		{Project: "q", Instance: "a"},
	}
	k := key(t, "k")
	for _, s := range scopes {
		commit(t, b, s, nil, set(k, text(s.String())), set(key(t, "only", s.String()), text("x")))
	}
	for _, s := range scopes {
		wantValue(t, s.String(), get(t, b, s, k), text(s.String()))
		wantKeys(t, "list of "+s.String(), list(t, b, s, prefix(t)), k, key(t, "only", s.String()))
	}
	// A check sees only its own scope.
	commit(t, b, kv.Scope{Project: "r"}, []kv.Check{{Key: k}}, set(k, text("r")))
	commit(t, b, scopes[1], nil, del(k))
	wantValue(t, "p after deleting in p/a", get(t, b, scopes[0], k), text("p"))
}

func testFencing(t *testing.T, b Backend) {
	e1, err := b.Activate(ctx(t), "p", "a", "node1")
	if err != nil {
		t.Fatal(err)
	}
	old := kv.Scope{Project: "p", Instance: "a", Epoch: e1}
	commit(t, b, old, nil, set(key(t, "k"), text("1")))

	e2, err := b.Activate(ctx(t), "p", "a", "node2")
	if err != nil {
		t.Fatal(err)
	}
	if e2 <= e1 {
		t.Fatalf("second activation's epoch %d is not above the first's %d", e2, e1)
	}
	cur := kv.Scope{Project: "p", Instance: "a", Epoch: e2}
	_, ok, err := b.Commit(ctx(t), old, nil, []kv.Mutation{set(key(t, "k"), text("stale")), set(key(t, "new"), text("x"))})
	if !errors.Is(err, kv.ErrFenced) || ok {
		t.Fatalf("commit with the superseded epoch: ok=%v err=%v, want kv.ErrFenced", ok, err)
	}
	// Fenced even when its checks would fail.
	if _, _, err := b.Commit(ctx(t), old, []kv.Check{{Key: key(t, "k")}}, nil); !errors.Is(err, kv.ErrFenced) {
		t.Errorf("fenced commit with a failing check: err=%v, want kv.ErrFenced", err)
	}
	wantValue(t, "after a fenced commit", get(t, b, cur, key(t, "k")), text("1"))
	wantKeys(t, "after a fenced commit", list(t, b, cur, prefix(t)), key(t, "k"))
	commit(t, b, cur, nil, set(key(t, "k"), text("2")))
	wantValue(t, "the newer activation's write", get(t, b, cur, key(t, "k")), text("2"))

	// Other instances and the shared store are not fenced by it.
	eb, err := b.Activate(ctx(t), "p", "b", "node1")
	if err != nil {
		t.Fatal(err)
	}
	commit(t, b, kv.Scope{Project: "p", Instance: "b", Epoch: eb}, nil, set(key(t, "k"), text("b")))
	commit(t, b, kv.Scope{Project: "p"}, nil, set(key(t, "k"), text("shared")))
	ep, err := b.Activate(ctx(t), "q", "a", "node1")
	if err != nil {
		t.Fatal(err)
	}
	commit(t, b, kv.Scope{Project: "q", Instance: "a", Epoch: ep}, nil, set(key(t, "k"), text("q")))
	commit(t, b, cur, nil, set(key(t, "k"), text("3")))
}

func testChanges(t *testing.T, b Backend) {
	a := kv.Scope{Project: "p", Instance: "a"}
	other := []kv.Scope{{Project: "p"}, {Project: "p", Instance: "b"}, {Project: "q", Instance: "a"}}
	chA, stopA := b.Changes(a)
	defer stopA()
	for _, s := range other {
		ch, stop := b.Changes(s)
		commit(t, b, s, nil, set(key(t, "k"), text("x")))
		waitChange(t, ch, "a commit to "+s.String())
		stop()
		select {
		case <-chA:
			t.Fatalf("a commit to %s notified %s", s, a)
		default:
		}
	}
	commit(t, b, a, nil, set(key(t, "k"), text("x")))
	waitChange(t, chA, "a commit to "+a.String())
	// Another commit, another notification.
	commit(t, b, a, nil, del(key(t, "k")))
	waitChange(t, chA, "a second commit to "+a.String())
}

func waitChange(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(Deadline):
		t.Fatalf("no change notification %v after %s", Deadline, what)
	}
}

func testCanceled(t *testing.T, b Backend) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, ok, err := b.Commit(c, shared, nil, []kv.Mutation{set(key(t, "k"), text("x"))})
	if err == nil || ok {
		t.Fatalf("commit with a canceled context: ok=%v err=%v, want an error", ok, err)
	}
	if !errors.Is(err, kv.ErrAmbiguous) {
		if e := get(t, b, shared, key(t, "k")); e != nil {
			t.Errorf("commit failed with %v, not kv.ErrAmbiguous, yet wrote %v", err, e)
		}
	}
}
