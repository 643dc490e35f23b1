package kv

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestApply(t *testing.T) {
	str := &Value{Kind: KindJSON, Data: []byte(`"str"`)}
	mut := func(op Op, v *Value) Mutation {
		m := Mutation{Key: []byte{2, 'k', 0}, Op: op}
		if v != nil {
			m.Value = *v
		}
		return m
	}
	cases := []struct {
		name string
		cur  *Value
		m    Mutation
		want *Value
		err  string
	}{
		{"set on absent", nil, mut(OpSet, str), str, ""},
		{"set overwrites", U64(1), mut(OpSet, str), str, ""},
		{"delete", str, mut(OpDelete, nil), nil, ""},
		{"delete absent", nil, mut(OpDelete, nil), nil, ""},
		{"sum on absent is the operand", nil, mut(OpSum, U64(7)), U64(7), ""},
		{"min on absent is the operand", nil, mut(OpMin, U64(7)), U64(7), ""},
		{"max on absent is the operand", nil, mut(OpMax, U64(7)), U64(7), ""},
		{"sum", U64(5), mut(OpSum, U64(6)), U64(11), ""},
		{"sum wraps at 2^64", U64(math.MaxUint64), mut(OpSum, U64(2)), U64(1), ""},
		{"min", U64(5), mut(OpMin, U64(3)), U64(3), ""},
		{"min keeps smaller", U64(5), mut(OpMin, U64(9)), U64(5), ""},
		{"max", U64(5), mut(OpMax, U64(9)), U64(9), ""},
		{"max keeps larger", U64(5), mut(OpMax, U64(3)), U64(5), ""},
		// deno 2.9.6: kv.atomic().sum(["s"], 1n).commit() on a string
		// throws TypeError with these messages.
		{"sum on a string", str, mut(OpSum, U64(1)), nil, "Failed to perform 'sum' mutation on a non-U64 value in the database"},
		{"min on a string", str, mut(OpMin, U64(1)), nil, "Failed to perform 'min' mutation on a non-U64 value in the database"},
		{"max on bytes", &Value{Kind: KindBytes, Data: make([]byte, 8)}, mut(OpMax, U64(1)), nil, "Failed to perform 'max' mutation on a non-U64 value in the database"},
		{"sum with a non-U64 operand", U64(1), mut(OpSum, str), nil, "Failed to perform 'sum' mutation with a non-U64 operand"},
		{"unknown op", nil, mut(0, str), nil, "Invalid mutation type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Apply(c.cur, c.m)
			if c.err != "" {
				var me *MutationError
				if !errors.As(err, &me) || me.Msg != c.err || me.Op != c.m.Op {
					t.Fatalf("error %#v, want *MutationError{%s, %q}", err, c.m.Op, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestApplyDoesNotAlias(t *testing.T) {
	m := Mutation{Op: OpSet, Value: Value{Kind: KindBytes, Data: []byte{1}}}
	got, _ := Apply(nil, m)
	m.Value.Data[0] = 2
	if got.Data[0] != 1 {
		t.Error("the result aliases the mutation's value")
	}
}
