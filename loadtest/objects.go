package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/edge-platform/edge/loadtest/loadgen"
)

// The create and idle-memory scenarios: every request goes to an object that
// was never asked for before, which that request creates and which stores one
// value before answering "new" (edge: a duplicate of the "store" coordinator,
// https://<name>.store.deno.dev/; workerd: Durable Object idFromName(name);
// Deno: a KV key set if absent).

// createTimeLimit bounds one create or idle-memory load: at the DESIGN.md
// anchor's ~425 req/s, 10,000 objects take about 24 s.
const createTimeLimit = 10 * time.Minute

// namer hands out object names that no earlier request of the run used:
// a prefix unique to the scenario, round and server, and a counter. Names
// are DNS labels (edge addresses a duplicate as <name>.<project>.<domain>).
type namer struct{ prefix string }

// newNamer returns the namer of one scenario run: kind is a short lowercase
// tag ("c" for create, "m" for idle-memory), round the 1-based round. The
// run tag (from the start time) keeps names apart across runs that reuse a
// data directory.
func newNamer(kind string, round int, run time.Time) namer {
	return namer{prefix: fmt.Sprintf("%s%d-%s-", kind, round, strconv.FormatInt(run.Unix(), 36))}
}

// name returns the i-th name: prefix + i in base 36.
func (n namer) name(i uint64) string { return n.prefix + strconv.FormatUint(i, 36) }

// check is the name of the check request, outside the counter's range.
func (n namer) check() string { return n.prefix + "check" }

// runCreate sends a check request and then count requests, connections at
// a time, each to a new object.
func runCreate(ctx context.Context, client *http.Client, t target, nm namer, count uint64, connections int, timeout time.Duration) (loadgen.Result, []string, error) {
	var notes []string
	status, body, err := get(ctx, client, t.Addr, t.Host, t.Path+nm.check())
	switch {
	case err != nil:
		notes = append(notes, fmt.Sprintf("check request failed: %v", err))
	case status != 200 || body != "new":
		notes = append(notes, fmt.Sprintf("check request: status %d, body %q, want 200 \"new\"", status, truncateText(body, 300)))
	}
	r, err := loadgen.Run(ctx, loadgen.Config{
		Addr:        t.Addr,
		Host:        t.Host,
		Connections: connections,
		Duration:    createTimeLimit,
		Timeout:     timeout,
		Requests:    count,
		PathFor:     func(i uint64) string { return t.Path + nm.name(i) },
	})
	if err != nil {
		return r, notes, fmt.Errorf("creating %d objects: %w", count, err)
	}
	if r.Requests < count {
		notes = append(notes, fmt.Sprintf("only %d of %d creations were answered within %v", r.Requests, count, createTimeLimit))
	}
	notes = append(notes, fmt.Sprintf("created %d objects (%d connections) in %v",
		r.Total2xx, connections, r.Elapsed.Round(time.Millisecond)))
	return r, notes, nil
}

// readBack asks the first created object again: it must answer "old" (its
// stored value survived; on edge after a passivation too).
func readBack(ctx context.Context, client *http.Client, t target, nm namer) string {
	status, body, err := get(ctx, client, t.Addr, t.Host, t.Path+nm.name(0))
	if err == nil && status == 200 && body == "old" {
		return fmt.Sprintf("read-back: %s answered \"old\" (its stored value is there)", nm.name(0))
	}
	return fmt.Sprintf("read-back of %s: status %d, body %q, err %v; want 200 \"old\"", nm.name(0), status, truncateText(body, 200), err)
}

// memorySample is what an idle-memory measurement saw.
type memorySample struct {
	// Objects is the number of objects created (2xx answers).
	Objects uint64
	// Before is the RSS after start and one object; Active right after the
	// last creation; Idle after the idle wait; Peak the largest sample.
	Before, Active, Idle, Peak uint64
	// Procs is how many processes were summed (the runtimes' process trees).
	Procs int
	// Waited is how long after the last creation Idle was read.
	Waited time.Duration
	// AfterGC (edge only) is the RSS a few seconds after a GC forced
	// through EDGE_PPROF, and HeapAlloc the live heap it left: an idle
	// edge allocates nothing, so its GC (and the return of freed memory to
	// the OS) may not have run by the idle read. 0 when not measured.
	AfterGC, HeapAlloc uint64
}

// perObject is the idle RSS growth per object, as text.
func (s *memorySample) perObject() string {
	if s.Objects == 0 || s.Idle < s.Before {
		return "–"
	}
	return fmt.Sprintf("%.1f KiB", float64(s.Idle-s.Before)/float64(s.Objects)/1024)
}

// memoryRun is one runtime's idle-memory measurement between its creations
// and the end of the shared idle wait.
type memoryRun struct {
	m       *measurement
	s       *server
	t       target
	nm      namer
	sample  *memorySample
	created time.Time
}

