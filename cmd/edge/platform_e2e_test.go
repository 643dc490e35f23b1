package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/persistence/pgtest"
)

// docs/SEMANTICS.md, "Access": the proposal's 2x2 matrix through the real
// binary. Public kinds (worker, greeter) answer the internet and every
// account; private kinds (coordinator, assistant) answer only their own
// account's fetch(), and to anyone else look exactly like a host that does
// not exist. Custom domains route like the project's own host, also for
// internal fetch.
func TestAccessMatrixEndToEnd(t *testing.T) {
	caller := `export default { async fetch(req) {
  const to = new URL(req.url).searchParams.get("to");
  const r = await fetch("https://" + to + "/");
  return new Response(r.status + " " + await r.text());
} };`
	hello := func(who string) string {
		return `Deno.serve((req) => new Response("` + who + ` " + new URL(req.url).hostname));`
	}
	config := writeProject(t, map[string]string{
		"edge.yaml": `domain: example.test
accounts:
  - name: acme
  - name: globex
projects:
  - { name: front, entry: front.js, kind: worker, account: acme }
  - { name: counter, entry: counter.js, kind: coordinator, account: acme }
  - { name: helper, entry: helper.js, kind: assistant, account: acme }
  - { name: lobby, entry: lobby.js, kind: greeter, account: acme, domains: [lobby.example.com] }
  - { name: rival, entry: rival.js, kind: worker, account: globex }
`,
		"front.js": caller, "rival.js": caller,
		"counter.js": hello("counter"), "helper.js": hello("helper"), "lobby.js": hello("lobby"),
	})
	p := startEdge(t, config, t.TempDir())
	_, missing := p.get("nope.example.test", "/")
	hostRE := regexp.MustCompile(`"[^"]*"`)
	notFound := func(body string) bool {
		return hostRE.ReplaceAllString(body, "H") == hostRE.ReplaceAllString(missing, "H")
	}

	// From the internet.
	for host, want := range map[string]string{
		"lobby.example.test":        "lobby lobby.example.test",
		"room-1.lobby.example.test": "lobby room-1.lobby.example.test",
		"lobby.example.com":         "lobby lobby.example.com",
	} {
		p.expect(host, "/", 200, want)
	}
	for _, host := range []string{"counter.example.test", "x.counter.example.test", "helper.example.test"} {
		if status, body := p.get(host, "/"); status != 404 || !notFound(body) {
			t.Fatalf("public %s = %d %q, want the unknown-host 404", host, status, body)
		}
	}
	// From acme's worker: everything of acme, and public globex.
	for to, want := range map[string]string{
		"counter.example.test":   "200 counter counter.example.test",
		"a.counter.example.test": "200 counter a.counter.example.test",
		"helper.example.test":    "200 helper helper.example.test",
		"lobby.example.com":      "200 lobby lobby.example.com",
		"rival.example.test":     "200 404 " + strings.Replace(missing, "nope.example.test", "counter.example.test", 1),
	} {
		if to == "rival.example.test" {
			continue // rival fetches ?to= itself, checked below
		}
		p.expect("front.example.test", "/?to="+to, 200, want)
	}
	// From globex's worker: acme's private projects do not exist.
	for _, to := range []string{"counter.example.test", "a.counter.example.test", "helper.example.test"} {
		status, body := p.get("rival.example.test", "/?to="+to)
		if status != 200 || !strings.HasPrefix(body, "404 ") || !notFound(strings.TrimPrefix(body, "404 ")) {
			t.Fatalf("globex -> %s = %q, want the unknown-host 404", to, body)
		}
	}
	p.expect("rival.example.test", "/?to=lobby.example.test", 200, "200 lobby lobby.example.test")
	// A bad duplicate name is explained to those who may reach the project.
	status, body := p.get("front.example.test", "/?to=Bad_Name.counter.example.test")
	if status != 200 || !strings.HasPrefix(body, "400 Bad Request: bad instance name: \"bad_name\"") {
		t.Fatalf("bad name = %q", body)
	}
	if status, body := p.get("bad_name.lobby.example.test", "/"); status != 400 || !strings.Contains(body, "DNS labels") {
		t.Fatalf("public bad name = %d %q", status, body)
	}
}

