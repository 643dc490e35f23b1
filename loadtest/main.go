// Command loadtest benchmarks edge against workerd (Cloudflare's runtime,
// Durable Objects on local SQLite) and Deno (Deno.serve + Deno KV) in one
// run, on this machine, with the same scenarios and the same load generator,
// and writes the req/s ratios edge/workerd and edge/Deno.
//
//	go run ./loadtest -duration 10s -connections 32
//
// It builds edge from this repository, installs deno and workerd from the
// npm registry into loadtest/.npm/deno and loadtest/.npm/workerd (unless they
// are already there; versions pinned by -deno-version and -workerd-version),
// starts all
// three runtimes on loopback ports, runs every scenario against each (a
// warmup, then the measured time), stops them, prints a table and writes
// loadtest/out/results.md and results.json. A runtime that cannot be
// installed or started is reported and the others are still measured.
//
// The programs are in loadtest/edge, loadtest/deno and loadtest/workerd; the
// load generator is loadtest/loadgen (also usable alone through
// loadtest/cmd/loadgen). Only 127.0.0.1 is ever targeted, and the run stops
// by itself.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/edge-platform/edge/loadtest/loadgen"
)

//go:embed edge deno workerd
var assets embed.FS

const (
	defaultDenoVersion    = "2.9.6"
	defaultWorkerdVersion = "1.20261117.1"
	spreadCount           = 1000
)

