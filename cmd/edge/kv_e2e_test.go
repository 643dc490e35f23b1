package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/persistence/pgtest"
)

// eachStore runs fn on the embedded SQLite store and on Postgres (a fresh
// schema of the test database, through persistence.postgres.url).
func eachStore(t *testing.T, fn func(t *testing.T)) {
	t.Run("sqlite", fn)
	t.Run("postgres", func(t *testing.T) {
		t.Setenv("EDGE_PERSISTENCE_POSTGRES_URL", pgtest.FreshSchema(t, pgtest.URL(t)))
		fn(t)
	})
}

// kvProject is a worker ("front", two VMs, the project's shared store) in
// front of a coordinator ("room", its own store per name).
var kvProject = map[string]string{
	"edge.yaml": `domain: example.test
workers:
  instances: 2
projects:
  - { name: front, entry: front.ts, kind: worker }
  - { name: room, entry: room.ts, kind: coordinator }
`,
	"front.ts": `const kv = await Deno.openKv();
export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/shared": {
        // Compare-and-set on the shared store, from both VMs at once.
        for (;;) {
          const e = await kv.get<number>(["hits"]);
          const n = (e.value ?? 0) + 1;
          if ((await kv.atomic().check(e).set(["hits"], n).commit()).ok) return new Response(String(n));
        }
      }
      case "/hits":
        return new Response(String((await kv.get(["hits"])).value ?? 0));
      case "/storage": {
        // Deno.storage works in workers too, on the same shared store.
        await Deno.storage.put("greeting", { text: "hi", at: new Date(0) });
        const g = await Deno.storage.get("greeting");
        return new Response(g.text + " " + g.at.toISOString() + " " + JSON.stringify((await kv.get(["greeting"])).value.text));
      }
    }
    const name = url.searchParams.get("name");
    const host = name ? name + ".room.example.test" : "room.example.test";
    const res = await fetch("https://" + host + url.pathname + url.search, { method: "POST" });
    return new Response(await res.text(), { status: res.status });
  },
};
`,
	"room.ts": `const kv = await Deno.openKv();
let bumps: number = (await Deno.storage.get("bumps")) ?? 0;
Deno.serve(async (req) => {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/bump":
      // The proposal's style: in memory, stored without awaiting.
      bumps++;
      Deno.storage.put("bumps", bumps);
      return new Response(bumps + " 0");
    case "/add": {
      const res = await kv.atomic().sum(["count"], 1n).commit();
      const n = (await kv.get<Deno.KvU64>(["count"])).value!.value;
      // Not awaited: the output gate holds the response until it commits.
      kv.set(["log", n], url.searchParams.get("v") ?? "");
      return new Response(n + " " + res.versionstamp.length);
    }
    case "/log": {
      const out = [];
      for await (const e of kv.list<string>({ prefix: ["log"] })) out.push(e.key[1] + "=" + e.value);
      return new Response(out.join(","));
    }
    case "/watch": {
      // Answers with the first change of ["w"] after the current value.
      const reader = kv.watch([["w"]]).getReader();
      const first = await reader.read();
      const next = await reader.read();
      await reader.cancel();
      return new Response(first.value[0].value + "->" + next.value[0].value);
    }
    case "/setw":
      await kv.set(["w"], url.searchParams.get("v"));
      return new Response("set");
    case "/bumps":
      return new Response(String((await Deno.storage.get("bumps")) ?? 0));
  }
  return new Response("not found", { status: 404 });
});
`,
}

// docs/SEMANTICS.md, "Deno KV": a coordinator's own store and a worker's
// shared store, through the real binary, on both backends; an unawaited
// write is committed before the response; everything acknowledged
// survives SIGKILL.
func TestDenoKVEndToEnd(t *testing.T) {
	eachStore(t, func(t *testing.T) {
		config := writeProject(t, kvProject)
		data := t.TempDir()
		p := startEdge(t, config, data)
		p.expect("front.example.test", "/add?v=a", 200, "1 20")
		p.expect("front.example.test", "/add?v=b", 200, "2 20")
		p.expect("front.example.test", "/add?name=alice&v=x", 200, "1 20")
		p.expect("front.example.test", "/add?v=c", 200, "3 20")
		p.expect("front.example.test", "/log", 200, "1=a,2=b,3=c")
		p.expect("front.example.test", "/log?name=alice", 200, "1=x")
		p.expect("front.example.test", "/storage", 200, `hi 1970-01-01T00:00:00.000Z "hi"`)

		// watch: a request waits on the coordinator's key while others set
		// it (again and again, so that the test does not depend on when the
		// watch took its first reading).
		p.expect("front.example.test", "/setw?v=v0", 200, "set")
		watched := make(chan string, 1)
		go func() {
			_, body := p.get("front.example.test", "/watch")
			watched <- body
		}()
		var answer string
	setting:
		for i := 1; i < 150; i++ {
			p.expect("front.example.test", fmt.Sprintf("/setw?v=v%d", i), 200, "set")
			select {
			case answer = <-watched:
				break setting
			case <-time.After(200 * time.Millisecond):
			}
		}
		var from, to int
		if _, err := fmt.Sscanf(answer, "v%d->v%d", &from, &to); err != nil || to <= from {
			t.Fatalf("watch answered %q, want vN->vM with M > N", answer)
		}

		// Twenty concurrent compare-and-set increments on the shared store:
		// every one succeeds exactly once.
		const n = 20
		got := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body := p.get("front.example.test", "/shared")
				if status != 200 {
					t.Errorf("shared increment: %d %s", status, body)
				}
				got[i], _ = strconv.Atoi(body)
			}()
		}
		wg.Wait()
		sort.Ints(got)
		for i, v := range got {
			if v != i+1 {
				t.Fatalf("concurrent compare-and-set increments returned %v, want 1..%d once each", got, n)
			}
		}
		p.kill()

		p2 := startEdge(t, config, data)
		p2.expect("front.example.test", "/log", 200, "1=a,2=b,3=c")
		p2.expect("front.example.test", "/hits", 200, "20")
		p2.expect("front.example.test", "/add?v=d", 200, "4 20")
		p2.expect("front.example.test", "/add?name=alice&v=y", 200, "2 20")
	})
}

