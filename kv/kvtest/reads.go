package kvtest

import (
	"bytes"
	"slices"
	"testing"

	"github.com/edge-platform/edge/kv"
)

func testGetMissing(t *testing.T, b Backend) {
	es, err := b.Get(ctx(t), shared, [][]byte{key(t, "a"), key(t, "b")})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0] != nil || es[1] != nil {
		t.Fatalf("get of two missing keys: %v, want [nil nil]", es)
	}
	es, err = b.Get(ctx(t), shared, nil)
	if err != nil || len(es) != 0 {
		t.Fatalf("get of no keys: %v, %v; want none", es, err)
	}
	if es := list(t, b, shared, prefix(t)); len(es) != 0 {
		t.Fatalf("list of an empty store: %d entries", len(es))
	}
}

func testSetThenGet(t *testing.T, b Backend) {
	vs := commit(t, b, shared, nil, set(key(t, "a"), text("A")))
	e := get(t, b, shared, key(t, "a"))
	wantValue(t, "a", e, text("A"))
	if !bytes.Equal(e.Key, key(t, "a")) {
		t.Errorf("entry key %x, want %x", e.Key, key(t, "a"))
	}
	if e.Versionstamp != vs {
		t.Errorf("entry versionstamp %v, commit returned %v", e.Versionstamp, vs)
	}
	// getMany: present, missing, and the same key twice, in order.
	es, err := b.Get(ctx(t), shared, [][]byte{key(t, "a"), key(t, "zz"), key(t, "a")})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 || es[1] != nil {
		t.Fatalf("getMany(a, zz, a) = %v, want [a nil a]", es)
	}
	wantValue(t, "getMany first", es[0], text("A"))
	wantValue(t, "getMany third", es[2], text("A"))
}

func testOverwrite(t *testing.T, b Backend) {
	k := key(t, "a")
	v1 := commit(t, b, shared, nil, set(k, text("1")))
	v2 := commit(t, b, shared, nil, set(k, kv.Value{Kind: kv.KindBytes, Data: []byte{1, 2}}))
	if bytes.Compare(v2[:], v1[:]) <= 0 {
		t.Errorf("overwrite's versionstamp %v is not above the first write's %v", v2, v1)
	}
	e := get(t, b, shared, k)
	wantValue(t, "overwritten", e, kv.Value{Kind: kv.KindBytes, Data: []byte{1, 2}})
	if e.Versionstamp != v2 {
		t.Errorf("versionstamp %v, want the overwrite's %v", e.Versionstamp, v2)
	}
}

func testVersionstampsIncrease(t *testing.T, b Backend) {
	var prev kv.Versionstamp
	for i := range 20 {
		// Alternate keys and ops: every successful commit counts.
		var m kv.Mutation
		switch i % 3 {
		case 0:
			m = set(key(t, "k", i%2), text("x"))
		case 1:
			m = del(key(t, "k", 7))
		case 2:
			m = u64op(kv.OpSum, key(t, "n"), 1)
		}
		vs := commit(t, b, shared, nil, m)
		if i > 0 && bytes.Compare(vs[:], prev[:]) <= 0 {
			t.Fatalf("commit %d: versionstamp %v is not above %v", i, vs, prev)
		}
		prev = vs
	}
}

func testOneVersionstampPerCommit(t *testing.T, b Backend) {
	ks := [][]byte{key(t, "x", 1), key(t, "x", 2), key(t, "x", 3)}
	vs := commit(t, b, shared, nil, set(ks[0], text("1")), set(ks[1], text("2")), u64op(kv.OpSum, ks[2], 5))
	for _, e := range list(t, b, shared, prefix(t, "x")) {
		if e.Versionstamp != vs {
			t.Errorf("entry %x: versionstamp %v, commit returned %v", e.Key, e.Versionstamp, vs)
		}
	}
}

func testEmptyCommit(t *testing.T, b Backend) {
	_, ok, err := b.Commit(ctx(t), shared, nil, nil)
	if err != nil || !ok {
		t.Fatalf("empty commit: ok=%v err=%v; Deno commits it", ok, err)
	}
}

func testDelete(t *testing.T, b Backend) {
	k := key(t, "a")
	commit(t, b, shared, nil, set(k, text("A")), set(key(t, "b"), text("B")))
	commit(t, b, shared, nil, del(k))
	if e := get(t, b, shared, k); e != nil {
		t.Fatalf("deleted key still there: %v", e)
	}
	wantKeys(t, "list after delete", list(t, b, shared, prefix(t)), key(t, "b"))
	// Deleting a missing key succeeds.
	commit(t, b, shared, nil, del(key(t, "never")))
}