type options struct {
	duration    time.Duration
	warmup      time.Duration
	connections int
	timeout     time.Duration
	genProcs    int
	runtimes    []string
	scenarios   []scenario
	npmDir      string
	noInstall   bool
	denoVer     string
	workerdVer  string
	edgeBin     string
	outDir      string
	keep        bool
	pause       time.Duration
	rounds      int
	quiet       float64
	quietWait   time.Duration
	kv          bool
	kvPostgres  string
	kvProfile   string
	createN     int
	memoryN     int
	createConns int
	idleTimeout time.Duration
	idleWait    time.Duration
	// -cluster
	cluster          bool
	clusterPostgres  string
	clusterNodes     int
	clusterLease     time.Duration
	clusterLowConns  int
	clusterCreateN   int
	clusterFailovers int
	clusterClients   int
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func parseFlags() (*options, error) {
	o := &options{}
	var runtimesFlag, scenariosFlag string
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario and runtime")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "warmup before each measurement (not counted)")
	flag.IntVar(&o.connections, "connections", 32, "concurrent keep-alive connections")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	flag.IntVar(&o.genProcs, "gen-procs", 1, "GOMAXPROCS of the load generator (like wrk's threads); 0 = all CPUs")
	flag.StringVar(&runtimesFlag, "runtimes", "edge,workerd,deno", "runtimes to run, comma-separated")
	flag.StringVar(&scenariosFlag, "scenarios", defaultScenarios(), "scenarios to run, comma-separated")
	flag.IntVar(&o.createN, "create-n", 10000, "create: number of new coordinators (one request each)")
	flag.IntVar(&o.memoryN, "memory-n", 10000, "idle-memory: number of coordinators created before memory is read")
	flag.IntVar(&o.createConns, "create-connections", 8, "create and idle-memory: concurrent connections (DESIGN.md's anchor used 8)")
	flag.DurationVar(&o.idleTimeout, "idle-timeout", 5*time.Second, "idle-memory: edge's coordinators.idle_timeout in the generated config")
	flag.DurationVar(&o.idleWait, "idle-wait", 150*time.Second, "idle-memory: wait after the last creation before reading RSS (longer than Go's 2-minute forced GC, after which edge returns freed memory)")
	flag.StringVar(&o.npmDir, "npm-dir", "", "where deno and workerd are installed with npm (default <repo>/loadtest/.npm)")
	flag.BoolVar(&o.noInstall, "no-install", false, "do not run npm install; use what is in -npm-dir")
	flag.StringVar(&o.denoVer, "deno-version", defaultDenoVersion, "npm version of deno to install")
	flag.StringVar(&o.workerdVer, "workerd-version", defaultWorkerdVersion, "npm version of workerd to install")
	flag.StringVar(&o.edgeBin, "edge-bin", "", "edge binary to use (default: go build ./cmd/edge)")
	flag.StringVar(&o.outDir, "out", "", "where results.md, results.json and logs go (default <repo>/loadtest/out)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary data directories")
	flag.DurationVar(&o.pause, "pause", time.Second, "idle time between two measurements")
	flag.IntVar(&o.rounds, "rounds", 1, "run the whole matrix this many times; tables show each cell's median round")
	flag.Float64Var(&o.quiet, "quiet", 0.25, "before each measurement wait until other processes use less than this many cores (0 = don't wait)")
	flag.DurationVar(&o.quietWait, "quiet-wait", time.Minute, "longest wait for the machine to be quiet before measuring anyway")
	flag.BoolVar(&o.kv, "kv", false, "instead of the HTTP scenarios, measure durable increments in-process: edge's store through jsvm against Deno KV (writes kv-results.md)")
	flag.StringVar(&o.kvPostgres, "kv-postgres", "", "with -kv: run edge's side on this Postgres URL instead of SQLite")
	flag.StringVar(&o.kvProfile, "kv-cpuprofile", "", "with -kv: write a CPU profile of edge's side (it runs in this process) to this file")
	flag.BoolVar(&o.cluster, "cluster", false, "instead of the runtime comparison, run edge as a cluster of -cluster-nodes `edge serve` processes on 127.0.0.1-3 sharing -cluster-postgres, and measure same-node against cross-node requests, creation of duplicates through the directory, and failover after a SIGKILL (writes cluster-results.md)")
	flag.StringVar(&o.clusterPostgres, "cluster-postgres", "", "with -cluster: the Postgres URL the nodes share (a fresh schema is created in it and dropped afterwards), e.g. postgres://edge:edge@127.0.0.1:5432/edge_test")
	flag.IntVar(&o.clusterNodes, "cluster-nodes", 3, "with -cluster: 2 (node-a, node-b in region eu) or 3 (plus node-c in region us)")
	flag.DurationVar(&o.clusterLease, "cluster-lease", 2*time.Second, "with -cluster: the nodes' cluster.lease (failover waits about this long after the killed node's last heartbeat)")
	flag.IntVar(&o.clusterLowConns, "cluster-low-connections", 1, "with -cluster: also measure same-node and cross-node at this many connections (latency without queueing); 0 = don't")
	flag.IntVar(&o.clusterCreateN, "cluster-create-n", 2000, "with -cluster: first requests to new duplicates (each to a new name)")
	flag.IntVar(&o.clusterFailovers, "cluster-failover-rounds", 5, "with -cluster: how many times node-b is killed (and restarted)")
	flag.IntVar(&o.clusterClients, "cluster-failover-clients", 4, "with -cluster: concurrent clients incrementing the duplicate during a failover")
	flag.Parse()
	if flag.NArg() != 0 {
		return nil, fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	if o.duration <= 0 || o.warmup < 0 || o.connections < 1 || o.timeout <= 0 || o.genProcs < 0 || o.rounds < 1 || o.quiet < 0 || o.quietWait < 0 {
		return nil, errors.New("-duration, -connections, -timeout and -rounds must be positive; -warmup, -gen-procs, -quiet and -quiet-wait not negative")
	}
	if o.createN < 1 || o.memoryN < 1 || o.createConns < 1 || o.idleTimeout <= 0 || o.idleWait < 0 {
		return nil, errors.New("-create-n, -memory-n, -create-connections and -idle-timeout must be positive; -idle-wait not negative")
	}
	if o.cluster && (o.clusterNodes < 2 || o.clusterNodes > 3 || o.clusterLease <= 0 || o.clusterLowConns < 0 ||
		o.clusterCreateN < 1 || o.clusterFailovers < 0 || o.clusterClients < 1) {
		return nil, errors.New("-cluster-nodes must be 2 or 3; -cluster-lease, -cluster-create-n and -cluster-failover-clients positive; -cluster-low-connections and -cluster-failover-rounds not negative")
	}
	if o.cluster && o.kv {
		return nil, errors.New("-cluster and -kv are separate runs: give one of them")
	}
	if o.cluster {
		runtimesFlag = "edge"
	}
	for _, r := range splitList(runtimesFlag) {
		if _, ok := runtimeTitle[r]; !ok {
			return nil, fmt.Errorf("unknown runtime %q (want edge, workerd, deno)", r)
		}
		o.runtimes = append(o.runtimes, r)
	}
	for _, k := range splitList(scenariosFlag) {
		found := false
		for _, sc := range allScenarios {
			if sc.Key == k {
				o.scenarios = append(o.scenarios, sc)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q (want some of %s)", k, defaultScenarios())
		}
	}
	return o, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, err := repoRoot()
	if err != nil {
		return err
	}
	if o.npmDir == "" {
		o.npmDir = filepath.Join(root, "loadtest", ".npm")
	}
	if o.outDir == "" {
		o.outDir = filepath.Join(root, "loadtest", "out")
	}
	logs := filepath.Join(o.outDir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "edge-loadtest-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Printf("temporary data in %s (kept)\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	assetDir := filepath.Join(work, "programs")
	if err := writeAssets(assetDir); err != nil {
		return err
	}

	started := time.Now()
	info := machineInfo()
	info.command = "go run ./loadtest " + strings.Join(os.Args[1:], " ")
	info.edgeCommit = gitDescribe(root)
	problems := map[string]string{} // runtime -> why it did not run

	want := map[string]bool{}
	for _, r := range o.runtimes {
		want[r] = true
	}

	// Binaries.
	edgeBin := o.edgeBin
	if want["edge"] && edgeBin == "" {
		edgeBin = filepath.Join(work, "edge")
		fmt.Println("building edge (go build ./cmd/edge)...")
		bctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		cmd := exec.CommandContext(bctx, "go", "build", "-o", edgeBin, "./cmd/edge")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			problems["edge"] = fmt.Sprintf("go build ./cmd/edge failed: %v\n%s", err, tailString(string(out), 20))
		}
	}
	if o.cluster {
		if p := problems["edge"]; p != "" {
			return errors.New(p)
		}
		return runCluster(ctx, o, assetDir, logs, edgeBin, info)
	}
	// deno and workerd come from the npm registry, each in its own prefix
	// (loadtest/.npm/deno, loadtest/.npm/workerd) so that one failing to
	// install does not keep the other from being measured.
	bins := map[string]string{}
	versions := map[string]string{"deno": o.denoVer, "workerd": o.workerdVer}
	for _, name := range []string{"workerd", "deno"} {
		if !want[name] {
			continue
		}
		prefix := filepath.Join(o.npmDir, name)
		bin := findNpmBinary(prefix, name)
		if bin == "" && !o.noInstall {
			fmt.Printf("installing %s@%s with npm into %s...\n", name, versions[name], prefix)
			if err := npmInstall(ctx, prefix, map[string]string{name: versions[name]}); err != nil {
				problems[name] = err.Error()
				continue
			}
			bin = findNpmBinary(prefix, name)
		}
		if bin == "" {
			problems[name] = fmt.Sprintf("%s is not installed in %s (npm install left no binary there, or -no-install)", name, prefix)
			continue
		}
		bins[name] = bin
	}
	denoBin, workerdBin := bins["deno"], bins["workerd"]
	if o.kv {
		return runKVBench(ctx, o, denoBin, o.outDir)
	}
	if denoBin != "" {
		info.versions = append(info.versions, "Deno: "+versionOf(ctx, denoBin))
	}
	if workerdBin != "" {
		info.versions = append(info.versions, "workerd: "+versionOf(ctx, workerdBin))
	}

	// starters start a runtime: the shared copy (tag "") for the load
	// scenarios, and fresh ones for idle-memory.
	starters := map[string]startFunc{}
	for _, name := range runtimeOrder {
		starters[name] = func(ctx context.Context, tag string, idle time.Duration) (*server, error) {
			w, l := work, logs
			if tag != "" {
				w, l = filepath.Join(work, tag), filepath.Join(logs, tag)
				for _, d := range []string{w, l} {
					if err := os.MkdirAll(d, 0o755); err != nil {
						return nil, err
					}
				}
			}
			switch name {
			case "edge":
				config := filepath.Join(assetDir, "edge", "edge.yaml")
				if idle > 0 {
					base, err := os.ReadFile(config)
					if err != nil {
						return nil, err
					}
					config = filepath.Join(assetDir, "edge", "edge-"+tag+".yaml")
					if err := os.WriteFile(config, edgeConfig(base, idle), 0o644); err != nil {
						return nil, err
					}
				}
				return startEdge(ctx, edgeBin, config, w, l, idle > 0)
			case "deno":
				return startDeno(ctx, denoBin, assetDir, w, l)
			default:
				return startWorkerd(ctx, workerdBin, assetDir, w, l)
			}
		}
	}

	// Start every runtime; they stay up (idle) while the others are measured.
	servers := map[string]*server{}
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for _, name := range runtimeOrder {
		if !want[name] || problems[name] != "" {
			continue
		}
		fmt.Printf("starting %s...\n", name)
		s, err := starters[name](ctx, "", 0)
		if s != nil {
			servers[name] = s
		}
		if err != nil {
			problems[name] = "did not start: " + err.Error()
			if s != nil {
				s.stop()
				delete(servers, name)
			}
		}
	}
	for _, name := range runtimeOrder {
		if p := problems[name]; p != "" {
			fmt.Fprintf(os.Stderr, "%s will not be measured: %s\n", name, p)
		}
	}

	// The load generator shares this machine with the servers: bound it
	// like wrk's thread count.
	if o.genProcs > 0 {
		runtime.GOMAXPROCS(o.genProcs)
	}
	info.genProcs = runtime.GOMAXPROCS(0)

	var ourPids []int
	for _, s := range servers {
		ourPids = append(ourPids, s.pids()...)
	}
	res := newResults()
	for round := 1; round <= o.rounds; round++ {
		if o.rounds > 1 {
			fmt.Printf("round %d of %d\n", round, o.rounds)
		}
		for _, sc := range o.scenarios {
			if sc.Memory {
				if err := runMemoryScenario(ctx, o, sc, round, started, want, starters, problems, res, ourPids); err != nil {
					return err
				}
				continue
			}
			for _, name := range runtimeOrder {
				if !want[name] {
					continue
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				m := &measurement{Runtime: name, Scenario: sc.Key, Round: round}
				res.put(m)
				s := servers[name]
				if s == nil {
					m.Err = problems[name]
					continue
				}
				if err := s.exited(); err != nil {
					m.Err = err.Error()
					continue
				}
				fmt.Printf("%-9s %-48s ", name, sc.Title)
				measure(ctx, o, s, sc, m, ourPids, newNamer("c", round, started))
				if m.Ran {
					fmt.Printf("%10s req/s  p50 %s  p99 %s  non-2xx %d  errors %d  other CPU %.2f\n",
						formatRate(m.Result.ReqPerSec), formatLatency(m.Result.P50), formatLatency(m.Result.P99),
						m.Result.Non2xx, m.Result.Errors, m.OtherCores)
				} else {
					fmt.Printf("failed: %s\n", oneLine(m.Err))
				}
				if err := s.exited(); err != nil && m.Err == "" {
					m.Err = err.Error()
				}
				select {
				case <-ctx.Done():
				case <-time.After(o.pause):
				}
			}
		}
	}
	for _, s := range servers {
		s.stop()
	}
	info.elapsed = time.Since(started)

	fmt.Println()
	fmt.Print(res.consoleTable(o.scenarios))
	if mt := res.memoryTable(o.scenarios); mt != "" {
		fmt.Print("\n" + mt)
	}
	md := markdownReport(o, info, res, problems)
	mdPath := filepath.Join(o.outDir, "results.md")
	if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(o.outDir, "results.json"), o, info, res); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s, %s and logs in %s\n", mdPath, filepath.Join(o.outDir, "results.json"), logs)
	return nil
}

var numberRE = regexp.MustCompile(`^\d+$`)

// measure runs one scenario against one runtime: a check request, priming
// for the spread scenario, the load, and a counter check afterwards. The
// create scenario sends o.createN requests to new names from nm instead of
// a timed load.
func measure(ctx context.Context, o *options, s *server, sc scenario, m *measurement, ourPids []int, nm namer) {
	t, ok := s.targets[sc.Key]
	if !ok {
		m.Err = "scenario not available for " + s.name
		return
	}
	client := &http.Client{Timeout: o.timeout}
	if sc.Create {
		measureCreate(ctx, o, s, t, client, m, ourPids, nm)
		return
	}
	status, body, err := get(ctx, client, t.Addr, t.Host, t.Path)
	checkOK := err == nil && status == 200
	switch {
	case err != nil:
		m.Notes = append(m.Notes, fmt.Sprintf("check request failed: %v", err))
	case status != 200:
		m.Notes = append(m.Notes, fmt.Sprintf("check request: status %d, body %q", status, truncateText(body, 300)))
	case sc.Key == "hello" && body != "hello":
		m.Notes = append(m.Notes, fmt.Sprintf("check request: body %q, want \"hello\"", truncateText(body, 300)))
	case sc.Key != "hello" && !numberRE.MatchString(body):
		m.Notes = append(m.Notes, fmt.Sprintf("check request: body %q, want a number", truncateText(body, 300)))
	}
	if sc.Prime {
		d, failures, first := prime(ctx, client, t, 8)
		note := fmt.Sprintf("priming: one increment to each of the %d coordinators (8 at a time) took %v (%.0f req/s)",
			spreadCount, d.Round(time.Millisecond), float64(spreadCount)/d.Seconds())
		if failures > 0 {
			note += fmt.Sprintf("; %d failed, first: %s", failures, first)
		}
		m.Notes = append(m.Notes, note)
	}

	if o.quiet > 0 {
		waited, other := waitQuiet(ctx, ourPids, o.quiet, o.quietWait)
		if other >= o.quiet {
			m.Notes = append(m.Notes, fmt.Sprintf("the machine was not quiet: other processes used %.2f cores after waiting %v", other, waited.Round(time.Second)))
		} else if waited > 2*time.Second {
			m.Notes = append(m.Notes, fmt.Sprintf("waited %v for other processes to quiet down", waited.Round(time.Second)))
		}
	}

	pids := s.pids()
	var cpu0, gen0, all0, our0, cpu1, gen1, all1, our1 time.Duration
	var sampled sync.WaitGroup
	sampled.Add(1)
	timer := time.AfterFunc(o.warmup, func() {
		defer sampled.Done()
		cpu0, gen0, all0, our0 = procCPU(pids), selfCPU(), machineBusy(), procCPU(ourPids)
	})
	r, err := loadgen.Run(ctx, loadgen.Config{
		Addr:        t.Addr,
		Host:        t.Host,
		Path:        t.Path,
		Connections: o.connections,
		Warmup:      o.warmup,
		Duration:    o.duration,
		Timeout:     o.timeout,
	})
	cpu1, gen1, all1, our1 = procCPU(pids), selfCPU(), machineBusy(), procCPU(ourPids)
	if !timer.Stop() {
		sampled.Wait()
	} else {
		cpu0, gen0, all0, our0 = cpu1, gen1, all1, our1
	}
	if err != nil {
		m.Err = err.Error()
		return
	}
	m.Ran = true
	m.Result = r
	if secs := r.Elapsed.Seconds(); secs > 0 {
		m.ServerCores = (cpu1 - cpu0).Seconds() / secs
		m.GenCores = (gen1 - gen0).Seconds() / secs
		other := (all1 - all0) - (our1 - our0) - (gen1 - gen0)
		m.OtherCores = max(0, other.Seconds()/secs)
	}
	m.RSS = procRSS(pids)

	if sc.Key == "increment" {
		// Every acknowledged increment must be in the counter: it may be
		// higher (responses cut off at the end of a run), never lower.
		s.ackedIncrements += r.Total2xx
		if checkOK {
			s.ackedIncrements++
		}
		rt := s.targets["read"]
		status, body, err := get(ctx, client, rt.Addr, rt.Host, rt.Path)
		if status == 200 && numberRE.MatchString(body) && err == nil {
			var n uint64
			fmt.Sscan(body, &n)
			verdict := "ok"
			if n < s.ackedIncrements {
				verdict = fmt.Sprintf("LOST %d ACKNOWLEDGED INCREMENTS", s.ackedIncrements-n)
			}
			m.Notes = append(m.Notes, fmt.Sprintf("counter check: counter %d after %d acknowledged increments so far (%s)", n, s.ackedIncrements, verdict))
		} else {
			m.Notes = append(m.Notes, fmt.Sprintf("counter check: reading the counter failed: status %d, body %q, err %v", status, truncateText(body, 200), err))
		}
	}
}

// runMemoryScenario runs idle-memory for one round: a fresh copy of each
// runtime in turn creates its objects, then all wait out the idle time
// together and are read and stopped.
func runMemoryScenario(ctx context.Context, o *options, sc scenario, round int, started time.Time, want map[string]bool,
	starters map[string]startFunc, problems map[string]string, res *results, ourPids []int) error {
	var runs []*memoryRun
	for _, name := range runtimeOrder {
		if !want[name] {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		m := &measurement{Runtime: name, Scenario: sc.Key, Round: round}
		res.put(m)
		if p := problems[name]; p != "" {
			m.Err = p
			continue
		}
		fmt.Printf("%-9s %-48s ", name, sc.Title)
		r := startMemory(ctx, o, starters[name], name, round, started, m, ourPids)
		if r == nil {
			fmt.Printf("failed: %s\n", oneLine(m.Err))
			continue
		}
		fmt.Printf("%s objects at %s req/s: RSS %s before, %s after creating\n", formatRate(float64(r.sample.Objects)),
			formatRate(m.Result.ReqPerSec), formatBytes(r.sample.Before), formatBytes(r.sample.Active))
		runs = append(runs, r)
	}
	fmt.Printf("waiting until each has been idle for %v...\n", o.idleWait)
	finishMemory(ctx, o, runs)
	for _, r := range runs {
		if r.m.Ran {
			fmt.Printf("%-9s RSS %s after %v idle (peak %s)\n", r.m.Runtime, formatBytes(r.sample.Idle), r.sample.Waited.Round(time.Second), formatBytes(r.sample.Peak))
		}
	}
	return ctx.Err()
}

// waitQuiet samples the machine for a second at a time until processes other
// than ours (the servers and this one) use less than `limit` cores, or
// maxWait has passed. It returns how long it waited and the last sample.
func waitQuiet(ctx context.Context, ourPids []int, limit float64, maxWait time.Duration) (time.Duration, float64) {
	start := time.Now()
	for {
		all0, our0, self0 := machineBusy(), procCPU(ourPids), selfCPU()
		t0 := time.Now()
		select {
		case <-ctx.Done():
			return time.Since(start), 0
		case <-time.After(time.Second):
		}
		other := (machineBusy() - all0) - (procCPU(ourPids) - our0) - (selfCPU() - self0)
		cores := max(0, other.Seconds()/time.Since(t0).Seconds())
		if cores < limit || time.Since(start) >= maxWait {
			return time.Since(start), cores
		}
	}
}

// prime sends /spread?k=i for every i, `parallel` at a time.
func prime(ctx context.Context, client *http.Client, t target, parallel int) (time.Duration, int, string) {
	start := time.Now()
	next := make(chan int)
	var mu sync.Mutex
	failures := 0
	first := ""
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				status, body, err := get(ctx, client, t.Addr, t.Host, fmt.Sprintf("%s?k=%d", t.Path, k))
				if err != nil || status != 200 {
					mu.Lock()
					failures++
					if first == "" {
						if err != nil {
							first = err.Error()
						} else {
							first = fmt.Sprintf("status %d, body %q", status, truncateText(body, 200))
						}
					}
					mu.Unlock()
				}
			}
		}()
	}
	for k := 0; k < spreadCount && ctx.Err() == nil; k++ {
		next <- k
	}
	close(next)
	wg.Wait()
	return time.Since(start), failures, first
}

// get sends one GET to a loopback address and returns status and body (at
// most 64 KiB of it).
func get(ctx context.Context, client *http.Client, addr, host, path string) (int, string, error) {
	return getLimit(ctx, client, addr, host, path, 64<<10)
}

// getFull is get for large bodies (up to 64 MiB), such as a heap profile.
func getFull(ctx context.Context, client *http.Client, addr, host, path string) (int, string, error) {
	return getLimit(ctx, client, addr, host, path, 64<<20)
}

func getLimit(ctx context.Context, client *http.Client, addr, host, path string, limit int64) (int, string, error) {
	if _, err := loadgen.CheckLoopback(addr); err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.Host = host
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// repoRoot finds the directory of this repository's go.mod, from the
// working directory upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/edge-platform/edge\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run this from inside the edge repository (no go.mod of github.com/edge-platform/edge above the working directory)")
		}
		dir = parent
	}
}

