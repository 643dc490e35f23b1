package jsvm

import (
	"math/big"
	"reflect"

	"github.com/dop251/goja"
)

// The Go types goja's objects export as, which tell built-in objects apart
// without calling into JS.
var (
	proxyType       = reflect.TypeOf(goja.Proxy{})
	promiseType     = reflect.TypeOf((*goja.Promise)(nil))
	mapType         = reflect.TypeOf([][2]any{})
	sliceType       = reflect.TypeOf([]any{})
	bigIntType      = reflect.TypeOf((*big.Int)(nil))
	arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})
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
		// objectKind names what kind of built-in object o is: "Proxy",
		// "Promise", "Map", "Set", "BigInt" (a wrapper), "ArrayBuffer", else
		// goja's class name ("Object", "Array", "Error", "Date", "Arguments",
		// ...). Proxies and promises cannot be told apart from JS without side
		// effects; for the rest it is a hint that structuredClone confirms with
		// a brand check, sparing it a throwing check per plain object.
		"objectKind": func(o *goja.Object) string {
			t := o.ExportType()
			switch t {
			case proxyType:
				return "Proxy"
			case promiseType:
				return "Promise"
			case mapType:
				return "Map"
			case bigIntType:
				return "BigInt"
			case arrayBufferType:
				return "ArrayBuffer"
			}
			class := o.ClassName()
			if t == sliceType && class == "Object" {
				return "Set"
			}
			return class
		},
	}
}
