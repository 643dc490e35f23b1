package jsvm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestFetchUsesFetcher(t *testing.T) {
	var got *Request
	f := fetchFunc(func(_ context.Context, req *Request) (*Response, error) {
		got = req
		return &Response{Status: 200, Header: http.Header{"X-From": {"fake"}}, Body: []byte("7")}, nil
	})
	in := startModule(t, "mod.js", `Deno.serve(async (req) => {
  const res = await fetch(new URL("/increment", "https://other.deno.dev/"), { headers: { "x-a": "1" } });
  return new Response("count " + await res.text() + " " + res.headers.get("x-from") + " " + res.status);
});`, Config{Fetcher: f})
	resp := serve(t, in, "GET", "https://p.example/", "")
	if string(resp.Body) != "count 7 fake 200" {
		t.Fatalf("got %q", resp.Body)
	}
	if got.URL != "https://other.deno.dev/increment" || got.Method != "GET" || got.Header.Get("X-A") != "1" {
		t.Fatalf("fetcher saw %+v", got)
	}
}

func TestFetchErrorRejects(t *testing.T) {
	f := fetchFunc(func(context.Context, *Request) (*Response, error) { return nil, errors.New("connection refused") })
	in := startModule(t, "mod.js", `Deno.serve(async () => {
  try { await fetch("https://x.example/"); return new Response("no"); }
  catch (e) { return new Response(e.name + ": " + e.message); }
});`, Config{Fetcher: f})
	resp := serve(t, in, "GET", "https://p.example/", "")
	if !strings.Contains(string(resp.Body), "TypeError: fetch https://x.example/ failed: connection refused") {
		t.Fatalf("got %q", resp.Body)
	}
}

type completeMessageError struct{}

func (completeMessageError) Error() string { return "dial: refused" }
func (completeMessageError) FetchMessage() string {
	return "fetch to https://x.example/ refused: because"
}

// An error that carries its own user-facing message (FetchMessager), even
// wrapped, reaches JS as exactly that message.
func TestFetchErrorWithOwnMessage(t *testing.T) {
	f := fetchFunc(func(context.Context, *Request) (*Response, error) {
		return nil, fmt.Errorf("wrapped: %w", completeMessageError{})
	})
	in := startModule(t, "mod.js", `Deno.serve(async () => {
  try { await fetch("https://x.example/"); return new Response("no"); }
  catch (e) { return new Response(e.name + ": " + e.message); }
});`, Config{Fetcher: f})
	resp := serve(t, in, "GET", "https://p.example/", "")
	if string(resp.Body) != "TypeError: fetch to https://x.example/ refused: because" {
		t.Fatalf("got %q", resp.Body)
	}
}
