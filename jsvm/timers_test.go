package jsvm

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestTimers(t *testing.T) {
	in := startModule(t, "mod.js", `Deno.serve(() => new Promise((resolve) => {
  const order = [];
  const iv = setInterval(() => { order.push("i"); if (order.length === 3) { clearInterval(iv); resolve(new Response(order.join(""))); } }, 1);
  const t = setTimeout(() => order.push("never"), 5);
  clearTimeout(t);
  queueMicrotask(() => order.push("m"));
}));`, Config{})
	if resp := serve(t, in, "GET", "https://p.example/", ""); string(resp.Body) != "mii" {
		t.Fatalf("got %q", resp.Body)
	}
}

func TestTimerExceptionIsReportedAndCancellable(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	in := startModule(t, "mod.js", `
let seen = [];
addEventListener("error", (e) => { seen.push(e.message); if (e.error === "quiet") e.preventDefault(); });
Deno.serve(async () => {
  setTimeout(() => { throw "quiet"; }, 0);
  setTimeout(() => { throw new RangeError("timer broke"); }, 0);
  await new Promise((r) => setTimeout(r, 20));
  return new Response(seen.join("|"));
});`, Config{Project: "proj", Logger: log})
	if got := string(serve(t, in, "GET", "https://t.example/", "").Body); got != "Uncaught quiet|Uncaught RangeError: timer broke" {
		t.Fatalf("error events seen: %q", got)
	}
	out := buf.String()
	if !strings.Contains(out, `stack="RangeError: timer broke\n\tat `) || strings.Contains(out, "quiet") {
		t.Fatalf("log should hold the uncancelled timer error only:\n%s", out)
	}
}
