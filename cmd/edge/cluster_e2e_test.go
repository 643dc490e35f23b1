package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/persistence/pgtest"
)

// Multi-node clusters of real `edge serve` processes on one machine: each
// node on its own loopback address (Linux routes all of 127/8 to lo), all
// sharing one fresh Postgres schema. A public worker `api` forwards to the
// coordinator project `counter`, whose activations count in storage and
// say who they are, so the tests can see placement, single activation,
// failover and fencing from the outside, and check the histories they
// record for linearizability (linearizability_test.go).

// nodeSpec names one node of a test cluster.
type nodeSpec struct {
	ID, IP, Region string
}

// threeNodes is the cluster of the README: two nodes in eu, one in us.
var threeNodes = []nodeSpec{
	{ID: "node-a", IP: "127.0.0.1", Region: "eu"},
	{ID: "node-b", IP: "127.0.0.2", Region: "eu"},
	{ID: "node-c", IP: "127.0.0.3", Region: "us"},
}

// clusterLease is cluster.lease in the tests' configs: how long a node
// that stopped heartbeating still owns its coordinators.
const clusterLease = 2 * time.Second

const (
	clusterToken  = "acme-token-0123456789abcdef"
	clusterDomain = "example.test"
)

// clusterNode is one running node.
type clusterNode struct {
	nodeSpec
	*proc
	adminURL string
	// remoting is the address the node's remoting advertises: its IP and
	// bind port.
	remoting string
}

// testCluster is a running cluster with the counter project deployed.
type testCluster struct {
	t     *testing.T
	nodes []*clusterNode
	byID  map[string]*clusterNode
}

// The test project: api (a public worker) forwards ?op= to the coordinator
// counter, ?name= choosing the duplicate (empty: the default instance) and
// ?settings= its creation settings. ?op=ping answers without the counter.
// A failed fetch is a 502 saying so, which the tests count as an error.
const apiJS = `Deno.serve(async (req) => {
  const q = new URL(req.url).searchParams;
  const op = q.get("op") ?? "get";
  if (op === "ping") return new Response("pong");
  const name = q.get("name");
  const settings = q.get("settings");
  try {
    const r = await fetch("https://" + (name ? name + "." : "") + "counter.example.test/" + op,
      { headers: settings ? { "Edge-Coordinator-Settings": settings } : {} });
    const headers = {};
    const retry = r.headers.get("Retry-After");
    if (retry) headers["Retry-After"] = retry;
    return new Response(await r.text(), { status: r.status, headers });
  } catch (e) {
    return new Response("api: fetch failed: " + e, { status: 502 });
  }
});`

// counterJS keeps the value in memory, loaded once per activation: the
// increment itself is synchronous, so concurrent requests cannot
// interleave inside it, and the output gate holds each answer until the
// put before it is committed (or turns it into a 503 if that fails).
const counterJS = `const activation = crypto.randomUUID();
let n = (await Deno.storage.get("n")) ?? 0;
Deno.serve((req) => {
  const op = new URL(req.url).pathname;
  if (op === "/inc") {
    n += 1;
    Deno.storage.put("n", n);
  } else if (op === "/log") {
    console.log("counter log " + activation + " " + n);
  } else if (op !== "/get") {
    return new Response("counter: unknown op " + op, { status: 404 });
  }
  return Response.json({ n, activation });
});`

// freePort finds a port free on ip by listening on it and closing. It
// picks below Linux's ephemeral range (32768-60999), not with :0: a port
// from that range can become the local port of any outgoing connection
// (to Postgres, between nodes) before the node binds it, and providers
// such as automanaged bind 0.0.0.0, which such a connection blocks.
func freePort(t *testing.T, ip string) int {
	t.Helper()
	const low, high = 20000, 32768
	var err error
	for range 200 {
		var ln net.Listener
		port := low + rand.IntN(high-low)
		if ln, err = net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port))); err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatalf("no free port on %s in [%d, %d) (this test needs the loopback addresses 127.0.0.1-3): %v", ip, low, high, err)
	return 0
}

// startCluster writes one config per node, starts the nodes at once, waits
// until each listens, deploys the test project through the first node's
// admin API and waits until every node serves it. The nodes find each
// other as automanaged peers. On failure the nodes' logs are printed.
func startCluster(t *testing.T, specs []nodeSpec) *testCluster {
	t.Helper()
	return startClusterWith(t, specs, nil)
}

// membership is how the nodes of a test cluster find each other (nil:
// automanaged, each node listing the others as peers).
type membership struct {
	// block returns, for a node and the port its remoting binds, the lines
	// of its cluster block that say where remoting binds and which
	// provider it uses.
	block func(s nodeSpec, bindPort int) string
	// command, when set, makes the command that runs a node's `edge
	// serve` with args (in another environment).
	command func(s nodeSpec, args []string) *exec.Cmd
}

// etcdMembership: provider etcd, at endpoint.
func etcdMembership(endpoint string) *membership {
	return &membership{block: func(s nodeSpec, bindPort int) string {
		return fmt.Sprintf("  bind: %s\n  provider: etcd\n  etcd: {endpoints: [%q]}\n", net.JoinHostPort(s.IP, strconv.Itoa(bindPort)), endpoint)
	}}
}

