package kvtest

import (
	"errors"
	"math"
	"testing"

	"github.com/edge-platform/edge/kv"
)

func testChecks(t *testing.T, b Backend) {
	k := key(t, "a")
	missing := kv.Check{Key: k} // nil versionstamp: must not exist
	// A nil versionstamp passes while the key is missing.
	v1 := commit(t, b, shared, []kv.Check{missing}, set(k, text("1")))
	// ...and fails once it exists.
	if _, ok, err := b.Commit(ctx(t), shared, []kv.Check{missing}, []kv.Mutation{set(k, text("2"))}); err != nil || ok {
		t.Fatalf("check for absence of an existing key: ok=%v err=%v, want a failed check", ok, err)
	}
	// The current versionstamp passes.
	v2 := commit(t, b, shared, []kv.Check{{Key: k, Versionstamp: &v1}}, set(k, text("3")))
	// A stale one fails.
	if _, ok, err := b.Commit(ctx(t), shared, []kv.Check{{Key: k, Versionstamp: &v1}}, []kv.Mutation{set(k, text("4"))}); err != nil || ok {
		t.Fatalf("stale versionstamp: ok=%v err=%v, want a failed check", ok, err)
	}
	// A versionstamp on a missing key fails.
	if _, ok, err := b.Commit(ctx(t), shared, []kv.Check{{Key: key(t, "nope"), Versionstamp: &v2}}, nil); err != nil || ok {
		t.Fatalf("versionstamp check on a missing key: ok=%v err=%v, want a failed check", ok, err)
	}
	wantValue(t, "after the checks", get(t, b, shared, k), text("3"))
	// After a delete the key is missing again.
	commit(t, b, shared, []kv.Check{{Key: k, Versionstamp: &v2}}, del(k))
	commit(t, b, shared, []kv.Check{missing}, set(k, text("5")))
}

func testFailedCheckWritesNothing(t *testing.T, b Backend) {
	k := key(t, "a")
	v1 := commit(t, b, shared, nil, set(k, text("1")))
	commit(t, b, shared, nil, set(k, text("2")))
	checks := []kv.Check{
		{Key: key(t, "other")},      // holds
		{Key: k, Versionstamp: &v1}, // stale
	}
	_, ok, err := b.Commit(ctx(t), shared, checks, []kv.Mutation{
		set(key(t, "b"), text("B")), del(k), u64op(kv.OpSum, key(t, "n"), 1),
	})
	if err != nil || ok {
		t.Fatalf("ok=%v err=%v, want a failed check", ok, err)
	}
	wantValue(t, "a", get(t, b, shared, k), text("2"))
	wantKeys(t, "after a failed check", list(t, b, shared, prefix(t)), k)
}

func testSumMinMax(t *testing.T, b Backend) {
	cases := []struct {
		name string
		init *uint64
		op   kv.Op
		arg  uint64
		want uint64
	}{
		{"sum on missing", nil, kv.OpSum, 7, 7},
		{"min on missing", nil, kv.OpMin, 7, 7},
		{"max on missing", nil, kv.OpMax, 7, 7},
		{"sum", ptr(5), kv.OpSum, 6, 11},
		{"sum wraps at 2^64", ptr(math.MaxUint64), kv.OpSum, 2, 1},
		{"min", ptr(5), kv.OpMin, 3, 3},
		{"min keeps smaller", ptr(5), kv.OpMin, 9, 5},
		{"max", ptr(5), kv.OpMax, 9, 9},
		{"max keeps larger", ptr(5), kv.OpMax, 3, 5},
	}
	for i, c := range cases {
		k := key(t, "n", i)
		if c.init != nil {
			commit(t, b, shared, nil, set(k, *kv.U64(*c.init)))
		}
		commit(t, b, shared, nil, u64op(c.op, k, c.arg))
		wantU64(t, c.name, get(t, b, shared, k), c.want)
	}
	// Type errors: Deno's messages, the value untouched.
	values := map[string]kv.Value{
		"JSON":       text("str"),
		"bytes":      {Kind: kv.KindBytes, Data: make([]byte, 8)},
		"structured": {Kind: kv.KindStructured, Data: []byte{0xff, 0x0f, 0x49, 0x02}},
	}
	for name, v := range values {
		k := key(t, "typed", name)
		commit(t, b, shared, nil, set(k, v))
		for _, op := range []kv.Op{kv.OpSum, kv.OpMin, kv.OpMax} {
			_, _, err := b.Commit(ctx(t), shared, nil, []kv.Mutation{u64op(op, k, 1)})
			var me *kv.MutationError
			want := "Failed to perform '" + op.String() + "' mutation on a non-U64 value in the database"
			if !errors.As(err, &me) || me.Msg != want {
				t.Errorf("%s on %s: error %v, want *kv.MutationError %q", op, name, err, want)
			}
		}
		wantValue(t, name+" after failed mutations", get(t, b, shared, k), v)
	}
}

