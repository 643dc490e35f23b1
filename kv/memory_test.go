package kv_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/kv/kvtest"
)

func TestMemorySuite(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kvtest.Backend {
		m := kv.NewMemory(nil)
		t.Cleanup(func() { m.Close() })
		return m
	})
}

// clock is a settable time for NewMemory.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestMemoryExpiryFollowsItsClock(t *testing.T) {
	c := &clock{now: time.Unix(1000, 0)}
	m := kv.NewMemory(c.Now)
	ctx, s := context.Background(), kv.Scope{Project: "p"}
	k, _ := kv.EncodeKey(kv.Key{"k"})
	mut := kv.Mutation{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindBytes, Data: []byte{1}}, ExpireAt: c.Now().Add(time.Minute)}
	if _, ok, err := m.Commit(ctx, s, nil, []kv.Mutation{mut}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	visible := func() bool {
		es, _ := m.Get(ctx, s, [][]byte{k})
		return es[0] != nil
	}
	c.Advance(time.Minute - time.Nanosecond)
	if !visible() {
		t.Fatal("invisible before its expiry")
	}
	c.Advance(time.Nanosecond)
	if visible() {
		t.Fatal("visible at its expiry")
	}
}

func TestMemoryVersionstamps(t *testing.T) {
	m := kv.NewMemory(nil)
	ctx := context.Background()
	k, _ := kv.EncodeKey(kv.Key{"k"})
	set := []kv.Mutation{{Key: k, Op: kv.OpSet, Value: *kv.U64(1)}}
	want := []string{"00000000000000010000", "00000000000000020000"}
	// One sequence across scopes; a failed commit takes no number.
	for i, s := range []kv.Scope{{Project: "p"}, {Project: "q", Instance: "i"}} {
		m.Commit(ctx, s, []kv.Check{{Key: k, Versionstamp: &kv.Versionstamp{}}}, set) // fails its check
		vs, ok, err := m.Commit(ctx, s, nil, set)
		if !ok || err != nil || vs.String() != want[i] {
			t.Errorf("commit %d: %v %v %v, want versionstamp %s", i, vs, ok, err, want[i])
		}
	}
}

func TestMemoryActivate(t *testing.T) {
	m := kv.NewMemory(nil)
	ctx := context.Background()
	for want := int64(1); want <= 3; want++ {
		if e, err := m.Activate(ctx, "p", "a", "n"); e != want || err != nil {
			t.Fatalf("activation %d: epoch %d, %v", want, e, err)
		}
	}
	if e, _ := m.Activate(ctx, "p", "b", "n"); e != 1 {
		t.Errorf("another instance's first epoch is %d, want 1", e)
	}
	// An epoch from the future is not current either.
	if _, _, err := m.Commit(ctx, kv.Scope{Project: "p", Instance: "a", Epoch: 9}, nil, nil); !errors.Is(err, kv.ErrFenced) {
		t.Errorf("commit with an epoch never issued: %v, want ErrFenced", err)
	}
}

func TestMemoryClose(t *testing.T) {
	m := kv.NewMemory(nil)
	ctx, s := context.Background(), kv.Scope{Project: "p"}
	m.Close()
	if _, err := m.Get(ctx, s, nil); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if _, err := m.List(ctx, s, kv.Range{}); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("List after Close: %v", err)
	}
	if _, _, err := m.Commit(ctx, s, nil, nil); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Commit after Close: %v", err)
	}
	if _, err := m.Activate(ctx, "p", "a", "n"); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Activate after Close: %v", err)
	}
}

func TestMemoryChangesStop(t *testing.T) {
	m := kv.NewMemory(nil)
	s := kv.Scope{Project: "p"}
	ch, stop := m.Changes(s)
	stop()
	stop() // twice is harmless
	k, _ := kv.EncodeKey(kv.Key{"k"})
	m.Commit(context.Background(), s, nil, []kv.Mutation{{Key: k, Op: kv.OpDelete}})
	select {
	case <-ch:
		t.Error("notified after stop")
	default:
	}
}
