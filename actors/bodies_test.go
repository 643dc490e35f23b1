package actors

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/configs"
)

// TestPlatformTakesBodiesByNode: a body this node holds is taken from its
// registry; one another node holds is pulled from that node's body server.
func TestPlatformTakesBodiesByNode(t *testing.T) {
	plat, err := NewPlatform(Options{Config: &configs.Config{Limits: configs.LimitsConfig{RequestTimeout: "10s"},
		Coordinators: configs.CoordinatorsConfig{IdleTimeout: "0s"}}})
	if err != nil {
		t.Fatal(err)
	}
	sys := newTestSystem(t)
	plat.node = &cluster.Node{System: sys}
	plat.startBodyServer()

	body := io.NopCloser(strings.NewReader("x"))
	id, node := plat.PutBody(body)
	if node != sys.Address() {
		t.Fatalf("PutBody names node %q, want this node %q", node, sys.Address())
	}
	if got, err := plat.TakeBody(id, node); err != nil || got != body {
		t.Fatalf("TakeBody on this node = %v, %v; want the body", got, err)
	}
	if _, err := plat.TakeBody(id, ""); !errors.Is(err, ErrBodyGone) {
		t.Fatalf("taking a body twice: %v, want ErrBodyGone", err)
	}
	// No remoting in this test: the other node is unreachable.
	if _, err := plat.TakeBody(id, "10.0.0.1:4000"); err == nil || !strings.Contains(err.Error(), "node 10.0.0.1:4000") {
		t.Fatalf("taking a body from an unreachable node: %v, want an error naming the node", err)
	}
	// Through the body server, as another node would.
	id, _ = plat.PutBody(io.NopCloser(strings.NewReader("hello")))
	r, err := openRemoteBody(sys.Root, actor.NewPID(sys.Address(), BodyServerName), id, failAfter, failAfter/2)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || string(got) != "hello" {
		t.Fatalf("read %q, %v", got, err)
	}
}
