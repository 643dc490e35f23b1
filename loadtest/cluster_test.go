package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/loadtest/loadgen"
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestPercentileAndMedian(t *testing.T) {
	var xs []time.Duration
	for i := 1; i <= 100; i++ {
		xs = append(xs, ms(float64(i)))
	}
	for q, want := range map[float64]time.Duration{0: ms(1), 0.01: ms(1), 0.5: ms(50), 0.99: ms(99), 0.999: ms(100), 1: ms(100)} {
		if got := percentile(xs, q); got != want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", q, got, want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %v", got)
	}
	if got := percentile([]time.Duration{ms(7)}, 0.99); got != ms(7) {
		t.Errorf("percentile of one value = %v", got)
	}
	// The median takes the lower middle value and leaves its input alone.
	in := []time.Duration{ms(9), ms(1), ms(5), ms(3)}
	if got := medianDuration(in); got != ms(3) {
		t.Errorf("median = %v, want 3ms", got)
	}
	if in[0] != ms(9) {
		t.Errorf("medianDuration sorted its input: %v", in)
	}
	if got := medianDuration([]time.Duration{ms(2), ms(8), ms(4)}); got != ms(4) {
		t.Errorf("median of three = %v", got)
	}
	if medianDuration(nil) != 0 {
		t.Error("median of nothing is not 0")
	}
}

// at is a sample sent at t0+sent ms and answered at t0+done ms.
func at(t0 time.Time, sent, done float64, status int, err string) reqSample {
	return reqSample{Sent: t0.Add(ms(sent)), Done: t0.Add(ms(done)), Status: status, Err: err}
}

func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	samples := []reqSample{
		at(t0, 0, 10, 200, ""),
		at(t0, 0, 30, 200, ""),
		at(t0, 10, 30, 503, ""),
		at(t0, 30, 50, 200, ""),
		at(t0, 30, 30, 0, "dial: connection refused"),
	}
	st := summarize("x", samples, 2*time.Second)
	if st.Requests != 5 || st.OK != 3 || st.Errors != 1 || st.Statuses[503] != 1 || st.Statuses[200] != 3 {
		t.Fatalf("counts: %+v", st)
	}
	if st.P50 != ms(20) || st.P99 != ms(30) || st.Max != ms(30) {
		t.Errorf("latencies of the 2xx: p50 %v p99 %v max %v, want 20ms 30ms 30ms", st.P50, st.P99, st.Max)
	}
	if st.Rate != 1.5 {
		t.Errorf("rate = %v, want 3 OK / 2 s", st.Rate)
	}
	if st.FirstErr != "dial: connection refused" {
		t.Errorf("first error %q", st.FirstErr)
	}
	if sub := summarize("y", samples[:2], 0); sub.Rate != 0 {
		t.Errorf("a subset has a rate: %v", sub.Rate)
	}
	if got := otherStatuses(st.Statuses); got != "503:1" {
		t.Errorf("otherStatuses = %q", got)
	}
	if got := otherStatuses(map[int]int{200: 4}); got != "none" {
		t.Errorf("otherStatuses of 200s only = %q", got)
	}
}

