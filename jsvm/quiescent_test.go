package jsvm

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// gatedKV is a memKV whose Get waits for its gate.
type gatedKV struct {
	memKV
	gate chan struct{}
}

func (k gatedKV) Get(ctx context.Context, keys [][]byte) ([]*kv.Entry, error) {
	select {
	case <-k.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return k.memKV.Get(ctx, keys)
}

// gatedFetcher answers a fetch once its gate opens.
type gatedFetcher struct{ gate chan struct{} }

func (f gatedFetcher) Fetch(ctx context.Context, req *Request) (*Response, error) {
	select {
	case <-f.gate:
		return &Response{Status: 204}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// An instance is quiescent only when nothing can make its JavaScript run
// again but a new request: each kind of pending work below keeps it busy
// until it is over.
func TestQuiescentWaitsForEveryKindOfPendingWork(t *testing.T) {
	e := newKVEnv()
	kvGate, fetchGate := make(chan struct{}), make(chan struct{})
	cfg := e.cfg
	cfg.KV = gatedKV{memKV: e.cfg.KV.(memKV), gate: kvGate}
	cfg.Fetcher = gatedFetcher{gate: fetchGate}
	src := `let timer, reader;
const kv = await Deno.openKv();
Deno.serve(async (req) => {
  switch (new URL(req.url).pathname) {
    case "/timer": timer = setTimeout(() => {}, 60000); break;
    case "/interval": timer = setInterval(() => {}, 60000); break;
    case "/clear": clearTimeout(timer); break;
    case "/kv": kv.get(["k"]).then(() => {}); break;
    case "/fetch": fetch("https://elsewhere.test/").then(() => {}); break;
    case "/watch": reader = kv.watch([["w"]]).getReader(); await reader.read(); break;
    case "/unwatch": await reader.cancel(); break;
    case "/stream": return new Response(new ReadableStream({ start(c) { globalThis.streamCtl = c; c.enqueue(new Uint8Array([104, 105])); } }));
    case "/end": globalThis.streamCtl.close(); break;
  }
  return new Response("ok");
});`
	in := startModule(t, "mod.js", src, cfg)
	get := func(path string) { serve(t, in, "GET", "https://test.example"+path, "") }
	want := func(step string, q bool) {
		t.Helper()
		if got := in.Quiescent(time.Second); got != q {
			t.Fatalf("%s: Quiescent = %v, want %v", step, got, q)
		}
	}
	// settles waits for work that is finishing on its own.
	settles := func(step string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !in.Quiescent(time.Second) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: still not quiescent", step)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	want("after start", true)
	get("/")
	want("after a plain request", true)

	get("/timer")
	want("with a timeout pending", false)
	get("/clear")
	want("after clearTimeout", true)
	get("/interval")
	want("with an interval pending", false)
	get("/clear")
	want("after clearing the interval", true)

	get("/kv")
	want("with a Deno.openKv read in flight", false)
	close(kvGate)
	settles("after the read came back")

	get("/fetch")
	want("with a fetch in flight", false)
	close(fetchGate)
	settles("after the fetch came back")

	get("/watch")
	want("with a KV watch open", false)
	get("/unwatch")
	want("after the watch was cancelled", true)

	// A streamed response body still being written.
	resp := serve(t, in, "GET", "https://test.example/stream", "")
	if resp.BodyStream == nil {
		t.Fatal("/stream: no streamed body")
	}
	want("with a response body streaming", false)
	get("/end")
	if b, err := io.ReadAll(resp.BodyStream); err != nil || string(b) != "hi" {
		t.Fatalf("streamed body %q, %v", b, err)
	}
	settles("after the streamed body ended")

	in.Close()
	want("after Close", false)
}

// A request still being handled keeps the instance busy, and a loop that
// is running a long turn is not taken for idle.
func TestQuiescentWhileARequestRuns(t *testing.T) {
	src := `Deno.serve(async (req) => {
  if (new URL(req.url).pathname === "/spin") { const end = Date.now() + 400; while (Date.now() < end) {} return new Response("spun"); }
  await new Promise((r) => (globalThis.release = r));
  return new Response("released");
});`
	in := startModule(t, "mod.js", src, Config{})
	done := make(chan error, 1)
	go func() {
		_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://test.example/wait"})
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		// The request is pending once its handler has run.
		if err := in.RunScript(context.Background(), "probe.js", `if (!globalThis.release) throw new Error("not yet")`); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if in.Quiescent(time.Second) {
		t.Fatal("quiescent with a request waiting for its handler")
	}
	if err := in.RunScript(context.Background(), "release.js", "release()"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !in.Quiescent(time.Second) {
		t.Fatal("not quiescent after the request was answered")
	}

	go func() {
		_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://test.example/spin"})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // the spin has started
	if in.Quiescent(10 * time.Millisecond) {
		t.Fatal("quiescent while a turn is running")
	}
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}
