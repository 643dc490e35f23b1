package jsvm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func serveErr(t *testing.T, in *Instance, url string) (*Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return in.Serve(ctx, &Request{Method: "GET", URL: url, Header: http.Header{}})
}

const cpuProgram = `
function spin(ms) { const end = Date.now() + ms; while (Date.now() < end) {} }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
Deno.serve(async (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/forever") { for (;;) {} }
  if (path === "/chunks") { for (let i = 0; i < 20; i++) { spin(30); await sleep(1); } }
  if (path === "/sleep") { await sleep(400); }
  if (path === "/microtasks") { const again = () => Promise.resolve().then(again); again(); await sleep(5000); }
  if (path === "/background") { sleep(1).then(() => { for (;;) {} }); }
  return new Response("ok " + path);
});
`

func TestCPUTimeLimit(t *testing.T) {
	limits := Limits{CPUTime: 200 * time.Millisecond}
	for _, path := range []string{"/forever", "/chunks", "/microtasks"} {
		t.Run(path, func(t *testing.T) {
			in := startModule(t, "mod.js", cpuProgram, Config{Limits: limits})
			_, err := serveErr(t, in, "https://x.example"+path)
			if !errors.Is(err, ErrCPUTime) {
				t.Fatalf("Serve = %v, want ErrCPUTime", err)
			}
			if !strings.Contains(err.Error(), "limits.cpu_time = 200ms") {
				t.Fatalf("error %q does not name the limit", err)
			}
			if in.Err() == nil {
				t.Fatal("the instance is still healthy after a request ran out of CPU time")
			}
			if _, err := serveErr(t, in, "https://x.example/"); !errors.Is(err, ErrClosed) {
				t.Fatalf("next Serve = %v, want ErrClosed", err)
			}
		})
	}
}

func TestCPUTimeCountsRunningNotWaiting(t *testing.T) {
	in := startModule(t, "mod.js", cpuProgram, Config{Limits: Limits{CPUTime: 100 * time.Millisecond}})
	resp, err := serveErr(t, in, "https://x.example/sleep")
	if err != nil || string(resp.Body) != "ok /sleep" {
		t.Fatalf("a handler that waits 400ms with a 100ms CPU limit: %v %v", resp, err)
	}
	if in.Err() != nil {
		t.Fatalf("instance failed: %v", in.Err())
	}
}

func TestCPUTimeChargesBackgroundWork(t *testing.T) {
	in := startModule(t, "mod.js", cpuProgram, Config{Limits: Limits{CPUTime: 100 * time.Millisecond}})
	resp, err := serveErr(t, in, "https://x.example/background")
	if err != nil || string(resp.Body) != "ok /background" {
		t.Fatalf("Serve: %v %v", resp, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for in.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(in.Err(), ErrCPUTime) {
		t.Fatalf("Err() = %v after the handler's background loop, want ErrCPUTime", in.Err())
	}
}

func TestMaxTurnInterruptsTopLevelTimers(t *testing.T) {
	in := startModule(t, "mod.js", `setTimeout(() => { for (;;) {} }, 1); Deno.serve(() => new Response("x"));`,
		Config{Limits: Limits{MaxTurn: 100 * time.Millisecond}})
	deadline := time.Now().Add(10 * time.Second)
	for in.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(in.Err(), ErrTurnTooLong) {
		t.Fatalf("Err() = %v, want ErrTurnTooLong", in.Err())
	}
}

// The watchdog's timer is re-armed for every job: many short jobs in a row
// must never be interrupted by an expiry meant for an earlier job, and a
// long one after them still is.
func TestCPUWatchdogReusedAcrossJobs(t *testing.T) {
	in := startModule(t, "mod.js", cpuProgram, Config{Limits: Limits{CPUTime: 30 * time.Millisecond}})
	for i := 0; i < 300; i++ {
		resp, err := serveErr(t, in, "https://x.example/")
		if err != nil || string(resp.Body) != "ok /" {
			t.Fatalf("request %d: %v %v", i, resp, err)
		}
	}
	if _, err := serveErr(t, in, "https://x.example/forever"); !errors.Is(err, ErrCPUTime) {
		t.Fatalf("Serve /forever = %v, want ErrCPUTime", err)
	}
}
