package jsvm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/edge-platform/edge/kv"
)

// KV is the store behind Deno.openKv for one instance: one scope of a
// kv.Store (a project's shared store for workers, a coordinator's own store
// for its activation), bound by the caller (package actors). Keys are
// encoded (kv.EncodeKey); the runtime checks Deno KV's limits before it
// calls. Methods are called on their own goroutine, never on the loop, and
// may block on a database round trip; they return when ctx ends. Returned
// entries belong to the caller.
type KV interface {
	// Get returns, for each key, its entry or nil.
	Get(ctx context.Context, keys [][]byte) ([]*kv.Entry, error)
	// List returns the entries of r in r's order.
	List(ctx context.Context, r kv.Range) ([]kv.Entry, error)
	// Commit applies muts atomically if every check holds (ok=false and
	// nothing written otherwise), as kv.Store.Commit.
	Commit(ctx context.Context, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error)
	// Changes returns a channel that receives after commits to the scope
	// (coalesced, possibly late or missed: watchers also poll) and a
	// function to stop receiving.
	Changes() (<-chan struct{}, func())
}

// CommitStarter is a KV whose commits must be registered when the script
// makes them, on the loop, and not when they reach the store (an output
// gate: a response produced right after an unawaited commit must wait for
// it). StartCommit registers the commit and returns the function that runs
// it off the loop.
type CommitStarter interface {
	StartCommit(checks []kv.Check, muts []kv.Mutation) (func(ctx context.Context) (kv.Versionstamp, bool, error), error)
}

// kvWatchPoll is how often a Deno.Kv.watch stream re-reads its keys when no
// change notification arrives: commits by other processes sharing the
// database may not notify this one.
const kvWatchPoll = time.Second

