package kv

import (
	"encoding/binary"
	"fmt"
)

func (o Op) String() string {
	switch o {
	case OpSet:
		return "set"
	case OpDelete:
		return "delete"
	case OpSum:
		return "sum"
	case OpMin:
		return "min"
	case OpMax:
		return "max"
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Apply returns the value a key holds after m, given its current value
// (nil: absent or expired); nil means the key is deleted. The mutations of
// one atomic operation apply in order, each to the result of the ones
// before it (Deno: set(k, 10n) then sum(k, 2n) leaves 12n). The result
// never aliases m.Value.Data or cur.Data.
//
// Sum, min and max take a KindU64 operand. With no current value the
// operand becomes the value; with a KindU64 one they combine it (sum wraps
// around at 2^64); any other current value is a *MutationError with
// Deno's message, and then nothing of the operation may be written.
// (deno 2.9.6's SQLite backend keeps the mutations before the failing one;
// that breaks atomicity and we do not copy it.)
func Apply(cur *Value, m Mutation) (*Value, error) {
	switch m.Op {
	case OpSet:
		return &Value{Kind: m.Value.Kind, Data: append([]byte{}, m.Value.Data...)}, nil
	case OpDelete:
		return nil, nil
	case OpSum, OpMin, OpMax:
	default:
		return nil, &MutationError{Op: m.Op, Msg: "Invalid mutation type"}
	}
	if m.Value.Kind != KindU64 || len(m.Value.Data) != 8 {
		return nil, &MutationError{Op: m.Op, Msg: fmt.Sprintf("Failed to perform '%s' mutation with a non-U64 operand", m.Op)}
	}
	operand := binary.LittleEndian.Uint64(m.Value.Data)
	if cur == nil {
		return U64(operand), nil
	}
	if cur.Kind != KindU64 || len(cur.Data) != 8 {
		return nil, &MutationError{Op: m.Op, Msg: fmt.Sprintf("Failed to perform '%s' mutation on a non-U64 value in the database", m.Op)}
	}
	v := binary.LittleEndian.Uint64(cur.Data)
	switch m.Op {
	case OpSum:
		v += operand
	case OpMin:
		v = min(v, operand)
	case OpMax:
		v = max(v, operand)
	}
	return U64(v), nil
}

// U64 is the KindU64 value n.
func U64(n uint64) *Value {
	return &Value{Kind: KindU64, Data: binary.LittleEndian.AppendUint64(nil, n)}
}

// AsU64 reads a KindU64 value; ok is false for any other value.
func AsU64(v Value) (n uint64, ok bool) {
	if v.Kind != KindU64 || len(v.Data) != 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(v.Data), true
}
