// Package kvtest is the behaviour every kv.Store must have, as a test
// suite any backend runs from its own tests:
//
//	func TestSuite(t *testing.T) {
//		kvtest.Run(t, func(t *testing.T) kvtest.Backend { return openMine(t) })
//	}
//
// kv.Memory passes it and is the reference: when a backend and the suite
// disagree, Memory says which one is right.
//
// Time. The suite controls no clock: backends keep their own. It writes
// entries whose ExpireAt is already past (they must be invisible at once)
// or an hour away (they must be visible), and one that expires 100ms
// after its write, which it polls until it disappears, failing only after
// a generous deadline (Deadline). So a backend must read the real time (time.Now or
// the database's clock) when it hides expired entries, and the suite never
// measures how fast anything is.
//
// Changes may arrive late (kv.Store allows it): the suite waits for them
// with the same deadline, and checks that none came for another scope
// only after one for the right scope arrived.
package kvtest

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// Backend is a store under test. Activate makes owner the writer of an
// instance's store and returns its new epoch, greater than every epoch
// returned before for that instance.
type Backend interface {
	kv.Store
	Activate(ctx context.Context, project, instance, owner string) (int64, error)
}

// Deadline bounds every wait for something that happens asynchronously
// (an expiry, a change notification). It is a bound, not an expectation:
// a correct backend is usually done within milliseconds. Set it before
// Run, not during.
var Deadline = 5 * time.Second

// Run runs the suite. open returns a new, empty backend for each subtest
// and arranges its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"GetMissing", testGetMissing},
		{"SetThenGet", testSetThenGet},
		{"OverwriteBumpsVersionstamp", testOverwrite},
		{"VersionstampsIncrease", testVersionstampsIncrease},
		{"OneVersionstampPerCommit", testOneVersionstampPerCommit},
		{"EmptyCommit", testEmptyCommit},
		{"Delete", testDelete},
		{"ListOrderAcrossTypes", testListOrder},
		{"ListPrefix", testListPrefix},
		{"ListStartEnd", testListStartEnd},
		{"ListReverseAndLimit", testListReverseLimit},
		{"Checks", testChecks},
		{"FailedCheckWritesNothing", testFailedCheckWritesNothing},
		{"SumMinMax", testSumMinMax},
		{"MutationsApplyInOrder", testMutationsInOrder},
		{"MutationErrorWritesNothing", testMutationErrorWritesNothing},
		{"ExpiredIsInvisible", testExpired},
		{"ExpiresLater", testExpiresLater},
		{"ScopesAreIsolated", testScopes},
		{"Fencing", testFencing},
		{"Changes", testChanges},
		{"ConcurrentCompareAndSet", testConcurrentCAS},
		{"ConcurrentSums", testConcurrentSums},
		{"BigValuesAndBinaryKeys", testBigValuesBinaryKeys},
		{"StoreCopiesItsInputs", testCopies},
		{"CanceledContext", testCanceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var shared = kv.Scope{Project: "p"}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// key encodes parts; ints become float64 (JS numbers).
func key(t *testing.T, parts ...any) []byte {
	t.Helper()
	k := make(kv.Key, len(parts))
	for i, p := range parts {
		if n, ok := p.(int); ok {
			p = float64(n)
		}
		k[i] = p
	}
	b, err := kv.EncodeKey(k)
	if err != nil {
		t.Fatalf("encoding %v: %v", parts, err)
	}
	return b
}

func text(s string) kv.Value { return kv.Value{Kind: kv.KindJSON, Data: []byte(fmt.Sprintf("%q", s))} }

func set(k []byte, v kv.Value) kv.Mutation { return kv.Mutation{Key: k, Op: kv.OpSet, Value: v} }

func del(k []byte) kv.Mutation { return kv.Mutation{Key: k, Op: kv.OpDelete} }

func u64op(op kv.Op, k []byte, n uint64) kv.Mutation {
	return kv.Mutation{Key: k, Op: op, Value: *kv.U64(n)}
}

// commit commits and fails the test unless it succeeded.
func commit(t *testing.T, b Backend, s kv.Scope, checks []kv.Check, muts ...kv.Mutation) kv.Versionstamp {
	t.Helper()
	vs, ok, err := b.Commit(ctx(t), s, checks, muts)
	if err != nil || !ok {
		t.Fatalf("commit: ok=%v err=%v", ok, err)
	}
	return vs
}

func get(t *testing.T, b Backend, s kv.Scope, k []byte) *kv.Entry {
	t.Helper()
	es, err := b.Get(ctx(t), s, [][]byte{k})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if len(es) != 1 {
		t.Fatalf("get of 1 key returned %d entries", len(es))
	}
	return es[0]
}

func list(t *testing.T, b Backend, s kv.Scope, r kv.Range) []kv.Entry {
	t.Helper()
	es, err := b.List(ctx(t), s, r)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return es
}

func prefix(t *testing.T, parts ...any) kv.Range {
	start, end := kv.PrefixBounds(key(t, parts...))
	return kv.Range{Start: start, End: end}
}

func keysOf(es []kv.Entry) [][]byte {
	out := make([][]byte, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}

func wantKeys(t *testing.T, what string, got []kv.Entry, want ...[]byte) {
	t.Helper()
	if !slices.EqualFunc(keysOf(got), want, bytes.Equal) {
		t.Errorf("%s: keys %s, want %s", what, fmtKeys(keysOf(got)), fmtKeys(want))
	}
}

func fmtKeys(ks [][]byte) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, k := range ks {
		if i > 0 {
			b.WriteByte(' ')
		}
		if d, err := kv.DecodeKey(k); err == nil {
			fmt.Fprintf(&b, "%v", d)
		} else {
			fmt.Fprintf(&b, "%x", k)
		}
	}
	b.WriteByte(']')
	return b.String()
}

func wantValue(t *testing.T, what string, e *kv.Entry, want kv.Value) {
	t.Helper()
	if e == nil {
		t.Fatalf("%s: missing, want %v", what, want)
	}
	if e.Value.Kind != want.Kind || !bytes.Equal(e.Value.Data, want.Data) {
		t.Errorf("%s: value kind %d %q, want kind %d %q", what, e.Value.Kind, e.Value.Data, want.Kind, want.Data)
	}
}

func wantU64(t *testing.T, what string, e *kv.Entry, want uint64) {
	t.Helper()
	if e == nil {
		t.Fatalf("%s: missing, want KvU64 %d", what, want)
	}
	n, ok := kv.AsU64(e.Value)
	if !ok || n != want {
		t.Errorf("%s: value kind %d %x, want KvU64 %d", what, e.Value.Kind, e.Value.Data, want)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(Deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not after %v", what, Deadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// allKeyTypes are keys of every part type, for order tests.
func allKeyTypes(t *testing.T) [][]byte {
	neg := new(big.Int).Lsh(big.NewInt(-1), 70)
	pos := new(big.Int).Lsh(big.NewInt(1), 70)
	parts := []any{
		[]byte{}, []byte{0}, []byte{0, 0xff}, []byte{0xff},
		"", "a", "a\x00", "ab", "é",
		neg, big.NewInt(-1), big.NewInt(0), big.NewInt(1), pos,
		-1e300, -1.0, 0.0, 0.5, 1.0, 1e300,
		false, true,
	}
	var out [][]byte
	for _, p := range parts {
		out = append(out, key(t, "t", p))
		out = append(out, key(t, "t", p, "sub"))
	}
	return out
}
