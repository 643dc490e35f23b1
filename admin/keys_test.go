package admin_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/kv"
)

func encode(t *testing.T, k kv.Key) []byte {
	t.Helper()
	b, err := kv.EncodeKey(k)
	if err != nil {
		t.Fatalf("EncodeKey(%v): %v", k, err)
	}
	return b
}

func bigInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad test bigint " + s)
	}
	return n
}

// TestKeyJSONRoundTrip: every key part type survives KeyToJSON then
// KeyFromJSON as the same stored key (compared by encoding, which is what
// the store compares).
func TestKeyJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		key  kv.Key
		json string // what KeyToJSON renders
	}{
		{"empty key", kv.Key{}, `[]`},
		{"string", kv.Key{"users"}, `["users"]`},
		{"string needing escapes", kv.Key{"a\"b\\c\n\x00é"}, `["a\"b\\c\n\u0000é"]`},
		{"empty string", kv.Key{""}, `[""]`},
		{"integer float", kv.Key{float64(42)}, `[42]`},
		{"negative fractional float", kv.Key{-3.25}, `[-3.25]`},
		{"tiny float", kv.Key{5e-324}, `[5e-324]`},
		{"huge float", kv.Key{1.7976931348623157e308}, `[1.7976931348623157e+308]`},
		{"negative zero", kv.Key{math.Copysign(0, -1)}, `[-0]`},
		{"true", kv.Key{true}, `[true]`},
		{"false", kv.Key{false}, `[false]`},
		{"bigint", kv.Key{big.NewInt(7)}, `[{"bigint":"7"}]`},
		{"negative bigint beyond 2^64", kv.Key{bigInt("-123456789012345678901234567890")}, `[{"bigint":"-123456789012345678901234567890"}]`},
		{"zero bigint", kv.Key{big.NewInt(0)}, `[{"bigint":"0"}]`},
		{"bytes", kv.Key{[]byte{0, 1, 0xfe, 0xff}}, `[{"bytes":"AAH+/w=="}]`},
		{"empty bytes", kv.Key{[]byte{}}, `[{"bytes":""}]`},
		{"every type at once", kv.Key{"u", 1.5, true, big.NewInt(-2), []byte("x")},
			`["u",1.5,true,{"bigint":"-2"},{"bytes":"eA=="}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, err := admin.KeyToJSON(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if string(js) != tt.json {
				t.Errorf("KeyToJSON = %s, want %s", js, tt.json)
			}
			back, err := admin.KeyFromJSON(js)
			if err != nil {
				t.Fatalf("KeyFromJSON(%s): %v", js, err)
			}
			if got, want := encode(t, back), encode(t, tt.key); !bytes.Equal(got, want) {
				t.Errorf("round trip of %v came back as %v", tt.key, back)
			}
		})
	}
}

// TestKeyJSONRoundTripNonFinite: NaN and infinities are not JSON numbers;
// KeyToJSON writes them tagged, and the same tag must be accepted back, or a
// listed entry could not be read with kv get.
func TestKeyJSONRoundTripNonFinite(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		key := kv.Key{"n", f}
		js, err := admin.KeyToJSON(key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := admin.KeyFromJSON(js)
		if err != nil {
			t.Errorf("KeyFromJSON(%s): %v", js, err)
			continue
		}
		if got, want := encode(t, back), encode(t, key); !bytes.Equal(got, want) {
			t.Errorf("round trip of %v came back as %v", key, back)
		}
	}
}

func TestKeyFromJSONShorthandAndEmpty(t *testing.T) {
	tests := []struct {
		in   string
		want kv.Key
	}{
		{`"users"`, kv.Key{"users"}},
		{`  "users"  `, kv.Key{"users"}},
		{`""`, kv.Key{""}},
		{``, kv.Key{}},
		{`   `, kv.Key{}},
		{`[]`, kv.Key{}},
		{`["a", 1e3]`, kv.Key{"a", float64(1000)}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := admin.KeyFromJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(encode(t, got), encode(t, tt.want)) || len(got) != len(tt.want) {
				t.Errorf("KeyFromJSON(%s) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeyFromJSONRejects(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"an object with another tag", `[{"date":"2024-01-01"}]`, "object key part"},
		{"a tagged object with two tags", `[{"bigint":"1","bytes":""}]`, "object key part"},
		{"a bigint tag holding a number", `[{"bigint":1}]`, "object key part"},
		{"an empty object", `[{}]`, "object key part"},
		{"a bigint that is not an integer", `[{"bigint":"1.5"}]`, "not an integer"},
		{"a number tag that is not a number", `[{"number":"many"}]`, "not a number"},
		{"bytes that are not base64", `[{"bytes":"***"}]`, "not base64"},
		{"a nested array", `["a", ["b"]]`, "part 1"},
		{"a null part", `["a", null]`, "part 1"},
		{"a number too large for a float", `[1e999]`, "not a number"},
		{"an array that does not end", `["a"`, "JSON array"},
		{"a bare word", `users`, "JSON array"},
		{"a bare object", `{"bigint":"1"}`, "JSON array"},
		{"a bare number", `5`, "JSON array"},
		{"a bare null", `null`, ""},
		{"a bare true", `true`, "JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := admin.KeyFromJSON([]byte(tt.in))
			if err == nil {
				t.Fatalf("KeyFromJSON(%s) = %#v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func u64(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }

func TestValueToJSON(t *testing.T) {
	tests := []struct {
		name string
		v    kv.Value
		want string
	}{
		{"JSON object kept as is", kv.Value{Kind: kv.KindJSON, Data: []byte(`{"a": [1, 2]}`)}, `{"a": [1, 2]}`},
		{"JSON string kept as is", kv.Value{Kind: kv.KindJSON, Data: []byte(`"hi"`)}, `"hi"`},
		{"JSON null kept as is", kv.Value{Kind: kv.KindJSON, Data: []byte(`null`)}, `null`},
		{"JSON that is not JSON", kv.Value{Kind: kv.KindJSON, Data: []byte(`{`)}, `{"invalid":"ew=="}`},
		{"bytes as base64", kv.Value{Kind: kv.KindBytes, Data: []byte{0, 0xff, 'a'}}, `{"bytes":"AP9h"}`},
		{"empty bytes", kv.Value{Kind: kv.KindBytes, Data: nil}, `{"bytes":""}`},
		{"u64 zero", kv.Value{Kind: kv.KindU64, Data: u64(0)}, `{"u64":"0"}`},
		{"u64 little-endian", kv.Value{Kind: kv.KindU64, Data: []byte{1, 2, 0, 0, 0, 0, 0, 0}}, `{"u64":"513"}`},
		{"u64 max, beyond a JS number", kv.Value{Kind: kv.KindU64, Data: u64(math.MaxUint64)}, `{"u64":"18446744073709551615"}`},
		{"u64 high byte", kv.Value{Kind: kv.KindU64, Data: u64(1 << 56)}, `{"u64":"72057594037927936"}`},
		{"structured wrapped", kv.Value{Kind: kv.KindStructured, Data: []byte(`{"t":"map","v":[]}`)},
			`{"structured":{"t":"map","v":[]}}`},
		{"structured that is not JSON", kv.Value{Kind: kv.KindStructured, Data: []byte{0xff}}, `{"invalid":"/w=="}`},
		{"unknown kind", kv.Value{Kind: 99, Data: []byte("x")}, `{"unknown":"eA=="}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(admin.ValueToJSON(tt.v)); got != tt.want {
				t.Errorf("ValueToJSON = %s, want %s", got, tt.want)
			}
		})
	}
}
