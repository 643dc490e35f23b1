package kv

import (
	"errors"
	"strings"
	"testing"
)

// keyOfSize is an encoded key of n bytes: ["x…x"].
func keyOfSize(t *testing.T, n int) []byte {
	return mustEncode(t, Key{strings.Repeat("x", n-2)})
}

// bigKey is an encoded key of 1998 bytes, ["y"×1987, i], as in the probes.
func bigKey(t *testing.T, i int) []byte {
	return mustEncode(t, Key{strings.Repeat("y", 1987), float64(i)})
}

func set(key []byte, n int) Mutation {
	return Mutation{Key: key, Op: OpSet, Value: Value{Kind: KindBytes, Data: make([]byte, n)}}
}

// Each case is one deno 2.9.6 probe: the message is what Deno threw (a
// TypeError), "" that it accepted.
func TestValidateMatchesDeno(t *testing.T) {
	small := func(i int) []byte { return mustEncode(t, Key{"t", float64(i)}) }
	atomic := func(nChecks int, check func(int) []byte, muts ...[]Mutation) error {
		var cs []Check
		for i := range nChecks {
			cs = append(cs, Check{Key: check(i)})
		}
		var ms []Mutation
		for _, m := range muts {
			ms = append(ms, m...)
		}
		return ValidateAtomic(cs, ms)
	}
	many := func(n int, f func(i int) Mutation) []Mutation {
		var ms []Mutation
		for i := range n {
			ms = append(ms, f(i))
		}
		return ms
	}
	sum := func(key []byte) Mutation { return Mutation{Key: key, Op: OpSum, Value: *U64(1)} }
	del := func(key []byte) Mutation { return Mutation{Key: key, Op: OpDelete} }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"write key 2048", ValidateWriteKey(keyOfSize(t, 2048)), ""},
		{"write key 2049", ValidateWriteKey(keyOfSize(t, 2049)), "Key too large for write (max 2048 bytes)"},
		{"write empty key", ValidateWriteKey(nil), "key cannot be empty"},
		{"read key 2049", ValidateReadKey(keyOfSize(t, 2049)), ""},
		{"read key 2050", ValidateReadKey(keyOfSize(t, 2050)), "Key too large for read (max 2049 bytes)"},
		{"read empty key", ValidateReadKey(nil), ""},
		{"value 65536", ValidateValue(Value{Kind: KindBytes, Data: make([]byte, 65536)}), ""},
		{"value 65537", ValidateValue(Value{Kind: KindBytes, Data: make([]byte, 65537)}), "Value too large (max 65536 bytes)"},
		{"getMany 10", ValidateGetMany(10), ""},
		{"getMany 11", ValidateGetMany(11), "Too many ranges (max 10)"},
		{"list batchSize 1000", ValidateListBatch(1000), ""},
		{"list batchSize 1001", ValidateListBatch(1001), "Too many entries (max 1000)"},
		{"watch 10", ValidateWatch(10), ""},
		{"watch 11", ValidateWatch(11), "Too many keys (max 10)"},
		{"100 checks", atomic(100, small), ""},
		{"101 checks", atomic(101, small), "Too many checks (max 100)"},
		{"1000 sets", atomic(0, nil, many(1000, func(i int) Mutation { return set(small(i), 1) })), ""},
		{"1001 deletes", atomic(0, nil, many(1001, func(i int) Mutation { return del(small(i)) })), "Too many mutations (max 1000)"},
		{"check key 2049", atomic(1, func(int) []byte { return keyOfSize(t, 2049) }), "Key too large for write (max 2048 bytes)"},
		{"delete key 2049", atomic(0, nil, []Mutation{del(keyOfSize(t, 2049))}), "Key too large for write (max 2048 bytes)"},
		{"empty check key", atomic(1, func(int) []byte { return nil }), "key cannot be empty"},
		{"empty atomic", atomic(0, nil), ""},
		{"12 sets of 64000", atomic(0, nil, many(12, func(i int) Mutation { return set(small(i), 64000) })), ""},
		{"13 sets of 64000", atomic(0, nil, many(13, func(i int) Mutation { return set(small(i), 64000) })), "Total mutation size too large (max 819200 bytes)"},
		{"12 sets of 64000 and 30 checks of 1998", atomic(30, func(i int) []byte { return bigKey(t, i) }, many(12, func(i int) Mutation { return set(small(i), 64000) })), "Total mutation size too large (max 819200 bytes)"},
		// A set's key counts twice: 40 × (2×1998 + 16484) = 819200.
		{"40 sets of 1998+16484", atomic(0, nil, many(40, func(i int) Mutation { return set(bigKey(t, i), 16484) })), ""},
		{"40 sets of 1998+16485", atomic(0, nil, many(40, func(i int) Mutation { return set(bigKey(t, i), 16485) })), "Total mutation size too large (max 819200 bytes)"},
		// Deletes count once: 409×1998 + 2×12 + 1994 = 819200.
		{"409 deletes and a set of 1994", atomic(0, nil, many(409, func(i int) Mutation { return del(bigKey(t, i)) }), []Mutation{set(small(1), 1994)}), ""},
		{"409 deletes and a set of 1995", atomic(0, nil, many(409, func(i int) Mutation { return del(bigKey(t, i)) }), []Mutation{set(small(1), 1995)}), "Total mutation size too large (max 819200 bytes)"},
		{"100 checks, 309 deletes and a set of 1994", atomic(100, func(i int) []byte { return bigKey(t, 1000+i) }, many(309, func(i int) Mutation { return del(bigKey(t, i)) }), []Mutation{set(small(1), 1994)}), ""},
		{"100 checks, 309 deletes and a set of 1995", atomic(100, func(i int) []byte { return bigKey(t, 1000+i) }, many(309, func(i int) Mutation { return del(bigKey(t, i)) }), []Mutation{set(small(1), 1995)}), "Total mutation size too large (max 819200 bytes)"},
		{"41 sums of 1998-byte keys", atomic(0, nil, many(41, func(i int) Mutation { return sum(bigKey(t, i)) })), ""},
		{"42 sums of 1998-byte keys", atomic(0, nil, many(42, func(i int) Mutation { return sum(bigKey(t, i)) })), "Total key size too large (max 81920 bytes)"},
		{"42 deletes of 1998-byte keys", atomic(0, nil, many(42, func(i int) Mutation { return del(bigKey(t, i)) })), ""},
		{"42 checks of 1998-byte keys", atomic(42, func(i int) []byte { return bigKey(t, i) }), ""},
		{"sum with a bytes operand", atomic(0, nil, []Mutation{{Key: small(1), Op: OpSum, Value: Value{Kind: KindBytes, Data: make([]byte, 8)}}}), "Invalid mutation 0: the operand of sum must be a KvU64"},
		{"unknown op", atomic(0, nil, []Mutation{{Key: small(1), Op: 99}}), "Invalid mutation type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.want == "" {
				if c.err != nil {
					t.Fatalf("rejected: %v", c.err)
				}
				return
			}
			var re *RequestError
			if !errors.As(c.err, &re) {
				t.Fatalf("error %v (%T), want a *RequestError", c.err, c.err)
			}
			if re.Msg != c.want {
				t.Errorf("message %q, Deno says %q", re.Msg, c.want)
			}
		})
	}
}
