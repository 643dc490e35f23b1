package jsvm

import (
	"fmt"
	"net/http"

	"github.com/dop251/goja"
)

// headerPairs hands Go headers to JS as [[name, value], ...] with lowercase
// names, the shape Headers accepts.
func headerPairs(vm *goja.Runtime, h http.Header) goja.Value {
	pairs := make([]any, 0, len(h))
	for name, values := range h {
		for _, v := range values {
			pairs = append(pairs, []any{name, v})
		}
	}
	return vm.ToValue(pairs)
}

// exportHeaderPairs reads [[name, value], ...] from JS into Go headers.
func exportHeaderPairs(vm *goja.Runtime, v goja.Value) (http.Header, error) {
	var pairs [][]string
	if err := vm.ExportTo(v, &pairs); err != nil {
		return nil, fmt.Errorf("reading headers: %w", err)
	}
	h := make(http.Header, len(pairs))
	for _, p := range pairs {
		if len(p) != 2 {
			return nil, fmt.Errorf("reading headers: pair of %d elements", len(p))
		}
		h[http.CanonicalHeaderKey(p[0])] = append(h[http.CanonicalHeaderKey(p[0])], p[1])
	}
	return h, nil
}