// docs/SEMANTICS.md, "Addressing": creation settings travel on a
// duplicate's first request and are stored; on a later request they are
// ignored and the response says so. A header that is not a JSON object is
// a 400.
func TestCoordinatorSettingsHeader(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: room, entry: room.js, kind: greeter }\n",
		"room.js":   `Deno.serve((req) => new Response("settings header seen by handler: " + req.headers.has("edge-coordinator-settings")));`,
	})
	p := startEdge(t, config, t.TempDir())
	h := http.Header{"Edge-Coordinator-Settings": {`{"region":"eu-west"}`}}
	status, hdr, body := p.doHeaders("GET", "new-1.room.example.test", "/", "", h)
	if status != 200 || body != "settings header seen by handler: false" || hdr.Get("Edge-Coordinator-Settings-Ignored") != "" {
		t.Fatalf("first request = %d %q %v", status, body, hdr)
	}
	status, hdr, _ = p.doHeaders("GET", "new-1.room.example.test", "/", "", h)
	if status != 200 || !strings.Contains(hdr.Get("Edge-Coordinator-Settings-Ignored"), "already exists") {
		t.Fatalf("second request = %d %v", status, hdr)
	}
	status, _, body = p.doHeaders("GET", "new-2.room.example.test", "/", "", http.Header{"Edge-Coordinator-Settings": {"eu"}})
	if status != 400 || !strings.Contains(body, "JSON object") {
		t.Fatalf("bad settings = %d %q", status, body)
	}
}

// A chain of internal fetches past limits.max_hops ends in 508, however the
// code builds its requests.
func TestFetchLoopEndsIn508(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nlimits:\n  max_hops: 4\nprojects:\n  - { name: loop, entry: loop.js, kind: worker }\n",
		"loop.js": `Deno.serve(async (req) => {
  const n = Number(new URL(req.url).searchParams.get("n") ?? 0);
  const r = await fetch("https://loop.example.test/?n=" + (n + 1));
  const text = await r.text();
  return new Response(r.status === 508 ? n + ">508 " + text : text);
});`,
	})
	p := startEdge(t, config, t.TempDir())
	status, body := p.get("loop.example.test", "/")
	if status != 200 || !strings.HasPrefix(body, "4>508 Loop Detected") || !strings.Contains(body, "max_hops = 4") {
		t.Fatalf("loop = %d %q", status, body)
	}
}

// docs/SEMANTICS.md, "Overload": past coordinators.queue_limit a
// coordinator answers 503 with Retry-After and says why.
func TestOverloadedCoordinatorIs503WithRetryAfter(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\ncoordinators:\n  queue_limit: 2\nprojects:\n  - { name: busy, entry: busy.js, kind: greeter }\n",
		"busy.js": `let holding = 0;
Deno.serve(async (req) => {
  if (new URL(req.url).pathname === "/hold") {
    console.log("holding " + (++holding));
    await new Promise((r) => setTimeout(r, 3000));
  }
  return new Response("done");
});`,
	})
	p := startEdge(t, config, t.TempDir())
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.expect("busy.example.test", "/hold", 200, "done")
		}()
	}
	p.waitLog("holding 2")
	status, hdr, body := p.doHeaders("GET", "busy.example.test", "/", "", nil)
	if status != 503 || hdr.Get("Retry-After") != "1" || !strings.Contains(body, "overloaded") {
		t.Fatalf("third request = %d %v %q", status, hdr, body)
	}
	wg.Wait()
	p.expect("busy.example.test", "/", 200, "done")
}