// kvOps back kv.js. Keys arrive as JS arrays of parts (string, number,
// bigint, boolean, Uint8Array: kv.js turns every ArrayBufferView into a
// Uint8Array); values as [kind, data] (kv_value.js: data is a string for
// KindJSON and KindStructured, a Uint8Array for KindBytes, a bigint for
// KindU64). Validation happens here, synchronously, in Deno's order; the
// store call runs on another goroutine and its result comes back on the
// loop, where it settles the promise the op returned (rejected with
// kv.js's makeError(name, message) when the store call failed).
func (in *Instance) kvOps() map[string]any {
	vm := in.vm
	typeErr := func(msg string) { panic(vm.NewTypeError(msg)) }
	store := func() KV {
		if in.cfg.KV == nil {
			typeErr(errNoKV)
		}
		return in.cfg.KV
	}
	// settle does f off the loop and settles the promise it returns on the
	// loop: f's result fulfils it, f's error rejects it with
	// makeError(name, message) (kv.js's errors for the store's failures).
	settle := func(makeError goja.Callable, f func(ctx context.Context) (func() goja.Value, error)) goja.Value {
		p, resolve, reject := vm.NewPromise()
		post := in.poster()
		in.hostPending++
		goHost(func() {
			res, err := f(in.ctx)
			post(func() {
				in.hostPending--
				if err != nil {
					name, msg := kvErrorName(err)
					e, jsErr := makeError(goja.Undefined(), vm.ToValue(name), vm.ToValue(msg))
					if jsErr != nil {
						_ = reject(jsErr)
						return
					}
					_ = reject(e)
					return
				}
				_ = resolve(res())
			})
		})
		return vm.ToValue(p)
	}
	// errorMaker is a native-call function's argument i, kv.js's makeError.
	errorMaker := func(call goja.FunctionCall, i int) goja.Callable {
		f, ok := goja.AssertFunction(call.Argument(i))
		if !ok {
			typeErr("Deno.Kv: the error maker is not a function")
		}
		return f
	}
	return map[string]any{
		"kvAvailable": func() bool { return in.cfg.KV != nil },
		// kvGet(keys, makeError) and kvCommit(checks, muts, makeError) are
		// native-call functions: goja calls typed Go functions through
		// reflection, which cost more than the rest of a small commit's
		// validation. kvGet returns a promise of the entries, each
		// [kind, data, versionstamp] or null.
		"kvGet": func(call goja.FunctionCall) goja.Value {
			keys, makeError := arrayValues(vm, call.Argument(0)), errorMaker(call, 1)
			st := store()
			if err := kv.ValidateGetMany(len(keys)); err != nil {
				typeErr(err.Error())
			}
			enc := make([][]byte, len(keys))
			for i, k := range keys {
				enc[i] = in.kvKey(k, false)
			}
			return settle(makeError, func(ctx context.Context) (func() goja.Value, error) {
				es, err := st.Get(ctx, enc)
				if err != nil {
					return nil, err
				}
				return func() goja.Value {
					out := make([]any, len(es))
					for i, e := range es {
						if e == nil {
							out[i] = goja.Null()
						} else {
							out[i] = in.kvEntry(e, nil, nil)
						}
					}
					return vm.NewArray(out...)
				}, nil
			})
		},
		// kvList reads up to n entries of the selector after cursor; every
		// batch of the list is one call.
		"kvList": func(prefix, start, end goja.Value, cursor string, reverse bool, batchSize, n int, makeError goja.Callable) goja.Value {
			st := store()
			if err := kv.ValidateListBatch(batchSize); err != nil {
				typeErr(err.Error())
			}
			sel := in.kvSelector(prefix, start, end)
			r, err := sel.rangeFrom(cursor, reverse)
			if err != nil {
				typeErr(err.Error())
			}
			r.Limit = n
			return settle(makeError, func(ctx context.Context) (func() goja.Value, error) {
				es, err := st.List(ctx, r)
				if err != nil {
					return nil, err
				}
				keys := make([]kv.Key, len(es))
				for i := range es {
					if keys[i], err = kv.DecodeKey(es[i].Key); err != nil {
						return nil, fmt.Errorf("listing: stored key %x: %w", es[i].Key, err)
					}
					if !bytes.HasPrefix(es[i].Key, sel.common) {
						return nil, fmt.Errorf("listing: the store returned key %x outside the selector", es[i].Key)
					}
				}
				return func() goja.Value {
					out := make([]any, len(es))
					for i := range es {
						out[i] = in.kvEntry(&es[i], keys[i], sel.common)
					}
					return vm.NewArray(out...)
				}, nil
			})
		},
		// kvCommit(checks, muts, makeError) returns a promise of the commit
		// result, { ok: true, versionstamp } or { ok: false }; a failed
		// store call rejects it with makeError(name, message).
		"kvCommit": func(call goja.FunctionCall) goja.Value {
			checks, muts, makeError := arrayValues(vm, call.Argument(0)), arrayValues(vm, call.Argument(1)), errorMaker(call, 2)
			st := store()
			cs, ms := in.kvAtomic(checks, muts)
			commit := func(ctx context.Context) (kv.Versionstamp, bool, error) { return st.Commit(ctx, cs, ms) }
			if starter, ok := st.(CommitStarter); ok {
				started, err := starter.StartCommit(cs, ms)
				if err != nil {
					commit = func(context.Context) (kv.Versionstamp, bool, error) { return kv.Versionstamp{}, false, err }
				} else {
					commit = started
				}
			}
			return settle(makeError, func(ctx context.Context) (func() goja.Value, error) {
				vs, ok, err := commit(ctx)
				if err != nil {
					return nil, err
				}
				return func() goja.Value {
					res := vm.NewObject()
					_ = res.Set("ok", ok)
					if ok {
						_ = res.Set("versionstamp", vs.String())
					}
					return res
				}, nil
			})
		},
		"kvBase64": func(b []byte) string { return base64.StdEncoding.EncodeToString(b) },
		"kvFromBase64": func(s string) goja.Value {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				panic(vm.NewTypeError("Deno.Kv: a stored value is malformed (bad base64)"))
			}
			return in.newUint8Array(b)
		},
		"kvValidateWatch": func(keys []goja.Value) {
			if err := kv.ValidateWatch(len(keys)); err != nil {
				typeErr(err.Error())
			}
			for _, k := range keys {
				in.kvKey(k, false)
			}
		},
		// kvWatch calls cb on the loop after each change notification and
		// every kvWatchPoll, never with a call still pending (signals
		// coalesce), until the returned function is called or the instance
		// closes.
		"kvWatch": func(cb goja.Callable) func() {
			changes, stopChanges := store().Changes()
			post := in.poster()
			in.watches++
			done := make(chan struct{})
			var pending atomic.Bool
			go func() {
				defer stopChanges()
				tick := time.NewTicker(kvWatchPoll)
				defer tick.Stop()
				for {
					select {
					case <-changes:
					case <-tick.C:
					case <-done:
						return
					case <-in.ctx.Done():
						return
					}
					if pending.Swap(true) {
						continue
					}
					post(func() {
						pending.Store(false)
						select {
						case <-done:
						default:
							_, _ = cb(goja.Undefined())
						}
					})
				}
			}()
			var once atomic.Bool
			return func() {
				if !once.Swap(true) {
					in.watches--
					close(done)
				}
			}
		},
	}
}

