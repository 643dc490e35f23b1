package jsvm

import (
	"fmt"

	"github.com/dop251/goja"
)

// storageOps back Deno.storage with the instance's Storage. Values travel as
// JSON text; reads are synchronous against the store's in-memory view and
// writes resolve their promise once durable.
func (in *Instance) storageOps() map[string]any {
	vm := in.vm
	need := func(op, key string) Storage {
		if in.cfg.Storage == nil {
			panic(vm.NewTypeError("Deno.storage." + op + ": storage is only available in coordinators; deploy this project with kind: coordinator, or fetch() a coordinator that owns the data"))
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
			return vm.ToValue(string(v))
		},
		"storagePut": func(key, text string, cb goja.Callable) {
			st := need("put", key)
			if len(text) > in.cfg.Limits.MaxStorageValueBytes {
				panic(vm.NewTypeError(fmt.Sprintf("Deno.storage.put(%q): value is %d bytes as JSON, over the limit MaxStorageValueBytes (%d)", key, len(text), in.cfg.Limits.MaxStorageValueBytes)))
			}
			d, err := st.Put(in.ctx, key, []byte(text))
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.put(%q): %w", key, err)))
			}
			settle(cb, d)
		},
		"storageDelete": func(key string, cb goja.Callable) {
			existed, d, err := need("delete", key).Delete(in.ctx, key)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("Deno.storage.delete(%q): %w", key, err)))
			}
			settle(cb, d, vm.ToValue(existed))
		},
	}
}
