package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edge-platform/edge/persistence"
)

const (
	workerHost = "afraid-sheep-21.deno.dev"
	coordHost  = "difficult-butterfly-42.deno.dev"
)

// The README's quick start, as a new user runs it: the proposal's two
// samples, byte for byte, from examples/counter.
// docs/SEMANTICS.md, "Durability": a write is committed before the response
// that follows it is sent, so it survives SIGKILL.
func TestCounterExampleSurvivesKill(t *testing.T) {
	config, err := filepath.Abs("../../examples/counter/edge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	p := startEdge(t, config, data)
	p.expect(workerHost, "/", 200, "Coordinator count: 0")
	p.expect(workerHost, "/increment", 200, "Coordinator count: 1")
	p.expect(workerHost, "/increment", 200, "Coordinator count: 2")
	p.expect(workerHost, "/decrement", 200, "Coordinator count: 1")
	p.kill()

	p2 := startEdge(t, config, data)
	p2.expect(workerHost, "/", 200, "Coordinator count: 1")
	// The coordinator's own 404 for an unknown path comes back through the worker.
	p2.expect(workerHost, "/nope", 200, "Coordinator count: Not found")
}

// docs/SEMANTICS.md, "Access": a coordinator's host answers 404 on the
// public ingress, exactly like a host that does not exist.
func TestCoordinatorIsPrivate(t *testing.T) {
	config, _ := filepath.Abs("../../examples/counter/edge.yaml")
	p := startEdge(t, config, t.TempDir())

	status, body := p.get(coordHost, "/increment")
	if status != 404 {
		t.Fatalf("coordinator host: status %d, want 404", status)
	}
	unknownStatus, unknownBody := p.get("no-such-project.deno.dev", "/increment")
	if unknownStatus != 404 {
		t.Fatalf("unknown host: status %d, want 404", unknownStatus)
	}
	hostRE := regexp.MustCompile(`"[^"]*"`)
	if hostRE.ReplaceAllString(body, "HOST") != hostRE.ReplaceAllString(unknownBody, "HOST") {
		t.Fatalf("a private project is distinguishable from a missing one:\n%q\n%q", body, unknownBody)
	}
	// And it was not reached: the count is still 0.
	p.expect(workerHost, "/", 200, "Coordinator count: 0")
	// Duplicates are private too.
	if s, _ := p.get("alice."+coordHost, "/"); s != 404 {
		t.Fatalf("duplicate coordinator host: status %d, want 404", s)
	}
}

// docs/SEMANTICS.md, "Addressing": https://<name>.<project>.<domain> is a
// duplicate coordinator, created on its first request, with its own storage.
func TestDuplicateCoordinators(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": `domain: example.test
projects:
  - { name: front, entry: front.ts, kind: worker }
  - { name: counter, entry: counter.ts, kind: coordinator }
`,
		"front.ts": `export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const name = url.searchParams.get("name");
    const target = name ? "https://" + name + ".counter.example.test" : "https://counter.example.test";
    const res = await fetch(target + url.pathname, { method: "POST" });
    return new Response(res.status + " " + await res.text());
  },
};
`,
		"counter.ts": `let value: number = (await Deno.storage.get("n")) ?? 0;
