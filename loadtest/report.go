package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/edge-platform/edge/loadtest/loadgen"
)

// scenario is one benchmark, run against every runtime.
type scenario struct {
	Key   string
	Title string
	// Prime: before the warmup, send one request to each of the 1,000
	// coordinators (/spread?k=0..999) so the measurement is steady state.
	Prime bool
	// Create: instead of a timed load on one URL, send a fixed number of
	// requests (-create-n), each to a new object (/create/<new name>).
	Create bool
	// Memory: start a fresh copy of each runtime, create -memory-n objects,
	// let them go idle and report resident memory (memoryTable) instead of
	// req/s.
	Memory bool
	// K6 is the script in loadtest/k6 that runs this scenario against a
	// running edge (TestK6Scripts checks that it exists and parses).
	K6 string
}

var allScenarios = []scenario{
	{Key: "hello", Title: "hello-world worker", K6: "hello.js"},
	{Key: "read", Title: "worker → coordinator, read", K6: "read.js"},
	{Key: "increment", Title: "worker → one hot coordinator, durable increment", K6: "increment.js"},
	{Key: "spread", Title: "increments spread over 1,000 coordinators", Prime: true, K6: "spread.js"},
	{Key: "create", Title: "first request to a new coordinator, one durable write", Create: true, K6: "create.js"},
	// k6 cannot read a server's memory; create.js makes the same objects.
	{Key: "idle-memory", Title: "memory: idle coordinators with one stored value", Memory: true, K6: "create.js"},
}

// defaultScenarios is the -scenarios default: all of them.
func defaultScenarios() string {
	keys := make([]string, len(allScenarios))
	for i, sc := range allScenarios {
		keys[i] = sc.Key
	}
	return strings.Join(keys, ",")
}

// loadScenarios are those measured in req/s (all but the memory ones).
func loadScenarios(scenarios []scenario) []scenario {
	var out []scenario
	for _, sc := range scenarios {
		if !sc.Memory {
			out = append(out, sc)
		}
	}
	return out
}

// runtimeOrder is the order runtimes are run and shown in.
var runtimeOrder = []string{"edge", "workerd", "deno"}

var runtimeTitle = map[string]string{"edge": "edge", "workerd": "workerd", "deno": "Deno"}

// measurement is one (runtime, scenario) cell.
type measurement struct {
	Runtime  string
	Scenario string
	// Ran is false when the runtime or scenario could not run; Err says why.
	Ran    bool
	Err    string
	Result loadgen.Result
	// ServerCores is the server processes' CPU time during the measured
	// window divided by its length (2.0 = both cores of a 2-core box).
	ServerCores float64
	// GenCores is the same for this process (the load generator).
	GenCores float64
	// OtherCores is the rest of the machine's CPU in that window (user,
	// system and steal time not used by the servers or the generator;
	// interrupts left out): anything else running on the box. It should be
	// near 0.
	OtherCores float64
	// Round is the 1-based round of the run this cell was measured in.
	Round int
	// RSS is the server processes' resident memory after the run.
	RSS uint64
	// Memory holds the samples of an idle-memory measurement.
	Memory *memorySample
	// Notes are checks and observations (prime time, counter check, ...).
	Notes []string
}

// results holds every measurement of a run: one per round for each
// (scenario, runtime).
type results struct {
	cells map[string]map[string][]*measurement // scenario -> runtime -> rounds
}

func newResults() *results { return &results{cells: map[string]map[string][]*measurement{}} }

func (r *results) put(m *measurement) {
	if r.cells[m.Scenario] == nil {
		r.cells[m.Scenario] = map[string][]*measurement{}
	}
	r.cells[m.Scenario][m.Runtime] = append(r.cells[m.Scenario][m.Runtime], m)
}

// all returns every round's measurement of a cell.
func (r *results) all(scenario, runtime string) []*measurement {
	return r.cells[scenario][runtime]
}

// get returns the cell's representative measurement: the round with the
// median req/s among the rounds that ran (the lower middle one for an even
// count), or the last round if none ran, or nil.
func (r *results) get(scenario, runtime string) *measurement {
	return median(r.cells[scenario][runtime])
}

func median(ms []*measurement) *measurement {
	var ran []*measurement
	for _, m := range ms {
		if m.Ran {
			ran = append(ran, m)
		}
	}
	if len(ran) == 0 {
		if len(ms) == 0 {
			return nil
		}
		return ms[len(ms)-1]
	}
	sort.SliceStable(ran, func(i, j int) bool { return sortKey(ran[i]) < sortKey(ran[j]) })
	return ran[(len(ran)-1)/2]
}

// sortKey orders the rounds of a cell for the median: req/s, or for a
// memory cell the idle RSS.
func sortKey(m *measurement) float64 {
	if m.Memory != nil {
		return float64(m.Memory.Idle)
	}
	return m.Result.ReqPerSec
}

// ratio returns a/b as text, or "n/a" when either side did not run cleanly.
func ratio(a, b *measurement) string {
	if !usable(a) || !usable(b) || b.Result.ReqPerSec == 0 {
		return "n/a"
	}
	return formatRatio(a.Result.ReqPerSec / b.Result.ReqPerSec)
}

// usable reports whether a measurement can be compared: it ran and fewer
// than 10% of its responses were not 2xx.
func usable(m *measurement) bool {
	return m != nil && m.Ran && m.Result.Requests > 0 && m.Result.Non2xx*10 < m.Result.Requests
}

func formatRatio(r float64) string {
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0f×", r)
	case r >= 0.1:
		return fmt.Sprintf("%.2f×", r)
	default:
		return fmt.Sprintf("%.3f×", r)
	}
}

