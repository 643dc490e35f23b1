package kvtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/edge-platform/edge/kv"
)

func testBigValuesBinaryKeys(t *testing.T, b Backend) {
	big := make([]byte, kv.MaxValueBytes)
	for i := range big {
		big[i] = byte(i * 7)
	}
	keys := [][]byte{
		key(t, []byte{0, 0xff, 0, 1}),
		key(t, []byte{0xff, 0xff}),
		key(t, []byte{0}),
		key(t, []byte{}),
		key(t, "\x00\xc3\xbf"),
		key(t, strings.Repeat("x", kv.MaxWriteKeyBytes-2)),
	}
	if n := len(keys[len(keys)-1]); n != kv.MaxWriteKeyBytes {
		t.Fatalf("long key is %d bytes", n)
	}
	var muts []kv.Mutation
	for i, k := range keys {
		v := kv.Value{Kind: kv.KindBytes, Data: append([]byte{byte(i)}, big[:kv.MaxValueBytes-1]...)}
		muts = append(muts, set(k, v))
	}
	commit(t, b, shared, nil, muts...)
	for i, k := range keys {
		e := get(t, b, shared, k)
		if e == nil || !bytes.Equal(e.Key, k) || e.Value.Kind != kv.KindBytes || !bytes.Equal(e.Value.Data, muts[i].Value.Data) {
			t.Errorf("key %x did not round-trip with its %d-byte value", k[:min(len(k), 16)], kv.MaxValueBytes)
		}
	}
	wantKeys(t, "binary keys", list(t, b, shared, prefix(t)), sorted(keys)...)
	// An empty value is a value.
	commit(t, b, shared, nil, set(key(t, "empty"), kv.Value{Kind: kv.KindBytes, Data: []byte{}}))
	if e := get(t, b, shared, key(t, "empty")); e == nil || len(e.Value.Data) != 0 || e.Value.Kind != kv.KindBytes {
		t.Errorf("empty value read back as %v", e)
	}
}

// testCopies: the store keeps its own copies of what it is given, and
// hands out copies the caller may change.
func testCopies(t *testing.T, b Backend) {
	k := key(t, "k")
	data := []byte("abc")
	kcopy := bytes.Clone(k)
	commit(t, b, shared, nil, set(kcopy, kv.Value{Kind: kv.KindBytes, Data: data}))
	data[0], kcopy[1] = 'X', 'X'
	e := get(t, b, shared, k)
	wantValue(t, "after changing the committed slices", e, kv.Value{Kind: kv.KindBytes, Data: []byte("abc")})
	e.Value.Data[0], e.Key[1] = 'Y', 'Y'
	wantValue(t, "after changing a read entry", get(t, b, shared, k), kv.Value{Kind: kv.KindBytes, Data: []byte("abc")})
	l := list(t, b, shared, prefix(t))
	l[0].Value.Data[0] = 'Z'
	wantValue(t, "after changing a listed entry", get(t, b, shared, k), kv.Value{Kind: kv.KindBytes, Data: []byte("abc")})
}