// startClusterWith is startCluster with the nodes finding each other
// through provider (see membership).
func startClusterWith(t *testing.T, specs []nodeSpec, provider *membership) *testCluster {
	t.Helper()
	return startClusterConfig(t, specs, provider, "")
}

// startClusterConfig is startClusterWith with extra appended to every
// node's config (top-level keys, such as projects).
func startClusterConfig(t *testing.T, specs []nodeSpec, provider *membership, extra string) *testCluster {
	t.Helper()
	pg := pgtest.FreshSchema(t, pgtest.URL(t))
	type ports struct{ public, admin, bind, automanaged int }
	used := map[int]bool{}
	pick := func(ip string) int {
		for {
			if p := freePort(t, ip); !used[p] {
				used[p] = true
				return p
			}
		}
	}
	all := make([]ports, len(specs))
	for i, s := range specs {
		// Remoting's port is free on every address: a provider may bind
		// it on 0.0.0.0.
		all[i] = ports{pick(s.IP), pick(s.IP), pick("0.0.0.0"), pick(s.IP)}
	}
	c := &testCluster{t: t, byID: map[string]*clusterNode{}}
	// Registered before the nodes start, so it runs after they are killed:
	// the logs are complete. The nodes run the -race binary under go test
	// -race, and a race it reports in a node fails the test (but see
	// knownUpstreamRace).
	t.Cleanup(func() {
		for _, n := range c.nodes {
			for _, r := range raceReports(n.logs()) {
				if knownUpstreamRace(r) {
					t.Logf("%s: the race detector reported a race inside protoactor-go, not failing for it (see knownUpstreamRace):\n%.700s", n.ID, r)
				} else {
					t.Errorf("%s: the race detector reported a data race:\n%s", n.ID, r)
				}
			}
		}
		if t.Failed() {
			for _, n := range c.nodes {
				t.Logf("---- logs of %s (%s) ----\n%s", n.ID, n.IP, n.logs())
			}
		}
	})
	for i, s := range specs {
		cfg := fmt.Sprintf(`domain: %s
listen: %s
admin:
  listen: %s
accounts:
  - name: acme
    tokens: [%q]
limits:
  request_timeout: 5s
persistence:
  postgres:
    url: %q
cluster:
  name: edge-e2e
  node_id: %s
  region: %s
  lease: %s
`, clusterDomain, net.JoinHostPort(s.IP, strconv.Itoa(all[i].public)), net.JoinHostPort(s.IP, strconv.Itoa(all[i].admin)),
			clusterToken, pg, s.ID, s.Region, clusterLease)
		if provider != nil {
			cfg += provider.block(s, all[i].bind)
		} else {
			var peers []string
			for j, o := range specs {
				if j != i {
					peers = append(peers, strconv.Quote(net.JoinHostPort(o.IP, strconv.Itoa(all[j].automanaged))))
				}
			}
			cfg += fmt.Sprintf("  bind: %s\n  provider: automanaged\n  peers: [%s]\n  automanaged_port: %d\n",
				net.JoinHostPort(s.IP, strconv.Itoa(all[i].bind)), strings.Join(peers, ", "), all[i].automanaged)
		}
		cfg += extra
		path := filepath.Join(t.TempDir(), s.ID+".yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"serve", "--config", path, "--data", t.TempDir()}
		cmd := exec.Command(edgeBin, args...)
		if provider != nil && provider.command != nil {
			cmd = provider.command(s, args)
		}
		n := &clusterNode{nodeSpec: s, proc: spawnCmd(t, cmd), remoting: net.JoinHostPort(s.IP, strconv.Itoa(all[i].bind))}
		c.nodes = append(c.nodes, n)
		c.byID[s.ID] = n
	}
	began := time.Now()
	for _, n := range c.nodes {
		n.waitListening()
		n.adminURL = "http://" + n.admin()
	}
	t.Logf("%d nodes listening after %v", len(c.nodes), time.Since(began).Round(time.Millisecond))

	project := writeProject(t, map[string]string{
		"edge.yaml": "domain: " + clusterDomain + "\nprojects:\n" +
			"  - { name: api, entry: api.js, kind: worker }\n" +
			"  - { name: counter, entry: counter.js, kind: coordinator }\n",
		"api.js":     apiJS,
		"counter.js": counterJS,
	})
	if code, out := runEdge(t, "deploy", "--config", project, "--server", c.nodes[0].adminURL, "--token", clusterToken); code != 0 {
		t.Fatalf("deploy through %s = %d:\n%s", c.nodes[0].ID, code, out)
	}
	for _, n := range c.nodes {
		// Both projects: a node loads deployments one project at a time,
		// so the worker can be there before the coordinator it calls.
		eventually(t, n.ID+" serves the deployed project", func() (bool, string) {
			status, body, err := c.request(n, "op=ping")
			if err != nil || status != 200 || body != "pong" {
				return false, fmt.Sprintf("%d %q %v", status, body, err)
			}
			status, body, err = c.request(n, "op=get")
			return err == nil && status == 200, fmt.Sprintf("%d %q %v", status, body, err)
		})
	}
	t.Logf("project served by every node %v after start", time.Since(began).Round(time.Millisecond))
	return c
}

// raceReports returns the race detector's reports in a node's log.
func raceReports(logs string) []string {
	var out []string
	for _, part := range strings.Split(logs, "WARNING: DATA RACE")[1:] {
		if end := strings.Index(part, "=================="); end >= 0 {
			part = part[:end]
		}
		out = append(out, "WARNING: DATA RACE"+part)
	}
	return out
}

// knownUpstreamRace says whether a race report is one of protoactor-go's
// own: both accesses happen in its code, no frame of edge's on either
// stack (edge's frames may appear where the goroutines were started).
// Those seen so far, whenever a node dies or pauses: remote.BlockList
// swaps its copy-on-write set under a mutex that IsBlocked and
// BlockedMembers do not take, and the provider updates the MemberList
// (MemberList.UpdateClusterTopology, under its mutex) while the gossip
// actor reads it without (MemberList.ContainsMemberID): automanaged's
// monitor, consul's provider actor and k8s's pod watch all do
// (protoactor-go v0.0.0-20240822202345). edge cannot fix them
// short of patching the dependency, and correctness does not rest on
// membership (fencing in persistence does), so they are logged, not failed
// on. Every other race fails the test.
func knownUpstreamRace(report string) bool {
	upstream := false
	report = strings.TrimPrefix(report, "WARNING: DATA RACE")
	for _, section := range strings.Split(report, "\n\n") {
		first, _, _ := strings.Cut(strings.TrimSpace(section), "\n")
		if !strings.Contains(first, " at 0x") || strings.Contains(first, "created at") {
			continue // not an access: where a goroutine was created
		}
		if strings.Contains(section, "github.com/edge-platform/edge") {
			return false
		}
		upstream = upstream || strings.Contains(section, "github.com/asynkron/protoactor-go/")
	}
	return upstream
}

// eventually polls ok every 100 ms until it holds, failing the test after
// 30 s with what ok said last.
func eventually(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		done, last := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s; last: %s", what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clusterClient has no timeout of its own below the nodes'
// limits.request_timeout (5 s): a request that hangs longer is a finding.
var clusterClient = &http.Client{Timeout: 60 * time.Second}

// request sends GET api.example.test/?query to node n. It never fails the
// test, so clients in goroutines can use it.
func (c *testCluster) request(n *clusterNode, query string) (int, string, error) {
	req, err := http.NewRequest("GET", "http://"+n.addr+"/?"+query, nil)
	if err != nil {
		return 0, "", err
	}
	req.Host = "api." + clusterDomain
	resp, err := clusterClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// counterReply is the counter's answer.
type counterReply struct {
	N          int64  `json:"n"`
	Activation string `json:"activation"`
}

// counter sends op (inc or get) for duplicate name (with creation
// settings, if any) through node n's worker. A 200 whose body is not the
// counter's JSON is reported as an error.
func (c *testCluster) counter(n *clusterNode, name, op, settings string) (int, counterReply, string, error) {
	q := url.Values{"op": {op}, "name": {name}}
	if settings != "" {
		q.Set("settings", settings)
	}
	status, body, err := c.request(n, q.Encode())
	var r counterReply
	if err == nil && status == 200 {
		if err = json.Unmarshal([]byte(body), &r); err == nil && r.Activation == "" {
			err = fmt.Errorf("no activation in %q", body)
		}
	}
	return status, r, body, err
}

// coordinatorInfo is one entry of GET /v1/projects/counter/coordinators.
type coordinatorInfo struct {
	Name     string          `json:"name"`
	State    string          `json:"state"`
	Node     string          `json:"node"`
	Region   string          `json:"region"`
	Epoch    int64           `json:"epoch"`
	Settings json.RawMessage `json:"settings"`
}

func (ci coordinatorInfo) String() string {
	return fmt.Sprintf("%s: %s on %q in %q, epoch %d, settings %s", ci.Name, ci.State, ci.Node, ci.Region, ci.Epoch, ci.Settings)
}

// coordinators asks node n's admin API for the counter's instances. It
// never fails the test.
func (c *testCluster) coordinators(n *clusterNode) ([]coordinatorInfo, error) {
	return c.coordinatorsOf(n, "counter")
}

// coordinatorsOf asks node n's admin API for project's instances.
func (c *testCluster) coordinatorsOf(n *clusterNode, project string) ([]coordinatorInfo, error) {
	req, err := http.NewRequest("GET", n.adminURL+"/v1/projects/"+project+"/coordinators", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	resp, err := clusterClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("admin API of %s: %d %s", n.ID, resp.StatusCode, b)
	}
	var out []coordinatorInfo
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("admin API of %s: %v in %s", n.ID, err, b)
	}
	return out, nil
}

// coordinator returns the entries named name as node n's admin API lists
// them (the tests expect exactly one).
func (c *testCluster) coordinator(n *clusterNode, name string) ([]coordinatorInfo, error) {
	all, err := c.coordinators(n)
	var out []coordinatorInfo
	for _, ci := range all {
		if ci.Name == name {
			out = append(out, ci)
		}
	}
	return out, err
}

// waitOwner waits until node via's admin API lists name once, owned by one
// of owners, and returns the entry.
func (c *testCluster) waitOwner(via *clusterNode, name string, owners ...string) coordinatorInfo {
	c.t.Helper()
	var got coordinatorInfo
	eventually(c.t, fmt.Sprintf("%s listed by %s as owned by one of %v", name, via.ID, owners), func() (bool, string) {
		cis, err := c.coordinator(via, name)
		if err != nil || len(cis) != 1 {
			return false, fmt.Sprintf("%v %v", cis, err)
		}
		got = cis[0]
		for _, o := range owners {
			if got.Node == o {
				return true, ""
			}
		}
		return false, got.String()
	})
	return got
}

// first sends the first request to a new duplicate (retrying retryable
// answers) and returns its answer.
func (c *testCluster) first(via *clusterNode, name, op, settings string) counterReply {
	c.t.Helper()
	var r counterReply
	eventually(c.t, fmt.Sprintf("%s %s through %s answers 200", op, name, via.ID), func() (bool, string) {
		status, reply, body, err := c.counter(via, name, op, settings)
		if err == nil && status != 200 && !retryable(status) {
			c.t.Fatalf("%s %s through %s = %d %q, want 200 or a retryable status", op, name, via.ID, status, body)
		}
		r = reply
		return err == nil && status == 200, fmt.Sprintf("%d %q %v", status, body, err)
	})
	return r
}

// ownedBy creates duplicates named prefix-0, prefix-1, ... through node
// via until one is placed on node owner, and returns its name.
// Rendezvous hashing spreads a region's duplicates over its members, so a
// few tries suffice; 40 failures in a row mean placement never picks it.
func (c *testCluster) ownedBy(via *clusterNode, prefix, owner string) string {
	c.t.Helper()
	var seen []string
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		c.first(via, name, "get", "")
		ci := c.waitOwner(via, name, "node-a", "node-b", "node-c")
		if ci.Node == owner {
			return name
		}
		seen = append(seen, ci.Node)
	}
	c.t.Fatalf("none of 40 duplicates created through %s was placed on %s; owners: %v", via.ID, owner, seen)
	return ""
}

// loadPhase is how many successful operations the failover tests wait for
// before they kill or pause a node, and again after: counts, not time, so
// a slow machine makes the phases longer rather than emptier.
const loadPhase = 100

// retryable says whether a client may retry status during failover.
func retryable(status int) bool { return status == 503 || status == 504 }

// load runs clients against duplicate name, recording into h, until stop
// is closed; wait waits for them. ok counts successful operations.
type load struct {
	c    *testCluster
	h    *counterHistory
	name string
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
	ok   atomic.Int64
	next int
}

// newLoad prepares clients for name; they are stopped when the test ends
// if it did not get to finish.
func newLoad(c *testCluster, name string) *load {
	l := &load{c: c, h: newCounterHistory(), name: name, stop: make(chan struct{})}
	c.t.Cleanup(l.halt)
	return l
}

// halt stops the clients and waits for them.
func (l *load) halt() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

// add starts one client per node in vias; each increments (three times in
// four) or reads the counter until stopped.
func (l *load) add(vias ...*clusterNode) {
	for _, via := range vias {
		id := l.next
		l.next++
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				op := l.do(id, via, i%4 != 3)
				if op.Status != 200 {
					// Back off a little, as a client honouring
					// Retry-After would, but keep probing.
					select {
					case <-l.stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			}
		}()
	}
}

// do runs and records one operation.
func (l *load) do(client int, via *clusterNode, inc bool) counterOp {
	opName := "get"
	if inc {
		opName = "inc"
	}
	op := counterOp{Client: client, Inc: inc, Via: via.ID, Call: l.h.now()}
	status, r, body, err := l.c.counter(via, l.name, opName, "")
	op.Return = l.h.now()
	switch {
	case err != nil && status == 200:
		op.Status, op.Body = -1, err.Error() // a 200 that is not the counter's answer
	case err != nil:
		op.Body = err.Error() // status 0: the request failed
	default:
		op.Status, op.N, op.Activation, op.Body = status, r.N, r.Activation, body
	}
	if op.Status == 200 {
		op.Body = ""
		l.ok.Add(1)
	}
	l.h.add(op)
	return op
}

// successesSince counts 200s invoked after t.
func (l *load) successesSince(t time.Duration) int {
	n := 0
	for _, op := range l.h.snapshot() {
		if op.Status == 200 && op.Call > t {
			n++
		}
	}
	return n
}

// finish stops the clients, then reads the final value through via
// (retrying until a 200) and records that read too.
func (l *load) finish(via *clusterNode) int64 {
	l.c.t.Helper()
	l.halt()
	var final int64
	eventually(l.c.t, "a final read of "+l.name+" through "+via.ID, func() (bool, string) {
		op := l.do(l.next, via, false)
		final = op.N
		return op.Status == 200, fmt.Sprintf("%d %q", op.Status, op.Body)
	})
	return final
}

// checkHistory asserts what every failover test asserts: only 200s and
// retryable statuses, a linearizable history, and a final value that
// counts every acknowledged increment and at most the unknown ones.
func (l *load) checkHistory(final int64) []counterOp {
	t := l.c.t
	t.Helper()
	ops := l.h.snapshot()
	statuses := map[int]int{}
	var acked, unknown int64
	for _, op := range ops {
		statuses[op.Status]++
		if op.Status != 200 && !retryable(op.Status) {
			t.Errorf("client %d via %s: %s answered %d %q, want 200 or a retryable 503/504", op.Client, op.Via, map[bool]string{true: "inc", false: "get"}[op.Inc], op.Status, op.Body)
		}
		if op.Inc && op.Status == 200 {
			acked++
		} else if op.Inc {
			unknown++
		}
	}
	t.Logf("%d operations: statuses %v; %d increments acknowledged, %d unknown; final value %d", len(ops), statuses, acked, unknown, final)
	if final < acked || final > acked+unknown {
		t.Errorf("final value %d, want between %d acknowledged increments and %d (acknowledged plus unknown)", final, acked, acked+unknown)
	}
	checkLinearizable(t, ops)
	return ops
}

// a. Concurrent first requests for one name through every node create one
// activation: every success reports the same activation id, and the
// directory lists the name once, with one owner.
func TestClusterConcurrentFirstRequestsCreateOneActivation(t *testing.T) {
	c := startCluster(t, threeNodes)
	const perNode = 2
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("race-%d", i)
		type answer struct {
			via    string
			status int
			reply  counterReply
			body   string
			err    error
		}
		answers := make(chan answer, len(c.nodes)*perNode)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, n := range c.nodes {
			for j := 0; j < perNode; j++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					status, reply, body, err := c.counter(n, name, "inc", "")
					answers <- answer{n.ID, status, reply, body, err}
				}()
			}
		}
		close(start)
		wg.Wait()
		close(answers)
		activations := map[string][]string{}
		values := map[int64]string{}
		for a := range answers {
			switch {
			case a.err != nil:
				t.Errorf("%s through %s: %v (%d %q)", name, a.via, a.err, a.status, a.body)
			case a.status == 200:
				activations[a.reply.Activation] = append(activations[a.reply.Activation], a.via)
				if other, dup := values[a.reply.N]; dup {
					t.Errorf("%s: two increments (through %s and %s) both answered n=%d", name, other, a.via, a.reply.N)
				}
				values[a.reply.N] = a.via
			case !retryable(a.status):
				t.Errorf("%s through %s = %d %q, want 200 or a retryable status", name, a.via, a.status, a.body)
			default:
				t.Logf("%s through %s = %d %q (retryable)", name, a.via, a.status, a.body)
			}
		}
		if len(activations) != 1 {
			t.Errorf("%s: first requests through every node saw %d activations, want 1: %v", name, len(activations), activations)
		}
		// The directory, as every node's admin API shows it.
		var owner string
		for _, n := range c.nodes {
			cis, err := c.coordinator(n, name)
			if err != nil || len(cis) != 1 || cis[0].Node == "" {
				t.Errorf("%s's admin API lists %s as %v (%v), want once with an owner", n.ID, name, cis, err)
				continue
			}
			if owner != "" && cis[0].Node != owner {
				t.Errorf("%s's admin API says %s is owned by %s, another node said %s", n.ID, name, cis[0].Node, owner)
			}
			owner = cis[0].Node
		}
		t.Logf("%s: activations %v, owner %s", name, activations, owner)
	}
}