const errNoKV = "Deno.openKv: edge has no KV store here; it is available in workers and coordinators of a deployed project (edge serve, edge dev)"

// kvErrorName maps a store or validation error to the JS error kv.js
// throws: Deno's TypeError for broken rules, Error for store failures.
func kvErrorName(err error) (name, msg string) {
	var re *kv.RequestError
	var me *kv.MutationError
	switch {
	case errors.As(err, &re):
		return "TypeError", re.Msg
	case errors.As(err, &me):
		return "TypeError", me.Msg
	case errors.Is(err, context.Canceled):
		return "BadResource", "Bad resource ID"
	}
	return "Error", "Deno.Kv: the store failed: " + err.Error()
}

// kvKey encodes a JS key; write keys must be non-empty and at most
// kv.MaxWriteKeyBytes, read keys at most kv.MaxReadKeyBytes.
func (in *Instance) kvKey(v goja.Value, write bool) []byte {
	vm := in.vm
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() != "Array" {
		if goja.IsUndefined(v) {
			panic(vm.NewTypeError("Invalid range"))
		}
		panic(vm.NewTypeError("serde_v8 error: invalid type; expected: array, got: " + jsTypeName(v)))
	}
	n := int(o.Get("length").ToInteger())
	key := make(kv.Key, n)
	for i := 0; i < n; i++ {
		p := o.Get(strconv.Itoa(i))
		switch x := p.Export().(type) {
		case string:
			key[i] = x
		case int64:
			key[i] = float64(x)
		case float64:
			key[i] = x
		case bool:
			key[i] = x
		case *big.Int:
			key[i] = x
		case []byte:
			key[i] = bytes.Clone(x)
		default:
			panic(vm.NewTypeError(kv.ErrKeyPartType.Error()))
		}
	}
	enc, err := kv.EncodeKey(key)
	if err == nil {
		if write {
			err = kv.ValidateWriteKey(enc)
		} else {
			err = kv.ValidateReadKey(enc)
		}
	}
	if err != nil {
		switch {
		case errors.Is(err, kv.ErrKeyPartType):
			err = kv.ErrKeyPartType
		case errors.Is(err, kv.ErrBigIntTooLarge):
			err = kv.ErrBigIntTooLarge
		}
		panic(vm.NewTypeError(err.Error()))
	}
	return enc
}

func jsTypeName(v goja.Value) string {
	switch {
	case goja.IsNull(v):
		return "null"
	case goja.IsUndefined(v):
		return "undefined"
	}
	switch v.Export().(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	case *big.Int:
		return "bigint"
	}
	return "object"
}