// tree is the runtime's processes and their children now.
func (r *memoryRun) tree() []int { return processTree(r.s.pids()) }

// startMemory starts a fresh copy of a runtime (so that earlier scenarios'
// objects do not count), reads its RSS with one object, and creates
// o.memoryN more. It returns nil, with m.Err set, if that failed; otherwise
// the caller must call finishMemory.
func startMemory(ctx context.Context, o *options, start startFunc, name string, round int, runStart time.Time, m *measurement, ourPids []int) *memoryRun {
	s, err := start(ctx, fmt.Sprintf("memory-r%d", round), o.idleTimeout)
	if err != nil {
		if s != nil {
			s.stop()
		}
		m.Err = "did not start: " + err.Error()
		return nil
	}
	t, ok := s.targets["create"]
	if !ok {
		s.stop()
		m.Err = "scenario not available for " + name
		return nil
	}
	r := &memoryRun{m: m, s: s, t: t, nm: newNamer("m", round, runStart), sample: &memorySample{}}
	client := &http.Client{Timeout: o.timeout}
	// One object first, so that Before includes the code an object loads
	// (the coordinator's program, the store).
	if status, body, err := get(ctx, client, t.Addr, t.Host, t.Path+"first-"+r.nm.check()); err != nil || status != 200 || body != "new" {
		m.Notes = append(m.Notes, fmt.Sprintf("first object: status %d, body %q, err %v; want 200 \"new\"", status, truncateText(body, 200), err))
	}
	if o.quiet > 0 {
		waitQuiet(ctx, append(ourPids, s.pids()...), o.quiet, o.quietWait)
	}
	r.sample.Before = procRSS(r.tree())
	res, notes, err := runCreate(ctx, client, t, r.nm, uint64(o.memoryN), o.createConns, o.timeout)
	m.Notes = append(m.Notes, notes...)
	if err != nil {
		s.stop()
		m.Err = err.Error()
		return nil
	}
	r.created = time.Now()
	r.sample.Active = procRSS(r.tree())
	r.sample.Peak = r.sample.Active
	r.sample.Objects = res.Total2xx
	m.Result = res
	return r
}

