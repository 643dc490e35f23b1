package jsvm

import (
	"reflect"

	"github.com/dop251/goja"
)

var (
	proxyType   = reflect.TypeOf(goja.Proxy{})
	promiseType = reflect.TypeOf((*goja.Promise)(nil))
)

// bufferOps give the prelude what goja does not expose to JS about
// ArrayBuffers: whether one is detached, and moving one's bytes into a new
// buffer (structuredClone's transfer).
func bufferOps(vm *goja.Runtime) map[string]any {
	return map[string]any{
		"bufferDetached": func(ab goja.ArrayBuffer) bool {
			return ab.Detached()
		},
		// bufferShare returns a new ArrayBuffer over the same bytes as ab;
		// the caller detaches ab once the transfer is certain.
		"bufferShare": func(ab goja.ArrayBuffer) goja.ArrayBuffer {
			return vm.NewArrayBuffer(ab.Bytes())
		},
		"bufferDetach": func(ab goja.ArrayBuffer) bool {
			return ab.Detach()
		},
		// objectKind tells apart objects JS cannot brand-check without side
		// effects: "Proxy", "Promise", else goja's class name ("Object",
		// "Error", "Arguments", ...).
		"objectKind": func(o *goja.Object) string {
			switch o.ExportType() {
			case proxyType:
				return "Proxy"
			case promiseType:
				return "Promise"
			}
			return o.ClassName()
		},
	}
}
