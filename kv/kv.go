// Package kv is the data model of edge's key-value store, the one behind
// Deno.openKv and Deno.storage: keys and their order-preserving binary
// encoding, values, versionstamps, the checks and mutations of an atomic
// operation, the limits, and the Store interface the backends (package
// persistence: SQLite, Postgres) implement. It does no I/O.
//
// The semantics are Deno KV's (https://docs.deno.com/deploy/kv/manual/):
// keys are tuples of parts, ordered part by part; every committed write
// gets a versionstamp greater than all before it in the same store; an
// atomic operation commits all its mutations or none, and only if each of
// its checks still holds.
package kv

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// A Key is a tuple of parts. Each part is one of: []byte (a JS Uint8Array),
// string, float64 (a JS number), *big.Int (a JS bigint), bool. Keys are
// compared by their encoding (EncodeKey), which orders them as Deno does.
type Key []any

// ValueKind says how a stored value's bytes are to be read.
type ValueKind uint8

const (
	// KindJSON: the bytes are JSON text (what Deno.storage wrote before the
	// store was KV, and what the runtime writes for JSON-safe values).
	KindJSON ValueKind = 1
	// KindBytes: the value is a Uint8Array; the bytes are its contents.
	KindBytes ValueKind = 2
	// KindU64: a Deno.KvU64; the bytes are its value, 8 bytes little-endian.
	KindU64 ValueKind = 3
	// KindStructured: the runtime's own encoding of any other
	// structured-cloneable value (package jsvm, kv.js). Opaque here.
	KindStructured ValueKind = 4
)

// Value is one stored value.
type Value struct {
	Kind ValueKind
	Data []byte
}

// Versionstamp identifies a commit: 8 bytes of commit sequence (big-endian)
// then 2 bytes of position within a grouped transaction. Later commits to a
// store have greater versionstamps. Written as 20 hex digits.
type Versionstamp [10]byte

func (v Versionstamp) String() string { return hex.EncodeToString(v[:]) }

// ParseVersionstamp reads the 20-hex-digit form.
func ParseVersionstamp(s string) (Versionstamp, error) {
	var v Versionstamp
	if len(s) != 20 {
		return v, fmt.Errorf("invalid versionstamp %q: want 20 hex digits", s)
	}
	if _, err := hex.Decode(v[:], []byte(s)); err != nil {
		return v, fmt.Errorf("invalid versionstamp %q: want 20 hex digits", s)
	}
	return v, nil
}

// Entry is a stored key with its value and the versionstamp of the commit
// that wrote it. Key is the encoded key.
type Entry struct {
	Key          []byte
	Value        Value
	Versionstamp Versionstamp
}

// Check is one precondition of an atomic operation: the key's current
// versionstamp is Versionstamp, or, when Versionstamp is nil, the key does
// not exist.
type Check struct {
	Key          []byte
	Versionstamp *Versionstamp
}

// Op is the kind of a mutation.
type Op uint8

const (
	OpSet Op = iota + 1
	OpDelete
	// OpSum, OpMin, OpMax combine a KindU64 operand with the current value
	// (which must be a KindU64 or absent); sum wraps around at 2^64.
	OpSum
	OpMin
	OpMax
)

// Mutation is one write of an atomic operation. Key is encoded. Value is
// the value to set (OpSet) or the operand (OpSum, OpMin, OpMax). ExpireAt,
// for OpSet, is when the entry stops being visible (zero: never); the
// other ops ignore it, and an entry written by OpSum, OpMin or OpMax never
// expires (as in Deno, whose sum stores its result without expiration).
type Mutation struct {
	Key      []byte
	Op       Op
	Value    Value
	ExpireAt time.Time
}

// Scope names one store. Instance "" is a project's shared store (its
// workers'); otherwise it is that coordinator's own store. Epoch is the
// writing activation's fencing epoch (0 for the shared store, which is not
// fenced): a commit with an epoch that is no longer the instance's current
// one fails with ErrFenced and writes nothing.
type Scope struct {
	Project  string
	Instance string
	Epoch    int64
}

func (s Scope) String() string {
	if s.Instance == "" {
		return s.Project
	}
	return s.Project + "/" + s.Instance
}

// Range selects keys for List: Start <= key < End (encoded keys), in
// ascending order or, with Reverse, descending; Start >= End selects
// nothing. Limit > 0 bounds the number of entries returned.
type Range struct {
	Start, End []byte
	Reverse    bool
	Limit      int
}

// Store is a key-value store holding many scopes. Implementations are safe
// for concurrent use. Reads never return expired entries (stricter than
// deno 2.9.6, whose reads show an expired entry until a background sweep
// deletes it). A Store keeps no reference to the slices it is given, and
// the entries it returns are the caller's. It does not enforce the limits
// (ValidateAtomic and friends): callers validate first. Package kvtest
// holds the behaviour every implementation must have; Memory is the
// reference.
type Store interface {
	// Get returns, for each key, its entry, or nil when it does not exist.
	Get(ctx context.Context, s Scope, keys [][]byte) ([]*Entry, error)
	// List returns the entries in r, in r's order.
	List(ctx context.Context, s Scope, r Range) ([]Entry, error)
	// Commit applies muts atomically if every check holds. It returns
	// ok=false (and writes nothing) when a check fails; otherwise the
	// versionstamp every mutation was written with. It fails with ErrFenced
	// if s.Epoch is superseded, with a *MutationError if a mutation cannot
	// apply (nothing written), and with ErrAmbiguous if ctx ended after the
	// commit was handed to the database (it may or may not have happened).
	Commit(ctx context.Context, s Scope, checks []Check, muts []Mutation) (v Versionstamp, ok bool, err error)
	// Changes returns a channel that receives (without blocking the
	// committer: it is buffered and may coalesce) after each commit that
	// changed s, and a function to stop. Changes made by other processes
	// sharing the database may arrive late or not at all: watchers also poll.
	Changes(s Scope) (<-chan struct{}, func())
}

var (
	// ErrFenced: the commit came from an activation whose epoch is no
	// longer current. Nothing was written; the activation must stop.
	ErrFenced = errors.New("activation fenced: a newer activation of this coordinator owns its storage")
	// ErrAmbiguous: the caller stopped waiting after handing the commit to
	// the database; it may or may not have been committed.
	ErrAmbiguous = errors.New("commit outcome unknown")
	// ErrClosed is returned after the store is closed.
	ErrClosed = errors.New("store closed")
)

// MutationError is a mutation that cannot apply to the current value, such
// as a sum onto a value that is not a KvU64. Nothing in the atomic
// operation was written.
type MutationError struct {
	Op  Op
	Msg string
}

func (e *MutationError) Error() string { return e.Msg }