func TestAnalyzeFailover(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	kill := t0.Add(ms(1000))
	samples := []reqSample{
		at(t0, 990, 995, 200, ""),   // before the kill
		at(t0, 996, 1001, 200, ""),  // in flight, answered just after: not a recovery
		at(t0, 998, 3000, 503, ""),  // in flight, held, then 503
		at(t0, 999, 3010, 504, ""),  // in flight, held, then 504
		at(t0, 1002, 1003, 500, ""), // sent after: an unexpected status
		at(t0, 1004, 1004, 0, "EOF"),
		at(t0, 3005, 3100, 200, ""), // the first 200 of a request sent after the kill...
		at(t0, 3001, 3050, 200, ""), // ...no: this one ends first
		at(t0, 3200, 3210, 200, ""),
	}
	st := analyzeFailover(samples, kill)
	if !st.Recovered || st.FirstOK != ms(2050) {
		t.Errorf("recovered %v after %v, want true after 2050ms", st.Recovered, st.FirstOK)
	}
	if st.LastOKBefore != ms(5) {
		t.Errorf("last 200 before the kill: %v before it, want 5ms", st.LastOKBefore)
	}
	if st.InFlight != 3 {
		t.Errorf("in flight at the kill: %d, want 3", st.InFlight)
	}
	if st.Requests != 9 || st.OK != 5 || st.Errors != 1 || st.FirstErr != "EOF" {
		t.Errorf("counts: %+v", st)
	}
	if st.NotOK[503] != 1 || st.NotOK[504] != 1 || st.NotOK[500] != 1 || st.Unexpected != 1 {
		t.Errorf("non-200: %v, unexpected %d; want one each of 500, 503, 504 and 1 unexpected", st.NotOK, st.Unexpected)
	}
	// No request sent after the kill succeeded.
	if st := analyzeFailover(samples[:6], kill); st.Recovered {
		t.Errorf("recovered without a 200 sent after the kill: %+v", st)
	}
}

