package jsvm

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strings"

	"github.com/dop251/goja"
)

// hashes are the digest algorithms crypto.subtle supports, by WebCrypto name.
var hashes = map[string]func() hash.Hash{
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// cryptoOps are the host operations behind crypto and crypto.subtle. The JS
// side validates arguments and normalizes algorithm names; these only do the
// cryptography, on bytes it has already copied.
func cryptoOps(vm *goja.Runtime) map[string]any {
	hashFor := func(name string) func() hash.Hash {
		h, ok := hashes[name]
		if !ok {
			panic(vm.NewTypeError("crypto: unknown hash " + name))
		}
		return h
	}
	bytesOf := func(ab goja.ArrayBuffer) []byte {
		if ab.Detached() {
			panic(vm.NewTypeError("crypto: the ArrayBuffer is detached"))
		}
		return ab.Bytes()
	}
	return map[string]any{
		// cryptoFillRandom fills n bytes of ab from offset with random bytes,
		// in place (getRandomValues).
		"cryptoFillRandom": func(ab goja.ArrayBuffer, offset, n int) {
			b := bytesOf(ab)
			if offset < 0 || n < 0 || offset+n > len(b) {
				panic(vm.NewTypeError("crypto: random fill out of range"))
			}
			_, _ = rand.Read(b[offset : offset+n])
		},
		"cryptoRandomBytes": func(n int) goja.ArrayBuffer {
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return vm.NewArrayBuffer(b)
		},
		"cryptoRandomUUID": func() string {
			return uuidV4()
		},
		"cryptoBase64urlEncode": func(ab goja.ArrayBuffer) string {
			return base64.RawURLEncoding.EncodeToString(bytesOf(ab))
		},
		// cryptoBase64urlDecode returns null when s is not base64url (RFC
		// 7515: no padding, though trailing "=" is tolerated).
		"cryptoBase64urlDecode": func(s string) goja.Value {
			b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
			if err != nil {
				return goja.Null()
			}
			return vm.ToValue(vm.NewArrayBuffer(b))
		},
		"cryptoDigest": func(alg string, data goja.ArrayBuffer) goja.ArrayBuffer {
			h := hashFor(alg)()
			h.Write(bytesOf(data))
			return vm.NewArrayBuffer(h.Sum(nil))
		},
		"cryptoHmacSign": func(alg string, key, data goja.ArrayBuffer) goja.ArrayBuffer {
			m := hmac.New(hashFor(alg), bytesOf(key))
			m.Write(bytesOf(data))
			return vm.NewArrayBuffer(m.Sum(nil))
		},
		"cryptoHmacVerify": func(alg string, key, signature, data goja.ArrayBuffer) bool {
			m := hmac.New(hashFor(alg), bytesOf(key))
			m.Write(bytesOf(data))
			return subtle.ConstantTimeCompare(m.Sum(nil), bytesOf(signature)) == 1
		},
	}
}

// uuidV4 returns a random (version 4, RFC 9562 variant) UUID string.
func uuidV4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[c>>4], hexdigits[c&0x0f])
	}
	return string(out)
}
