package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// The cluster tests check their histories of counter operations with
// porcupine (github.com/anishathalye/porcupine, a test-only dependency):
// a history is linearizable if every operation can be given one instant
// between its invocation and its return such that, in that order, the
// results are those of a single counter.

// counterInput is one operation on the counter: /inc or /get. Unknown
// numbers the /inc operations whose outcome is unknown in invocation
// order (0, 1, 2, ...); it is -1 for every other operation.
type counterInput struct {
	Inc     bool
	Unknown int
}

// counterOutput is what the operation answered. Known is false when the
// outcome is unknown (any status but 200): an /inc that may or may not
// have happened.
type counterOutput struct {
	Known bool
	N     int64 // /inc: the new value; /get: the value
}

// counterState is the counter's value and how many of the /inc operations
// with an unknown outcome have been applied.
type counterState struct {
	N       int64
	Unknown int
}

// counterModel is a counter starting at 0.
//
// An /inc whose outcome is unknown may take effect at any time after its
// invocation, or never: its return is moved past the end of the history
// (see operations), so the checker may place it after every observation,
// which is the same as it never happening. Such operations are all alike
// (same input, nothing observed, pending until the end), so whenever a
// linearization applies one, it may as well apply the earliest invoked
// one not yet applied: the model accepts them only in invocation order.
// That changes no verdict and keeps the search linear in their number
// instead of exponential (porcupine would otherwise try every subset of
// them; a failover produces dozens).
var counterModel = porcupine.Model{
	Init: func() interface{} { return counterState{} },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(counterState)
		in, out := input.(counterInput), output.(counterOutput)
		switch {
		case in.Inc && !out.Known:
			return in.Unknown == st.Unknown, counterState{N: st.N + 1, Unknown: st.Unknown + 1}
		case in.Inc:
			return out.N == st.N+1, counterState{N: st.N + 1, Unknown: st.Unknown}
		case !out.Known:
			return true, st // operations drops these; harmless if kept
		default:
			return out.N == st.N, st
		}
	},
	DescribeOperation: func(input, output interface{}) string {
		in, out := input.(counterInput), output.(counterOutput)
		op := "get"
		if in.Inc {
			op = "inc"
		}
		if !out.Known {
			return op + " -> ?"
		}
		return fmt.Sprintf("%s -> %d", op, out.N)
	},
	DescribeState: func(state interface{}) string {
		st := state.(counterState)
		return fmt.Sprintf("%d (%d unknown applied)", st.N, st.Unknown)
	},
}

// counterOp is one recorded operation.
type counterOp struct {
	Client       int
	Inc          bool
	Call, Return time.Duration // since the history's start (monotonic clock)
	Status       int           // HTTP status; 0 if the request itself failed
	N            int64         // the value answered, with status 200
	Activation   string        // the activation that answered, with status 200
	Via          string        // the node the request went through
	Body         string        // the body of a non-200 answer
}

// counterHistory records operations from concurrent clients.
type counterHistory struct {
	start time.Time
	mu    sync.Mutex
	ops   []counterOp
}

func newCounterHistory() *counterHistory { return &counterHistory{start: time.Now()} }

// now is the time since the history started.
func (h *counterHistory) now() time.Duration { return time.Since(h.start) }

func (h *counterHistory) add(op counterOp) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, op)
}

// snapshot returns the operations recorded so far, in invocation order.
func (h *counterHistory) snapshot() []counterOp {
	h.mu.Lock()
	ops := append([]counterOp(nil), h.ops...)
	h.mu.Unlock()
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Call < ops[j].Call })
	return ops
}

// operations turns recorded operations into porcupine's: an /inc whose
// outcome is unknown returns past the end of the history (it may take
// effect at any time after its invocation, or never) and is numbered in
// invocation order (see counterModel), and a /get whose outcome is
// unknown is dropped (it observed nothing).
func operations(ops []counterOp) []porcupine.Operation {
	ops = append([]counterOp(nil), ops...)
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Call < ops[j].Call })
	var end int64
	for _, op := range ops {
		if int64(op.Return) > end {
			end = int64(op.Return)
		}
	}
	var out []porcupine.Operation
	unknown := 0
	for _, op := range ops {
		known := op.Status == 200
		if !known && !op.Inc {
			continue
		}
		in, ret := counterInput{Inc: op.Inc, Unknown: -1}, int64(op.Return)
		if !known {
			in.Unknown, ret = unknown, end+1
			unknown++
		}
		out = append(out, porcupine.Operation{ClientId: op.Client, Input: in,
			Call: int64(op.Call), Output: counterOutput{Known: known, N: op.N}, Return: ret})
	}
	return out
}