// b. Placement: a duplicate goes to the region of the node that first
// asked for it, or to the region its settings name.
func TestClusterPlacement(t *testing.T) {
	c := startCluster(t, threeNodes)
	a, cc := c.byID["node-a"], c.byID["node-c"]
	for _, tc := range []struct {
		name     string
		via      *clusterNode
		settings string
		region   string
		owners   []string
	}{
		{"from-us", cc, "", "us", []string{"node-c"}},
		{"to-us", a, `{"region":"us"}`, "us", []string{"node-c"}},
		{"to-eu", cc, `{"region":"eu"}`, "eu", []string{"node-a", "node-b"}},
	} {
		c.first(tc.via, tc.name, "inc", tc.settings)
		ci := c.waitOwner(a, tc.name, tc.owners...)
		if ci.Region != tc.region {
			t.Errorf("%s first requested through %s with settings %q: region %q, want %q (%s)", tc.name, tc.via.ID, tc.settings, ci.Region, tc.region, ci)
		}
		t.Logf("%s", ci)
	}
}

// c. SIGKILL the owner under load: clients through the other nodes see
// only 200s and retryable errors, service resumes on the other eu node,
// the history is linearizable and no acknowledged increment is lost.
func TestClusterFailoverUnderLoad(t *testing.T) {
	c := startCluster(t, threeNodes)
	a, b, cc := c.byID["node-a"], c.byID["node-b"], c.byID["node-c"]
	name := c.ownedBy(a, "load", "node-b")
	l := newLoad(c, name)
	l.add(a, a, cc, cc)
	eventually(t, fmt.Sprintf("%d successful operations before the kill", loadPhase), func() (bool, string) {
		return l.ok.Load() >= loadPhase, fmt.Sprint(l.ok.Load())
	})
	killed := l.h.now()
	b.kill()
	t.Logf("node-b killed at %v, after %d successful operations", killed.Round(time.Millisecond), l.ok.Load())
	eventually(t, fmt.Sprintf("%d successful operations after the kill", loadPhase), func() (bool, string) {
		n := l.successesSince(killed)
		return n >= loadPhase, fmt.Sprint(n)
	})
	final := l.finish(a)
	ops := l.checkHistory(final)
	for _, op := range ops {
		if op.Status == 200 && op.Call > killed {
			t.Logf("first success invoked after the kill returned %v after it (lease %v)", (op.Return - killed).Round(time.Millisecond), clusterLease)
			break
		}
	}
	ci := c.waitOwner(a, name, "node-a", "node-b", "node-c")
	if ci.Node != "node-a" {
		t.Errorf("after node-b died, %s is owned by %s, want node-a (the other eu node)", name, ci)
	}
}

