package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/loadtest/loadgen"
)

func TestNamesAreNewAndDNSLabels(t *testing.T) {
	run := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	seen := map[string]string{}
	add := func(name, from string) {
		t.Helper()
		if !configs.IsLabel(name) {
			t.Fatalf("%s: %q is not a DNS label", from, name)
		}
		if prev, dup := seen[name]; dup {
			t.Fatalf("%q given twice: %s and %s", name, prev, from)
		}
		seen[name] = from
	}
	for _, kind := range []string{"c", "m"} {
		for round := 1; round <= 3; round++ {
			nm := newNamer(kind, round, run)
			add(nm.check(), kind+" check")
			add("first-"+nm.check(), kind+" first")
			for i := uint64(0); i < 20000; i++ {
				add(nm.name(i), kind)
			}
		}
	}
	// Another run (a later start) never repeats a name of this one.
	if a, b := newNamer("c", 1, run).name(7), newNamer("c", 1, run.Add(time.Second)).name(7); a == b {
		t.Fatalf("two runs both use %q", a)
	}
	// The largest index still fits in a label.
	if n := newNamer("m", 99, run).name(^uint64(0)); !configs.IsLabel(n) {
		t.Fatalf("%q is not a DNS label", n)
	}
}

func TestRSSFromProcStatus(t *testing.T) {
	// A /proc/<pid>/status of workerd, abridged.
	status := []byte("Name:\tworkerd\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 2311488 kB\nVmSize:\t 2245952 kB\n" +
		"VmHWM:\t  201236 kB\nVmRSS:\t  195012 kB\nRssAnon:\t  160420 kB\nRssFile:\t   34592 kB\nRssShmem:\t       0 kB\nThreads:\t9\n")
	if got := parseStatusKB(status, "VmRSS:"); got != 195012 {
		t.Errorf("VmRSS = %d kB, want 195012", got)
	}
	if got := parseStatusKB(status, "VmSwap:"); got != 0 {
		t.Errorf("an absent key gives %d, want 0", got)
	}
	profile := "heap profile: 1: 2 [3: 4] @ heap/1048576\n# runtime.MemStats\n# Alloc = 17136064\n# HeapAlloc = 17136064\n# HeapSys = 414187520\n"
	if got := parseMemStat(profile, "HeapAlloc"); got != 17136064 {
		t.Errorf("HeapAlloc = %d", got)
	}
	if got := parseMemStat(profile, "Heap"); got != 0 {
		t.Errorf("a partial name matched: %d", got)
	}
	if got := parseChildren([]byte("4242 4243 \n")); !reflect.DeepEqual(got, []int{4242, 4243}) {
		t.Errorf("parseChildren = %v", got)
	}
	if got := parseChildren([]byte("")); got != nil {
		t.Errorf("no children gives %v", got)
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	self := os.Getpid()
	if tree := processTree([]int{self}); len(tree) == 0 || tree[0] != self {
		t.Errorf("processTree(self) = %v", tree)
	}
	if procRSS([]int{self}) == 0 {
		t.Error("this process has no RSS")
	}
}

func TestGeneratedEdgeConfig(t *testing.T) {
	dir := t.TempDir()
	if err := writeAssets(dir); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join(dir, "edge", "edge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "edge", "edge-memory-r1.yaml")
	if err := os.WriteFile(path, edgeConfig(base, 5*time.Second), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatalf("edge does not accept the generated config: %v", err)
	}
	if d, err := cfg.IdleTimeout(); err != nil || d != 5*time.Second {
		t.Errorf("idle timeout = %v, %v; want 5s", d, err)
	}
	found := false
	for _, p := range cfg.Projects {
		found = found || (p.Name == "store" && p.Kind == "coordinator")
	}
	if !found {
		t.Error(`the config has no coordinator project "store" (the create scenarios' objects)`)
	}
}

func TestMemoryAndCreateRows(t *testing.T) {
	r := newResults()
	res := loadgen.Result{ReqPerSec: 400, Requests: 10000, P50: 17700 * time.Microsecond, P99: 60 * time.Millisecond}
	r.put(&measurement{Runtime: "edge", Scenario: "idle-memory", Round: 1, Ran: true, Result: res,
		Memory: &memorySample{Objects: 10000, Before: 50 << 20, Active: 900 << 20, Idle: 150 << 20, Peak: 910 << 20, AfterGC: 100 << 20, HeapAlloc: 20 << 20}})
	r.put(&measurement{Runtime: "workerd", Scenario: "idle-memory", Round: 1, Err: "did not start"})
	create := cell("edge", "create", 1, 650, 0)
	r.put(create)

	mem := r.memoryTable(allScenarios)
	if want := "| edge | 10,000 | 50 MiB | 900 MiB | 150 MiB | 910 MiB | 10.2 KiB | 100 MiB (20 MiB) | 400 | 17.70 ms | 60.00 ms |"; !strings.Contains(mem, want) {
		t.Errorf("memory table misses\n%s\ngot:\n%s", want, mem)
	}
	if !strings.Contains(mem, "| workerd | failed |") {
		t.Errorf("memory table misses the failed runtime:\n%s", mem)
	}
	if strings.Contains(mem, "Deno") {
		t.Errorf("a runtime that was not run has a row:\n%s", mem)
	}
	if got := r.memoryTable(allScenarios[:5]); got != "" {
		t.Errorf("memory table without the scenario: %q", got)
	}

	sum := r.summaryTable(allScenarios)
	if !strings.Contains(sum, "| first request to a new coordinator, one durable write | 650 | not run | not run | n/a | n/a |") {
		t.Errorf("summary misses the create row:\n%s", sum)
	}
	for name, table := range map[string]string{"summary": sum, "detail": r.detailTable(allScenarios), "console": r.consoleTable(allScenarios)} {
		if strings.Contains(table, "memory:") {
			t.Errorf("the %s table of req/s shows the memory scenario:\n%s", name, table)
		}
	}

	// The median of memory rounds is by idle RSS, not by creation rate.
	for i, idle := range []uint64{300, 100, 200} {
		r.put(&measurement{Runtime: "deno", Scenario: "idle-memory", Round: i + 1, Ran: true,
			Result: loadgen.Result{ReqPerSec: float64(1000 - idle)}, Memory: &memorySample{Idle: idle << 20}})
	}
	if m := r.get("idle-memory", "deno"); m.Round != 3 {
		t.Errorf("median memory round is %d, want 3 (200 MiB)", m.Round)
	}
}
