package actors

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/cluster/clustertest"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/protos"
)

// memStore is a Store over kv.Memory with an in-memory directory.
type memStore struct {
	*kv.Memory
	*clustertest.Store
}

func (memStore) TouchCoordinator(context.Context, string, string, time.Time) error { return nil }

// holdFetcher is fetch(): each call reports on entered, then waits for
// release, so a test can keep requests in flight for as long as it needs.
type holdFetcher struct {
	entered chan struct{}
	release chan struct{}
}

func (f *holdFetcher) Fetch(ctx context.Context, _ *jsvm.Request) (*jsvm.Response, error) {
	f.entered <- struct{}{}
	select {
	case <-f.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &jsvm.Response{Status: 200, Body: []byte("released")}, nil
}

// probedPool is a workerPool that also answers poolSize with its size and
// its live children, from inside the actor, so reading them does not race
// with the pool.
type probedPool struct{ *workerPool }

type poolSize struct{}

type poolSizes struct{ vms, children int }

func (p probedPool) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*poolSize); ok {
		ctx.Respond(poolSizes{vms: p.size(), children: len(ctx.Children())})
		return
	}
	p.workerPool.Receive(ctx)
}

// vmModule answers with an id drawn when its VM starts, so the answers tell
// VMs apart; /hold first awaits a fetch the test releases.
const vmModule = `const id = crypto.randomUUID();
export default {
  async fetch(req) {
    if (new URL(req.url).pathname === "/hold") await fetch("http://hold.test/");
    return new Response(id);
  },
};
`

// TestWorkerPoolGrowsAndShrinks drives a worker pool through the Platform
// on a real cluster node: it grows by one VM when a request finds every VM
// busy (up to workers.instances) and retires the extra VMs after
// workers.idle_timeout, back to one (configs.WorkersConfig).
func TestWorkerPoolGrowsAndShrinks(t *testing.T) {
	ctx := context.Background()
	entry := filepath.Join(t.TempDir(), "mod.js")
	if err := os.WriteFile(entry, []byte(vmModule), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, err := jsvm.Bundle(ctx, entry)
	if err != nil {
		t.Fatal(err)
	}
	dirStore := clustertest.NewStore()
	fetcher := &holdFetcher{entered: make(chan struct{}), release: make(chan struct{})}
	cfg := &configs.Config{
		Limits:       configs.LimitsConfig{RequestTimeout: "30s"},
		Coordinators: configs.CoordinatorsConfig{IdleTimeout: "0s", QueueLimit: 100},
		Workers:      configs.WorkersConfig{Instances: 2, IdleTimeout: "300ms"},
	}
	reg := deploy.NewRegistry()
	plat, err := NewPlatform(Options{Config: cfg, Registry: reg, Store: memStore{kv.NewMemory(time.Now), dirStore}, NodeID: "n1",
		FetcherFor: func(string) jsvm.Fetcher { return fetcher }})
	if err != nil {
		t.Fatal(err)
	}
	members, dir := cluster.SingleMember(dirStore, "n1")
	node, err := cluster.Start(ctx, cluster.Config{Name: "pool-test", Bind: "127.0.0.1:0", Kinds: plat.Kinds(), Members: members, Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.Stop)
	plat.Start(ctx, node)

	// The pool Deployed will use, with a probe.
	wp := &workerPool{plat: plat, project: "shop", max: cfg.Workers.Instances}
	pid, err := node.System.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return probedPool{wp} }), "pool-shop")
	if err != nil {
		t.Fatal(err)
	}
	plat.mu.Lock()
	plat.pools["shop"] = pid
	plat.mu.Unlock()
	sizes := func() poolSizes {
		t.Helper()
		v, err := node.System.Root.RequestFuture(pid, &poolSize{}, 10*time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		return v.(poolSizes)
	}

	proj := &deploy.Project{Name: "shop", Account: "acme", Kind: configs.KindWorker, Version: 1, Program: prog}
	reg.Put(proj)
	if err := plat.Deployed(ctx, proj, nil); err != nil {
		t.Fatal(err)
	}
	if s := sizes(); s.vms != 1 {
		t.Fatalf("a new pool has %d VMs, want 1", s.vms)
	}

	type answer struct {
		body string
		err  error
	}
	send := func(path string) <-chan answer {
		ch := make(chan answer, 1)
		go func() {
			resp, err := plat.Worker(ctx, "shop", &protos.HttpRequest{Method: "GET", Url: "https://shop.edge.test" + path})
			if err == nil && resp.GetError() != nil {
				err = errorString(resp.GetError().GetMessage())
			}
			ch <- answer{string(resp.GetBody()), err}
		}()
		return ch
	}
	waitEntered := func(what string) {
		t.Helper()
		select {
		case <-fetcher.entered:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s never reached its fetch", what)
		}
	}
	get := func(ch <-chan answer) string {
		t.Helper()
		select {
		case a := <-ch:
			if a.err != nil {
				t.Fatal(a.err)
			}
			return a.body
		case <-time.After(20 * time.Second):
			t.Fatal("no answer")
		}
		return ""
	}

	// One request in flight: the only VM is busy, so the next one grows the
	// pool; with both busy and the pool at its maximum, a third waits its
	// turn on an existing VM.
	first := send("/hold")
	waitEntered("the first request")
	second := send("/hold")
	waitEntered("the second request")
	if s := sizes(); s.vms != 2 || s.children != 2 {
		t.Fatalf("with every VM busy the pool has %+v, want 2 VMs", s)
	}
	third := send("/hold")
	waitEntered("the third request")
	if s := sizes(); s.vms != 2 {
		t.Fatalf("past workers.instances the pool has %d VMs, want 2", s.vms)
	}
	for range 3 {
		fetcher.release <- struct{}{}
	}
	idFirst, idSecond, idThird := get(first), get(second), get(third)
	if idFirst == idSecond {
		t.Errorf("the second request ran on the busy VM (%s), not a new one", idFirst)
	}
	if idThird != idFirst && idThird != idSecond {
		t.Errorf("the third request ran on a third VM (%s)", idThird)
	}

	// Idle for workers.idle_timeout: back to one VM, the first, whose
	// retired sibling is stopped.
	deadline := time.Now().Add(20 * time.Second)
	for s := sizes(); s.vms != 1 || s.children != 1; s = sizes() {
		if time.Now().After(deadline) {
			t.Fatalf("the idle pool still has %+v", s)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not a wait for an event
	}
	if id := get(send("/")); id != idFirst {
		t.Errorf("after shrinking, a request ran on VM %s, want the first VM %s", id, idFirst)
	}

	// A client that waits for each answer never finds the VM busy, so the
	// pool does not grow for it.
	for range 200 {
		get(send("/"))
	}
	if s := sizes(); s.vms != 1 {
		t.Errorf("sequential requests grew the pool to %d VMs", s.vms)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