// d. SIGSTOP the owner: the instance moves; after SIGCONT the paused node
// commits nothing and answers nothing from its old activation.
func TestClusterPausedNodeCannotCommit(t *testing.T) {
	c := startCluster(t, threeNodes)
	a, b, cc := c.byID["node-a"], c.byID["node-b"], c.byID["node-c"]
	name := c.ownedBy(a, "paused", "node-b")
	before := c.waitOwner(a, name, "node-b")
	l := newLoad(c, name)
	l.add(a, a, cc, cc)
	eventually(t, fmt.Sprintf("%d successful operations before the pause", loadPhase), func() (bool, string) {
		return l.ok.Load() >= loadPhase, fmt.Sprint(l.ok.Load())
	})
	var old string
	for _, op := range l.h.snapshot() {
		if op.Status == 200 {
			old = op.Activation
			break
		}
	}
	stopped := l.h.now()
	b.signal(syscall.SIGSTOP)
	t.Logf("node-b stopped at %v; activation %.8s", stopped.Round(time.Millisecond), old)
	continued := false
	defer func() {
		if !continued {
			b.signal(syscall.SIGCONT)
		}
	}()
	var moved time.Duration
	eventually(t, "a success from a new activation while node-b is stopped", func() (bool, string) {
		for _, op := range l.h.snapshot() {
			if op.Status == 200 && op.Activation != old {
				moved = op.Return
				return true, ""
			}
		}
		return false, "none yet"
	})
	t.Logf("a new activation answered %v after the stop (lease %v)", (moved - stopped).Round(time.Millisecond), clusterLease)
	b.signal(syscall.SIGCONT)
	continued = true
	resumed := l.h.now()
	// The resumed node is a client's entry point too: whatever it still
	// holds of the old activation must neither commit nor answer.
	l.add(b, b)
	eventually(t, fmt.Sprintf("%d successful operations after node-b resumed", loadPhase), func() (bool, string) {
		n := l.successesSince(resumed)
		return n >= loadPhase, fmt.Sprint(n)
	})
	final := l.finish(a)
	ops := l.checkHistory(final)
	var firstNew time.Duration = -1
	for _, op := range ops {
		if op.Status == 200 && op.Activation != old && (firstNew < 0 || op.Return < firstNew) {
			firstNew = op.Return
		}
	}
	for _, op := range ops {
		if op.Status == 200 && op.Activation == old && op.Call > firstNew {
			t.Errorf("client %d via %s invoked at %v got an answer from the old activation %.8s (n=%d) after a new one answered at %v",
				op.Client, op.Via, op.Call, old, op.N, firstNew)
		}
	}
	acts := map[string]int{}
	for _, op := range ops {
		if op.Status == 200 {
			acts[op.Activation[:8]]++
		}
	}
	t.Logf("successes per activation %v", acts)
	// It moved to node-a, the only live eu node while node-b was stopped,
	// and every admin API says so (node is the directory's owner), also
	// once node-b is back.
	eventually(t, fmt.Sprintf("every admin API lists %s on node-a under an epoch after %d", name, before.Epoch), func() (bool, string) {
		for _, via := range c.nodes {
			cis, err := c.coordinator(via, name)
			if err != nil || len(cis) != 1 || cis[0].Node != "node-a" || cis[0].Epoch <= before.Epoch {
				return false, fmt.Sprintf("through %s: %v %v", via.ID, cis, err)
			}
		}
		return true, ""
	})
}

