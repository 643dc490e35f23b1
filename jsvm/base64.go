package jsvm

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// base64Ops back atob and btoa. Both work on "binary strings": JS strings
// whose code units are all at most 0xFF, one byte each. Such a string reaches
// Go as UTF-8 (code points U+0080..U+00FF take two bytes), so the ops convert
// between that and raw bytes.
func base64Ops(vm *goja.Runtime) map[string]any {
	return map[string]any{
		// base64Encode takes a binary string (the JS side has already
		// rejected code units above 0xFF) and returns its base64 form.
		"base64Encode": func(s string) string {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				b = append(b, byte(r))
			}
			return base64.StdEncoding.EncodeToString(b)
		},
		// base64Decode runs HTML's forgiving-base64 decode and returns the
		// bytes as a binary string, or null when the input is not valid.
		"base64Decode": func(s string) goja.Value {
			b, ok := forgivingBase64Decode(s)
			if !ok {
				return goja.Null()
			}
			return vm.ToValue(latin1String(b))
		},
	}
}

// forgivingBase64Decode is the WHATWG Infra "forgiving-base64 decode".
func forgivingBase64Decode(s string) ([]byte, bool) {
	// 1. Remove ASCII whitespace.
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\f', '\r', ' ':
			return -1
		}
		return r
	}, s)
	// 2. A length divisible by 4 may end in one or two '='.
	if len(s)%4 == 0 {
		if strings.HasSuffix(s, "==") {
			s = s[:len(s)-2]
		} else if strings.HasSuffix(s, "=") {
			s = s[:len(s)-1]
		}
	}
	// 3. A remainder of 1 cannot be decoded.
	if len(s)%4 == 1 {
		return nil, false
	}
	// 4. Only the base64 alphabet may remain.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	// 5. Decode, discarding leftover bits (RawStdEncoding is not strict
	// about them).
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// latin1String maps each byte to the code point of the same value.
func latin1String(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return string(out)
}