Deno.serve(async (req) => {
  const host = new URL(req.url).hostname;
  if (new URL(req.url).pathname === "/increment") {
    value++;
    Deno.storage.put("n", value); // not awaited: the output gate holds the response
  }
  return new Response(host + "=" + value);
});
`,
	})
	data := t.TempDir()
	p := startEdge(t, config, data)
	p.expect("front.example.test", "/increment?name=alice", 200, "200 alice.counter.example.test=1")
	p.expect("front.example.test", "/increment?name=alice", 200, "200 alice.counter.example.test=2")
	p.expect("front.example.test", "/increment?name=bob", 200, "200 bob.counter.example.test=1")
	p.expect("front.example.test", "/increment", 200, "200 counter.example.test=1")
	// Not a DNS label: a 400 that says why, and the fetch never left the platform.
	p.expect("front.example.test", "/?name=not_a_label", 200, "400 Bad Request: bad instance name: \"not_a_label\" is not a valid coordinator name: names are DNS labels, 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen\n")
	p.kill()

	p2 := startEdge(t, config, data)
	p2.expect("front.example.test", "/?name=alice", 200, "200 alice.counter.example.test=2")
	p2.expect("front.example.test", "/?name=bob", 200, "200 bob.counter.example.test=1")
	p2.expect("front.example.test", "/?name=carol", 200, "200 carol.counter.example.test=0")
}

func TestInternalFetchBetweenWorkers(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: a, entry: a.js, kind: worker }\n  - { name: b, entry: b.js, kind: worker }\n",
		"a.js":      `Deno.serve(async () => { const r = await fetch("https://b.example.test/hi", { method: "POST", body: "ping" }); return new Response("a<" + await r.text() + ">", { status: r.status }); });`,
		"b.js":      `Deno.serve(async (req) => new Response(req.method + " " + new URL(req.url).pathname + " " + await req.text(), { status: 202 }));`,
	})
	p := startEdge(t, config, t.TempDir())
	p.expect("a.example.test", "/", 202, "a<POST /hi ping>")
}

// docs/SEMANTICS.md, "Outbound fetch": by default a worker cannot reach the
// node's loopback (or any private network); fetch rejects with a TypeError
// that names the URL, the address and the config key that opens it.
func TestOutboundFetchToLoopbackRefusedByDefault(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case reached <- struct{}{}:
		default:
		}
		w.Write([]byte("secret"))
	}))
	defer srv.Close()
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: probe, entry: mod.js, kind: worker }\n",
		"mod.js": `Deno.serve(async () => {
  try { return new Response("reached: " + await (await fetch("` + srv.URL + `/")).text()); }
  catch (e) { return new Response(e.name + ": " + e.message); }
});`,
	})
	p := startEdge(t, config, t.TempDir())
	hostport := strings.TrimPrefix(srv.URL, "http://")
	p.expect("probe.example.test", "/", 200, "TypeError: fetch to "+srv.URL+"/ refused: 127.0.0.1 is a loopback address; "+
		"edge blocks private networks for outbound fetch — allow the host with outbound.allow_hosts in the config (e.g. \""+hostport+"\")")
	select {
	case <-reached:
		t.Fatal("the loopback server was reached")
	default:
	}
}

// Bad input: an exception in a handler is a 500 with a short body; the
// stack is in the logs, with the project name.
func TestHandlerExceptionIs500AndLogged(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: thrower, entry: mod.js, kind: worker }\n",
		"mod.js":    "Deno.serve(handle);\n\nfunction handle(req) {\n  throw new TypeError(\"kaboom\");\n}\n",
	})
	p := startEdge(t, config, t.TempDir())
	status, body := p.get("thrower.example.test", "/")
	if status != 500 {
		t.Fatalf("status %d, want 500", status)
	}
	if len(body) > 200 || strings.Contains(body, "kaboom") || strings.Contains(body, "mod.js") {
		t.Fatalf("body %q: want a short body that does not leak the stack", body)
	}
	p.waitLog(`msg="uncaught exception in handler" project=thrower`)
	logs := p.logs()
	if !strings.Contains(logs, "TypeError: kaboom") || !strings.Contains(logs, "mod.js:4:") {
		t.Fatalf("logs lack the message or the source-mapped stack:\n%s", logs)
	}
}

func TestTopLevelExceptionIsLoggedAndServed500(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: broken, entry: mod.js, kind: coordinator }\n  - { name: front, entry: front.js, kind: worker }\n",
		"mod.js":    "throw new Error(\"cannot start\");\n",
		"front.js":  `Deno.serve(async () => { const r = await fetch("https://broken.example.test/"); return new Response(r.status + " " + await r.text()); });`,
	})
	p := startEdge(t, config, t.TempDir())
	p.waitLog("project=broken")
	status, body := p.get("front.example.test", "/")
	if status != 200 || !strings.HasPrefix(body, "500 Internal Server Error: the module failed to start: Error: cannot start") {
		t.Fatalf("got %d %q", status, body)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: echo, entry: mod.js, kind: worker }\nlimits:\n  max_body_bytes: 1024\n",
		"mod.js":    `Deno.serve(async (req) => new Response(String((await req.text()).length)));`,
	})
	p := startEdge(t, config, t.TempDir())
	if status, body := p.do("POST", "echo.example.test", "/", strings.Repeat("x", 1024)); status != 200 || body != "1024" {
		t.Fatalf("at the limit: %d %q", status, body)
	}
	status, body := p.do("POST", "echo.example.test", "/", strings.Repeat("x", 1025))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "limits.max_body_bytes (1024 bytes)") {
		t.Fatalf("over the limit: %d %q", status, body)
	}
}

func TestCPUTimeLimitIs503AndTheInstanceIsReplaced(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: spin, entry: mod.js, kind: worker }\nworkers:\n  instances: 1\nlimits:\n  cpu_time: 100ms\n",
		"mod.js":    `let served = 0; Deno.serve((req) => { if (new URL(req.url).pathname === "/spin") for (;;) {} return new Response("served " + ++served); });`,
	})
	p := startEdge(t, config, t.TempDir())
	p.expect("spin.example.test", "/", 200, "served 1")
	status, body := p.get("spin.example.test", "/spin")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "CPU time limit (limits.cpu_time = 100ms)") {
		t.Fatalf("a request that spins: %d %q", status, body)
	}
	// A fresh VM serves the next request: its module state starts over.
	p.expect("spin.example.test", "/", 200, "served 1")
}

func TestUnknownHostNamesTheProblem(t *testing.T) {
	config, _ := filepath.Abs("../../examples/counter/edge.yaml")
	p := startEdge(t, config, t.TempDir())
	status, body := p.get("localhost", "/")
	if status != 404 || !strings.Contains(body, `host "localhost"`) || !strings.Contains(body, "<project>.deno.dev") {
		t.Fatalf("got %d %q", status, body)
	}
}

// Bad input at start-up: each fails fast, non-zero, naming the problem.
func TestStartupErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		code  int
		want  []string
	}{
		{
			name: "syntax error names file line column and message",
			files: map[string]string{
				"edge.yaml":  "domain: example.test\nprojects:\n  - { name: bad, entry: src/mod.ts, kind: worker }\n",
				"src/mod.ts": "import { x } from \"./lib.ts\";\nDeno.serve(() => new Response(x));\n",
				"src/lib.ts": "export const x = 1;\nexport const y = {;\n",
			},
			code: exitFailure,
			want: []string{"project bad:", "src/lib.ts:2:19: Expected identifier but found \";\""},
		},
		{
			name: "missing entry",
			files: map[string]string{
				"edge.yaml": "domain: example.test\nprojects:\n  - { name: a, entry: nowhere.js, kind: worker }\n",
			},
			code: exitUsage,
			want: []string{"edge.yaml:3: projects[0].entry: file ", "nowhere.js does not exist"},
		},
		{
			name: "unknown kind",
			files: map[string]string{
				"edge.yaml": "domain: example.test\nprojects:\n  - name: a\n    entry: a.js\n    kind: lambda\n",
				"a.js":      "Deno.serve(() => new Response(''));",
			},
			code: exitUsage,
			want: []string{"edge.yaml:5: projects[0].kind: unknown kind \"lambda\"; valid kinds: worker, coordinator"},
		},
		{
			name: "unknown cluster provider",
			files: map[string]string{
				"edge.yaml": "domain: example.test\ncluster: { provider: zookeeper }\nprojects:\n  - { name: a, entry: a.js, kind: worker }\n",
				"a.js":      "Deno.serve(() => new Response(''));",
			},
			code: exitUsage,
			want: []string{`edge.yaml:2: cluster.provider: unknown provider "zookeeper"; valid providers: automanaged, etcd, consul, k8s`},
		},
		{
			name: "cluster provider consul without a shared store",
			files: map[string]string{
				"edge.yaml": "domain: example.test\ncluster: { provider: consul, bind: 127.0.0.1:8090 }\nprojects:\n  - { name: a, entry: a.js, kind: worker }\n",
				"a.js":      "Deno.serve(() => new Response(''));",
			},
			code: exitUsage,
			want: []string{"edge.yaml:2: cluster.provider: consul forms a cluster of several nodes, which needs a shared store: set persistence.postgres.url"},
		},
		{
			name: "remote import",
			files: map[string]string{
				"edge.yaml": "domain: example.test\nprojects:\n  - { name: a, entry: a.js, kind: worker }\n",
				"a.js":      "import { x } from \"https://example.com/x.ts\";\nDeno.serve(() => new Response(x));\n",
			},
			code: exitFailure,
			want: []string{"a.js:1:19: cannot import \"https://example.com/x.ts\"", "vendor the module"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			config := writeProject(t, c.files)
			code, out := runEdge(t, "dev", "--config", config, "--data", t.TempDir(), "--listen", "127.0.0.1:0")
			if code != c.code {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestMissingConfigAndBadFlags(t *testing.T) {
	code, out := runEdge(t, "dev", "--config", filepath.Join(t.TempDir(), "edge.yaml"))
	if code != exitUsage || !strings.Contains(out, "config file not found") {
		t.Fatalf("missing config: %d %s", code, out)
	}
	code, out = runEdge(t, "serve-everything")
	if code != exitUsage || !strings.Contains(out, `unknown command "serve-everything"`) {
		t.Fatalf("unknown command: %d %s", code, out)
	}
	code, out = runEdge(t, "dev", "--nope")
	if code != exitUsage || !strings.Contains(out, "flag provided but not defined: -nope") {
		t.Fatalf("unknown flag: %d %s", code, out)
	}
}

// docs/SEMANTICS.md, "Passivation": an idle activation is stopped and the
// next request activates it again from storage, under a new epoch.
func TestIdleCoordinatorIsPassivatedAndComesBack(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": `domain: example.test
projects:
  - { name: front, entry: front.js, kind: worker }
  - { name: counter, entry: counter.js, kind: coordinator }
