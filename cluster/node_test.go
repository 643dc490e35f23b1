package cluster_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	. "github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/cluster/clustertest"
	"github.com/edge-platform/edge/protos"
)

// echoGrain answers with its identity; a request to "slow" never answers.
type echoGrain struct{ identity string }

func (g *echoGrain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *pcluster.ClusterInit:
		g.identity = m.Identity.Identity
	case *protos.HttpRequest:
		if g.identity == "p/slow" {
			return
		}
		ctx.Respond(&protos.HttpResponse{Status: 200, Body: []byte(g.identity + " " + m.GetUrl())})
	}
}

// testNode is the package's one cluster member, started on first use and
// shared by every test (and every -count repetition): see Node's doc on why
// a process runs one member.
var (
	testNodeOnce sync.Once
	testNode     *Node
	testNodeErr  error
)

func sharedNode(t *testing.T) *Node {
	t.Helper()
	testNodeOnce.Do(func() {
		kind := pcluster.NewKind("echo", actor.PropsFromProducer(func() actor.Actor { return &echoGrain{} }))
		members, dir := SingleMember(clustertest.NewStore(), "n1")
		testNode, testNodeErr = Start(context.Background(), Config{Name: "test", Bind: "127.0.0.1:0", Kinds: []*pcluster.Kind{kind},
			Members: members, Directory: dir})
	})
	if testNodeErr != nil {
		t.Fatal(testNodeErr)
	}
	return testNode
}

func TestNodeRoutesGrainCalls(t *testing.T) {
	n := sharedNode(t)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range []string{"p/alice", "p/bob", "p/alice"} {
		v, err := n.Request(ctx, "echo", id, &protos.HttpRequest{Url: "/x"})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(v.(*protos.HttpResponse).GetBody()); got != id+" /x" {
			t.Fatalf("got %q", got)
		}
	}

	short, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := n.Request(short, "echo", "p/slow", &protos.HttpRequest{}); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrGrainCall) {
		t.Fatalf("got %v, want a deadline error", err)
	}
}

func TestStartRejectsBadBind(t *testing.T) {
	for _, bind := range []string{"nonsense", "127.0.0.1:http-ish"} {
		if _, err := Start(context.Background(), Config{Name: "t", Bind: bind}); err == nil {
			t.Fatalf("Start(%q) succeeded", bind)
		}
	}
}

func TestStartRefusesAnAutomanagedPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	members, dir := SingleMember(clustertest.NewStore(), "n2")
	_, err = Start(context.Background(), Config{Name: "t", Bind: "127.0.0.1:0", Peers: []string{"127.0.0.2:1"},
		AutomanagedPort: port, Members: members, Directory: dir})
	if err == nil || !strings.Contains(err.Error(), "cluster.automanaged_port") {
		t.Fatalf("Start with automanaged_port %d in use: %v, want an error naming the key", port, err)
	}
}
