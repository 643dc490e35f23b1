package jsvm

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// headerPairs hands Go headers to JS as a flat [name, value, name, value,
// ...] array with lowercase names: the trusted form headers.js adopts
// without re-validating (Go's HTTP stack has already rejected invalid names
// and values). Flat, because one array costs less to build than an array
// per header, and an incoming request's headers are often never read.
func headerPairs(vm *goja.Runtime, h http.Header) goja.Value {
	n := 0
	for _, values := range h {
		n += 2 * len(values)
	}
	flat := make([]any, 0, n)
	commonHeaderNamesOnce.Do(func() { commonHeaderNames = makeCommonHeaderNames(vm) })
	for name, values := range h {
		lower, ok := commonHeaderNames[name]
		if !ok {
			lower = vm.ToValue(strings.ToLower(name))
		}
		for _, v := range values {
			flat = append(flat, lower, v)
		}
	}
	return vm.NewArray(flat...)
}

// commonHeaderNames maps the canonical form of common header names to
// their lowercase JavaScript strings, made once (by the first runtime that
// needs them): most requests and responses carry only these, and
// lowercasing and converting them for every message was a good part of
// headerPairs' allocations. A JavaScript string value holds no reference
// to the runtime that made it, so every runtime can use the same one.
var (
	commonHeaderNames     map[string]goja.Value
	commonHeaderNamesOnce sync.Once
)

func makeCommonHeaderNames(vm *goja.Runtime) map[string]goja.Value {
	m := map[string]goja.Value{}
	for _, name := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Connection",
		"Content-Encoding", "Content-Length", "Content-Type", "Cookie", "Date", "Etag", "Host",
		"If-Modified-Since", "If-None-Match", "Last-Modified", "Location", "Origin", "Referer",
		"Server", "Set-Cookie", "Transfer-Encoding", "User-Agent", "Vary", "X-Forwarded-For",
		"X-Forwarded-Host", "X-Forwarded-Proto", "X-Request-Id",
	} {
		m[name] = vm.ToValue(strings.ToLower(name))
	}
	return m
}

// exportHeaderPairs reads [[name, value], ...] from JS into Go headers.
// It walks the arrays directly: reflection-based ExportTo was a tenth of the
// cost of a small request.
func exportHeaderPairs(vm *goja.Runtime, v goja.Value) (http.Header, error) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("reading headers: got %v, want an array of pairs", v)
	}
	n := int(obj.Get("length").ToInteger())
	h := make(http.Header, n)
	for i := 0; i < n; i++ {
		pair, ok := obj.Get(strconv.Itoa(i)).(*goja.Object)
		if !ok {
			return nil, fmt.Errorf("reading headers: entry %d is not a pair", i)
		}
		k := http.CanonicalHeaderKey(pair.Get("0").String())
		h[k] = append(h[k], pair.Get("1").String())
	}
	return h, nil
}

// bodyFromJS reads a body the prelude handed over: a string (sent as UTF-8),
// an ArrayBuffer, or null/undefined for no body.
func bodyFromJS(v goja.Value) ([]byte, bool) {
	if v == nil || goja.IsNull(v) || goja.IsUndefined(v) {
		return nil, true
	}
	switch b := v.Export().(type) {
	case string:
		return []byte(b), true
	case goja.ArrayBuffer:
		return b.Bytes(), true
	}
	return nil, false
}
