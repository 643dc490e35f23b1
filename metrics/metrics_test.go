package metrics

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// scrape returns the exposition m's handler serves.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("scraping: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading scrape: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want the text format", ct)
	}
	return string(body)
}

// hasLines fails t for each of want that is not a line of exposition.
func hasLines(t *testing.T, exposition string, want ...string) {
	t.Helper()
	lines := map[string]bool{}
	for l := range strings.SplitSeq(exposition, "\n") {
		lines[l] = true
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("exposition lacks %q", w)
		}
	}
}

// lacks fails t for each of unwanted that is a substring of exposition.
func lacks(t *testing.T, exposition string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(exposition, u) {
			t.Errorf("exposition has %q", u)
		}
	}
}

func TestExposition(t *testing.T) {
	m := New()
	m.Request("shop", "worker", 200, 50*time.Microsecond)
	m.Request("shop", "worker", 204, 2*time.Millisecond)
	m.Request("shop", "worker", 404, 2*time.Second)
	m.Request("shop", "worker", 503, time.Minute)
	m.Request("shop", "worker", 0, time.Millisecond) // not a status: counts as 5xx
	m.Request("chat", "coordinator", 101, time.Millisecond)
	m.Activation("chat", true)
	m.Activation("chat", true)
	m.Activation("chat", false)
	m.Passivation("chat", "idle")
	m.Passivation("chat", "lru")
	m.Passivation("chat", "idle")
	m.InternalFetch("shop", "chat")
	m.Overloaded("chat")
	m.LoopDetected("shop")
	m.Deployed("shop")
	m.Deployed("shop")
	m.CoordinatorStates(func() (int, int) { return 3, 7 })
	m.GroupCommitted(1, 2, 300*time.Microsecond, nil)
	m.GroupCommitted(100, 1000, 20*time.Millisecond, nil)
	m.GroupCommitted(3, 0, time.Second, errors.New("disk full"))

	out := scrape(t, m)
	hasLines(t, out,
		`edge_requests_total{code_class="2xx",kind="worker",project="shop"} 2`,
		`edge_requests_total{code_class="4xx",kind="worker",project="shop"} 1`,
		`edge_requests_total{code_class="5xx",kind="worker",project="shop"} 2`,
		`edge_requests_total{code_class="1xx",kind="coordinator",project="chat"} 1`,
		`edge_request_duration_seconds_bucket{project="shop",le="0.0001"} 1`,
		`edge_request_duration_seconds_bucket{project="shop",le="0.0025"} 3`,
		`edge_request_duration_seconds_bucket{project="shop",le="2.5"} 4`,
		`edge_request_duration_seconds_bucket{project="shop",le="30"} 4`,
		`edge_request_duration_seconds_bucket{project="shop",le="+Inf"} 5`,
		`edge_request_duration_seconds_count{project="shop"} 5`,
		`edge_activations_total{project="chat",result="ok"} 2`,
		`edge_activations_total{project="chat",result="error"} 1`,
		`edge_passivations_total{project="chat",reason="idle"} 2`,
		`edge_passivations_total{project="chat",reason="lru"} 1`,
		`edge_internal_fetches_total{caller="shop",target="chat"} 1`,
		`edge_overloaded_total{project="chat"} 1`,
		`edge_fetch_loops_total{project="shop"} 1`,
		`edge_deployments_total{project="shop"} 2`,
		`edge_coordinators{state="active"} 3`,
		`edge_coordinators{state="idle"} 7`,
		`edge_storage_groups_total{result="ok"} 2`,
		`edge_storage_groups_total{result="error"} 1`,
		`edge_storage_commits_total 104`,
		`edge_storage_group_commits_bucket{le="1"} 1`,
		`edge_storage_group_commits_bucket{le="4"} 2`,
		`edge_storage_group_commits_bucket{le="64"} 2`,
		`edge_storage_group_commits_bucket{le="128"} 3`,
		`edge_storage_group_commits_bucket{le="1024"} 3`,
		`edge_storage_group_commits_sum 104`,
		`edge_storage_group_mutations_sum 1002`,
		`edge_storage_group_mutations_bucket{le="1"} 1`,
		`edge_storage_group_mutations_bucket{le="1024"} 3`,
		`edge_storage_group_duration_seconds_count 3`,
	)
	// Unused classes export nothing, and the runtime collectors are there.
	lacks(t, out, `code_class="3xx"`, `edge_requests_total{code_class="2xx",kind="coordinator"`)
	for _, want := range []string{"go_goroutines ", "process_cpu_seconds_total "} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks the runtime series %q", want)
		}
	}
}