// Past coordinators.max_active the least recently used activation is
// passivated; its state comes back from storage on its next request.
func TestMaxActivePassivatesTheLeastRecentlyUsed(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\ncoordinators:\n  max_active: 2\nprojects:\n  - { name: c, entry: c.js, kind: greeter }\n",
		"c.js": `let inMemory = 0;
Deno.serve(async () => {
  const n = ((await Deno.storage.get("n")) ?? 0) + 1;
  await Deno.storage.put("n", n);
  return new Response("stored " + n + " memory " + (++inMemory));
});`,
	})
	p := startEdge(t, config, t.TempDir(), "--log-level", "debug")
	// The default instance is active from deploy time; a and b push it out.
	p.expect("a.c.example.test", "/", 200, "stored 1 memory 1")
	p.expect("b.c.example.test", "/", 200, "stored 1 memory 1")
	p.waitLog(`msg="passivating activation" project=c instance=_default epoch=2 reason=lru`)
	p.expect("a.c.example.test", "/", 200, "stored 2 memory 2")
	p.expect("c.example.test", "/", 200, "stored 1 memory 1") // back, pushing out b
	p.waitLog(`msg="passivating activation" project=c instance=b epoch=2 reason=lru`)
	p.expect("b.c.example.test", "/", 200, "stored 2 memory 1") // state from storage, a fresh VM
}

// A coordinator with nothing pending hibernates after
// coordinators.hibernate_after: its VM goes, its stored state stays, and its
// next request starts a fresh VM. A pending timer keeps it in memory until
// coordinators.idle_timeout evicts it anyway; once the timer is cleared it
// hibernates. One activated at deploy and never asked waits for
// idle_timeout too.
func TestQuietCoordinatorHibernatesAndComesBack(t *testing.T) {
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\ncoordinators:\n  hibernate_after: 300ms\n  idle_timeout: 3s\nprojects:\n  - { name: g, entry: g.js, kind: greeter }\n",
		"g.js": `let inMemory = 0, timer = null;
Deno.serve(async (req) => {
  const path = new URL(req.url).pathname;
  const n = ((await Deno.storage.get("n")) ?? 0) + 1;
  await Deno.storage.put("n", n);
  if (path === "/timer") timer = setTimeout(() => {}, 600000);
  if (path === "/clear") clearTimeout(timer);
  return new Response("stored " + n + " memory " + (++inMemory));
});`,
	})
	p := startEdge(t, config, t.TempDir(), "--log-level", "debug")
	passivated := func(instance, reason string) *regexp.Regexp {
		return regexp.MustCompile(`msg="passivating activation" project=g instance=` + instance + ` epoch=\d+ reason=` + reason)
	}
	waitPassivated := func(instance, reason string) {
		t.Helper()
		re := passivated(instance, reason)
		p.waitFor(re.MatchString, instance+" passivated ("+reason+")")
	}

	p.expect("a.g.example.test", "/", 200, "stored 1 memory 1")
	waitPassivated("a", "hibernated")
	p.expect("a.g.example.test", "/", 200, "stored 2 memory 1")

	// A pending timer: no hibernation, eviction after idle_timeout.
	p.expect("b.g.example.test", "/timer", 200, "stored 1 memory 1")
	waitPassivated("b", "idle")
	if passivated("b", "hibernated").MatchString(p.logs()) {
		t.Fatalf("b hibernated with a timer pending:\n%s", p.logs())
	}
	p.expect("b.g.example.test", "/", 200, "stored 2 memory 1")

	// Once the timer is cleared, it hibernates.
	p.expect("c.g.example.test", "/timer", 200, "stored 1 memory 1")
	p.expect("c.g.example.test", "/clear", 200, "stored 2 memory 2")
	waitPassivated("c", "hibernated")
	p.expect("c.g.example.test", "/", 200, "stored 3 memory 1")

	// The default instance, activated at deploy and never asked, stays
	// running until idle_timeout: deploy-time activation spares its first
	// request the start, and hibernating it would undo that.
	waitPassivated("_default", "idle")
	if passivated("_default", "hibernated").MatchString(p.logs()) {
		t.Fatalf("the default instance hibernated before its first request:\n%s", p.logs())
	}
}