// docs/SEMANTICS.md, "Durability": under load, SIGKILL at any moment loses
// no acknowledged write. Clients increment four coordinators through the
// worker (each increment is a Deno.storage.put the handler does not
// await: only the output gate makes it durable before the answer); after
// each kill and restart, every coordinator's count is at least the highest
// count it acknowledged and at most the number of increments sent to it.
func TestAcknowledgedWritesSurviveRepeatedKills(t *testing.T) {
	eachStore(t, func(t *testing.T) {
		config := writeProject(t, kvProject)
		data := t.TempDir()
		names := []string{"c0", "c1", "c2", "c3"}
		acked := map[string]int{}
		sent := map[string]int{}
		var mu sync.Mutex
		for round := range 3 {
			p := startEdge(t, config, data)
			for _, name := range names {
				status, body := p.get("front.example.test", "/bumps?name="+name)
				n, _ := strconv.Atoi(body)
				mu.Lock()
				if status != 200 || n < acked[name] || n > sent[name] {
					t.Fatalf("round %d: %s counts %q (status %d) after restart; acknowledged %d, sent %d\n%s", round, name, body, status, acked[name], sent[name], p.logs())
				}
				mu.Unlock()
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := names[w%len(names)]
					for ctx.Err() == nil {
						mu.Lock()
						sent[name]++
						mu.Unlock()
						n, ok := addOnce(ctx, p.addr, name)
						if !ok {
							continue
						}
						mu.Lock()
						acked[name] = max(acked[name], n)
						mu.Unlock()
					}
				}()
			}
			time.Sleep(time.Duration(300+200*round) * time.Millisecond)
			p.kill() // while requests are in flight
			cancel()
			wg.Wait()
		}
		total := 0
		for _, name := range names {
			total += acked[name]
		}
		if total == 0 {
			t.Fatal("no increment was acknowledged: the test proved nothing")
		}
		t.Logf("acknowledged %v of sent %v", acked, sent)
	})
}

// addOnce sends one increment; ok is false when no answer came back (the
// server died, or the request failed), which leaves the outcome unknown.
func addOnce(ctx context.Context, addr, name string) (int, bool) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/bump?name="+name, nil)
	if err != nil {
		return 0, false
	}
	req.Host = "front.example.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return 0, false
	}
	var n, l int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d %d", &n, &l); err != nil {
		return 0, false
	}
	return n, true
}

// A Postgres that cannot be reached stops `edge dev` at start with an
// error that names the server and what to check, never the password; a
// URL that is not a Postgres URL is a config error naming the key.
func TestPostgresStartupErrors(t *testing.T) {
	base := "domain: example.test\nprojects:\n  - { name: a, entry: a.js, kind: worker }\npersistence:\n  postgres:\n    url: "
	for _, c := range []struct {
		name, url string
		code      int
		want      []string
	}{
		{"unreachable", "postgres://edge:sekrit@127.0.0.1:1/edge", exitFailure, []string{"cannot reach Postgres at 127.0.0.1:1", "is it running"}},
		{"not a Postgres URL", "mysql://edge:sekrit@db/edge", exitUsage, []string{"persistence.postgres.url", "is not a Postgres URL"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := writeProject(t, map[string]string{"edge.yaml": base + c.url + "\n", "a.js": "Deno.serve(() => new Response(''));"})
			code, out := runEdge(t, "dev", "--config", config, "--data", t.TempDir(), "--listen", "127.0.0.1:0")
			if code != c.code {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "sekrit") {
				t.Errorf("the output shows the password:\n%s", out)
			}
		})
	}
}