// e. A coordinator pinned to a region whose only node dies waits for it:
// retryable 503s, never an owner elsewhere; an unpinned one moves to
// another region after the lease.
func TestClusterPinnedRegionWaits(t *testing.T) {
	c := startCluster(t, threeNodes)
	a, cc := c.byID["node-a"], c.byID["node-c"]
	c.first(a, "pinned", "inc", `{"region":"us","pinned":true}`)
	c.first(a, "roaming", "inc", `{"region":"us"}`)
	c.waitOwner(a, "pinned", "node-c")
	c.waitOwner(a, "roaming", "node-c")
	began := time.Now()
	cc.kill()

	pinnedStatuses := map[int]int{}
	checkPinned := func() {
		t.Helper()
		status, _, body, err := c.counter(a, "pinned", "inc", "")
		pinnedStatuses[status]++
		if err != nil || !retryable(status) {
			t.Errorf("pinned through node-a after node-c died = %d %q %v, want a retryable 503", status, body, err)
		} else if status == 503 && pinnedStatuses[503] == 1 {
			t.Logf("pinned: 503 %q", body)
		}
		cis, err := c.coordinator(a, "pinned")
		if err != nil || len(cis) != 1 {
			t.Errorf("admin API lists pinned as %v %v, want once", cis, err)
		} else if cis[0].Node != "node-c" && cis[0].Node != "" {
			t.Errorf("pinned (us) is owned by %s after node-c died; it must wait for a us node", cis[0])
		}
	}
	var moved time.Duration
	eventually(t, "roaming answers through node-a after node-c died", func() (bool, string) {
		checkPinned()
		status, r, body, err := c.counter(a, "roaming", "get", "")
		if err == nil && status == 200 {
			if r.N != 1 {
				t.Errorf("roaming after moving: n=%d, want 1 (its stored value)", r.N)
			}
			moved = time.Since(began)
			return true, ""
		}
		if err == nil && !retryable(status) {
			t.Errorf("roaming through node-a after node-c died = %d %q, want 200 or retryable", status, body)
		}
		return false, fmt.Sprintf("%d %q %v", status, body, err)
	})
	t.Logf("roaming answered again %v after the kill (lease %v)", moved.Round(time.Millisecond), clusterLease)
	ci := c.waitOwner(a, "roaming", "node-a", "node-b")
	t.Logf("%s", ci)
	// The lease has expired (roaming moved): pinned still waits.
	for i := 0; i < 10; i++ {
		checkPinned()
		time.Sleep(100 * time.Millisecond)
	}
	if pinnedStatuses[503] == 0 {
		t.Errorf("pinned never answered 503 after node-c died: %v", pinnedStatuses)
	}
	t.Logf("pinned statuses after node-c died: %v", pinnedStatuses)
}

