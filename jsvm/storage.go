package jsvm

import (
	"fmt"

	"github.com/dop251/goja"
)

// storageOps back Deno.storage with the instance's Storage. A value crosses
// as kv_value.js encodes it (the same encoding as Deno KV's); reads are synchronous against the
// store's view (in program order with the writes), and writes resolve their
// promise once durable.
func (in *Instance) storageOps() map[string]any {
	vm := in.vm
	need := func(op, key string) Storage {
		if in.cfg.Storage == nil {
			panic(vm.NewTypeError("Deno.storage." + op + ": this instance has no store"))
		}
		if len(key) > in.cfg.Limits.MaxStorageKeyBytes {
			panic(vm.NewTypeError(fmt.Sprintf("Deno.storage.%s: key is %d bytes, over the limit MaxStorageKeyBytes (%d)", op, len(key), in.cfg.Limits.MaxStorageKeyBytes)))
		}
		return in.cfg.Storage
	}
	// settle returns a promise that resolves to value once d reports the
	// write durable, or rejects with an Error saying why it never will be.
	// The promise is made here rather than by `new Promise` in deno.js: an
	// executor and a callback closure per write were a good part of a
	// durable increment's allocations.
	settle := func(d Durable, value goja.Value) goja.Value {
		p, resolve, reject := vm.NewPromise()
		post := in.poster()
		in.hostPending++
		goHost(func() {
			err := d(in.ctx)
			post(func() {
				in.hostPending--
				if err != nil {
					_ = reject(in.newError(fmt.Sprintf("storage write was not committed: %v", err)))
					return
				}
				_ = resolve(value)
			})
		})
		return vm.ToValue(p)
	}
	return map[string]any{
		"storageGet": func(key string) goja.Value {
			v, found, err := need("get", key).Get(in.ctx, key)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.get(%q): %w", key, err)))
			}
			if !found {
				return goja.Null()
			}
			return vm.NewArray(int(v.Kind), in.kvValueData(v))
		},
		// storagePut(key, [kind, data] from kv_value.js's encodeValue, cb)
		// storagePut(key, encoded) -> a promise of the write's durability.
		// A native-call function: goja calls typed Go functions through
		// reflection, and a put is on every durable increment's path.
		"storagePut": func(call goja.FunctionCall) goja.Value {
			key, encoded := call.Argument(0).String(), call.Argument(1)
			st := need("put", key)
			v := in.kvValue(encoded)
			if len(v.Data) > in.cfg.Limits.MaxStorageValueBytes {
				panic(vm.NewTypeError(fmt.Sprintf("Deno.storage.put(%q): value is %d bytes encoded, over the limit MaxStorageValueBytes (%d)", key, len(v.Data), in.cfg.Limits.MaxStorageValueBytes)))
			}
			d, err := st.Put(in.ctx, key, v)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.put(%q): %w", key, err)))
			}
			return settle(d, goja.Undefined())
		},
		// storageDelete(key) -> a promise of whether key existed, once the
		// delete is durable.
		"storageDelete": func(key string) goja.Value {
			existed, d, err := need("delete", key).Delete(in.ctx, key)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.delete(%q): %w", key, err)))
			}
			return settle(d, vm.ToValue(existed))
		},
		// storageList(prefix, start|null, end|null, reverse, limit) ->
		// [[key, kind, data], ...]
		"storageList": func(prefix string, start, end goja.Value, reverse bool, limit int) goja.Value {
			o := StorageList{Prefix: prefix, Reverse: reverse, Limit: limit}
			if !goja.IsNull(start) && !goja.IsUndefined(start) {
				s := start.String()
				o.Start = &s
			}
			if !goja.IsNull(end) && !goja.IsUndefined(end) {
				e := end.String()
				o.End = &e
			}
			items, err := need("list", prefix).List(in.ctx, o)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.list: %w", err)))
			}
			out := make([]any, len(items))
			for i, it := range items {
				out[i] = vm.NewArray(it.Key, int(it.Value.Kind), in.kvValueData(it.Value))
			}
			return vm.NewArray(out...)
		},
	}
}

// newError is `new Error(message)` in the instance's realm.
func (in *Instance) newError(message string) goja.Value {
	ctor, ok := goja.AssertConstructor(in.vm.Get("Error"))
	if !ok {
		return in.vm.ToValue(message)
	}
	obj, err := ctor(nil, in.vm.ToValue(message))
	if err != nil {
		return in.vm.ToValue(message)
	}
	return obj
}
