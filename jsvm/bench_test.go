package jsvm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// BenchmarkStartInstance measures creating an instance of an already
// compiled program: the per-coordinator activation cost (VM, prelude,
// top-level code). Reports heap bytes retained per instance.
func BenchmarkStartInstance(b *testing.B) {
	entry := writeModule(b, map[string]string{"mod.js": `Deno.serve(() => new Response("hi"));`}, "mod.js")
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	instances := make([]*Instance, 0, b.N)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in, err := Start(ctx, prog, Config{})
		if err != nil {
			b.Fatal(err)
		}
		instances = append(instances, in)
	}
	b.StopTimer()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-B/instance")
	for _, in := range instances {
		in.Close()
	}
}

// BenchmarkServeHello measures one request through an instance's event loop.
func BenchmarkServeHello(b *testing.B) {
	entry := writeModule(b, map[string]string{"mod.js": `Deno.serve((req) => new Response("hello " + new URL(req.url).pathname));`}, "mod.js")
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		b.Fatal(err)
	}
	in, err := Start(context.Background(), prog, Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	req := &Request{Method: "GET", URL: "https://bench.example/x", Header: http.Header{"Accept": {"*/*"}}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := in.Serve(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHelloJS is the in-process hello world: one request at a
// time through Serve to `Deno.serve(() => new Response("hello"))`.
// BenchmarkHelloGo runs the same request through a plain Go handler in the
// same run, as the yardstick (compare the two, not absolute numbers).
func BenchmarkHelloJS(b *testing.B) {
	entry := writeModule(b, map[string]string{"mod.js": `Deno.serve(() => new Response("hello"));`}, "mod.js")
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		b.Fatal(err)
	}
	in, err := Start(context.Background(), prog, Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	req := &Request{Method: "GET", URL: "https://bench.example/", Header: http.Header{"Accept": {"*/*"}}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := in.Serve(ctx, req)
		if err != nil || string(resp.Body) != "hello" {
			b.Fatal(resp, err)
		}
	}
}

func BenchmarkHelloGo(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		_, _ = w.Write([]byte("hello"))
	})
	req := httptest.NewRequest("GET", "https://bench.example/", nil)
	req.Header.Set("Accept", "*/*")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Body.String() != "hello" {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkActiveInstance is the memory of an instance that has served
// requests (the counter coordinator's shape: URL, Request, Response, an
// await): the prelude files those requests loaded count, which
// BenchmarkStartInstance's fresh instances have not loaded yet.
func BenchmarkActiveInstance(b *testing.B) {
	entry := writeModule(b, map[string]string{"mod.js": `let value = 0;
Deno.serve(async (req) => {
  if (new URL(req.url).pathname === "/increment") value++;
  await Promise.resolve();
  return new Response(String(value));
});`}, "mod.js")
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := &Request{Method: "GET", URL: "https://bench.example/increment", Header: http.Header{"Accept": {"*/*"}}}
	instances := make([]*Instance, 0, b.N)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in, err := Start(ctx, prog, Config{})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			if _, err := in.Serve(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
		instances = append(instances, in)
	}
	b.StopTimer()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-B/instance")
	for _, in := range instances {
		in.Close()
	}
}

// BenchmarkIncrementPair is the HTTP loadtest's hot increment without HTTP:
// the loadtest's worker program fetch()es the loadtest's coordinator
// program, whose Deno.storage.put is durable at once (memStorage), from 32
// goroutines. It measures the JavaScript side of a durable increment (two
// VMs, the web API prelude, the host crossings), not the store.
func BenchmarkIncrementPair(b *testing.B) {
	coordProg := bundleFile(b, "../loadtest/edge/coordinator.js")
	workerProg := bundleFile(b, "../loadtest/edge/worker.js")
	ctx := context.Background()
	coord, err := Start(ctx, coordProg, Config{Storage: &memStorage{}})
	if err != nil {
		b.Fatal(err)
	}
	defer coord.Close()
	fetcher := fetchFunc(func(ctx context.Context, req *Request) (*Response, error) {
		return coord.Serve(ctx, req)
	})
	worker, err := Start(ctx, workerProg, Config{Fetcher: fetcher})
	if err != nil {
		b.Fatal(err)
	}
	defer worker.Close()
	req := &Request{Method: "GET", URL: "https://bench.deno.dev/increment", Header: http.Header{"Accept": {"*/*"}, "User-Agent": {"loadgen"}}}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := worker.Serve(ctx, req)
			if err != nil || resp.Status != 200 {
				b.Fatal(resp, err)
			}
		}
	})
}