func TestCoordinatorStates(t *testing.T) {
	m := New()
	lacks(t, scrape(t, m), "edge_coordinators{")

	calls := 0
	m.CoordinatorStates(func() (int, int) { calls++; return calls, 0 })
	hasLines(t, scrape(t, m), `edge_coordinators{state="active"} 1`, `edge_coordinators{state="idle"} 0`)
	if calls != 1 {
		t.Errorf("one scrape called the function %d times, want once", calls)
	}
	hasLines(t, scrape(t, m), `edge_coordinators{state="active"} 2`) // computed at each scrape

	m.CoordinatorStates(func() (int, int) { return 0, 9 })
	hasLines(t, scrape(t, m), `edge_coordinators{state="idle"} 9`)
}

func TestForget(t *testing.T) {
	m := New()
	for _, p := range []string{"gone", "kept"} {
		m.Request(p, "worker", 200, time.Millisecond)
		m.Activation(p, true)
		m.Passivation(p, "idle")
		m.Overloaded(p)
		m.LoopDetected(p)
		m.Deployed(p)
	}
	m.InternalFetch("gone", "kept")
	m.InternalFetch("kept", "gone")
	m.InternalFetch("kept", "kept")
	m.Forget("gone")
	out := scrape(t, m)
	lacks(t, out, `"gone"`)
	hasLines(t, out,
		`edge_requests_total{code_class="2xx",kind="worker",project="kept"} 1`,
		`edge_deployments_total{project="kept"} 1`,
		`edge_internal_fetches_total{caller="kept",target="kept"} 1`,
	)

	// Deployed again, the project starts from zero, in fresh series.
	m.Request("gone", "worker", 200, time.Millisecond)
	m.InternalFetch("kept", "gone")
	hasLines(t, scrape(t, m),
		`edge_requests_total{code_class="2xx",kind="worker",project="gone"} 1`,
		`edge_internal_fetches_total{caller="kept",target="gone"} 1`,
	)
}

func TestNilRecordsNothing(t *testing.T) {
	var m *Metrics
	m.Request("p", "worker", 200, time.Millisecond)
	m.Activation("p", true)
	m.Passivation("p", "idle")
	m.CoordinatorStates(func() (int, int) { t.Error("nil Metrics called the function"); return 0, 0 })
	m.InternalFetch("p", "q")
	m.Overloaded("p")
	m.LoopDetected("p")
	m.Deployed("p")
	m.GroupCommitted(1, 1, time.Millisecond, nil)
	m.Forget("p")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Metrics' handler answered %d, want 404", rec.Code)
	}
}

// TestConcurrentRecording checks, under -race, that series created and
// updated from many goroutines at once count every call once.
func TestConcurrentRecording(t *testing.T) {
	m := New()
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				m.Request("p", "worker", 200+100*((g+i)%4), time.Millisecond)
				m.Passivation("p", "idle")
				m.InternalFetch("p", "q")
			}
		})
	}
	wg.Wait()
	hasLines(t, scrape(t, m),
		`edge_request_duration_seconds_count{project="p"} 1600`,
		`edge_requests_total{code_class="2xx",kind="worker",project="p"} 400`,
		`edge_requests_total{code_class="5xx",kind="worker",project="p"} 400`,
		`edge_passivations_total{project="p",reason="idle"} 1600`,
		`edge_internal_fetches_total{caller="p",target="q"} 1600`,
	)
}

// TestHotPathDoesNotAllocate checks the claim of the package comment: once
// a series exists, recording it allocates nothing.
func TestHotPathDoesNotAllocate(t *testing.T) {
	m := New()
	record := func() {
		m.Request("shop", "worker", 200, time.Millisecond)
		m.Activation("shop", true)
		m.Passivation("shop", "idle")
		m.InternalFetch("shop", "chat")
		m.Overloaded("shop")
		m.GroupCommitted(4, 10, time.Millisecond, nil)
	}
	record() // create the series
	if n := testing.AllocsPerRun(100, record); n != 0 {
		t.Errorf("recording existing series allocated %v times per run, want 0", n)
	}
}

func BenchmarkRequest(b *testing.B) {
	m := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Request("shop", "worker", 200, time.Millisecond)
		}
	})
}