// finishMemory waits until every run has been idle for o.idleWait since its
// last creation (they wait together, so the wait is paid once per round),
// sampling RSS once a second for the peak; then it reads each runtime's
// RSS, asks its first object again (it must have kept its value) and stops
// it.
func finishMemory(ctx context.Context, o *options, runs []*memoryRun) {
	if len(runs) == 0 {
		return
	}
	for ctx.Err() == nil {
		waiting := false
		for _, r := range runs {
			if time.Since(r.created) < o.idleWait {
				waiting = true
				r.sample.Peak = max(r.sample.Peak, procRSS(r.tree()))
			} else if r.sample.Waited == 0 {
				r.readIdle()
			}
		}
		if !waiting {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	client := &http.Client{Timeout: o.timeout}
	for _, r := range runs {
		if r.sample.Waited == 0 {
			r.readIdle()
		}
		if r.s.pprofAddr != "" {
			if err := r.forceGC(ctx, client); err != nil {
				r.m.Notes = append(r.m.Notes, fmt.Sprintf("forced GC: %v", err))
			}
		}
		r.m.Notes = append(r.m.Notes, readBack(ctx, client, r.t, r.nm))
		r.m.Notes = append(r.m.Notes, fmt.Sprintf("RSS summed over %d process(es) (the runtime's process tree)", r.sample.Procs))
		if err := r.s.exited(); err != nil {
			r.m.Err = err.Error()
		} else {
			r.m.Ran, r.m.Memory, r.m.RSS = true, r.sample, r.sample.Idle
		}
		r.s.stop()
	}
}

// forceGC asks edge's profiler for a heap profile after a GC (gc=1), reads
// the live heap from it, and the RSS a few seconds later (the runtime
// returns freed memory to the OS in the background).
func (r *memoryRun) forceGC(ctx context.Context, client *http.Client) error {
	status, body, err := getFull(ctx, client, r.s.pprofAddr, r.s.pprofAddr, "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		return fmt.Errorf("reading the heap profile: %w", err)
	}
	if status != 200 {
		return fmt.Errorf("heap profile: status %d", status)
	}
	r.sample.HeapAlloc = parseMemStat(body, "HeapAlloc")
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
	r.sample.AfterGC = procRSS(r.tree())
	// Where the RSS is: Go's in-use heap spans, free spans not yet
	// returned to the OS, stacks; the rest of RSS is outside Go's heap
	// (binary, SQLite's C-style allocations, ...).
	mib := func(k string) string { return formatBytes(parseMemStat(body, k)) }
	retained := parseMemStat(body, "HeapIdle") - min(parseMemStat(body, "HeapIdle"), parseMemStat(body, "HeapReleased"))
	r.m.Notes = append(r.m.Notes, fmt.Sprintf("after the forced GC: HeapAlloc %s, HeapInuse %s, free heap not yet returned to the OS %s, Sys %s, NumGC %d; RSS %s 5 s later",
		mib("HeapAlloc"), mib("HeapInuse"), formatBytes(retained), mib("Sys"), parseMemStat(body, "NumGC"), formatBytes(r.sample.AfterGC)))
	return nil
}

// parseMemStat reads a "# Name = value" line of a heap profile in text form
// (debug=1), where Go prints runtime.MemStats; 0 if absent.
func parseMemStat(profile, name string) uint64 {
	for _, line := range strings.Split(profile, "\n") {
		if rest, ok := strings.CutPrefix(line, "# "+name+" = "); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

// readIdle takes the idle sample.
func (r *memoryRun) readIdle() {
	pids := r.tree()
	r.sample.Idle, r.sample.Procs, r.sample.Waited = procRSS(pids), len(pids), time.Since(r.created)
	r.sample.Peak = max(r.sample.Peak, r.sample.Idle)
}

// processTree returns pids and all their descendants, from
// /proc/<pid>/task/<tid>/children. Processes that exit meanwhile are skipped.
func processTree(pids []int) []int {
	seen := map[int]bool{}
	var out []int
	queue := append([]int(nil), pids...)
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		out = append(out, pid)
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			queue = append(queue, parseChildren(b)...)
		}
	}
	return out
}

// parseChildren reads a /proc/<pid>/task/<tid>/children file: pids
// separated by spaces.
func parseChildren(b []byte) []int {
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// memoryTable is the markdown table of the idle-memory scenario, or "" if it
// did not run.
func (r *results) memoryTable(scenarios []scenario) string {
	var b strings.Builder
	for _, sc := range scenarios {
		if !sc.Memory {
			continue
		}
		b.WriteString("| runtime | objects | RSS before | RSS after creating | RSS after idle wait | peak | idle growth per object | RSS after forced GC (live heap) | creation req/s | p50 | p99 |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, rt := range runtimeOrder {
			m := r.get(sc.Key, rt)
			switch {
			case m == nil:
				continue
			case !m.Ran || m.Memory == nil:
				fmt.Fprintf(&b, "| %s | failed | | | | | | | | | |\n", runtimeTitle[rt])
				continue
			}
			s, res := m.Memory, m.Result
			gc := "–"
			if s.AfterGC > 0 {
				gc = fmt.Sprintf("%s (%s)", formatBytes(s.AfterGC), formatBytes(s.HeapAlloc))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				runtimeTitle[rt], formatRate(float64(s.Objects)), formatBytes(s.Before), formatBytes(s.Active),
				formatBytes(s.Idle), formatBytes(s.Peak), s.perObject(), gc,
				formatRate(res.ReqPerSec), formatLatency(res.P50), formatLatency(res.P99))
		}
	}
	return b.String()
}

// measureCreate runs the create scenario on the shared copy of a runtime:
// o.createN first requests to new objects, o.createConns at a time, with
// the same CPU accounting as a timed load.
func measureCreate(ctx context.Context, o *options, s *server, t target, client *http.Client, m *measurement, ourPids []int, nm namer) {
	if o.quiet > 0 {
		waited, other := waitQuiet(ctx, ourPids, o.quiet, o.quietWait)
		if other >= o.quiet {
			m.Notes = append(m.Notes, fmt.Sprintf("the machine was not quiet: other processes used %.2f cores after waiting %v", other, waited.Round(time.Second)))
		}
	}
	pids := s.pids()
	cpu0, gen0, all0, our0 := procCPU(pids), selfCPU(), machineBusy(), procCPU(ourPids)
	r, notes, err := runCreate(ctx, client, t, nm, uint64(o.createN), o.createConns, o.timeout)
	cpu1, gen1, all1, our1 := procCPU(pids), selfCPU(), machineBusy(), procCPU(ourPids)
	m.Notes = append(m.Notes, notes...)
	m.Notes = append(m.Notes, readBack(ctx, client, t, nm))
	if err != nil {
		m.Err = err.Error()
		return
	}
	m.Ran, m.Result = true, r
	if secs := r.Elapsed.Seconds(); secs > 0 {
		m.ServerCores = (cpu1 - cpu0).Seconds() / secs
		m.GenCores = (gen1 - gen0).Seconds() / secs
		m.OtherCores = max(0, ((all1-all0)-(our1-our0)-(gen1-gen0)).Seconds()/secs)
	}
	m.RSS = procRSS(processTree(pids))
}
