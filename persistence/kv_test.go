package persistence

import (
	"testing"

	"github.com/edge-platform/edge/kv/kvtest"
)

// The shared behaviour of every kv.Store (package kvtest), on each backend.

func TestSQLiteKV(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kvtest.Backend {
		s, _ := openTemp(t)
		t.Cleanup(func() { s.Close() })
		return s
	})
}