// kvEntry is an entry as kv.js reads it: [kind, data, versionstamp] for
// get, plus [key parts, cursor] for list (key non-nil).
func (in *Instance) kvEntry(e *kv.Entry, key kv.Key, common []byte) goja.Value {
	vm := in.vm
	fields := []any{int(e.Value.Kind), in.kvValueData(e.Value), e.Versionstamp.String()}
	if key != nil {
		parts := make([]any, len(key))
		for i, p := range key {
			switch x := p.(type) {
			case []byte:
				parts[i] = in.newUint8Array(x)
			default:
				parts[i] = vm.ToValue(x)
			}
		}
		fields = append(fields, vm.NewArray(parts...), kvCursor(e.Key, common))
	}
	return vm.NewArray(fields...)
}

// kvValueData is a stored value's data as kv_value.js's decodeValue takes
// it: a Uint8Array (bytes), a bigint (KvU64), text otherwise.
func (in *Instance) kvValueData(v kv.Value) goja.Value {
	switch v.Kind {
	case kv.KindBytes:
		return in.newUint8Array(v.Data)
	case kv.KindU64:
		var n uint64
		if len(v.Data) == 8 {
			n = binary.LittleEndian.Uint64(v.Data)
		}
		return in.vm.ToValue(new(big.Int).SetUint64(n))
	}
	return in.vm.ToValue(string(v.Data))
}

func (in *Instance) newUint8Array(b []byte) goja.Value {
	ctor, _ := goja.AssertConstructor(in.vm.Get("Uint8Array"))
	o, err := ctor(nil, in.vm.ToValue(in.vm.NewArrayBuffer(bytes.Clone(b))))
	if err != nil {
		panic(err)
	}
	return o
}

// kvValue reads a value kv_value.js encoded as [kind, data].
func (in *Instance) kvValue(v goja.Value) kv.Value {
	o := v.ToObject(in.vm)
	kind := kv.ValueKind(o.Get("0").ToInteger())
	data := o.Get("1")
	switch kind {
	case kv.KindJSON, kv.KindStructured:
		return kv.Value{Kind: kind, Data: []byte(data.String())}
	case kv.KindBytes:
		b, _ := data.Export().([]byte)
		return kv.Value{Kind: kind, Data: bytes.Clone(b)}
	case kv.KindU64:
		n, _ := data.Export().(*big.Int)
		if n == nil || n.Sign() < 0 || n.BitLen() > 64 {
			panic(in.vm.NewTypeError("Value must fit in a 64-bit unsigned integer"))
		}
		return *kv.U64(n.Uint64())
	}
	panic(in.vm.NewTypeError("Invalid mutation type"))
}

var kvOps = map[string]kv.Op{"set": kv.OpSet, "delete": kv.OpDelete, "sum": kv.OpSum, "min": kv.OpMin, "max": kv.OpMax}

// kvAtomic converts an atomic operation: checks are [key, versionstamp or
// null]; mutations [type, key, value or undefined, expireIn or -1]. Errors
// come in Deno's order: the counts, the checks, the keys, then the limits
// (kv.ValidateAtomic).
func (in *Instance) kvAtomic(checks, muts []goja.Value) ([]kv.Check, []kv.Mutation) {
	vm := in.vm
	if len(checks) > kv.MaxChecks || len(muts) > kv.MaxMutations {
		// ValidateAtomic reports the counts before looking at anything else.
		panic(vm.NewTypeError(kv.ValidateAtomic(make([]kv.Check, len(checks)), make([]kv.Mutation, len(muts))).Error()))
	}
	cs := make([]kv.Check, len(checks))
	for i, c := range checks {
		o := c.ToObject(vm)
		cs[i].Key = in.kvKey(o.Get("0"), true)
		if vs := o.Get("1"); !goja.IsNull(vs) {
			v, err := kv.ParseVersionstamp(vs.String())
			if err != nil {
				panic(vm.NewTypeError("Invalid check"))
			}
			cs[i].Versionstamp = &v
		}
	}
	now := in.cfg.now()
	ms := make([]kv.Mutation, len(muts))
	for i, m := range muts {
		o := m.ToObject(vm)
		op, ok := kvOps[o.Get("0").String()]
		if !ok {
			panic(vm.NewTypeError("Invalid mutation type"))
		}
		ms[i] = kv.Mutation{Op: op, Key: in.kvKey(o.Get("1"), true)}
		if op != kv.OpDelete {
			ms[i].Value = in.kvValue(o.Get("2"))
		}
		if exp := o.Get("3").ToFloat(); exp >= 0 && exp <= math.MaxInt64/float64(time.Millisecond) {
			ms[i].ExpireAt = now.Add(time.Duration(exp) * time.Millisecond)
		}
	}
	if err := kv.ValidateAtomic(cs, ms); err != nil {
		panic(vm.NewTypeError(err.Error()))
	}
	return cs, ms
}

