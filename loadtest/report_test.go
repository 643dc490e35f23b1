package main

import (
	"strings"
	"testing"
	"time"

	"github.com/edge-platform/edge/loadtest/loadgen"
)

func cell(rt, sc string, round int, rps float64, non2xx uint64) *measurement {
	return &measurement{Runtime: rt, Scenario: sc, Round: round, Ran: true, Result: loadgen.Result{
		ReqPerSec: rps, Requests: uint64(rps) * 10, Non2xx: non2xx,
		P50: 1500 * time.Microsecond, P99: 12 * time.Millisecond,
		Statuses: map[int]uint64{200: uint64(rps)*10 - non2xx, 500: non2xx},
	}}
}

func TestFormatting(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999.4: "999", 1000: "1,000", 143210.6: "143,211", 1234567: "1,234,567"} {
		if got := formatRate(v); got != want {
			t.Errorf("formatRate(%v) = %q, want %q", v, got, want)
		}
	}
	for r, want := range map[float64]string{12.3: "12×", 1: "1.00×", 0.4149: "0.41×", 0.0651: "0.065×"} {
		if got := formatRatio(r); got != want {
			t.Errorf("formatRatio(%v) = %q, want %q", r, got, want)
		}
	}
	if got := formatLatency(1500 * time.Microsecond); got != "1.50 ms" {
		t.Errorf("formatLatency = %q", got)
	}
	if got := formatBytes(300 << 20); got != "300 MiB" {
		t.Errorf("formatBytes = %q", got)
	}
}

func TestSummaryTable(t *testing.T) {
	r := newResults()
	r.put(cell("edge", "hello", 1, 5000, 0))
	r.put(cell("workerd", "hello", 1, 20000, 0))
	r.put(cell("deno", "hello", 1, 100000, 0))
	r.put(cell("edge", "read", 1, 2000, 0))
	r.put(&measurement{Runtime: "workerd", Scenario: "read", Round: 1, Err: "did not start"})
	r.put(cell("deno", "read", 1, 8000, 8000)) // 10% errors: no ratio
	table := r.summaryTable(allScenarios[:3])
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 5 {
		t.Fatalf("want header, separator and 3 rows, got:\n%s", table)
	}
	if want := "| hello-world worker | 5,000 | 20,000 | 100,000 | 0.25× | 0.050× |"; lines[2] != want {
		t.Errorf("row:\n got %s\nwant %s", lines[2], want)
	}
	if want := "| worker → coordinator, read | 2,000 | failed | 8,000 (≥10% non-2xx) | n/a | n/a |"; lines[3] != want {
		t.Errorf("row:\n got %s\nwant %s", lines[3], want)
	}
	if want := "| worker → one hot coordinator, durable increment | not run | not run | not run | n/a | n/a |"; lines[4] != want {
		t.Errorf("row:\n got %s\nwant %s", lines[4], want)
	}
	notes := r.notes(allScenarios[:3])
	if !strings.Contains(notes, "workerd, worker → coordinator, read: **did not start**") ||
		!strings.Contains(notes, "Deno, worker → coordinator, read: statuses 200:72000 500:8000") {
		t.Errorf("notes miss the failure or the statuses:\n%s", notes)
	}
	r.get("hello", "edge").ServerCores = 1.25
	detail := r.detailTable(allScenarios[:1])
	if !strings.Contains(detail, "| hello-world worker | edge | 5,000 | 1.50 ms | 12.00 ms | 0 | 0 | 1.25 | 4,000 |") {
		t.Errorf("detail table:\n%s", detail)
	}
}

func TestMedianRound(t *testing.T) {
	r := newResults()
	r.put(cell("edge", "hello", 1, 300, 0))
	r.put(&measurement{Runtime: "edge", Scenario: "hello", Round: 2, Err: "crashed"})
	r.put(cell("edge", "hello", 3, 100, 0))
	r.put(cell("edge", "hello", 4, 200, 0))
	if m := r.get("hello", "edge"); m.Round != 4 {
		t.Errorf("median of 300, 100, 200 (and a failure) is round %d, want 4", m.Round)
	}
	r.put(cell("edge", "hello", 5, 400, 0))
	if m := r.get("hello", "edge"); m.Round != 4 {
		t.Errorf("lower median of 100, 200, 300, 400 is round %d, want 4 (200)", m.Round)
	}
	r.put(&measurement{Runtime: "deno", Scenario: "hello", Round: 1, Err: "x"})
	if m := r.get("hello", "deno"); m == nil || m.Ran {
		t.Error("a cell that never ran should return its failed measurement")
	}
	if r.get("hello", "workerd") != nil {
		t.Error("an absent cell should be nil")
	}
}

func TestProcParsing(t *testing.T) {
	stat := []byte("1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 1000 200 18446744073709551615")
	if got := parseStatCPU(stat); got != 3*time.Second {
		t.Errorf("parseStatCPU = %v, want 3s", got)
	}
	status := []byte("Name:\tdeno\nVmPeak:\t  999 kB\nVmRSS:\t  204800 kB\nThreads:\t7\n")
	if got := parseStatusKB(status, "VmRSS:"); got != 204800 {
		t.Errorf("parseStatusKB = %d", got)
	}
	procStat := []byte("cpu  100 5 50 1000 7 3 2 10 0 0\ncpu0 50 2 25 500 3 1 1 5 0 0\n")
	if got := parseProcStatBusy(procStat); got != 1650*time.Millisecond {
		t.Errorf("parseProcStatBusy = %v, want 1.65s (user+nice+system+steal)", got)
	}
}
