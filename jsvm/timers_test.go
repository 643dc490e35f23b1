package jsvm

import (
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
