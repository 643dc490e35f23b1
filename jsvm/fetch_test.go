package jsvm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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

// fetch() answers data: URLs itself (no Fetcher needed) and rejects schemes
// it cannot fetch with a TypeError naming the scheme.
func TestFetchDataAndUnsupportedSchemes(t *testing.T) {
	fetched := 0
	f := fetchFunc(func(context.Context, *Request) (*Response, error) {
		fetched++
		return &Response{Status: 200}, nil
	})
	in := startModule(t, "mod.js", `Deno.serve(async (req) => {
  const url = new URL(req.url).searchParams.get("u");
  const method = new URL(req.url).searchParams.get("m") || "GET";
  try {
    const r = await fetch(url, { method, body: method === "POST" ? "ignored" : undefined });
    return new Response([r.status, r.statusText, r.type, r.url, r.redirected, r.headers.get("content-type"), JSON.stringify(await r.text())].join("|"));
  } catch (e) { return new Response(e.name + ": " + e.message); }
});`, Config{Fetcher: f})
	cases := []struct{ url, method, want string }{
		{"data:,response%27s%20body", "", `200|OK|basic|data:,response%27s%20body|false|text/plain;charset=US-ASCII|"response's body"`},
		{"data:text/plain;base64,cmVzcG9uc2UncyBib2R5", "", `200|OK|basic|data:text/plain;base64,cmVzcG9uc2UncyBib2R5|false|text/plain|"response's body"`},
		{"data:,x", "POST", `200|OK|basic|data:,x|false|text/plain;charset=US-ASCII|"x"`},
		{"data:,x", "HEAD", `200|OK|basic|data:,x|false|text/plain;charset=US-ASCII|""`},
		{"data:notAdataUrl.com", "", `TypeError: fetch data:notAdataUrl.com failed: it is not a valid data: URL (data:[<mediatype>][;base64],<data>, and valid base64 after ;base64)`},
		{"about:blank", "", `TypeError: fetch about:blank failed: the "about:" URL scheme is not supported; fetch() supports http:, https: and data: URLs`},
		{"blob:https://x.example/1", "POST", `TypeError: fetch blob:https://x.example/1 failed: the "blob:" URL scheme is not supported; fetch() supports http:, https: and data: URLs`},
		{"file:///etc/passwd", "", `TypeError: fetch file:///etc/passwd failed: the "file:" URL scheme is not supported; fetch() supports http:, https: and data: URLs`},
		{"ftp://x.example/", "", `TypeError: fetch ftp://x.example/ failed: the "ftp:" URL scheme is not supported; fetch() supports http:, https: and data: URLs`},
	}
	for _, c := range cases {
		q := url.Values{"u": {c.url}, "m": {c.method}}
		got := string(serve(t, in, "GET", "https://p.example/?"+q.Encode(), "").Body)
		if got != c.want {
			t.Errorf("fetch %s %s:\ngot  %q\nwant %q", c.method, c.url, got, c.want)
		}
	}
	if fetched != 0 {
		t.Fatalf("the Fetcher saw %d requests", fetched)
	}
}

