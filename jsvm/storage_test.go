package jsvm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
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

func TestStorageAbsentInWorker(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(async () => { await Deno.storage.get("x"); return new Response("no"); });`, Config{})
	_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "only available in coordinators") {
		t.Fatalf("got %v, want a ScriptError about coordinators", err)
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
		"/bigvalue": "TypeError: Deno.storage.put(\"k\"): value is 200002 bytes as JSON, over the limit MaxStorageValueBytes (131072)",
		"/function": "TypeError: Deno.storage.put: the value for \"k\" is not JSON serializable",
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
