package kvtest

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/edge-platform/edge/kv"
)

const (
	workers          = 8
	commitsPerWorker = 15
)

// testConcurrentCAS increments a counter from many goroutines by
// read, then commit with a check on the versionstamp read: every
// successful commit must count exactly once.
func testConcurrentCAS(t *testing.T, b Backend) {
	k := key(t, "counter")
	var succeeded, conflicts atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for done := 0; done < commitsPerWorker; {
				es, err := b.Get(ctx(t), shared, [][]byte{k})
				if err != nil {
					t.Errorf("get: %v", err)
					return
				}
				check, n := kv.Check{Key: k}, uint64(0)
				if e := es[0]; e != nil {
					vs := e.Versionstamp
					check.Versionstamp = &vs
					n, _ = kv.AsU64(e.Value)
				}
				_, ok, err := b.Commit(ctx(t), shared, []kv.Check{check}, []kv.Mutation{set(k, *kv.U64(n + 1))})
				if err != nil {
					t.Errorf("commit: %v", err)
					return
				}
				if !ok {
					conflicts.Add(1)
					continue
				}
				succeeded.Add(1)
				done++
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	wantU64(t, "counter", get(t, b, shared, k), uint64(succeeded.Load()))
	if succeeded.Load() != workers*commitsPerWorker {
		t.Errorf("%d successful commits, want %d", succeeded.Load(), workers*commitsPerWorker)
	}
	t.Logf("%d conflicts", conflicts.Load())
}

func testConcurrentSums(t *testing.T, b Backend) {
	k := key(t, "sum")
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range commitsPerWorker {
				if _, ok, err := b.Commit(ctx(t), shared, nil, []kv.Mutation{u64op(kv.OpSum, k, 1)}); err != nil || !ok {
					t.Errorf("sum: ok=%v err=%v", ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	wantU64(t, "sum", get(t, b, shared, k), workers*commitsPerWorker)
}
