package jsvm

import (
	"bytes"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// encodingOps converts between JS strings and UTF-8 bytes for TextEncoder
// and TextDecoder.
func encodingOps(vm *goja.Runtime) map[string]any {
	return map[string]any{
		// A JS string converts to a Go string with lone surrogates replaced
		// by U+FFFD, which is exactly the USVString conversion encode needs.
		"utf8Encode": func(s string) goja.ArrayBuffer {
			return vm.NewArrayBuffer([]byte(s))
		},
		"utf8Decode": func(ab goja.ArrayBuffer, fatal, ignoreBOM bool) string {
			b := ab.Bytes()
			if !ignoreBOM {
				b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
			}
			if utf8.Valid(b) {
				return string(b)
			}
			if fatal {
				panic(vm.NewTypeError("The encoded data is not valid UTF-8"))
			}
			return decodeUTF8Lossy(b)
		},
	}
}

// decodeUTF8Lossy decodes b, replacing each maximal invalid subsequence with
// U+FFFD as the Encoding Standard's UTF-8 decoder does.
func decodeUTF8Lossy(b []byte) string {
	var out []rune
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			// Skip the longest prefix of a valid sequence (the maximal subpart).
			size = maximalSubpart(b)
		}
		out = append(out, r)
		b = b[size:]
	}
	return string(out)
}

// maximalSubpart returns the length of the longest prefix of b that starts a
// well-formed UTF-8 sequence but is cut short (at least 1).
func maximalSubpart(b []byte) int {
	first := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case first >= 0xC2 && first <= 0xDF:
		need = 1
	case first == 0xE0:
		need, lo = 2, 0xA0
	case first >= 0xE1 && first <= 0xEC, first == 0xEE, first == 0xEF:
		need = 2
	case first == 0xED:
		need, hi = 2, 0x9F
	case first == 0xF0:
		need, lo = 3, 0x90
	case first >= 0xF1 && first <= 0xF3:
		need = 3
	case first == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for i := 1; i <= need && i < len(b); i++ {
		c := b[i]
		if i == 1 && (c < lo || c > hi) || i > 1 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}