func TestNodeConfigLoads(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"cluster-api.js", "coordinator.js"} {
		b, err := assets.ReadFile("edge/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pg := "postgres://edge:edge@127.0.0.1:5432/edge_test?search_path=loadtest_0a1b2c"
	n := &clusterNode{id: "node-b", region: "eu", ip: "127.0.0.2", public: "127.0.0.2:18002", admin: "127.0.0.2:18102", bind: 19002, auto: 17002}
	peers := []string{"127.0.0.1:17001", "127.0.0.3:17003"}
	for _, projects := range []bool{false, true} {
		path := filepath.Join(dir, fmt.Sprintf("node-%v.yaml", projects))
		if err := os.WriteFile(path, []byte(nodeConfig(n, peers, pg, 2*time.Second, "0123456789abcdef0123456789abcdef", projects)), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := configs.Load(path)
		if err != nil {
			t.Fatalf("projects=%v: %v", projects, err)
		}
		cl := cfg.Cluster
		if cl.NodeID != "node-b" || cl.Region != "eu" || cl.Bind != "127.0.0.2:19002" || cl.AutomanagedPort != 17002 ||
			!slices.Equal(cl.Peers, peers) || cl.Provider != configs.ProviderAutomanaged {
			t.Errorf("cluster block: %+v", cl)
		}
		if lease, err := cfg.ClusterLease(); err != nil || lease != 2*time.Second {
			t.Errorf("lease %v, %v", lease, err)
		}
		if u, _ := cfg.PostgresURL(); u != pg {
			t.Errorf("postgres url %q, want %q", u, pg)
		}
		if cfg.Listen != n.public || cfg.Admin.Listen != n.admin || len(cfg.Tokens()) != 1 {
			t.Errorf("listen %q, admin %q, tokens %d", cfg.Listen, cfg.Admin.Listen, len(cfg.Tokens()))
		}
		want := 0
		if projects {
			want = 2
		}
		if len(cfg.Projects) != want {
			t.Errorf("projects=%v: %d projects", projects, len(cfg.Projects))
		}
	}
}

func TestMovedAt(t *testing.T) {
	log := `time=2026-11-27T07:20:06.100Z level=INFO msg=listening addr=127.0.0.1:18001
time=2026-11-27T07:20:08.524Z level=INFO msg="coordinator moved" instance=counter/fail1-10 from=node-b to=node-a epoch=3
time=2026-11-27T07:20:08.531Z level=INFO msg="coordinator moved" instance=counter/fail1-1 from=node-b to=node-a epoch=3
time=2026-11-27T07:21:00.000Z level=INFO msg="coordinator moved" instance=counter/fail1-1 from=node-b to=node-a epoch=5
`
	got, ok := movedAt(log, "counter/fail1-1")
	if want := time.Date(2026, 11, 27, 7, 20, 8, 531e6, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("movedAt = %v, %v; want %v (the first line of that instance, not of fail1-10)", got, ok, want)
	}
	if _, ok := movedAt(log, "counter/other"); ok {
		t.Error("found a move of an instance that did not move")
	}
}

func TestClusterReport(t *testing.T) {
	res := func(rps float64, p50, p99 time.Duration) *measurement {
		return &measurement{Runtime: "edge", Ran: true, Result: loadgen.Result{ReqPerSec: rps, Requests: uint64(rps) * 10, P50: p50, P99: p99}, ServerCores: 1}
	}
	run := &clusterRun{Nodes: []string{"node-a (eu) 127.0.0.1", "node-b (eu) 127.0.0.2"}, Lease: 2 * time.Second, Postgres: "15",
		Cells: []*clusterCell{
			{Path: "read", Placement: "same", Conns: 1, Owner: "node-a", Rounds: []*measurement{res(3000, ms(0.31), ms(0.9)), res(3100, ms(0.30), ms(0.8))}},
			{Path: "read", Placement: "cross", Conns: 1, Owner: "node-b", Rounds: []*measurement{res(1500, ms(0.52), ms(0.7)), res(1600, ms(0.50), ms(0.75))}},
		},
		Failovers: []failoverStats{
			{Round: 1, Name: "fail1-0", Recovered: true, FirstOK: ms(2100), Requests: 10, OK: 8, NotOK: map[int]int{503: 2}, Counter: 9, Acked: 9, MovedTo: "node-a"},
			{Round: 2, Name: "fail2-3", Recovered: true, FirstOK: ms(1900), Requests: 10, OK: 9, NotOK: map[int]int{}, Counter: 9, Acked: 10, MovedTo: "node-a"},
			{Round: 3, Name: "fail3-1", Recovered: true, FirstOK: ms(2500), NotOK: map[int]int{}},
		}}
	o := &options{warmup: time.Second, duration: 2 * time.Second, rounds: 2, clusterCreateN: 10, createConns: 8, clusterClients: 4}
	md := clusterMarkdown(o, runInfo{command: "go run ./loadtest -cluster"}, run)
	for _, want := range []string{
		// Medians of the rounds' percentiles: same 0.30/0.80, cross 0.50/0.70.
		"| worker → coordinator, read | 1 | 0.30 ms / 0.50 ms | +0.20 ms | 0.80 ms / 0.70 ms | −0.10 ms | 0.50× |",
		"| worker → coordinator, read | node-b (cross-node) | 1 | 1,500 |",
		"| 1 | fail1-0 | 2.100 s | – |",
		"| 503:2 | 0 |",
		"9 ≥ 9: ok",
		"**9 < 10: LOST**",
		"Median kill → first 200 over 3 round(s): **2.100 s** (min 1.900 s, max 2.500 s).",
		"`cluster.lease: 2s`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestDrive(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			w.WriteHeader(503)
		}
		fmt.Fprint(w, r.URL.Path)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var next atomic.Int64
	var seen atomic.Int64
	samples, err := drive(context.Background(), addr, 3, 10*time.Second, time.Millisecond, func() (int, []byte, bool) {
		i := int(next.Add(1) - 1)
		if i >= 20 {
			return 0, nil, false
		}
		return i, loadgen.BuildRequest("x", fmt.Sprintf("/%d", i)), true
	}, func(reqSample) { seen.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	st := summarize("", samples, 0)
	if len(samples) != 20 || st.OK != 17 || st.Statuses[503] != 3 || st.Errors != 0 || seen.Load() != 20 {
		t.Fatalf("%d samples, %+v, onDone saw %d", len(samples), st, seen.Load())
	}
	idx := map[int]bool{}
	for i, s := range samples {
		idx[s.Index] = true
		if i > 0 && s.Sent.Before(samples[i-1].Sent) {
			t.Fatal("samples are not in the order they were sent")
		}
	}
	if len(idx) != 20 {
		t.Errorf("%d distinct indexes, want 20", len(idx))
	}
	if _, err := drive(context.Background(), "192.0.2.1:80", 1, time.Second, 0, nil, nil); err == nil {
		t.Error("drive accepted a non-loopback address")
	}
}
