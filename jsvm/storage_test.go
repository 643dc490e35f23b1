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
