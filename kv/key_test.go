package kv

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

func bi(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad big int " + s)
	}
	return v
}

func pow2(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }

// denoKeys are keys in the order deno 2.9.6's kv.list({prefix: []})
// returned them, each with the raw bytes it stored for the key in its
// SQLite file (table kv, column k).
var denoKeys = []struct {
	key Key
	hex string
}{
	{Key{[]byte{}}, "0100"},
	{Key{[]byte{0}}, "0100ff00"},
	{Key{[]byte{0, 255}}, "0100ffff00"},
	{Key{[]byte{1}}, "010100"},
	{Key{""}, "0200"},
	{Key{"a"}, "026100"},
	{Key{"a", []byte{}}, "0261000100"},
	{Key{"a", "b"}, "026100026200"},
	{Key{"a", 1.0}, "02610021bff0000000000000"},
	{Key{"a\x00b"}, "026100ff6200"},
	{Key{"é"}, "02c3a900"},
	{Key{new(big.Int).Neg(pow2(100))}, "0bf2efffffffffffffffffffffffff"},
	{Key{new(big.Int).Neg(pow2(64))}, "0bf6feffffffffffffffff"},
	{Key{bi("-18446744073709551615")}, "0c0000000000000000"},
	{Key{big.NewInt(-256)}, "12feff"},
	{Key{big.NewInt(-255)}, "1300"},
	{Key{big.NewInt(-1)}, "13fe"},
	{Key{big.NewInt(0)}, "14"},
	{Key{big.NewInt(1)}, "1501"},
	{Key{big.NewInt(255)}, "15ff"},
	{Key{big.NewInt(256)}, "160100"},
	{Key{pow2(63)}, "1c8000000000000000"},
	{Key{bi("18446744073709551615")}, "1cffffffffffffffff"},
	{Key{pow2(64)}, "1d09010000000000000000"},
	{Key{pow2(100)}, "1d0d10000000000000000000000000"},
	{Key{math.Inf(-1)}, "21000fffffffffffff"},
	{Key{-1.0}, "21400fffffffffffff"},
	{Key{-math.SmallestNonzeroFloat64}, "217ffffffffffffffe"},
	{Key{math.Copysign(0, -1)}, "217fffffffffffffff"},
	{Key{0.0}, "218000000000000000"},
	{Key{math.SmallestNonzeroFloat64}, "218000000000000001"},
	{Key{1.0}, "21bff0000000000000"},
	{Key{1.5}, "21bff8000000000000"},
	{Key{math.MaxFloat64}, "21ffefffffffffffff"},
	{Key{math.Inf(1)}, "21fff0000000000000"},
	{Key{math.NaN()}, "21fff8000000000000"},
	{Key{false}, "26"},
	{Key{true}, "27"},
}

func TestEncodeKeyMatchesDeno(t *testing.T) {
	var prev []byte
	for i, c := range denoKeys {
		got, err := EncodeKey(c.key)
		if err != nil {
			t.Fatalf("EncodeKey(%v): %v", c.key, err)
		}
		if h := hex.EncodeToString(got); h != c.hex {
			t.Errorf("EncodeKey(%v) = %s, Deno stored %s", c.key, h, c.hex)
		}
		if i > 0 && bytes.Compare(prev, got) >= 0 {
			t.Errorf("key %v does not sort after the one before it, as in Deno", c.key)
		}
		prev = got
	}
}

func TestDecodeKeyRoundTrip(t *testing.T) {
	for _, c := range denoKeys {
		enc, _ := hex.DecodeString(c.hex)
		got, err := DecodeKey(enc)
		if err != nil {
			t.Fatalf("DecodeKey(%s): %v", c.hex, err)
		}
		if !keysEqual(got, c.key) {
			t.Errorf("DecodeKey(%s) = %#v, want %#v", c.hex, got, c.key)
		}
	}
	// -0 stays -0, as in Deno.
	k, _ := DecodeKey(mustEncode(t, Key{math.Copysign(0, -1)}))
	if f := k[0].(float64); !math.Signbit(f) {
		t.Errorf("-0 decoded as %v without its sign", f)
	}
}

// keysEqual compares parts by value; NaN equals NaN, -0 differs from 0.
func keysEqual(a, b Key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch x := a[i].(type) {
		case *big.Int:
			y, ok := b[i].(*big.Int)
			if !ok || x.Cmp(y) != 0 {
				return false
			}
		case float64:
			y, ok := b[i].(float64)
			if !ok || math.Float64bits(x) != math.Float64bits(y) && !(math.IsNaN(x) && math.IsNaN(y)) {
				return false
			}
		default:
			if !reflect.DeepEqual(a[i], b[i]) {
				return false
			}
		}
	}
	return true
}