// The race filter lets through only reports whose accesses are all
// protoactor-go's.
// A coordinator project deployed through one node whose default instance
// the directory gives to another: the deploy waits until that node has
// loaded the version and reports whether its module started there (the
// owner loads deployments from the store; the deploying node asks it to
// refresh at once). Which node owns a default is a deterministic hash of
// the project and member names: these names put some on node-b.
func TestClusterDeployStartsTheDefaultCoordinatorOnItsOwner(t *testing.T) {
	c := startCluster(t, threeNodes)
	a := c.byID["node-a"]
	files := map[string]string{"edge.yaml": "domain: " + clusterDomain + "\nprojects:\n"}
	names := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	for _, name := range names {
		files["edge.yaml"] += "  - { name: " + name + ", entry: c.js, kind: greeter }\n"
	}
	files["c.js"] = `const n = (await Deno.storage.get("n")) ?? 0;
Deno.serve(() => new Response("started with " + n));`
	project := writeProject(t, files)
	if code, out := runEdge(t, "deploy", "--config", project, "--server", a.adminURL, "--token", clusterToken); code != 0 {
		t.Fatalf("deploy through node-a = %d:\n%s", code, out)
	}
	owners := map[string]string{}
	for _, name := range names {
		cis, err := c.coordinatorsOf(a, name)
		if err != nil || len(cis) != 1 || cis[0].State != "active" {
			t.Fatalf("%s: %v %v, want its default coordinator active right after the deploy", name, cis, err)
		}
		owners[name] = cis[0].Node
		// A greeter is public: every node serves it once it loaded it.
		for _, n := range c.nodes {
			eventually(t, name+" through "+n.ID, func() (bool, string) {
				status, body := n.get(name+"."+clusterDomain, "/")
				return status == 200 && body == "started with 0", fmt.Sprintf("%d %q", status, body)
			})
		}
	}
	remote := 0
	for _, o := range owners {
		if o != "node-a" {
			remote++
		}
	}
	if remote == 0 {
		t.Fatalf("every default landed on node-a (%v): pick other names so the test covers a remote owner", owners)
	}
	t.Logf("owners of the defaults: %v", owners)
	// A module that throws at start is refused even when another node runs it.
	bad := writeProject(t, map[string]string{
		"edge.yaml": "domain: " + clusterDomain + "\nprojects:\n  - { name: " + names[0] + ", entry: c.js, kind: greeter }\n",
		"c.js":      `throw new Error("broken at start");`,
	})
	code, out := runEdge(t, "deploy", "--config", bad, "--server", a.adminURL, "--token", clusterToken)
	if code == 0 || !strings.Contains(out, "broken at start") {
		t.Fatalf("deploying a module that throws = %d:\n%s\nwant a refusal that quotes the error", code, out)
	}
}

