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
	settle := func(cb goja.Callable, d Durable, args ...goja.Value) {
		post := in.poster()
		go func() {
			err := d(in.ctx)
			post(func() {
				if err != nil {
					_, _ = cb(goja.Undefined(), vm.ToValue(fmt.Sprintf("storage write was not committed: %v", err)))
					return
				}
				_, _ = cb(goja.Undefined(), append([]goja.Value{goja.Null()}, args...)...)
			})
		}()
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
		// A native-call function: goja calls typed Go functions through
		// reflection, and a put is on every durable increment's path.
		"storagePut": func(call goja.FunctionCall) goja.Value {
			key, encoded := call.Argument(0).String(), call.Argument(1)
			cb, ok := goja.AssertFunction(call.Argument(2))
			if !ok {
				panic(vm.NewTypeError("Deno.storage.put: the callback is not a function"))
			}
			st := need("put", key)
			v := in.kvValue(encoded)
			if len(v.Data) > in.cfg.Limits.MaxStorageValueBytes {
				panic(vm.NewTypeError(fmt.Sprintf("Deno.storage.put(%q): value is %d bytes encoded, over the limit MaxStorageValueBytes (%d)", key, len(v.Data), in.cfg.Limits.MaxStorageValueBytes)))
			}
			d, err := st.Put(in.ctx, key, v)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.put(%q): %w", key, err)))
			}
			settle(cb, d)
			return goja.Undefined()
		},
		"storageDelete": func(key string, cb goja.Callable) {
			existed, d, err := need("delete", key).Delete(in.ctx, key)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.delete(%q): %w", key, err)))
			}
			settle(cb, d, vm.ToValue(existed))
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