coordinators:
  idle_timeout: 300ms
`,
		"front.js": `Deno.serve(async (req) => { const r = await fetch("https://counter.example.test" + new URL(req.url).pathname); return new Response(await r.text()); });`,
		"counter.js": `let n = (await Deno.storage.get("n")) ?? 0; const born = Date.now();
Deno.serve(async (req) => { if (new URL(req.url).pathname === "/inc") { n++; await Deno.storage.put("n", n); } return new Response(String(n)); });`,
	})
	p := startEdge(t, config, t.TempDir(), "--log-level", "debug")
	const passivated = `msg="passivating activation" project=counter instance=_default`
	p.expect("front.example.test", "/inc", 200, "1")
	p.expect("front.example.test", "/inc", 200, "2")
	// The default coordinator was activated at deploy time and may already
	// have idled once; wait for the passivation of the activation that
	// served the requests above.
	before := strings.Count(p.logs(), passivated)
	p.waitFor(func(logs string) bool { return strings.Count(logs, passivated) > before }, "another passivation")
	activations := strings.Count(p.logs(), "msg=activated project=counter instance=_default")
	p.expect("front.example.test", "/", 200, "2")
	p.expect("front.example.test", "/inc", 200, "3")
	// It came back under a new epoch.
	if n := strings.Count(p.logs(), "msg=activated project=counter instance=_default"); n != activations+1 {
		t.Fatalf("activations %d, want %d:\n%s", n, activations+1, p.logs())
	}
}

func TestSigtermShutsDownCleanly(t *testing.T) {
	config, _ := filepath.Abs("../../examples/counter/edge.yaml")
	data := t.TempDir()
	p := startEdge(t, config, data)
	p.expect(workerHost, "/increment", 200, "Coordinator count: 1")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("edge did not exit after SIGTERM:\n%s", p.logs())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != exitOK {
		t.Fatalf("exit code %d after SIGTERM, want %d:\n%s", code, exitOK, p.logs())
	}
	if !strings.Contains(p.logs(), `msg="shutting down"`) {
		t.Fatalf("no shutdown line:\n%s", p.logs())
	}
	// It left the members table before closing the store: the row is gone
	// and nothing was logged about it.
	if strings.Contains(p.logs(), "leaving the cluster") {
		t.Fatalf("leaving the cluster failed:\n%s", p.logs())
	}
	st, err := persistence.OpenSQLite(context.Background(), filepath.Join(data, "edge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	members, _, err := st.Members(context.Background())
	st.Close()
	if err != nil || len(members) != 0 {
		t.Fatalf("members after SIGTERM: %+v, %v; want none", members, err)
	}
	p2 := startEdge(t, config, data)
	p2.expect(workerHost, "/", 200, "Coordinator count: 1")
}

// A streamed response reaches the client chunk by chunk: the first event
// arrives while the handler still holds the stream open (it waits for
// /release, a second request), both from a worker and from a coordinator
// whose stream a worker passes through.
func TestStreamedResponsesReachTheClientAsTheyAreProduced(t *testing.T) {
	const producer = `let release; let released = new Promise((r) => (release = r));
