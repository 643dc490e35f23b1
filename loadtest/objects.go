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

// runCreate sends count requests, connections at a time, each to a new
// object, and checks afterwards that the first object kept its value.
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
	return r, append(notes, readBack(ctx, client, t, nm)), nil
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
}

// perObject is the idle RSS growth per object, as text.
func (s *memorySample) perObject() string {
	if s.Objects == 0 || s.Idle < s.Before {
		return "–"
	}
	return fmt.Sprintf("%.1f KiB", float64(s.Idle-s.Before)/float64(s.Objects)/1024)
}

// measureMemory starts a fresh copy of a runtime (so that earlier scenarios'
// objects do not count), creates o.memoryN objects, waits o.idleWait and
// reads the resident memory of the runtime's processes and their children.
func measureMemory(ctx context.Context, o *options, start startFunc, name string, round int, runStart time.Time, m *measurement, ourPids []int) {
	s, err := start(ctx, fmt.Sprintf("memory-r%d", round), o.idleTimeout)
	if s != nil {
		defer s.stop()
	}
	if err != nil {
		m.Err = "did not start: " + err.Error()
		return
	}
	client := &http.Client{Timeout: o.timeout}
	t, ok := s.targets["create"]
	if !ok {
		m.Err = "scenario not available for " + name
		return
	}
	nm := newNamer("m", round, runStart)
	sample := &memorySample{}
	// One object first, so that Before includes the code paths an object
	// loads (the coordinator's program, the store).
	if status, body, err := get(ctx, client, t.Addr, t.Host, t.Path+nm.check()); err != nil || status != 200 || body != "new" {
		m.Notes = append(m.Notes, fmt.Sprintf("check request: status %d, body %q, err %v; want 200 \"new\"", status, truncateText(body, 200), err))
	}
	if o.quiet > 0 {
		waitQuiet(ctx, append(ourPids, s.pids()...), o.quiet, o.quietWait)
	}
	tree := func() []int { return processTree(s.pids()) }
	sample.Before = procRSS(tree())
	r, notes, err := runCreate(ctx, client, t, nm, uint64(o.memoryN), o.createConns, o.timeout)
	if err != nil {
		m.Err = err.Error()
		return
	}
	sample.Active = procRSS(tree())
	sample.Peak = sample.Active
	sample.Objects = r.Total2xx
	created := time.Now()
	// The read-back of runCreate touched object 0: wait for it to go idle
	// too, sampling once a second for the peak.
	for time.Since(created) < o.idleWait && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		sample.Peak = max(sample.Peak, procRSS(tree()))
	}
	pids := tree()
	sample.Idle, sample.Procs, sample.Waited = procRSS(pids), len(pids), time.Since(created)
	m.Notes = append(m.Notes, notes...)
	m.Notes = append(m.Notes, fmt.Sprintf("%d process(es) in the runtime's tree", sample.Procs))
	if err := s.exited(); err != nil {
		m.Err = err.Error()
		return
	}
	m.Ran, m.Result, m.Memory, m.RSS = true, r, sample, sample.Idle
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
		b.WriteString("| runtime | objects | RSS before | RSS after creating | RSS after idle wait | peak | idle growth per object | creation req/s | p50 | p99 |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, rt := range runtimeOrder {
			m := r.get(sc.Key, rt)
			switch {
			case m == nil:
				continue
			case !m.Ran || m.Memory == nil:
				fmt.Fprintf(&b, "| %s | failed | | | | | | | | |\n", runtimeTitle[rt])
				continue
			}
			s, res := m.Memory, m.Result
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				runtimeTitle[rt], formatRate(float64(s.Objects)), formatBytes(s.Before), formatBytes(s.Active),
				formatBytes(s.Idle), formatBytes(s.Peak), s.perObject(),
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
