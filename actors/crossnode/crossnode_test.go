// Package crossnode tests streamed bodies between two nodes over real
// Proto.Actor remoting. One process must not start two remoting members
// (see cluster.Node), so the second node is a child process running this
// test binary, and this package holds no other test that starts a member.
package crossnode

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/cluster/clustertest"
	"github.com/edge-platform/edge/configs"
)

const childEnv = "EDGE_CROSSNODE_CHILD"

// failAfter bounds the whole exchange; a hang guard, not a timing
// assertion.
const failAfter = 60 * time.Second

// payload is size deterministic bytes drawn from seed.
func payload(seed uint64, size int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// startPlatform runs a platform on a remoting member of its own.
func startPlatform(ctx context.Context) (*actors.Platform, *cluster.Node, error) {
	cfg := &configs.Config{Limits: configs.LimitsConfig{RequestTimeout: "30s"}, Coordinators: configs.CoordinatorsConfig{IdleTimeout: "0s"}}
	plat, err := actors.NewPlatform(actors.Options{Config: cfg, NodeID: fmt.Sprint(os.Getpid())})
	if err != nil {
		return nil, nil, err
	}
	members, dir := cluster.SingleMember(clustertest.NewStore(), "crossnode")
	node, err := cluster.Start(ctx, cluster.Config{Name: "crossnode", Bind: "127.0.0.1:0", Members: members, Directory: dir})
	if err != nil {
		return nil, nil, err
	}
	plat.Start(ctx, node)
	return plat, node, nil
}

// This process's member, started once and shared by every repetition of
// the test (-count): see cluster.Node on why a process runs one member.
var (
	parentOnce sync.Once
	parentPlat *actors.Platform
	parentNode *cluster.Node
	parentErr  error
)

func sharedPlatform(t *testing.T) (*actors.Platform, *cluster.Node) {
	t.Helper()
	parentOnce.Do(func() {
		parentPlat, parentNode, parentErr = startPlatform(context.Background())
	})
	if parentErr != nil {
		t.Fatal(parentErr)
	}
	return parentPlat, parentNode
}

// putPiped holds a body whose producer writes data into a pipe in 50,000
// byte writes (or zeros without end if data is nil), and reports how the
// producer ended.
func putPiped(plat *actors.Platform, data []byte) (id uint64, node string, done <-chan error) {
	pr, pw := io.Pipe()
	ch := make(chan error, 1)
	go func() {
		for {
			chunk := make([]byte, 50_000)
			if data != nil {
				if len(data) == 0 {
					ch <- pw.Close()
					return
				}
				n := copy(chunk, data)
				chunk, data = chunk[:n], data[n:]
			}
			if _, err := pw.Write(chunk); err != nil {
				ch <- err
				return
			}
		}
	}()
	id, node = plat.PutBody(pr)
	return id, node, ch
}

// TestStreamedBodiesCrossNodes streams bodies both ways between this
// process and a child node: a 5 MiB body from the child, a 3 MiB body to
// it, and a body whose reader here closes it early, which must cancel its
// producer there.
func TestStreamedBodiesCrossNodes(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("in the child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	plat, node := sharedPlatform(t)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrossNodeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("child node: %v\n%s", err, stderr.String())
		}
	}()
	lines := bufio.NewScanner(stdout)
	// expect reads the child's next line of the given kind.
	expect := func(kind string) []string {
		t.Helper()
		for lines.Scan() {
			if f := strings.Fields(lines.Text()); len(f) > 0 && f[0] == kind {
				return f[1:]
			}
		}
		t.Fatalf("the child node ended before saying %s: %v\n%s", kind, lines.Err(), stderr.String())
		return nil
	}
	take := func(f []string) io.ReadCloser {
		t.Helper()
		id, _ := strconv.ParseUint(f[0], 10, 64)
		if f[1] == node.System.Address() {
			t.Fatalf("the child node has this node's address %s", f[1])
		}
		r, err := plat.TakeBody(id, f[1])
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// From the child.
	r := take(expect("BODY"))
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading the body from the child node: %v", err)
	}
	if want := payload(1, 5<<20); !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes from the child node, want the %d it wrote", len(got), len(want))
	}
	r.Close()

	// Closed early here: the producer there is cancelled.
	r = take(expect("ENDLESS"))
	if _, err := io.ReadFull(r, make([]byte, 200_000)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if f := expect("CANCELLED"); !strings.Contains(strings.Join(f, " "), "closed pipe") {
		t.Fatalf("the child's producer ended with %q, want a closed pipe", f)
	}

	// To the child.
	data := payload(2, 3<<20)
	id, addr, done := putPiped(plat, data)
	fmt.Fprintf(stdin, "TAKE %d %s\n", id, addr)
	if f := expect("GOT"); f[0] != strconv.Itoa(len(data)) || f[1] != digest(data) {
		t.Fatalf("the child node read %s bytes with digest %s, want %d bytes with %s", f[0], f[1], len(data), digest(data))
	}
	if err := <-done; err != nil {
		t.Fatalf("the producer here: %v", err)
	}
}

// TestCrossNodeChild is the child node of TestStreamedBodiesCrossNodes;
// run directly, it does nothing.
func TestCrossNodeChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("the child process of TestStreamedBodiesCrossNodes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	plat, node, err := startPlatform(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer node.Stop()

	id, addr, _ := putPiped(plat, payload(1, 5<<20))
	fmt.Printf("BODY %d %s\n", id, addr)
	id, addr, endless := putPiped(plat, nil)
	fmt.Printf("ENDLESS %d %s\n", id, addr)
	go func() { fmt.Printf("CANCELLED %v\n", <-endless) }()

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) != 3 || f[0] != "TAKE" {
			t.Fatalf("unknown command %q", in.Text())
		}
		id, _ := strconv.ParseUint(f[1], 10, 64)
		r, err := plat.TakeBody(id, f[2])
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("reading the body from the parent node: %v", err)
		}
		r.Close()
		fmt.Printf("GOT %d %s\n", len(b), digest(b))
	}
}