func mustEncode(t *testing.T, k Key) []byte {
	t.Helper()
	b, err := EncodeKey(k)
	if err != nil {
		t.Fatalf("EncodeKey(%v): %v", k, err)
	}
	return b
}

func TestEncodeKeyNaNCanonical(t *testing.T) {
	// Deno stored NaNs with payloads 0x7ffc…05 and 0x7ff0…01 as
	// 0x7ff8…00, and 0xfff8…01 as 0xfff8…00 (encoded 0x0007ff…ff).
	cases := []struct {
		bits uint64
		hex  string
	}{
		{0x7ffc000000000005, "21fff8000000000000"},
		{0x7ff0000000000001, "21fff8000000000000"},
		{0xfff8000000000001, "210007ffffffffffff"},
		{0xfff8000000000000, "210007ffffffffffff"},
	}
	for _, c := range cases {
		got := hex.EncodeToString(mustEncode(t, Key{math.Float64frombits(c.bits)}))
		if got != c.hex {
			t.Errorf("NaN %016x encoded %s, Deno stored %s", c.bits, got, c.hex)
		}
	}
}

func TestEncodeKeyErrors(t *testing.T) {
	cases := []struct {
		name string
		key  Key
		is   error
		msg  string
	}{
		{"int is not a number", Key{1}, ErrKeyPartType, "key part 0: int: expected string"},
		{"nil part", Key{"a", nil}, ErrKeyPartType, "key part 1: <nil>"},
		{"nil bigint", Key{(*big.Int)(nil)}, ErrKeyPartType, "nil *big.Int"},
		{"bigint of 256 bytes", Key{pow2(2040)}, ErrBigIntTooLarge, "BigUint requires more than 255 bytes"},
		{"negative bigint of 256 bytes", Key{new(big.Int).Neg(pow2(2040))}, ErrBigIntTooLarge, ""},
		{"invalid UTF-8", Key{"\xed\xa0\x80"}, nil, "not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := EncodeKey(c.key)
			if err == nil {
				t.Fatal("no error")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %q is not %q", err, c.is)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
		})
	}
	// The largest bigint Deno accepts: 255 bytes.
	k := Key{new(big.Int).Sub(pow2(2040), big.NewInt(1))}
	b := mustEncode(t, k)
	if b[0] != 0x1d || b[1] != 0xff || len(b) != 257 {
		t.Errorf("2^2040-1 encoded as %x…, want 1dff… of 257 bytes", b[:4])
	}
}

func TestDecodeKeyErrors(t *testing.T) {
	for _, h := range []string{"01", "0261", "22", "1602", "1d", "1d0501", "0b", "13", "21bff0", "02ff00"} {
		b, _ := hex.DecodeString(h)
		if _, err := DecodeKey(b); !errors.Is(err, ErrInvalidKeyEncoding) {
			t.Errorf("DecodeKey(%s) = %v, want ErrInvalidKeyEncoding", h, err)
		}
	}
	if k, err := DecodeKey(nil); err != nil || len(k) != 0 {
		t.Errorf("DecodeKey(nil) = %v, %v; want the empty key", k, err)
	}
}

func TestPrefixBounds(t *testing.T) {
	prefix := mustEncode(t, Key{"a"})
	start, end := PrefixBounds(prefix)
	in := func(k Key) bool {
		b := mustEncode(t, k)
		return bytes.Compare(start, b) <= 0 && bytes.Compare(b, end) < 0
	}
	cases := []struct {
		key  Key
		want bool
	}{
		{Key{"a"}, false}, // the prefix itself is excluded, as in Deno
		{Key{"a", []byte{}}, true},
		{Key{"a", true}, true},
		{Key{"a", "\u00ff"}, true},
		{Key{"a\x00"}, false},
		{Key{"ab"}, false},
		{Key{"b"}, false},
		{Key{[]byte("a")}, false},
	}
	for _, c := range cases {
		if got := in(c.key); got != c.want {
			t.Errorf("%#v in prefix [\"a\"]: %v, want %v", c.key, got, c.want)
		}
	}
	s, e := PrefixBounds(nil)
	if !bytes.Equal(s, []byte{0}) || !bytes.Equal(e, []byte{0xff}) {
		t.Errorf("PrefixBounds(empty) = %x, %x", s, e)
	}
	if !bytes.Equal(prefix, mustEncode(t, Key{"a"})) {
		t.Error("PrefixBounds modified its argument")
	}
}