// `edge logs` through any node shows what the code printed on every node,
// each line tagged with the node that ran it; --follow brings another
// node's new lines as they are printed.
func TestClusterLogsFromEveryNode(t *testing.T) {
	c := startCluster(t, threeNodes)
	a, b, cc := c.byID["node-a"], c.byID["node-b"], c.byID["node-c"]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	followed := make(chan admin.LogLine, 1000)
	go func() {
		cl := &admin.Client{BaseURL: a.adminURL, Token: clusterToken}
		err := cl.Logs(ctx, "counter", true, 100, func(l admin.LogLine) error {
			followed <- l
			return nil
		})
		if ctx.Err() == nil {
			t.Errorf("following through node-a ended: %v", err)
		}
	}()
	// waitFollowed waits for a line logged by activation on node.
	waitFollowed := func(r counterReply, instance, node string) {
		t.Helper()
		want := fmt.Sprintf("counter log %s %d", r.Activation, r.N)
		for {
			select {
			case l := <-followed:
				if l.Message == want {
					if l.Instance != instance || l.Node != node || l.Project != "counter" {
						t.Errorf("followed %+v, want instance %s on %s", l, instance, node)
					}
					return
				}
			case <-ctx.Done():
				t.Fatalf("no line %q from %s followed through node-a", want, node)
			}
		}
	}
	// A duplicate first asked for through node-c lives there (region us).
	us := c.first(cc, "logs-us", "log", "")
	c.waitOwner(a, "logs-us", "node-c")
	waitFollowed(us, "logs-us", "node-c")
	// Printed after the follow began, on node-c and on node-a's own.
	us = c.first(cc, "logs-us", "log", "")
	waitFollowed(us, "logs-us", "node-c")
	eu := c.ownedBy(a, "logs-eu", "node-a")
	r := c.first(b, eu, "log", "")
	waitFollowed(r, eu, "node-a")

	// The tail through a third node has both, tagged with their nodes.
	code, out := runEdge(t, "logs", "counter", "--server", b.adminURL, "--token", clusterToken)
	if code != 0 {
		t.Fatalf("edge logs counter through node-b = %d:\n%s", code, out)
	}
	for _, want := range []string{"logs-us@node-c counter log " + us.Activation, eu + "@node-a counter log " + r.Activation} {
		if !strings.Contains(out, want) {
			t.Errorf("edge logs counter through node-b:\n%s\nwant a line with %q", out, want)
		}
	}
}