// data: URLs work without a Fetcher.
func TestFetchDataURLWithoutFetcher(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(async () => new Response(await (await fetch("data:;base64,aGk=")).text()));`, Config{})
	if got := string(serve(t, in, "GET", "https://p.example/", "").Body); got != "hi" {
		t.Fatalf("got %q", got)
	}
}

// fetch(request) sends the request's body, and the request becomes used.
func TestFetchRequestBodyMoves(t *testing.T) {
	var body string
	f := fetchFunc(func(_ context.Context, req *Request) (*Response, error) {
		if req.BodyStream != nil {
			b, _ := io.ReadAll(req.BodyStream)
			body = string(b)
		} else {
			body = string(req.Body)
		}
		return &Response{Status: 200}, nil
	})
	in := startModule(t, "mod.js", `Deno.serve(async () => {
  const a = new Request("https://x.example/", { method: "POST", body: "buffered" });
  await fetch(a);
  const b = new Request("https://x.example/", { method: "POST", duplex: "half",
    body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("streamed")); c.close(); } }) });
  await fetch(b);
  return new Response(a.bodyUsed + " " + b.bodyUsed);
});`, Config{Fetcher: f})
	if got := string(serve(t, in, "GET", "https://p.example/", "").Body); got != "true true" || body != "streamed" {
		t.Fatalf("got %q, last body %q", got, body)
	}
}

// The data: URL processor and MIME type parser (Fetch and MIME Sniffing
// Standards).
func TestFetchDataURLProcessor(t *testing.T) {
	cases := []struct {
		url, mime, body string
		ok              bool
	}{
		{"data:,", "text/plain;charset=US-ASCII", "", true},
		{"data:,a%2Cb%zz", "text/plain;charset=US-ASCII", "a,b%zz", true},
		{"data:text/html,<b>#frag", "text/html", "<b>", true},
		{"data: TEXT/Plain ;Charset=UTF-8 ;x=\"a\\\"b\",z", `text/plain;charset=UTF-8;x="a\"b"`, "z", true},
		{"data:text/plain;a=1;a=2;b=;c,z", "text/plain;a=1", "z", true},
		{"data:text/plain;p=\"x y\",z", `text/plain;p="x y"`, "z", true},
		{"data:;charset=utf-8,z", "text/plain;charset=utf-8", "z", true},
		{"data:nonsense,z", "text/plain;charset=US-ASCII", "z", true},
		{"data:;base64,aGk=", "text/plain;charset=US-ASCII", "hi", true},
		{"data:image/png;BASE64,aG k", "image/png", "hi", true},
		{"data:text/plain; base64,aGk", "text/plain", "hi", true},
		{"data:text/plain;base64x,aGk", "text/plain", "aGk", true},
		{"data:;base64,%61%47%6B", "text/plain;charset=US-ASCII", "hi", true},
		{"data:;base64,a", "", "", false},
		{"data:;base64,a!==", "", "", false},
		{"data:no-comma", "", "", false},
	}
	for _, c := range cases {
		mime, body, ok := parseDataURL(c.url)
		if ok != c.ok || ok && (mime != c.mime || string(body) != c.body) {
			t.Errorf("parseDataURL(%q) = %q, %q, %v; want %q, %q, %v", c.url, mime, body, ok, c.mime, c.body, c.ok)
		}
	}
}

// Aborting a fetch rejects it with the signal's reason and cancels the
// host request's context.
func TestFetchAbortSignal(t *testing.T) {
	cancelled := make(chan struct{}, 3)
	f := fetchFunc(func(ctx context.Context, _ *Request) (*Response, error) {
		<-ctx.Done()
		cancelled <- struct{}{}
		return nil, ctx.Err()
	})
	in := startModule(t, "mod.js", `Deno.serve(async () => {
  const out = [];
  const c = new AbortController();
  const p = fetch("https://slow.example/", { signal: c.signal });
  setTimeout(() => c.abort(), 5);
  try { await p; out.push("resolved"); } catch (e) { out.push(e.name); }
  try { await fetch("https://slow.example/", { signal: AbortSignal.abort(new RangeError("mine")) }); } catch (e) { out.push(e.name + " " + e.message); }
  try { await fetch("https://slow.example/", { signal: AbortSignal.timeout(5) }); } catch (e) { out.push(e.name); }
  return new Response(out.join(", "));
});`, Config{Fetcher: f})
	resp := serve(t, in, "GET", "https://p.example/", "")
	if string(resp.Body) != "AbortError, RangeError mine, TimeoutError" {
		t.Fatalf("got %q", resp.Body)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the host request was not cancelled")
	}
}

// fetch(url object) with no init fetches the URL's href, as a Request built
// from it would; credentials are refused as there.
func TestFetchURLObject(t *testing.T) {
	var got *Request
	f := fetchFunc(func(_ context.Context, req *Request) (*Response, error) {
		got = req
		return &Response{Status: 200, Header: http.Header{}, Body: []byte("ok")}, nil
	})
	in := startModule(t, "mod.js", `Deno.serve(async () => {
  const res = await fetch(new URL("/a?b=1", "https://other.deno.dev/"));
  let err = "none";
  try { await fetch(new URL("https://u:p@other.deno.dev/")); } catch (e) { err = e.name + ": " + e.message; }
  return new Response(await res.text() + " " + err);
});`, Config{Fetcher: f})
	resp := serve(t, in, "GET", "https://p.example/", "")
	if string(resp.Body) != "ok TypeError: Request URL must not include credentials: https://u:p@other.deno.dev/" {
		t.Fatalf("got %q", resp.Body)
	}
	if got.URL != "https://other.deno.dev/a?b=1" || got.Method != "GET" {
		t.Fatalf("fetcher saw %+v", got)
	}
}

// A fetched body handed over as text reads the same as one handed over as
// bytes: text() drops a byte order mark and replaces invalid UTF-8, and
// arrayBuffer() gives the bytes back.
func TestFetchBodyTextAndBytes(t *testing.T) {
	bodies := map[string][]byte{
		"/ascii": []byte("hello"), "/utf8": []byte("h\u00e9llo \u2603"), "/bom": []byte("\xEF\xBB\xBFhi"),
		"/bad": []byte("a\xffb"), "/empty": {}, "/big": []byte(strings.Repeat("x", maxTextBody+1)),
	}
	f := fetchFunc(func(_ context.Context, req *Request) (*Response, error) {
		u, _ := url.Parse(req.URL)
		return &Response{Status: 200, Header: http.Header{}, Body: bodies[u.Path]}, nil
	})
	in := startModule(t, "mod.js", `Deno.serve(async (req) => {
  const path = new URL(req.url).pathname;
  const t = await (await fetch("https://x.example" + path)).text();
  const b = new Uint8Array(await (await fetch("https://x.example" + path)).arrayBuffer());
  return new Response(JSON.stringify([t.length > 20 ? t.length : t, Array.from(b.length > 20 ? [b.length] : b)]));
});`, Config{Fetcher: f})
	want := map[string]string{
		"/ascii": `["hello",[104,101,108,108,111]]`,
		"/utf8":  `["héllo ☃",[104,195,169,108,108,111,32,226,152,131]]`,
		"/bom":   `["hi",[239,187,191,104,105]]`,
		"/bad":   "[\"a\ufffdb\",[97,255,98]]",
		"/empty": `["",[]]`,
		"/big":   fmt.Sprintf(`[%d,[%d]]`, maxTextBody+1, maxTextBody+1),
	}
	for path, w := range want {
		resp := serve(t, in, "GET", "https://p.example"+path, "")
		if string(resp.Body) != w {
			t.Errorf("%s: got %s, want %s", path, resp.Body, w)
		}
	}
}
