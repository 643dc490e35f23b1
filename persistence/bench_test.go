package persistence

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// BenchmarkCommitParallel measures durable commits (fsync on) from many
// coordinators at once; group commit shares each transaction.
func BenchmarkCommitParallel(b *testing.B) {
	s, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "edge.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const instances = 64
	epochs := make([]int64, instances)
	for i := range epochs {
		epochs[i], _ = s.Activate(context.Background(), "bench", fmt.Sprint(i), "n")
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)) % instances
		for pb.Next() {
			err := s.Commit(context.Background(), Batch{Project: "bench", Instance: fmt.Sprint(i), Epoch: epochs[i],
				Mutations: []Mutation{{Key: "count", Value: []byte("1")}}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
