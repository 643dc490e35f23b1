package jsvm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/edge-platform/edge/kv"
)

func TestStorageRoundTrip(t *testing.T) {
	st := &memStorage{}
	src := `const stored = await Deno.storage.get("value");
let value = stored || 0;
Deno.serve(async () => { value++; await Deno.storage.put("value", value); return new Response(value); });`
	in := startModule(t, "mod.js", src, Config{Storage: st})
	for want := 1; want <= 3; want++ {
		resp := serve(t, in, "GET", "https://p.example/", "")
		if string(resp.Body) != string(rune('0'+want)) {
			t.Fatalf("got %q want %d", resp.Body, want)
		}
	}
	in.Close()
	in2 := startModule(t, "mod.js", src, Config{Storage: st})
	if resp := serve(t, in2, "GET", "https://p.example/", ""); string(resp.Body) != "4" {
		t.Fatalf("after restart got %q want 4", resp.Body)
	}
}

func TestStorageAbsentWithoutAStore(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(async () => { await Deno.storage.get("x"); return new Response("no"); });`, Config{})
	_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "this instance has no store") {
		t.Fatalf("got %v, want a ScriptError saying there is no store", err)
	}
}

func TestStorageLimitsAndBadValues(t *testing.T) {
	st := &memStorage{}
	in := startModule(t, "mod.js", `Deno.serve(async (req) => {
  const what = new URL(req.url).pathname;
  try {
    if (what === "/bigkey") await Deno.storage.put("k".repeat(3000), 1);
    if (what === "/bigvalue") await Deno.storage.put("k", "v".repeat(200000));
    if (what === "/function") await Deno.storage.put("k", () => 1);
    if (what === "/delete") { await Deno.storage.put("k", 1); return new Response(String(await Deno.storage.delete("k")) + String(await Deno.storage.get("k"))); }
    return new Response("stored");
  } catch (e) {
    return new Response(e.name + ": " + e.message);
  }
});`, Config{Storage: st})
	cases := map[string]string{
		"/bigkey":   "TypeError: Deno.storage.put: key is 3000 bytes, over the limit MaxStorageKeyBytes (2048)",
		"/bigvalue": "TypeError: Deno.storage.put(\"k\"): value is 200002 bytes encoded, over the limit MaxStorageValueBytes (131072)",
		"/function": "TypeError: () => 1 could not be cloned.",
		"/delete":   "trueundefined",
	}
	for path, want := range cases {
		if got := string(serve(t, in, "GET", "https://p.example"+path, "").Body); got != want {
			t.Errorf("%s: got %q, want %q", path, got, want)
		}
	}
	if _, found, _ := st.Get(context.Background(), "k"); found {
		t.Error("a rejected or deleted value is in storage")
	}
}

// Deno.storage stores what Deno KV stores (structured values, not only
// JSON), and lists in key order.
func TestStorageValuesAndList(t *testing.T) {
	st := &memStorage{}
	in := startModule(t, "mod.js", `Deno.serve(async () => {
  const d = new Date(5);
  await Deno.storage.put("date", d);
  await Deno.storage.put("map", new Map([[1, { a: [1n, undefined] }]]));
  await Deno.storage.put("bytes", new Uint8Array([1, 2]));
  await Deno.storage.put("json", { x: [1, "two"] });
  await Deno.storage.put("neg", -0);
  const out = [];
  out.push((await Deno.storage.get("date")).getTime());
  const m = await Deno.storage.get("map");
  out.push(m instanceof Map, typeof m.get(1).a[0], m.get(1).a.length, 1 in m.get(1).a);
  const b = await Deno.storage.get("bytes");
  out.push(b instanceof Uint8Array, b.join("."));
  out.push(JSON.stringify(await Deno.storage.get("json")), Object.is(await Deno.storage.get("neg"), -0));
  out.push([...(await Deno.storage.list()).keys()].join("|"));
  out.push([...(await Deno.storage.list({ prefix: "m", reverse: true })).keys()].join("|"));
  out.push([...(await Deno.storage.list({ start: "bytes", end: "json", limit: 1 })).keys()].join("|"));
  try { await Deno.storage.list({ limit: 0 }); } catch (e) { out.push(e.message); }
  return new Response(out.join(" "));
});`, Config{Storage: st})
	want := `5 true bigint 2 true true 1.2 {"x":[1,"two"]} true bytes|date|json|map|neg map bytes Deno.storage.list: limit must be a positive integer, got 0`
	if got := string(serve(t, in, "GET", "https://p.example/", "").Body); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// failingStorage accepts writes that never become durable.
type failingStorage struct{ memStorage }

var errNotDurable = errors.New("the disk is gone")

func (s *failingStorage) Put(ctx context.Context, key string, value kv.Value) (Durable, error) {
	if _, err := s.memStorage.Put(ctx, key, value); err != nil {
		return nil, err
	}
	return func(context.Context) error { return errNotDurable }, nil
}

func (s *failingStorage) Delete(ctx context.Context, key string) (bool, Durable, error) {
	existed, _, err := s.memStorage.Delete(ctx, key)
	return existed, func(context.Context) error { return errNotDurable }, err
}

// A write that never becomes durable rejects its promise with an Error
// that says why; a durable delete resolves to whether the key existed.
func TestStorageWriteNotDurable(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(async (req) => {
  const op = new URL(req.url).pathname;
  try {
    if (op === "/put") await Deno.storage.put("k", 1);
    else await Deno.storage.delete("k");
    return new Response("durable");
  } catch (e) {
    return new Response((e instanceof Error) + " " + e.message);
  }
});`, Config{Storage: &failingStorage{}})
	for _, op := range []string{"/put", "/delete"} {
		want := "true storage write was not committed: " + errNotDurable.Error()
		if got := string(serve(t, in, "GET", "https://t.example"+op, "").Body); got != want {
			t.Errorf("%s: got %q, want %q", op, got, want)
		}
	}
	ok := startModule(t, "mod.js", `Deno.serve(async () => {
  await Deno.storage.put("k", 1);
  return new Response([await Deno.storage.delete("k"), await Deno.storage.delete("k")].join(" "));
});`, Config{Storage: &memStorage{}})
	if got := string(serve(t, ok, "GET", "https://t.example/", "").Body); got != "true false" {
		t.Errorf("deletes resolved to %q, want \"true false\"", got)
	}
}
