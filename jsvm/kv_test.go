package jsvm

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// memKV is a scope of a kv.Memory as a KV, the way package actors binds a
// kv.Store to an instance.
type memKV struct {
	m *kv.Memory
	s kv.Scope
}

var _ KV = memKV{}

func (k memKV) Get(ctx context.Context, keys [][]byte) ([]*kv.Entry, error) {
	return k.m.Get(ctx, k.s, keys)
}
func (k memKV) List(ctx context.Context, r kv.Range) ([]kv.Entry, error) {
	return k.m.List(ctx, k.s, r)
}
func (k memKV) Commit(ctx context.Context, cs []kv.Check, ms []kv.Mutation) (kv.Versionstamp, bool, error) {
	return k.m.Commit(ctx, k.s, cs, ms)
}
func (k memKV) Changes() (<-chan struct{}, func()) { return k.m.Changes(k.s) }

// testClock is a settable clock shared by the store and the instance.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// kvEnv is a store and a config whose instances use it.
type kvEnv struct {
	clock *testClock
	mem   *kv.Memory
	cfg   Config
}

func newKVEnv() *kvEnv {
	c := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := kv.NewMemory(c.Now)
	return &kvEnv{clock: c, mem: m, cfg: Config{KV: memKV{m: m, s: kv.Scope{Project: "p"}}, Now: c.Now}}
}

// evalKV runs body (an async function's body, with kv open) in a fresh
// instance of e's store and returns what it returns, as evalJS does.
func (e *kvEnv) eval(t *testing.T, body string) string {
	t.Helper()
	src := "Deno.serve(async () => {\n  try {\n    const kv = await Deno.openKv();\n    const v = await (async () => {\n" + body +
		"\n    })();\n    return new Response(typeof v === \"string\" ? v : Deno.inspect(v));\n  } catch (e) {\n    return new Response(\"throws \" + e.name + \": \" + e.message);\n  }\n});\n"
	in := startModule(t, "mod.js", src, e.cfg)
	return string(serve(t, in, "GET", "https://test.example/", "").Body)
}

func runKVCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := newKVEnv().eval(t, c.body); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestKvSmoke(t *testing.T) {
	runKVCases(t, []jsCase{
		{"set get", `await kv.set(["a"], 1); const e = await kv.get(["a"]); return JSON.stringify(e);`, `{"key":["a"],"value":1,"versionstamp":"00000000000000010000"}`},
	})
}