// edge dev redeploys on change; the redeploy is graceful: a request in
// flight finishes on the old code, the next one runs the new code, and the
// coordinator's stored state carries over.
func TestDevRedeployIsGraceful(t *testing.T) {
	src := func(version string) string {
		return `Deno.serve(async (req) => {
  const n = ((await Deno.storage.get("n")) ?? 0) + 1;
  await Deno.storage.put("n", n);
  if (new URL(req.url).pathname === "/slow") { console.log("slow started"); await new Promise((r) => setTimeout(r, 1500)); }
  return new Response("` + version + ` " + n);
});`
	}
	config := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: g, entry: g.js, kind: greeter }\n",
		"g.js":      src("v1"),
	})
	p := startEdge(t, config, t.TempDir())
	p.expect("g.example.test", "/", 200, "v1 1")
	slow := make(chan string, 1)
	go func() { _, b := p.get("g.example.test", "/slow"); slow <- b }()
	p.waitLog("slow started")
	time.Sleep(10 * time.Millisecond) // a later mtime on coarse file systems
	if err := os.WriteFile(filepath.Join(filepath.Dir(config), "g.js"), []byte(src("v2")), 0o644); err != nil {
		t.Fatal(err)
	}
	p.waitLog("msg=redeployed project=g version=2")
	p.expect("g.example.test", "/", 200, "v2 3")
	if got := <-slow; got != "v1 2" {
		t.Fatalf("in-flight request answered %q, want the old code's v1 2", got)
	}
	// A change that does not start is refused; the running version stays.
	if err := os.WriteFile(filepath.Join(filepath.Dir(config), "g.js"), []byte(`throw new Error("half-written");`), 0o644); err != nil {
		t.Fatal(err)
	}
	p.waitLog("redeploy failed; the running version stays")
	p.expect("g.example.test", "/", 200, "v2 4")
}