// setAll writes each key (with its index as the value) in chunks.
func setAll(t *testing.T, b Backend, s kv.Scope, keys [][]byte) {
	var muts []kv.Mutation
	for i, k := range keys {
		muts = append(muts, set(k, text(string(rune('A'+i%26)))))
	}
	for len(muts) > 0 {
		n := min(len(muts), 100)
		commit(t, b, s, nil, muts[:n]...)
		muts = muts[n:]
	}
}

func sorted(keys [][]byte) [][]byte {
	out := slices.Clone(keys)
	slices.SortFunc(out, bytes.Compare)
	return out
}

func testListOrder(t *testing.T, b Backend) {
	keys := allKeyTypes(t)
	// Write them in an order unrelated to theirs.
	shuffled := slices.Clone(keys)
	for i := range shuffled {
		j := (i * 7) % len(shuffled)
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	}
	setAll(t, b, shared, shuffled)
	want := sorted(keys)
	wantKeys(t, "list of all types", list(t, b, shared, prefix(t)), want...)
	rev := list(t, b, shared, kv.Range{Start: prefix(t).Start, End: prefix(t).End, Reverse: true})
	slices.Reverse(want)
	wantKeys(t, "reverse list of all types", rev, want...)
}

func testListPrefix(t *testing.T, b Backend) {
	keys := [][]byte{
		key(t, "a"), key(t, "a", "x"), key(t, "a", 1), key(t, "a", []byte{0}),
		key(t, "a", "x", "y"), key(t, "a\x00"), key(t, "ab"), key(t, "b"),
		key(t, []byte("a")), key(t, []byte("a"), 1),
	}
	setAll(t, b, shared, keys)
	// The prefix key itself is not listed.
	wantKeys(t, `prefix ["a"]`, list(t, b, shared, prefix(t, "a")),
		key(t, "a", []byte{0}), key(t, "a", "x"), key(t, "a", "x", "y"), key(t, "a", 1))
	wantKeys(t, `prefix ["a", "x"]`, list(t, b, shared, prefix(t, "a", "x")), key(t, "a", "x", "y"))
	wantKeys(t, `prefix [Uint8Array "a"]`, list(t, b, shared, prefix(t, []byte("a"))), key(t, []byte("a"), 1))
	wantKeys(t, `prefix ["nothing"]`, list(t, b, shared, prefix(t, "nothing")))
}

func testListStartEnd(t *testing.T, b Backend) {
	var keys [][]byte
	for i := range 10 {
		keys = append(keys, key(t, "n", i))
	}
	setAll(t, b, shared, keys)
	// Start is inclusive, end exclusive.
	wantKeys(t, "[3, 6)", list(t, b, shared, kv.Range{Start: keys[3], End: keys[6]}), keys[3:6]...)
	wantKeys(t, "[3, 3)", list(t, b, shared, kv.Range{Start: keys[3], End: keys[3]}))
	wantKeys(t, "[6, 3)", list(t, b, shared, kv.Range{Start: keys[6], End: keys[3]}))
	// Bounds need not exist.
	wantKeys(t, "[2.5, 4.5)", list(t, b, shared, kv.Range{Start: key(t, "n", 2.5), End: key(t, "n", 4.5)}), keys[3:5]...)
	// Deno's list({start, prefix}): from start to the prefix's end.
	_, end := kv.PrefixBounds(key(t, "n"))
	wantKeys(t, "start 8 within prefix", list(t, b, shared, kv.Range{Start: keys[8], End: end}), keys[8:]...)
}

func testListReverseLimit(t *testing.T, b Backend) {
	var keys [][]byte
	for i := range 10 {
		keys = append(keys, key(t, "n", i))
	}
	setAll(t, b, shared, keys)
	r := prefix(t, "n")
	r.Limit = 3
	wantKeys(t, "limit 3", list(t, b, shared, r), keys[:3]...)
	r.Reverse = true
	wantKeys(t, "reverse limit 3", list(t, b, shared, r), keys[9], keys[8], keys[7])
	r = kv.Range{Start: keys[2], End: keys[5], Reverse: true}
	wantKeys(t, "reverse [2, 5)", list(t, b, shared, r), keys[4], keys[3], keys[2])
	r.Limit = 100
	wantKeys(t, "limit above the count", list(t, b, shared, r), keys[4], keys[3], keys[2])
}