// writeAssets copies the embedded programs to dir.
func writeAssets(dir string) error {
	return fs.WalkDir(assets, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := assets.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

type runInfo struct {
	date       time.Time
	command    string
	cpus       int
	cpuModel   string
	memTotal   string
	kernel     string
	goVersion  string
	edgeCommit string
	versions   []string
	genProcs   int
	elapsed    time.Duration
}

func machineInfo() runInfo {
	info := runInfo{date: time.Now().UTC(), cpus: runtime.NumCPU(), goVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				info.cpuModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb := parseStatusKB(b, "MemTotal:"); kb > 0 {
			info.memTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		info.kernel = strings.TrimSpace(string(b))
	}
	return info
}

func gitDescribe(root string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func markdownReport(o *options, info runInfo, res *results, problems map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Results of `%s`\n\n", strings.TrimSpace(info.command))
	fmt.Fprintf(&b, "- date: %s\n", info.date.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- machine: %d CPUs (%s), %s RAM, Linux %s\n", info.cpus, info.cpuModel, info.memTotal, info.kernel)
	fmt.Fprintf(&b, "- edge: %s, built with %s\n", info.edgeCommit, info.goVersion)
	for _, v := range info.versions {
		fmt.Fprintf(&b, "- %s\n", v)
	}
	fmt.Fprintf(&b, "- load: %d keep-alive connections, %v warmup + %v measured per cell, loadtest/loadgen with GOMAXPROCS=%d on the same machine\n",
		o.connections, o.warmup, o.duration, info.genProcs)
	if o.rounds > 1 {
		fmt.Fprintf(&b, "- %d rounds of the whole matrix; each cell shows its median round (by req/s); every round is in results.json\n", o.rounds)
	}
	fmt.Fprintf(&b, "- whole run: %v\n\n", info.elapsed.Round(time.Second))
	b.WriteString(res.summaryTable(o.scenarios))
	b.WriteString("\nRatios are edge's req/s divided by the other runtime's (above 1: edge is faster).\n\n")
	b.WriteString(res.detailTable(o.scenarios))
	for _, sc := range o.scenarios {
		switch {
		case sc.Create:
			fmt.Fprintf(&b, "\n\"%s\": %d first requests, each to a coordinator (Durable Object, KV key) never asked for before, which stores one value before answering; %d connections, no warmup; req/s is creations per second.\n",
				sc.Title, o.createN, o.createConns)
		case sc.Memory:
			fmt.Fprintf(&b, "\n\"%s\": a fresh copy of each runtime; %d coordinators created (%d connections), each storing one value; RSS (VmRSS summed over the runtime's process tree) read before, right after creating, and %v later; edge's coordinators.idle_timeout: %v.\n\n",
				sc.Title, o.memoryN, o.createConns, o.idleWait, o.idleTimeout)
			b.WriteString(res.memoryTable(o.scenarios))
		}
	}
	var notes strings.Builder
	for _, name := range runtimeOrder {
		if p := problems[name]; p != "" {
			fmt.Fprintf(&notes, "- %s not measured: **%s**\n", runtimeTitle[name], oneLine(p))
		}
	}
	notes.WriteString(res.notes(o.scenarios))
	if notes.Len() > 0 {
		b.WriteString("\nNotes from the run:\n\n")
		b.WriteString(notes.String())
	}
	return b.String()
}

func writeJSON(path string, o *options, info runInfo, res *results) error {
	type cell struct {
		Runtime     string
		Scenario    string
		Ran         bool
		Err         string `json:",omitempty"`
		ReqPerSec   float64
		Requests    uint64
		Non2xx      uint64
		Errors      uint64
		Statuses    map[int]uint64
		P50ms       float64
		P90ms       float64
		P99ms       float64
		MaxMs       float64
		ServerCores float64
		GenCores    float64
		OtherCores  float64
		RSSBytes    uint64
		Round       int
		Notes       []string      `json:",omitempty"`
		Memory      *memorySample `json:",omitempty"`
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var cells []cell
	for _, sc := range o.scenarios {
		for _, rt := range runtimeOrder {
			for _, m := range res.all(sc.Key, rt) {
				r := m.Result
				cells = append(cells, cell{rt, sc.Key, m.Ran, m.Err, r.ReqPerSec, r.Requests, r.Non2xx, r.Errors, r.Statuses,
					ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), m.ServerCores, m.GenCores, m.OtherCores, m.RSS, m.Round, m.Notes, m.Memory})
			}
		}
	}
	out := map[string]any{
		"date":        info.date,
		"command":     info.command,
		"cpus":        info.cpus,
		"cpuModel":    info.cpuModel,
		"edge":        info.edgeCommit,
		"versions":    info.versions,
		"connections": o.connections,
		"warmup":      o.warmup.String(),
		"duration":    o.duration.String(),
		"genProcs":    info.genProcs,
		"rounds":      o.rounds,
		"cells":       cells,
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
