package jsvm

import "github.com/dop251/goja"

// cryptoOps are the host operations behind crypto and crypto.subtle.
func cryptoOps(vm *goja.Runtime) map[string]any {
	return map[string]any{}
}
