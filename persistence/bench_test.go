package persistence

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/edge-platform/edge/kv"
)

// Durable commits in-process (SQLite: fsync per group; Postgres: its
// synchronous commit), as docs/DESIGN.md's scenarios use them: increments
// of one hot key from 32 goroutines, and increments spread over 1,000
// coordinators. ns/op is per successful increment.
//
//	go test -run XXX -bench . -benchtime 3s ./persistence
//
// The Postgres cases run when EDGE_TEST_POSTGRES_URL is set.

const benchWorkers = 32

func benchBackends(b *testing.B, fn func(b *testing.B, s store)) {
	b.Run("sqlite", func(b *testing.B) {
		s, err := openStore("sqlite", filepath.Join(b.TempDir(), "edge.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fn(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, err := openStore("postgres", freshSchema(b, postgresURL(b)))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fn(b, s)
	})
}

// parallel runs b.N calls of op over benchWorkers goroutines.
func parallel(b *testing.B, op func(worker int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range benchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := op(w); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkHotKeySum(b *testing.B) {
	benchBackends(b, func(b *testing.B, s store) {
		sc := kv.Scope{Project: "bench", Instance: "hot"}
		epoch, _ := s.Activate(context.Background(), sc.Project, sc.Instance, "bench")
		sc.Epoch = epoch
		k := mustKey(kv.Key{"count"})
		parallel(b, func(int) error {
			_, _, err := s.Commit(context.Background(), sc, nil, []kv.Mutation{{Key: k, Op: kv.OpSum, Value: *kv.U64(1)}})
			return err
		})
	})
}

// Read, check the versionstamp, set: Deno's read-modify-write; a failed
// check rereads and retries, and only successes count.
func BenchmarkHotKeyCheckAndSet(b *testing.B) {
	benchBackends(b, func(b *testing.B, s store) {
		sc := kv.Scope{Project: "bench", Instance: "hot"}
		epoch, _ := s.Activate(context.Background(), sc.Project, sc.Instance, "bench")
		sc.Epoch = epoch
		k := mustKey(kv.Key{"count"})
		var conflicts atomic.Int64
		parallel(b, func(int) error {
			ctx := context.Background()
			for {
				es, err := s.Get(ctx, sc, [][]byte{k})
				if err != nil {
					return err
				}
				var n uint64
				check := kv.Check{Key: k}
				if es[0] != nil {
					n, _ = kv.AsU64(es[0].Value)
					check.Versionstamp = &es[0].Versionstamp
				}
				_, ok, err := s.Commit(ctx, sc, []kv.Check{check}, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: *kv.U64(n + 1)}})
				if err != nil || ok {
					return err
				}
				conflicts.Add(1)
			}
		})
		b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/op")
	})
}

func BenchmarkSpreadSum1000Coordinators(b *testing.B) {
	benchBackends(b, func(b *testing.B, s store) {
		const n = 1000
		scopes := make([]kv.Scope, n)
		for i := range scopes {
			scopes[i] = kv.Scope{Project: "bench", Instance: fmt.Sprint("c", i)}
			epoch, err := s.Activate(context.Background(), "bench", scopes[i].Instance, "bench")
			if err != nil {
				b.Fatal(err)
			}
			scopes[i].Epoch = epoch
		}
		k := mustKey(kv.Key{"count"})
		var next atomic.Int64
		parallel(b, func(int) error {
			sc := scopes[next.Add(1)%n]
			_, _, err := s.Commit(context.Background(), sc, nil, []kv.Mutation{{Key: k, Op: kv.OpSum, Value: *kv.U64(1)}})
			return err
		})
	})
}
