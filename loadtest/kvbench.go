package main

// The in-process half of the storage benchmark (-kv): durable increments
// with no HTTP in the way, edge against Deno KV, in one run.
//
//   - edge: jsvm instances over the real store (persistence.SQLite, or
//     Postgres with -kv-postgres), each a coordinator scope with its fencing
//     epoch; 32 goroutines hand requests straight to the instances
//     (Instance.Serve), whose handler runs
//     `await kv.atomic().sum(key, 1n).commit()`. "hot" is one instance;
//     "spread" is 1,000 instances, each request to a random one.
//   - Deno: one `deno run` process with Deno.openKv on a file, 32 async loops
//     calling the same handler body directly; "spread" uses 1,000 keys (Deno
//     KV has no coordinators).
//
// Both count an increment when its commit has resolved (durable: SQLite in
// WAL mode, fsync'd, in both).

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edge-platform/edge/gctune"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/persistence"
)

//go:embed kvbench/deno.js
var kvBenchDeno string

// kvBenchEdge is the coordinator program of the edge side.
const kvBenchEdge = `const kv = await Deno.openKv();
Deno.serve(async () => {
  await kv.atomic().sum(["n"], 1n).commit();
  return new Response("ok");
});
`

type kvResult struct {
	Runtime  string  `json:"runtime"`
	Scenario string  `json:"scenario"`
	Round    int     `json:"round"`
	Ops      int64   `json:"ops"`
	Seconds  float64 `json:"seconds"`
	OpsPerS  float64 `json:"opsPerSecond"`
	P50ms    float64 `json:"p50ms"`
	P99ms    float64 `json:"p99ms"`
	Note     string  `json:"note,omitempty"`
}

// scopeKV is an instance's Deno KV: the store bound to one scope (what
// package actors' kvView does, without its cache and output gate, which a
// handler that awaits its commit does not need).
type scopeKV struct {
	store kv.Store
	scope kv.Scope
}

func (s scopeKV) Get(ctx context.Context, keys [][]byte) ([]*kv.Entry, error) {
	return s.store.Get(ctx, s.scope, keys)
}
func (s scopeKV) List(ctx context.Context, r kv.Range) ([]kv.Entry, error) {
	return s.store.List(ctx, s.scope, r)
}
func (s scopeKV) Commit(ctx context.Context, c []kv.Check, m []kv.Mutation) (kv.Versionstamp, bool, error) {
	return s.store.Commit(ctx, s.scope, c, m)
}
func (s scopeKV) Changes() (<-chan struct{}, func()) { return s.store.Changes(s.scope) }

type kvStore interface {
	kv.Store
	Activate(ctx context.Context, project, instance, owner string) (int64, error)
	Close() error
}

func runKVBench(ctx context.Context, o *options, denoBin, outDir string) error {
	// edge's side runs in this process: give it the collector setting the
	// edge binary runs with (cmd/edge's main), unless GOGC is set.
	if os.Getenv("GOGC") == "" {
		defer gctune.Start(0)()
	}
	work, err := os.MkdirTemp("", "edge-kvbench-")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	}
	var results []kvResult
	for round := 1; round <= o.rounds; round++ {
		for _, sc := range []string{"hot", "spread"} {
			for _, rt := range o.runtimes {
				var r kvResult
				var err error
				switch rt {
				case "edge":
					r, err = kvBenchEdgeRun(ctx, o, sc, filepath.Join(work, fmt.Sprintf("edge-%d-%s", round, sc)))
				case "deno":
					if denoBin == "" {
						err = errors.New("deno is not installed")
						break
					}
					r, err = kvBenchDenoRun(ctx, o, denoBin, sc, filepath.Join(work, fmt.Sprintf("deno-%d-%s", round, sc)))
				default:
					continue // workerd has no in-process KV
				}
				if err != nil {
					return fmt.Errorf("%s %s: %w", rt, sc, err)
				}
				r.Round = round
				fmt.Printf("%-6s %-7s round %d: %8.0f increments/s  p50 %.2f ms  p99 %.2f ms\n", rt, sc, round, r.OpsPerS, r.P50ms, r.P99ms)
				results = append(results, r)
			}
		}
	}
	return writeKVResults(o, results, outDir)
}

func openKVStore(ctx context.Context, o *options, dir string) (kvStore, string, error) {
	if o.kvPostgres != "" {
		s, err := persistence.OpenPostgres(ctx, o.kvPostgres, nil)
		return s, "postgres", err
	}
	s, err := persistence.OpenSQLite(ctx, filepath.Join(dir, "edge.db"), nil)
	return s, "sqlite", err
}