// bundleFile bundles the program at path for a benchmark.
func bundleFile(b *testing.B, path string) *Program {
	b.Helper()
	prog, err := Bundle(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	return prog
}

// BenchmarkReadPair is the HTTP loadtest's read without HTTP: the loadtest's
// worker program fetch()es the loadtest's coordinator program's "/" and
// answers with its text, from 32 goroutines.
func BenchmarkReadPair(b *testing.B) {
	coordProg := bundleFile(b, "../loadtest/edge/coordinator.js")
	workerProg := bundleFile(b, "../loadtest/edge/worker.js")
	ctx := context.Background()
	coord, err := Start(ctx, coordProg, Config{Storage: &memStorage{}})
	if err != nil {
		b.Fatal(err)
	}
	defer coord.Close()
	fetcher := fetchFunc(func(ctx context.Context, req *Request) (*Response, error) {
		return coord.Serve(ctx, req)
	})
	worker, err := Start(ctx, workerProg, Config{Fetcher: fetcher})
	if err != nil {
		b.Fatal(err)
	}
	defer worker.Close()
	req := &Request{Method: "GET", URL: "https://bench.deno.dev/read", Header: http.Header{"Accept": {"*/*"}, "User-Agent": {"loadgen"}}}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := worker.Serve(ctx, req)
			if err != nil || resp.Status != 200 {
				b.Fatal(resp, err)
			}
		}
	})
}

// BenchmarkSpreadCoordinators is the loadtest's coordinator program alone
// (no worker, no HTTP, no actors; Deno.storage.put durable at once), its
// increments spread at random over N instances from 32 goroutines. How the
// cost per increment grows with N is the cost of visiting a VM whose heap
// is not in the CPU's caches, apart from everything else a spread request
// pays (docs/BENCHMARKS.md).
func BenchmarkSpreadCoordinators(b *testing.B) {
	prog := bundleFile(b, "../loadtest/edge/coordinator.js")
	benchSpread(b, prog, []int{1, 10, 100, 1000}, "https://c0.counter.deno.dev/increment",
		func(int) Config { return Config{Storage: &memStorage{}} })
}

// BenchmarkKVSum is the in-process loadtest's handler (go run ./loadtest
// -kv): `await kv.atomic().sum(key, 1n).commit()` over N instances, each
// its own coordinator scope of one in-memory store, requests at random
// from 32 goroutines. The store costs little, so this is the JavaScript
// and host side of a KV commit.
func BenchmarkKVSum(b *testing.B) {
	prog := bundleFile(b, writeModule(b, map[string]string{"sum.js": `const kv = await Deno.openKv();
Deno.serve(async () => {
  await kv.atomic().sum(["n"], 1n).commit();
  return new Response("ok");
});
`}, "sum.js"))
	mem := kv.NewMemory(time.Now)
	benchSpread(b, prog, []int{1, 1000}, "https://c0.counter.deno.dev/", func(i int) Config {
		return Config{KV: memKV{m: mem, s: kv.Scope{Project: "p", Instance: fmt.Sprint("c", i)}}}
	})
}

// benchSpread runs, for each N in ns, N instances of prog (instance i with
// config(i)), serves each one GET of url (as the loadtest primes them), and
// then measures GETs of url sent at random to the N from 32 goroutines.
func benchSpread(b *testing.B, prog *Program, ns []int, url string, config func(i int) Config) {
	for _, n := range ns {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			ctx := context.Background()
			ins := make([]*Instance, n)
			for i := range ins {
				in, err := Start(ctx, prog, config(i))
				if err != nil {
					b.Fatal(err)
				}
				defer in.Close()
				ins[i] = in
			}
			req := &Request{Method: "GET", URL: url, Header: http.Header{"Accept": {"*/*"}}}
			for _, in := range ins {
				if _, err := in.Serve(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 0))
				for pb.Next() {
					resp, err := ins[r.IntN(n)].Serve(ctx, req)
					if err != nil || resp.Status != 200 {
						b.Fatal(resp, err)
					}
				}
			})
		})
	}
}

// BenchmarkKVList lists 100 entries with for await over kv.list (one
// batch), one request at a time: the iterator's cost per entry.
func BenchmarkKVList(b *testing.B) {
	prog := bundleFile(b, writeModule(b, map[string]string{"list.js": `const kv = await Deno.openKv();
for (let i = 0; i < 100; i++) await kv.set(["k", i], i);
Deno.serve(async () => {
  let sum = 0;
  for await (const e of kv.list({ prefix: ["k"] })) sum += e.value;
  return new Response(String(sum));
});
`}, "list.js"))
	ctx := context.Background()
	in, err := Start(ctx, prog, Config{KV: memKV{m: kv.NewMemory(time.Now), s: kv.Scope{Project: "p"}}})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	req := &Request{Method: "GET", URL: "https://p.deno.dev/"}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		resp, err := in.Serve(ctx, req)
		if err != nil || resp.Status != 200 || string(resp.Body) != "4950" {
			b.Fatal(resp, err)
		}
	}
}