// The README's operator path: edge serve with accounts and the admin API,
// edge deploy from a project directory, then inspect and manage it with
// the CLI, and another account's token sees nothing of it.
func TestServeDeployAndInspectWithTheCLI(t *testing.T) {
	server := writeProject(t, map[string]string{
		"edge.yaml": `domain: example.test
admin:
  listen: 127.0.0.1:0
accounts:
  - name: acme
    tokens: ["acme-token-0123456789abcdef"]
  - name: globex
    tokens: ["globex-token-0123456789abcdef"]
`,
	})
	p := startEdgeCmd(t, "serve", server, t.TempDir())
	adminAddr := p.admin()
	project := writeProject(t, map[string]string{
		"edge.yaml": `domain: example.test
projects:
  - { name: shop, entry: shop.js, kind: worker }
  - { name: cart, entry: cart.js, kind: coordinator }
`,
		"shop.js": `Deno.serve(async (req) => {
  const u = new URL(req.url);
  const r = await fetch("https://" + u.searchParams.get("cart") + ".cart.example.test/add?item=" + u.searchParams.get("item"));
  return new Response(await r.text());
});`,
		"cart.js": `const kv = await Deno.openKv();
Deno.serve(async (req) => {
  const item = new URL(req.url).searchParams.get("item");
  await kv.set(["items", item], { qty: 1, at: "now" });
  console.log("added " + item);
  const n = [];
  for await (const e of kv.list({ prefix: ["items"] })) n.push(e.key[1]);
  return new Response(n.join(","));
});`,
	})
	cli := func(token string, args ...string) (int, string) {
		t.Helper()
		return runEdge(t, append(args, "--server", "http://"+adminAddr, "--token", token)...)
	}
	acme, globex := "acme-token-0123456789abcdef", "globex-token-0123456789abcdef"

	code, out := cli(acme, "deploy", "--config", project, "--message", "first")
	if code != 0 || !strings.Contains(out, "deployed shop v1") || !strings.Contains(out, "deployed cart v1") {
		t.Fatalf("deploy = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/?cart=alice&item=apple", 200, "apple")
	p.expect("shop.example.test", "/?cart=alice&item=pear", 200, "apple,pear")
	p.expect("shop.example.test", "/?cart=bob&item=fig", 200, "fig")

	code, out = cli(acme, "projects", "ls")
	if code != 0 || !strings.Contains(out, "shop") || !strings.Contains(out, "cart") {
		t.Fatalf("projects ls = %d:\n%s", code, out)
	}
	code, out = cli(acme, "coordinators", "ls", "cart", "--json")
	var coords []struct {
		Name, State string
		StoredBytes int64 `json:"stored_bytes"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &coords) != nil || len(coords) != 3 {
		t.Fatalf("coordinators ls = %d:\n%s", code, out)
	}
	byName := map[string]int64{}
	for _, c := range coords {
		byName[c.Name] = c.StoredBytes
		if c.State != "active" {
			t.Fatalf("coordinator %s is %s, want active", c.Name, c.State)
		}
	}
	if byName["alice"] <= byName["bob"] || byName["bob"] == 0 || byName["_default"] != 0 {
		t.Fatalf("stored bytes %v", byName)
	}
	code, out = cli(acme, "kv", "ls", "cart", "alice", "--prefix", `["items"]`)
	if code != 0 || !strings.Contains(out, `["items","apple"]`) || !strings.Contains(out, `{"qty":1,"at":"now"}`) {
		t.Fatalf("kv ls = %d:\n%s", code, out)
	}
	code, out = cli(acme, "kv", "get", "cart", "bob", `["items","fig"]`)
	if code != 0 || !strings.Contains(out, `"qty":1`) {
		t.Fatalf("kv get = %d:\n%s", code, out)
	}
	code, out = cli(acme, "logs", "cart")
	if code != 0 || !strings.Contains(out, "added pear") || !strings.Contains(out, "alice") {
		t.Fatalf("logs = %d:\n%s", code, out)
	}

	// Another account sees nothing, and cannot take the name.
	if code, out = cli(globex, "coordinators", "ls", "cart"); code != 1 || !strings.Contains(out, `no project "cart"`) {
		t.Fatalf("globex coordinators ls = %d:\n%s", code, out)
	}
	if code, out = cli(globex, "deploy", "--config", project, "cart"); code != 1 || !strings.Contains(out, "taken by another account") {
		t.Fatalf("globex deploy = %d:\n%s", code, out)
	}
	if code, out = cli("wrong-token-0123456789abcdef", "projects", "ls"); code != 1 || !strings.Contains(out, "token") {
		t.Fatalf("bad token = %d:\n%s", code, out)
	}

	// A new version, then a rollback to the first.
	if err := os.WriteFile(filepath.Join(filepath.Dir(project), "shop.js"), []byte(`Deno.serve(() => new Response("shop v2"));`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out = cli(acme, "deploy", "--config", project, "shop"); code != 0 || !strings.Contains(out, "deployed shop v2") {
		t.Fatalf("deploy v2 = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/", 200, "shop v2")
	// A version whose module throws at start is refused; v2 stays.
	if err := os.WriteFile(filepath.Join(filepath.Dir(project), "shop.js"), []byte(`throw new Error("boom at start");`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out = cli(acme, "deploy", "--config", project, "shop"); code != 1 || !strings.Contains(out, "did not start") || !strings.Contains(out, "boom at start") {
		t.Fatalf("deploy of a module that throws = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/", 200, "shop v2")
	if code, out = cli(acme, "versions", "shop"); code != 0 || !strings.Contains(out, "first") || !strings.Contains(out, "3") {
		t.Fatalf("versions = %d:\n%s", code, out)
	}
	if code, out = cli(acme, "rollback", "shop", "1"); code != 0 || !strings.Contains(out, "v1") {
		t.Fatalf("rollback = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/?cart=alice&item=kiwi", 200, "apple,kiwi,pear") // keys in order

	// Deleting a coordinator deletes its storage; it starts empty again.
	if code, out = cli(acme, "coordinators", "rm", "cart", "alice"); code != 0 {
		t.Fatalf("coordinators rm = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/?cart=alice&item=plum", 200, "plum")

	// Deleting the project: its hosts are gone, and so is its data.
	if code, out = cli(acme, "projects", "rm", "cart"); code != 0 {
		t.Fatalf("projects rm = %d:\n%s", code, out)
	}
	if status, body := p.get("shop.example.test", "/?cart=bob&item=x"); status != 200 || !strings.HasPrefix(body, "Not Found") {
		t.Fatalf("after rm = %d %q", status, body)
	}
	if code, out = cli(acme, "deploy", "--config", project, "cart"); code != 0 {
		t.Fatalf("redeploy cart = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/?cart=bob&item=x", 200, "x")

	// /metrics on the admin listener.
	resp, err := http.Get("http://" + adminAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, want := range []string{`edge_requests_total{code_class="2xx",kind="worker",project="shop"}`, `edge_internal_fetches_total{caller="shop",target="cart"}`, "edge_storage_group_commits_bucket", `edge_coordinators{state="active"}`} {
		if !strings.Contains(sb.String(), want) {
			t.Fatalf("metrics lack %s:\n%.3000s", want, sb.String())
		}
	}
	// A worker project deleted and deployed again at once gets a new pool.
	if code, out = cli(acme, "projects", "rm", "shop"); code != 0 {
		t.Fatalf("projects rm shop = %d:\n%s", code, out)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(project), "shop.js"), []byte(`Deno.serve(() => new Response("shop again"));`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out = cli(acme, "deploy", "--config", project, "shop"); code != 0 || !strings.Contains(out, "deployed shop v1") {
		t.Fatalf("redeploy shop = %d:\n%s", code, out)
	}
	p.expect("shop.example.test", "/", 200, "shop again")
}

// Two nodes on one Postgres database: a project deployed through one
// node's admin API is served by the other within a few seconds, a
// redeploy moves both, and a delete removes it from both. (Until the
// cluster issue lands each node is its own Proto.Actor member.)
func TestNodesSharingPostgresFollowDeployments(t *testing.T) {
	t.Setenv("EDGE_PERSISTENCE_POSTGRES_URL", pgtest.FreshSchema(t, pgtest.URL(t)))
	server := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nadmin:\n  listen: 127.0.0.1:0\naccounts:\n  - name: acme\n    tokens: [\"acme-token-0123456789abcdef\"]\n",
	})
	a := startEdgeCmd(t, "serve", server, t.TempDir())
	b := startEdgeCmd(t, "serve", server, t.TempDir())
	adminA := a.admin()
	project := writeProject(t, map[string]string{
		"edge.yaml": "domain: example.test\nprojects:\n  - { name: hi, entry: hi.js, kind: worker }\n",
		"hi.js":     `Deno.serve(() => new Response("v1"));`,
	})
	deploy := func() {
		t.Helper()
		if code, out := runEdge(t, "deploy", "--config", project, "--server", "http://"+adminA, "--token", "acme-token-0123456789abcdef"); code != 0 {
			t.Fatalf("deploy = %d:\n%s", code, out)
		}
	}
	eventually := func(p *proc, status int, body string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			s, got := p.get("hi.example.test", "/")
			if s == status && (body == "" || got == body) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("node still answers %d %q, want %d %q\n%s", s, got, status, body, p.logs())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	deploy()
	a.expect("hi.example.test", "/", 200, "v1")
	eventually(b, 200, "v1")
	if err := os.WriteFile(filepath.Join(filepath.Dir(project), "hi.js"), []byte(`Deno.serve(() => new Response("v2"));`), 0o644); err != nil {
		t.Fatal(err)
	}
	deploy()
	eventually(b, 200, "v2")
	if code, out := runEdge(t, "projects", "rm", "hi", "--server", "http://"+adminA, "--token", "acme-token-0123456789abcdef"); code != 0 {
		t.Fatalf("projects rm = %d:\n%s", code, out)
	}
	eventually(b, 404, "")
}