func kvBenchEdgeRun(ctx context.Context, o *options, scenario, dir string) (kvResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return kvResult{}, err
	}
	store, backend, err := openKVStore(ctx, o, dir)
	if err != nil {
		return kvResult{}, err
	}
	defer store.Close()
	entry := filepath.Join(dir, "coordinator.js")
	if err := os.WriteFile(entry, []byte(kvBenchEdge), 0o644); err != nil {
		return kvResult{}, err
	}
	prog, err := jsvm.Bundle(ctx, entry)
	if err != nil {
		return kvResult{}, err
	}
	n := 1
	if scenario == "spread" {
		n = spreadCount
	}
	project := fmt.Sprintf("kvbench-%d", time.Now().UnixNano())
	instances := make([]*jsvm.Instance, n)
	for i := range instances {
		name := fmt.Sprintf("c%d", i)
		epoch, err := store.Activate(ctx, project, name, "kvbench")
		if err != nil {
			return kvResult{}, err
		}
		in, err := jsvm.Start(ctx, prog, jsvm.Config{Project: project, Instance: name,
			KV: scopeKV{store, kv.Scope{Project: project, Instance: name, Epoch: epoch}}})
		if err != nil {
			return kvResult{}, err
		}
		defer in.Close()
		instances[i] = in
	}
	req := &jsvm.Request{Method: "GET", URL: "https://kvbench.example/", Header: http.Header{}}
	do := func(ctx context.Context, r *rand.Rand) error {
		in := instances[r.IntN(len(instances))]
		resp, err := in.Serve(ctx, req)
		if err != nil {
			return err
		}
		if resp.Status != 200 {
			return fmt.Errorf("status %d: %s", resp.Status, resp.Body)
		}
		return nil
	}
	if o.kvProfile != "" {
		f, err := os.Create(fmt.Sprintf("%s.%s", o.kvProfile, scenario))
		if err != nil {
			return kvResult{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return kvResult{}, err
		}
		defer pprof.StopCPUProfile()
	}
	r, err := closedLoop(ctx, o, do)
	r.Runtime, r.Scenario, r.Note = "edge", scenario, backend
	return r, err
}

// closedLoop runs do from o.connections goroutines for the warmup and then
// the measured duration, and reports the measured part.
func closedLoop(ctx context.Context, o *options, do func(context.Context, *rand.Rand) error) (kvResult, error) {
	var measuring atomic.Bool
	var ops atomic.Int64
	var mu sync.Mutex
	var lats []float64
	var firstErr error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := range o.connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var mine []float64
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := do(ctx, rng); err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						firstErr = errors.Join(firstErr, err)
						mu.Unlock()
						cancel()
					}
					break
				}
				if measuring.Load() {
					ops.Add(1)
					mine = append(mine, float64(time.Since(t0).Microseconds())/1000)
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		}()
	}
	time.Sleep(o.warmup)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(o.duration)
	measuring.Store(false)
	elapsed := time.Since(start).Seconds()
	cancel()
	wg.Wait()
	if firstErr != nil {
		return kvResult{}, firstErr
	}
	slices.Sort(lats)
	r := kvResult{Ops: ops.Load(), Seconds: elapsed, OpsPerS: float64(ops.Load()) / elapsed}
	if len(lats) > 0 {
		r.P50ms = lats[len(lats)/2]
		r.P99ms = lats[len(lats)*99/100]
	}
	return r, nil
}

func kvBenchDenoRun(ctx context.Context, o *options, denoBin, scenario, dir string) (kvResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return kvResult{}, err
	}
	script := filepath.Join(dir, "kvbench.js")
	if err := os.WriteFile(script, []byte(kvBenchDeno), 0o644); err != nil {
		return kvResult{}, err
	}
	keys := 1
	if scenario == "spread" {
		keys = spreadCount
	}
	cmd := exec.CommandContext(ctx, denoBin, "run", "--unstable-kv", "--no-config", "--allow-read="+dir, "--allow-write="+dir,
		script, filepath.Join(dir, "kv.sqlite"), fmt.Sprint(keys), fmt.Sprint(o.connections),
		fmt.Sprint(o.warmup.Milliseconds()), fmt.Sprint(o.duration.Milliseconds()))
	cmd.Env = append(os.Environ(), "DENO_DIR="+filepath.Join(dir, "deno-dir"), "NO_COLOR=1", "DENO_NO_UPDATE_CHECK=1")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return kvResult{}, fmt.Errorf("%w: %s", err, tailString(string(ee.Stderr), 2000))
		}
		return kvResult{}, err
	}
	var r kvResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &r); err != nil {
		return kvResult{}, fmt.Errorf("reading deno's result %q: %w", out, err)
	}
	r.Runtime, r.Scenario, r.Note = "deno", scenario, "Deno KV (SQLite)"
	return r, nil
}

func writeKVResults(o *options, results []kvResult, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(filepath.Join(outDir, "kv-results.json"), js, 0o644); err != nil {
		return err
	}
	median := func(rt, sc string) (kvResult, bool) {
		var rs []kvResult
		for _, r := range results {
			if r.Runtime == rt && r.Scenario == sc {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			return kvResult{}, false
		}
		slices.SortFunc(rs, func(a, b kvResult) int { return int(a.OpsPerS - b.OpsPerS) })
		return rs[len(rs)/2], true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## In-process durable increments: `go run ./loadtest -kv -duration %s -connections %d -rounds %d`\n\n", o.duration, o.connections, o.rounds)
	fmt.Fprintf(&b, "- date: %s\n- %d concurrent loops, %s warmup + %s measured; each cell is its median round\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), o.connections, o.warmup, o.duration)
	b.WriteString("| scenario | edge increments/s | Deno KV increments/s | edge/Deno | edge p50 / p99 | Deno p50 / p99 |\n|---|---:|---:|---:|---|---|\n")
	for _, sc := range []string{"hot", "spread"} {
		e, okE := median("edge", sc)
		d, okD := median("deno", sc)
		title := map[string]string{"hot": "one hot coordinator (Deno: one key)", "spread": "spread over 1,000 coordinators (Deno: 1,000 keys)"}[sc]
		ratio := "–"
		if okE && okD && d.OpsPerS > 0 {
			ratio = fmt.Sprintf("%.2f×", e.OpsPerS/d.OpsPerS)
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %s | %.2f / %.2f ms | %.2f / %.2f ms |\n", title, e.OpsPerS, d.OpsPerS, ratio, e.P50ms, e.P99ms, d.P50ms, d.P99ms)
	}
	fmt.Print("\n" + b.String())
	return os.WriteFile(filepath.Join(outDir, "kv-results.md"), []byte(b.String()), 0o644)
}
