package actors

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// fakeCommitter records commits and lets a test hold them.
type fakeCommitter struct {
	mu      sync.Mutex
	commits [][]kv.Mutation
	hold    chan struct{} // if non-nil, each commit waits for a receive
	err     error
}

func (f *fakeCommitter) commit(_ context.Context, muts []kv.Mutation) error {
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commits = append(f.commits, muts)
	return f.err
}

func (f *fakeCommitter) snapshot() [][]kv.Mutation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]kv.Mutation(nil), f.commits...)
}

func put(k, v string) kv.Mutation {
	return kv.Mutation{Key: []byte(k), Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(v)}}
}

func waitDone(t *testing.T, f *flush) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := f.wait(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("flush never completed")
	}
	return err
}

func TestGateBarrierIsNilWhenIdle(t *testing.T) {
	g := newOutputGate((&fakeCommitter{}).commit)
	if b := g.barrier(); len(b) != 0 || !g.idle() {
		t.Fatal("idle gate has a barrier")
	}
	if err := g.barrier().wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// docs/SEMANTICS.md, "Durability": a response waits for every write
// accepted before it; writes accepted during a commit go into the next one,
// in order, and per key the last write wins.
func TestGateOrdersAndCoalescesFlushes(t *testing.T) {
	fc := &fakeCommitter{hold: make(chan struct{})}
	g := newOutputGate(fc.commit)
	f1, _ := g.write(put("a", "1")) // starts flushing at once
	f2, _ := g.write(put("a", "2")) // queued behind f1
	f3, _ := g.write(put("b", "x"))
	f4, _ := g.write(put("a", "3"))
	if f2 != f3 || f3 != f4 || f1 == f2 {
		t.Fatal("writes during a commit should share the next flush")
	}
	b := g.barrier()
	if len(b) != 1 || b[0] != f4 {
		t.Fatal("barrier should be the newest flush")
	}
	barrier := b[0]
	fc.hold <- struct{}{}
	if err := waitDone(t, f1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-barrier.done:
		t.Fatal("second flush completed before it was committed")
	default:
	}
	fc.hold <- struct{}{}
	if err := waitDone(t, barrier); err != nil {
		t.Fatal(err)
	}
	got := fc.snapshot()
	if len(got) != 2 || len(got[0]) != 1 || string(got[0][0].Value.Data) != "1" {
		t.Fatalf("first commit %v", got)
	}
	if len(got[1]) != 2 || string(got[1][0].Key) != "a" || string(got[1][0].Value.Data) != "3" || string(got[1][1].Key) != "b" {
		t.Fatalf("second commit should hold a=3 then b=x, got %+v", got[1])
	}
	if !g.idle() {
		t.Fatal("gate not idle after all flushes")
	}
}

func TestGateFailureIsSticky(t *testing.T) {
	boom := errors.New("disk on fire")
	fc := &fakeCommitter{err: boom}
	g := newOutputGate(fc.commit)
	f, err := g.write(put("a", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := waitDone(t, f); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the commit error", err)
	}
	if _, err := g.write(put("a", "2")); !errors.Is(err, boom) {
		t.Fatalf("write after failure: got %v, want the commit error", err)
	}
	// A response produced after the failure (its handler may have ignored
	// the refused write) must not go out as a success: every later barrier
	// fails too, although nothing is pending.
	for range 2 {
		if err := g.barrier().wait(context.Background()); !errors.Is(err, boom) {
			t.Fatalf("barrier after failure: got %v, want the commit error", err)
		}
	}
	if !g.idle() {
		t.Fatal("a failed gate with nothing pending is not idle")
	}
}

// A broken variant: a gate that acknowledged before committing would let a
// response out before its write is durable. The test above (second flush
// not done before its commit) is what catches it; this checks the wait
// honours its context while the commit is held.
func TestGateWaitHonoursContext(t *testing.T) {
	fc := &fakeCommitter{hold: make(chan struct{})}
	g := newOutputGate(fc.commit)
	f, _ := g.write(put("a", "1"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := f.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	close(fc.hold)
	if err := waitDone(t, f); err != nil {
		t.Fatal(err)
	}
}

// A Deno KV commit in flight is part of every barrier taken while it runs;
// one that puts the view in doubt fails the gate for good.
func TestGateTracksKVCommits(t *testing.T) {
	g := newOutputGate((&fakeCommitter{}).commit)
	done, err := g.track()
	if err != nil {
		t.Fatal(err)
	}
	b := g.barrier()
	if len(b) != 1 {
		t.Fatalf("barrier with a tracked commit has %d parts", len(b))
	}
	select {
	case <-b[0].done:
		t.Fatal("tracked commit done before it finished")
	default:
	}
	done(nil)
	if err := b.wait(context.Background()); err != nil || !g.idle() {
		t.Fatalf("after the commit: %v idle=%v", err, g.idle())
	}
	done2, _ := g.track()
	b = g.barrier()
	done2(kv.ErrAmbiguous)
	if err := b.wait(context.Background()); !errors.Is(err, kv.ErrAmbiguous) {
		t.Fatalf("barrier over an ambiguous commit: %v", err)
	}
	if _, err := g.write(put("a", "1")); !errors.Is(err, kv.ErrAmbiguous) {
		t.Fatalf("write after an ambiguous commit: %v", err)
	}
	if _, err := g.track(); !errors.Is(err, kv.ErrAmbiguous) {
		t.Fatalf("track after an ambiguous commit: %v", err)
	}
}

// pending and pendingIn show writes not yet committed, newest first.
func TestGatePending(t *testing.T) {
	fc := &fakeCommitter{hold: make(chan struct{})}
	g := newOutputGate(fc.commit)
	g.write(put("a", "1")) // committing, held
	g.write(put("a", "2")) // open
	g.write(put("c", "3"))
	if m, ok := g.pending([]byte("a")); !ok || string(m.Value.Data) != "2" {
		t.Fatalf("pending a = %+v %v", m, ok)
	}
	if _, ok := g.pending([]byte("b")); ok {
		t.Fatal("pending b")
	}
	in := g.pendingIn([]byte("a"), []byte("b"))
	if len(in) != 1 || string(in["a"].Value.Data) != "2" {
		t.Fatalf("pendingIn [a, b) = %v", in)
	}
	close(fc.hold)
	if err := g.barrier().wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := g.pending([]byte("a")); ok {
		t.Fatal("pending after commit")
	}
}