// A project's default coordinator is active from deploy time; when its node
// dies it is moved and activated on a live node of its region without
// waiting for a request (duplicates move on their next request).
func TestClusterDefaultCoordinatorMovesWithoutARequest(t *testing.T) {
	c := startCluster(t, threeNodes)
	watcher := c.byID["node-c"]
	var owner string
	eventually(t, "the default coordinator is active", func() (bool, string) {
		cis, err := c.coordinatorsOf(watcher, "counter")
		for _, ci := range cis {
			if ci.Name == "_default" && ci.State == "active" {
				owner = ci.Node
				return true, ""
			}
		}
		return false, fmt.Sprintf("%v %v", cis, err)
	})
	if owner != "node-a" && owner != "node-b" {
		t.Fatalf("the default was placed on %s, want an eu node (deployed through node-a)", owner)
	}
	survivor := map[string]string{"node-a": "node-b", "node-b": "node-a"}[owner]
	c.byID[owner].kill()
	killed := time.Now()
	eventually(t, "the default coordinator active again on "+survivor, func() (bool, string) {
		cis, err := c.coordinatorsOf(watcher, "counter")
		for _, ci := range cis {
			if ci.Name == "_default" && ci.State == "active" && ci.Node == survivor {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%v %v", cis, err)
	})
	t.Logf("the default coordinator was active on %s %v after %s was killed, with no request to it", survivor, time.Since(killed).Round(time.Millisecond), owner)
}

// Members that find each other through etcd (cluster.provider etcd, the
// etcd .ci/etcd starts from Debian's package) form the same cluster: one
// activation per instance whichever node asks, and requests cross nodes.
func TestClusterOnEtcdMembership(t *testing.T) {
	endpoint := os.Getenv("EDGE_TEST_ETCD")
	if endpoint == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("EDGE_TEST_ETCD is not set: CI must run the etcd provider's test (bash .ci/etcd starts one)")
		}
		t.Skip("EDGE_TEST_ETCD is not set (bash .ci/etcd starts an etcd and prints it)")
	}
	c := startClusterWith(t, threeNodes[:2], etcdMembership(endpoint))
	a, b := c.byID["node-a"], c.byID["node-b"]
	name := c.ownedBy(a, "etcd", "node-b")
	first := c.first(a, name, "inc", "")
	for i, via := range []*clusterNode{a, b, a, b} {
		status, reply, body, err := c.counter(via, name, "inc", "")
		if err != nil || status != 200 || reply.Activation != first.Activation || reply.N != first.N+int64(i)+1 {
			t.Fatalf("increment %d through %s: %d %+v %q %v; want 200, n=%d from activation %s", i, via.ID, status, reply, body, err, first.N+int64(i)+1, first.Activation)
		}
	}
}

func TestKnownUpstreamRace(t *testing.T) {
	report := func(first, second string) string {
		return "time=... level=INFO msg=x\n==================\nWARNING: DATA RACE\nRead at 0x00c0000551a8 by goroutine 80:\n  " + first +
			"()\n      /x.go:1 +0x1\n\nPrevious write at 0x00c0000551a8 by goroutine 74:\n  " + second +
			"()\n      /y.go:2 +0x2\n\nGoroutine 80 (running) created at:\n  github.com/edge-platform/edge/cluster.Start()\n==================\nmsg=after\n"
	}
	const bl = "github.com/asynkron/protoactor-go/remote.(*BlockList).IsBlocked"
	const blw = "github.com/asynkron/protoactor-go/remote.(*BlockList).Block"
	const ours = "github.com/edge-platform/edge/actors.(*outputGate).barrier"
	const ml = "github.com/asynkron/protoactor-go/cluster.(*MemberList).ContainsMemberID"
	for _, c := range []struct {
		logs  string
		known []bool
	}{
		{"no race here\n", nil},
		{report(bl, blw), []bool{true}},
		{report(bl, ours), []bool{false}},
		{report(ours, blw), []bool{false}},
		{report(ml, blw), []bool{true}},
		{report("sync.(*Map).Load", "github.com/edge-platform/edge/cluster.(*Node).Request"), []bool{false}},
		{report(ours, ours) + report(bl, blw), []bool{false, true}},
	} {
		var got []bool
		for _, r := range raceReports(c.logs) {
			got = append(got, knownUpstreamRace(r))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.known) {
			t.Errorf("%q: known %v, want %v", c.logs, got, c.known)
		}
	}
}
