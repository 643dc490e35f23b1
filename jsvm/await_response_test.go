package jsvm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// An async handler's promise is watched by the loop (awaitResponse) up to
// maxAwaiting at a time and gets reactions past that; either way every
// request is answered with its own response or its own rejection, and a
// rejection that became a response is not also logged as unhandled.
func TestAwaitedResponses(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	in := startModule(t, "mod.js", `
let waiting = [];
Deno.serve(async (req) => {
  const url = new URL(req.url);
  const n = Number(url.searchParams.get("n"));
  if (url.pathname === "/now") return new Response("now " + n);
  if (url.pathname === "/fail-now") throw new RangeError("failed " + n);
  await new Promise((resolve) => {
    waiting.push(resolve);
    // Everyone waits until the last request of the burst has arrived.
    if (waiting.length === Number(url.searchParams.get("of"))) {
      for (const r of waiting) r();
      waiting = [];
    }
  });
  if (url.pathname === "/fail") throw new RangeError("failed " + n);
  return new Response("ok " + n);
});`, Config{Project: "proj", Logger: log})

	const burst = 3 * maxAwaiting // past the watched limit
	var wg sync.WaitGroup
	errs := make(chan error, burst)
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/ok"
			if i%3 == 0 {
				path = "/fail"
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, err := in.Serve(ctx, &Request{Method: "GET", URL: fmt.Sprintf("https://t.example%s?n=%d&of=%d", path, i, burst)})
			switch {
			case path == "/fail":
				var se *ScriptError
				if !errors.As(err, &se) || !strings.Contains(se.Error(), fmt.Sprintf("failed %d", i)) {
					errs <- fmt.Errorf("request %d: got %v, %v; want its RangeError", i, resp, err)
				}
			case err != nil || string(resp.Body) != fmt.Sprintf("ok %d", i):
				errs <- fmt.Errorf("request %d: got %v, %v", i, resp, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Settled before dispatch returns: answered at once.
	if got := string(serve(t, in, "GET", "https://t.example/now?n=7", "").Body); got != "now 7" {
		t.Errorf("got %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := in.Serve(ctx, &Request{Method: "GET", URL: "https://t.example/fail-now?n=8"}); err == nil || !strings.Contains(err.Error(), "failed 8") {
		t.Errorf("got %v, want the handler's RangeError", err)
	}
	if n := awaitingLen(in); n != 0 {
		t.Errorf("still watching %d promises", n)
	}
	in.Close()
	if out := buf.String(); strings.Contains(out, "unhandled promise rejection") {
		t.Errorf("a handler's rejection was also logged as unhandled:\n%s", out)
	}
}

// A caller that gives up is forgotten: the loop stops watching its promise.
func TestAwaitedResponseCallerGone(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(() => new Promise(() => {}));`, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := in.Serve(ctx, &Request{Method: "GET", URL: "https://t.example/"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the deadline", err)
	}
	// The forget job runs on the loop after Serve returns.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if awaitingLen(in) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the loop still watches the promise of a caller that is gone")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitingLen is how many handler promises in's loop watches.
func awaitingLen(in *Instance) int {
	n := make(chan int, 1)
	in.post(func() { n <- len(in.awaiting) })
	return <-n
}
