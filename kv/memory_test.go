package kv_test

import (
	"testing"

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
