package jsvm

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// memStorage is an in-memory Storage whose writes are durable at once
// (the real one, over the key-value store, is in package actors).
type memStorage struct {
	mu sync.Mutex
	m  map[string]kv.Value
}

func (s *memStorage) Get(_ context.Context, key string) (kv.Value, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *memStorage) Put(_ context.Context, key string, value kv.Value) (Durable, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]kv.Value{}
	}
	s.m[key] = value
	return func(context.Context) error { return nil }, nil
}

func (s *memStorage) Delete(_ context.Context, key string) (bool, Durable, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[key]
	delete(s.m, key)
	return ok, func(context.Context) error { return nil }, nil
}

// List orders keys by their UTF-8 bytes (what the store's key encoding
// does for single-string keys).
func (s *memStorage) List(_ context.Context, o StorageList) ([]StorageItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []StorageItem
	for k, v := range s.m {
		if strings.HasPrefix(k, o.Prefix) && (o.Start == nil || k >= *o.Start) && (o.End == nil || k < *o.End) {
			out = append(out, StorageItem{Key: k, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return (out[i].Key < out[j].Key) != o.Reverse })
	if o.Limit > 0 && len(out) > o.Limit {
		out = out[:o.Limit]
	}
	return out, nil
}

// fetchFunc adapts a function to Fetcher.
type fetchFunc func(ctx context.Context, req *Request) (*Response, error)

func (f fetchFunc) Fetch(ctx context.Context, req *Request) (*Response, error) { return f(ctx, req) }

// writeModule writes files into a temporary directory and returns the path
// of the first one.
func writeModule(t testing.TB, files map[string]string, entry string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, entry)
}

// startModule bundles src as mod.js (or mod.ts) and starts an instance.
func startModule(t *testing.T, name, src string, cfg Config) *Instance {
	t.Helper()
	entry := writeModule(t, map[string]string{name: src}, name)
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := Start(ctx, prog, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(in.Close)
	return in
}

func serve(t *testing.T, in *Instance, method, url, body string) *Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	resp, err := in.Serve(ctx, &Request{Method: method, URL: url, Header: http.Header{}, Body: b})
	if err != nil {
		t.Fatalf("Serve %s %s: %v", method, url, err)
	}
	return resp
}

func TestServeForms(t *testing.T) {
	cases := []struct{ name, file, src string }{
		{"Deno.serve(handler)", "mod.js", `Deno.serve((req) => new Response("hi " + new URL(req.url).pathname));`},
		{"Deno.serve(options, handler)", "mod.js", `Deno.serve({ port: 8000 }, (req) => new Response("hi " + new URL(req.url).pathname));`},
		{"Deno.serve({handler})", "mod.js", `Deno.serve({ handler: (req) => new Response("hi " + new URL(req.url).pathname) });`},
		{"export default fetch", "mod.js", `export default { fetch(req) { return new Response("hi " + new URL(req.url).pathname); } };`},
		{"std serve", "mod.js", `import { serve } from "https://deno.land/std@0.200.0/http/server.ts";
serve(async (req) => new Response("hi " + new URL(req.url).pathname));`},
		{"typescript", "mod.ts", `const greet = (p: string): string => "hi " + p;
export default { fetch(req: Request): Response { return new Response(greet(new URL(req.url).pathname)); } };`},
		{"top-level await", "mod.js", `const prefix = await Promise.resolve("hi ");
Deno.serve((req) => new Response(prefix + new URL(req.url).pathname));`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := startModule(t, c.file, c.src, Config{})
			resp := serve(t, in, "GET", "https://p.example/x", "")
			if resp.Status != 200 || string(resp.Body) != "hi /x" {
				t.Fatalf("got %d %q, want 200 %q", resp.Status, resp.Body, "hi /x")
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain;charset=UTF-8" {
				t.Errorf("content-type %q", ct)
			}
		})
	}
}

func TestNumberBodyAndStatus(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(() => new Response(41 + 1, { status: 201, headers: { "X-A": "b" } }));`, Config{})
	resp := serve(t, in, "GET", "https://p.example/", "")
	if resp.Status != 201 || string(resp.Body) != "42" || resp.Header.Get("X-A") != "b" {
		t.Fatalf("got %d %q %v", resp.Status, resp.Body, resp.Header)
	}
}

func TestRequestBodyAndHeaders(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(async (req) => {
  const body = await req.text();
  return new Response(req.method + " " + req.headers.get("x-test") + " " + body);
});`, Config{})
	ctx := context.Background()
	resp, err := in.Serve(ctx, &Request{Method: "POST", URL: "https://p.example/", Header: http.Header{"X-Test": {"yes"}}, Body: []byte("payload")})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "POST yes payload" {
		t.Fatalf("got %q", resp.Body)
	}
}

func TestHandlerThrowIsScriptErrorWithMappedStack(t *testing.T) {
	in := startModule(t, "mod.js", "Deno.serve(handler);\n\nfunction handler() {\n  throw new Error(\"boom\");\n}\n", Config{})
	_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want *ScriptError", err)
	}
	if se.Message != "Error: boom" || !strings.Contains(se.Stack, "mod.js:4:") {
		t.Fatalf("message %q stack %q: want Error: boom at mod.js:4", se.Message, se.Stack)
	}
}

func TestNonResponseIsError(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(() => "just a string");`, Config{})
	_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "must return a Response") {
		t.Fatalf("got %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"no handler", `console.log("hello");`, "does not serve HTTP"},
		{"top-level throw", `throw new RangeError("bad start");`, "RangeError: bad start"},
		{"top-level rejection", `await Promise.reject(new Error("async bad"));`, "Error: async bad"},
		{"serve twice", `Deno.serve(() => new Response("a")); Deno.serve(() => new Response("b"));`, "already called"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entry := writeModule(t, map[string]string{"mod.js": c.src}, "mod.js")
			prog, err := Bundle(context.Background(), entry)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Start(context.Background(), prog, Config{})
			if err == nil || !strings.Contains(err.Error()+errorStack(err), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func errorStack(err error) string {
	var se *ScriptError
	if errors.As(err, &se) {
		return se.Message + se.Stack
	}
	return ""
}

func TestTopLevelInfiniteLoopIsInterrupted(t *testing.T) {
	entry := writeModule(t, map[string]string{"mod.js": `for (;;) {}`}, "mod.js")
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := Start(ctx, prog, Config{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", err)
	}
}

func TestConcurrentRequestsInterleaveAtAwait(t *testing.T) {
	in := startModule(t, "mod.js", `let n = 0;
Deno.serve(async () => { const mine = ++n; await new Promise((r) => setTimeout(r, 5)); return new Response(String(mine)); });`, Config{})
	var wg sync.WaitGroup
	seen := make(chan string, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}})
			if err != nil {
				t.Error(err)
				return
			}
			seen <- string(resp.Body)
		}()
	}
	wg.Wait()
	close(seen)
	uniq := map[string]bool{}
	for s := range seen {
		uniq[s] = true
	}
	if len(uniq) != 20 {
		t.Fatalf("got %d distinct counters, want 20", len(uniq))
	}
}

func TestServeAfterClose(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(() => new Response("x"));`, Config{})
	in.Close()
	if _, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}

func TestTextBodiesReachTheHostAsUTF8(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(() => new Response("é\ud800"));`, Config{})
	if got := serve(t, in, "GET", "https://p.example/", "").Body; string(got) != "é\uFFFD" {
		t.Fatalf("got % x, want é then U+FFFD", got)
	}
}