// formatRate formats req/s with thousands separators, e.g. "12,345".
func formatRate(v float64) string {
	n := int64(v + 0.5)
	s := fmt.Sprintf("%d", n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatLatency formats a duration in milliseconds with 2 decimals.
func formatLatency(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func formatBytes(n uint64) string {
	const mib = 1 << 20
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/mib)
}

// perCore is req/s divided by the server's CPU use: requests per CPU-second,
// which depends less on how the cores were shared with the generator.
func perCore(m *measurement) string {
	if m.ServerCores < 0.01 {
		return "–"
	}
	return formatRate(m.Result.ReqPerSec / m.ServerCores)
}

// cellRate is the req/s column of the summary table.
func cellRate(m *measurement) string {
	switch {
	case m == nil:
		return "not run"
	case !m.Ran:
		return "failed"
	case !usable(m):
		return formatRate(m.Result.ReqPerSec) + " (≥10% non-2xx)"
	}
	return formatRate(m.Result.ReqPerSec)
}

// summaryTable is the markdown table of req/s and ratios.
func (r *results) summaryTable(scenarios []scenario) string {
	scenarios = loadScenarios(scenarios)
	var b strings.Builder
	b.WriteString("| scenario | edge req/s | workerd req/s | Deno req/s | edge/workerd | edge/Deno |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|\n")
	for _, sc := range scenarios {
		e, w, d := r.get(sc.Key, "edge"), r.get(sc.Key, "workerd"), r.get(sc.Key, "deno")
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
			sc.Title, cellRate(e), cellRate(w), cellRate(d), ratio(e, w), ratio(e, d))
	}
	return b.String()
}

// detailTable is the markdown table with latency, errors and resources.
func (r *results) detailTable(scenarios []scenario) string {
	scenarios = loadScenarios(scenarios)
	var b strings.Builder
	b.WriteString("| scenario | runtime | req/s | p50 | p99 | non-2xx | errors | server CPU (cores) | req per server CPU-second | generator CPU (cores) | other CPU (cores) | server RSS after |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, sc := range scenarios {
		for _, rt := range runtimeOrder {
			m := r.get(sc.Key, rt)
			if m == nil {
				continue
			}
			if !m.Ran {
				fmt.Fprintf(&b, "| %s | %s | failed | | | | | | | | | |\n", sc.Title, runtimeTitle[rt])
				continue
			}
			res := m.Result
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %d | %.2f | %s | %.2f | %.2f | %s |\n",
				sc.Title, runtimeTitle[rt], formatRate(res.ReqPerSec), formatLatency(res.P50), formatLatency(res.P99),
				res.Non2xx, res.Errors, m.ServerCores, perCore(m), m.GenCores, m.OtherCores, formatBytes(m.RSS))
		}
	}
	return b.String()
}

// notes lists every error and note of every round, one bullet each.
func (r *results) notes(scenarios []scenario) string {
	var b strings.Builder
	for _, sc := range scenarios {
		for _, rt := range runtimeOrder {
			rounds := r.all(sc.Key, rt)
			for _, m := range rounds {
				writeNotes(&b, sc, rt, m, len(rounds) > 1)
			}
		}
	}
	return b.String()
}

func writeNotes(b *strings.Builder, sc scenario, rt string, m *measurement, showRound bool) {
	prefix := fmt.Sprintf("- %s, %s: ", runtimeTitle[rt], sc.Title)
	if showRound {
		prefix = fmt.Sprintf("- %s, %s, round %d: ", runtimeTitle[rt], sc.Title, m.Round)
	}
	if m.Err != "" {
		b.WriteString(prefix + "**" + oneLine(m.Err) + "**\n")
	}
	if m.Ran && m.Result.Non2xx > 0 {
		b.WriteString(prefix + "statuses " + loadgen.StatusSummary(m.Result.Statuses) + "\n")
	}
	if m.Ran && m.Result.FirstError != "" {
		b.WriteString(prefix + "first error: `" + oneLine(m.Result.FirstError) + "`\n")
	}
	for _, n := range m.Notes {
		b.WriteString(prefix + n + "\n")
	}
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

// consoleTable is a plain-text table for the terminal.
func (r *results) consoleTable(scenarios []scenario) string {
	scenarios = loadScenarios(scenarios)
	var b strings.Builder
	fmt.Fprintf(&b, "%-48s %-8s %10s %10s %10s %8s %7s %7s %7s %7s %9s\n",
		"scenario", "runtime", "req/s", "p50", "p99", "non-2xx", "errors", "srvCPU", "genCPU", "other", "RSS")
	for _, sc := range scenarios {
		for _, rt := range runtimeOrder {
			m := r.get(sc.Key, rt)
			if m == nil {
				continue
			}
			if !m.Ran {
				fmt.Fprintf(&b, "%-48s %-8s %10s  %s\n", sc.Title, rt, "failed", oneLine(m.Err))
				continue
			}
			res := m.Result
			fmt.Fprintf(&b, "%-48s %-8s %10s %10s %10s %8d %7d %7.2f %7.2f %7.2f %9s\n",
				sc.Title, rt, formatRate(res.ReqPerSec), formatLatency(res.P50), formatLatency(res.P99),
				res.Non2xx, res.Errors, m.ServerCores, m.GenCores, m.OtherCores, formatBytes(m.RSS))
		}
		e, w, d := r.get(sc.Key, "edge"), r.get(sc.Key, "workerd"), r.get(sc.Key, "deno")
		fmt.Fprintf(&b, "%-48s edge/workerd %s   edge/Deno %s\n", "", ratio(e, w), ratio(e, d))
	}
	return b.String()
}