const handler = (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/release") { release(); released = new Promise((r) => (release = r)); return new Response("released"); }
  if (path === "/upload") return (async () => { let n = 0; for await (const c of req.body) n += c.byteLength; return new Response("got " + n); })();
  const wait = released;
  const enc = new TextEncoder();
  const body = new ReadableStream({
    async start(c) {
      c.enqueue(enc.encode("data: one\n\n"));
      await wait;
      c.enqueue(enc.encode("data: two\n\n"));
      c.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
};
`
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: sse, entry: sse.js, kind: worker }\n  - { name: room, entry: room.js, kind: coordinator }\n  - { name: front, entry: front.js, kind: worker }\nworkers:\n  instances: 1\n",
		"sse.js":    producer + "Deno.serve(handler);\n",
		"room.js":   producer + "export default { fetch: handler };\n",
		"front.js":  `Deno.serve(async (req) => { const u = new URL(req.url); const r = await fetch("https://room.example.test" + u.pathname, { method: req.method, body: req.body, duplex: "half" }); return new Response(r.body, { status: r.status, headers: r.headers }); });`,
	})
	p := startEdge(t, config, t.TempDir())
	for _, host := range []string{"sse.example.test", "front.example.test"} {
		t.Run(host, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+p.addr+"/events", nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("content-type %q: %d %s\n%s", ct, resp.StatusCode, b, p.logs())
			}
			r := bufio.NewReader(resp.Body)
			if line, err := r.ReadString('\n'); err != nil || line != "data: one\n" {
				t.Fatalf("first event: %q %v", line, err)
			}
			p.expect(host, "/release", 200, "released")
			rest, err := io.ReadAll(r)
			if err != nil || string(rest) != "\ndata: two\n\n" {
				t.Fatalf("rest of the stream: %q %v", rest, err)
			}
			if status, body := p.do("POST", host, "/upload", strings.Repeat("x", 100000)); status != 200 || body != "got 100000" {
				t.Fatalf("streamed upload: %d %q", status, body)
			}
		})
	}
}