// kvSelector is a list selector, encoded: Deno's RawSelector. A prefix
// selector lists the keys strictly under prefix, from start (default just
// after prefix) to end (default just past every extension of prefix); a
// range selector lists [start, end).
type kvSelector struct {
	prefix     []byte // nil for a range selector
	start, end []byte // nil: the prefix's bound
	// common is what every listed key begins with; cursors are the rest of
	// the key.
	common []byte
}

func (in *Instance) kvSelector(prefix, start, end goja.Value) kvSelector {
	vm := in.vm
	key := func(v goja.Value) []byte {
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return nil
		}
		return in.kvKey(v, false)
	}
	s := kvSelector{prefix: key(prefix), start: key(start), end: key(end)}
	switch {
	case s.prefix != nil:
		if s.start != nil && (!bytes.HasPrefix(s.start, s.prefix) || len(s.start) == len(s.prefix)) {
			panic(vm.NewTypeError("Start key is not in the keyspace defined by prefix"))
		}
		if s.end != nil && (!bytes.HasPrefix(s.end, s.prefix) || len(s.end) == len(s.prefix)) {
			panic(vm.NewTypeError("End key is not in the keyspace defined by prefix"))
		}
		s.common = s.prefix
	case s.start != nil && s.end != nil:
		if bytes.Compare(s.start, s.end) > 0 {
			panic(vm.NewTypeError("Start key is greater than end key"))
		}
		n := 0
		for n < len(s.start) && n < len(s.end) && s.start[n] == s.end[n] {
			n++
		}
		s.common = s.start[:n]
	default:
		panic(vm.NewTypeError("Invalid range"))
	}
	return s
}

func (s kvSelector) rangeStart() []byte {
	if s.start != nil {
		return s.start
	}
	start, _ := kv.PrefixBounds(s.prefix)
	return start
}

func (s kvSelector) rangeEnd() []byte {
	if s.end != nil {
		return s.end
	}
	_, end := kv.PrefixBounds(s.prefix)
	return end
}

var (
	errInvalidCursor     = errors.New("invalid cursor")
	errCursorOutOfBounds = errors.New("cursor out of bounds")
)

// kvCursor is Deno's cursor for a listed key: the key after the
// selector's common prefix, in padded URL-safe base64.
func kvCursor(key, common []byte) string {
	return base64.URLEncoding.EncodeToString(key[len(common):])
}

// rangeFrom is the range still to list after cursor ("" : the whole
// selector): past the cursor's key going forward, before it in reverse.
func (s kvSelector) rangeFrom(cursor string, reverse bool) (kv.Range, error) {
	r := kv.Range{Start: s.rangeStart(), End: s.rangeEnd(), Reverse: reverse}
	if cursor == "" {
		return r, nil
	}
	rest, err := base64.URLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return r, errInvalidCursor
	}
	key := append(bytes.Clone(s.common), rest...)
	if reverse {
		r.End = key
	} else {
		r.Start = append(key, 0)
	}
	if (s.start != nil && bytes.Compare(r.Start, s.start) < 0) || (s.end != nil && bytes.Compare(r.End, s.end) > 0) {
		return r, errCursorOutOfBounds
	}
	return r, nil
}

// arrayValues is the elements of the JS array v (nothing for anything
// else), read by index rather than exported through reflection.
func arrayValues(vm *goja.Runtime, v goja.Value) []goja.Value {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	n := int(obj.Get("length").ToInteger())
	out := make([]goja.Value, n)
	for i := range out {
		out[i] = obj.Get(strconv.Itoa(i))
	}
	return out
}