func ptr(n uint64) *uint64 { return &n }

func testMutationsInOrder(t *testing.T, b Backend) {
	// Each mutation of an atomic operation applies to the result of the
	// ones before it, as in Deno.
	commit(t, b, shared, nil, set(key(t, "a"), *kv.U64(10)), u64op(kv.OpSum, key(t, "a"), 2))
	wantU64(t, "set 10 then sum 2", get(t, b, shared, key(t, "a")), 12)
	commit(t, b, shared, nil, u64op(kv.OpSum, key(t, "b"), 1), u64op(kv.OpSum, key(t, "b"), 2))
	wantU64(t, "sum 1 then sum 2", get(t, b, shared, key(t, "b")), 3)
	commit(t, b, shared, nil, u64op(kv.OpSum, key(t, "c"), 1), del(key(t, "c")))
	if e := get(t, b, shared, key(t, "c")); e != nil {
		t.Errorf("sum then delete left %v", e)
	}
	commit(t, b, shared, nil, set(key(t, "d"), text("x")), set(key(t, "d"), text("y")))
	wantValue(t, "set x then set y", get(t, b, shared, key(t, "d")), text("y"))
	commit(t, b, shared, nil, del(key(t, "d")), u64op(kv.OpMax, key(t, "d"), 4))
	wantU64(t, "delete then max 4", get(t, b, shared, key(t, "d")), 4)
	// A mutation can fail on a value set earlier in the same operation.
	_, _, err := b.Commit(ctx(t), shared, nil, []kv.Mutation{set(key(t, "e"), text("x")), u64op(kv.OpSum, key(t, "e"), 1)})
	var me *kv.MutationError
	if !errors.As(err, &me) {
		t.Errorf("set string then sum: error %v, want a *kv.MutationError", err)
	}
	if e := get(t, b, shared, key(t, "e")); e != nil {
		t.Errorf("failed operation wrote %v", e)
	}
}

func testMutationErrorWritesNothing(t *testing.T, b Backend) {
	commit(t, b, shared, nil, set(key(t, "s"), text("str")), set(key(t, "keep"), text("old")))
	// deno 2.9.6's SQLite backend keeps the mutations before the failing
	// one; an atomic operation must not, so we check both sides.
	_, ok, err := b.Commit(ctx(t), shared, nil, []kv.Mutation{
		set(key(t, "before"), text("1")),
		set(key(t, "keep"), text("new")),
		u64op(kv.OpSum, key(t, "s"), 1),
		set(key(t, "after"), text("2")),
	})
	var me *kv.MutationError
	if !errors.As(err, &me) || ok {
		t.Fatalf("ok=%v err=%v, want a *kv.MutationError", ok, err)
	}
	wantKeys(t, "after a failed mutation", list(t, b, shared, prefix(t)), key(t, "keep"), key(t, "s"))
	wantValue(t, "keep", get(t, b, shared, key(t, "keep")), text("old"))
}