// checkLinearizable fails the test unless ops are linearizable as one
// counter. The checker's search is bounded (2 minutes) so that a
// pathological history cannot hang the test; running out of it fails too.
// A history that is not linearizable is written out as porcupine's HTML
// visualization, whose path is logged.
func checkLinearizable(t *testing.T, ops []counterOp) {
	t.Helper()
	history := operations(ops)
	began := time.Now()
	result, info := porcupine.CheckOperationsVerbose(counterModel, history, 2*time.Minute)
	t.Logf("linearizability: %d operations (%d recorded) checked in %v: %s", len(history), len(ops), time.Since(began).Round(time.Millisecond), result)
	switch result {
	case porcupine.Ok:
		return
	case porcupine.Unknown:
		t.Fatalf("porcupine could not decide within its bound whether the %d operations are linearizable", len(history))
	}
	dir, err := os.MkdirTemp("", "edge-linearizability-")
	if err == nil {
		path := filepath.Join(dir, t.Name()+".html")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			if err := porcupine.VisualizePath(counterModel, info, path); err == nil {
				t.Logf("visualization of the history: %s", path)
			}
		}
	}
	t.Errorf("the history of %d operations is not linearizable:\n%s", len(history), describeOps(ops))
}

// describeOps lists operations one a line, for failure messages.
func describeOps(ops []counterOp) string {
	var b []byte
	for _, op := range ops {
		name := "get"
		if op.Inc {
			name = "inc"
		}
		b = fmt.Appendf(b, "  client %d via %s: %s [%v, %v] status %d", op.Client, op.Via, name,
			op.Call.Round(time.Microsecond), op.Return.Round(time.Microsecond), op.Status)
		if op.Status == 200 {
			b = fmt.Appendf(b, " n=%d activation=%.8s", op.N, op.Activation)
		} else if op.Body != "" {
			b = fmt.Appendf(b, " %.120q", op.Body)
		}
		b = append(b, '\n')
	}
	return string(b)
}

// The checker and model on synthetic histories: valid ones are accepted
// and the anomalies the cluster tests look for are rejected.
func TestCounterLinearizabilityChecker(t *testing.T) {
	ms := time.Millisecond
	inc := func(client int, call, ret time.Duration, status int, n int64) counterOp {
		return counterOp{Client: client, Inc: true, Call: call * ms, Return: ret * ms, Status: status, N: n}
	}
	get := func(client int, call, ret time.Duration, status int, n int64) counterOp {
		return counterOp{Client: client, Call: call * ms, Return: ret * ms, Status: status, N: n}
	}
	check := func(ops []counterOp) porcupine.CheckResult {
		return porcupine.CheckOperationsTimeout(counterModel, operations(ops), 0)
	}
	for _, c := range []struct {
		name string
		ops  []counterOp
		want porcupine.CheckResult
	}{
		{"sequential", []counterOp{inc(0, 0, 1, 200, 1), inc(0, 2, 3, 200, 2), get(0, 4, 5, 200, 2)}, porcupine.Ok},
		{"concurrent increments in either order", []counterOp{
			inc(0, 0, 10, 200, 2), inc(1, 1, 9, 200, 1), get(2, 5, 6, 200, 1), get(2, 11, 12, 200, 2)}, porcupine.Ok},
		{"a read concurrent with an increment sees either value", []counterOp{
			inc(0, 0, 1, 200, 1), inc(1, 2, 10, 200, 2), get(2, 3, 4, 200, 1), get(3, 3, 5, 200, 2)}, porcupine.Ok},
		{"an unknown increment that happened", []counterOp{
			inc(0, 0, 1, 503, 0), get(1, 2, 3, 200, 1), inc(1, 4, 5, 200, 2)}, porcupine.Ok},
		{"an unknown increment that never happened", []counterOp{
			inc(0, 0, 1, 504, 0), get(1, 2, 3, 200, 0), inc(1, 4, 5, 200, 1), get(1, 6, 7, 200, 1)}, porcupine.Ok},
		{"an unknown increment that happened late", []counterOp{
			inc(0, 0, 1, 503, 0), get(1, 2, 3, 200, 0), get(1, 4, 5, 200, 1)}, porcupine.Ok},
		{"of two unknown increments, the later one happened", []counterOp{
			inc(0, 0, 1, 503, 0), inc(1, 2, 3, 503, 0), get(2, 4, 5, 200, 1), get(2, 6, 7, 200, 2)}, porcupine.Ok},
		{"unknown increments concurrent with known ones", []counterOp{
			inc(0, 0, 20, 503, 0), inc(1, 1, 2, 200, 1), inc(2, 3, 21, 504, 0), inc(1, 4, 5, 200, 3), get(1, 6, 7, 200, 3)}, porcupine.Ok},
		{"unknown reads are dropped", []counterOp{inc(0, 0, 1, 200, 1), get(1, 2, 3, 503, 0), get(1, 4, 5, 200, 1)}, porcupine.Ok},

		{"a read goes backwards", []counterOp{
			inc(0, 0, 1, 200, 1), inc(0, 2, 3, 200, 2), get(1, 4, 5, 200, 2), get(1, 6, 7, 200, 1)}, porcupine.Illegal},
		{"a read misses an acknowledged increment", []counterOp{inc(0, 0, 1, 200, 1), get(1, 2, 3, 200, 0)}, porcupine.Illegal},
		{"an acknowledged increment is lost", []counterOp{
			inc(0, 0, 1, 200, 1), inc(1, 2, 3, 200, 2), inc(0, 4, 5, 200, 2)}, porcupine.Illegal},
		{"two increments return the same value", []counterOp{inc(0, 0, 10, 200, 1), inc(1, 0, 10, 200, 1)}, porcupine.Illegal},
		{"a value from the future", []counterOp{get(0, 0, 1, 200, 1), inc(1, 2, 3, 200, 1)}, porcupine.Illegal},
		{"an unknown increment cannot explain two", []counterOp{
			inc(0, 0, 1, 503, 0), get(1, 2, 3, 200, 2)}, porcupine.Illegal},
		{"an unknown increment cannot take effect before it was invoked", []counterOp{
			get(1, 0, 1, 200, 1), inc(0, 2, 3, 503, 0)}, porcupine.Illegal},
		{"a stale activation answers after a new one", []counterOp{
			inc(0, 0, 1, 200, 1), inc(0, 2, 3, 503, 0), inc(1, 4, 5, 200, 3), get(0, 6, 7, 200, 2)}, porcupine.Illegal},
	} {
		if got := check(c.ops); got != c.want {
			t.Errorf("%s: %s, want %s\n%s", c.name, got, c.want, describeOps(c.ops))
		}
	}

	// Many unknown increments interleaved with known ones stay cheap to
	// check: the shape of a failover, where retried requests fail for a
	// while.
	var ops []counterOp
	var now time.Duration
	var n int64
	for i := 0; i < 600; i++ {
		c := i % 6
		switch {
		case i%7 == 3:
			ops = append(ops, inc(c, now, now+3, 503, 0))
		case i%5 == 0:
			ops = append(ops, get(c, now, now+2, 200, n))
		default:
			n++
			ops = append(ops, inc(c, now, now+2, 200, n))
		}
		now += 2
	}
	began := time.Now()
	if got := check(ops); got != porcupine.Ok {
		t.Fatalf("long history: %s, want ok", got)
	}
	t.Logf("a history of %d operations, %d of them unknown increments, checked in %v", len(ops), 600/7, time.Since(began))

	// Simulated executions of a real counter: 8 clients with overlapping
	// operations, each taking effect at a random instant inside its
	// interval; a fifth of the increments lose their answer (half of those
	// took effect, half never did). Every such history is linearizable.
	for seed := int64(1); seed <= 3; seed++ {
		ops := simulateCounter(rand.New(rand.NewSource(seed)), 6, 60)
		began := time.Now()
		if got := check(ops); got != porcupine.Ok {
			t.Fatalf("simulated history (seed %d): %s, want ok\n%s", seed, got, describeOps(ops))
		}
		t.Logf("simulated history of %d operations (seed %d) checked in %v", len(ops), seed, time.Since(began))
	}
}

// simulateCounter runs clients that each perform perClient operations on
// one counter, with random durations; each operation takes effect at a
// random instant between its invocation and return.
func simulateCounter(r *rand.Rand, clients, perClient int) []counterOp {
	type effect struct {
		at int
		op int
	}
	var ops []counterOp
	var effects []effect
	applied := map[int]bool{}
	for c := 0; c < clients; c++ {
		now := r.Intn(10)
		for i := 0; i < perClient; i++ {
			call, ret := now, now+1+r.Intn(20)
			op := counterOp{Client: c, Inc: r.Intn(4) != 0, Call: time.Duration(call), Return: time.Duration(ret), Status: 200}
			if op.Inc && r.Intn(5) == 0 {
				op.Status = 503
			}
			applied[len(ops)] = op.Status == 200 || r.Intn(2) == 0
			effects = append(effects, effect{at: call + r.Intn(ret-call+1), op: len(ops)})
			ops = append(ops, op)
			now = ret + r.Intn(5)
		}
	}
	sort.SliceStable(effects, func(i, j int) bool { return effects[i].at < effects[j].at })
	var n int64
	for _, e := range effects {
		op := &ops[e.op]
		if op.Inc && applied[e.op] {
			n++
		}
		if op.Status == 200 {
			op.N = n
		}
	}
	return ops
}
