package kv

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// The key encoding is Deno KV's (denokv), the tuple layer of FoundationDB:
// each part is a type tag followed by the part's bytes, chosen so that
// bytes.Compare of two encoded keys orders them as Deno orders the keys.
//
//	[]byte   0x01, bytes with 0x00 escaped as 0x00 0xFF, then 0x00
//	string   0x02, UTF-8 escaped the same way, then 0x00
//	*big.Int 0x14 for zero; positive: 0x14+n then n big-endian bytes
//	         (n <= 8), or 0x1D, n, then n bytes (9 <= n <= 255);
//	         negative: the same with the magnitude's bytes complemented,
//	         tags 0x14-n (n <= 8) or 0x0B and n^0xFF
//	float64  0x21 then the IEEE 754 bits big-endian, all bits flipped if
//	         the sign bit is set, else only the sign bit flipped
//	bool     0x26 false, 0x27 true
//
// So parts of different types order Uint8Array < string < bigint < number
// < boolean. Deno's manual lists number before bigint; the implementation
// does not, and we follow the implementation. Verified against deno 2.9.6
// (`Deno.openKv` on a SQLite file; the raw keys read back from its kv
// table match EncodeKey byte for byte, and kv.list({prefix: []}) returns
// them in this order), including:
//
//   - -0 and 0 are distinct keys (0x21 7FFF…FF and 0x21 8000…00), and -0
//     reads back as -0.
//   - NaN is accepted and canonicalised keeping its sign: any positive NaN
//     is stored as 0x7FF8000000000000 (so it sorts after +Infinity), any
//     negative NaN as 0xFFF8000000000000 (before -Infinity).
//   - ±Infinity are accepted.
//   - bigints up to 255 magnitude bytes are accepted; larger ones fail with
//     "BigUint requires more than 255 bytes to be represented".
//   - a string with a lone surrogate is stored with U+FFFD in its place
//     (callers converting from UTF-16 must do the same: EncodeKey
//     rejects invalid UTF-8).
//   - any ArrayBufferView (Uint16Array, DataView, …) is accepted as its
//     bytes; an ArrayBuffer, null, undefined, an object, a Date, a symbol
//     are not: TypeError "expected string, number, bigint, ArrayBufferView,
//     boolean".

const (
	tagBytes     = 0x01
	tagString    = 0x02
	tagNegBig    = 0x0b // negative, more than 8 bytes
	tagIntZero   = 0x14
	tagPosBig    = 0x1d // positive, more than 8 bytes
	tagFloat     = 0x21
	tagFalse     = 0x26
	tagTrue      = 0x27
	maxBigIntLen = 255
)

// ErrKeyPartType: a key part is not one of the types of Key. Its text is
// Deno's TypeError message.
var ErrKeyPartType = errors.New("expected string, number, bigint, ArrayBufferView, boolean")

// ErrBigIntTooLarge: a bigint key part needs more than 255 bytes. Its text
// is Deno's TypeError message.
var ErrBigIntTooLarge = errors.New("BigUint requires more than 255 bytes to be represented")

// ErrInvalidKeyEncoding: DecodeKey was given bytes EncodeKey cannot have
// produced.
var ErrInvalidKeyEncoding = errors.New("invalid key encoding")

// EncodeKey encodes k so that bytes.Compare orders encodings as Deno KV
// orders keys. The empty key encodes to no bytes (it is valid for reads
// only; see ValidateWriteKey).
func EncodeKey(k Key) ([]byte, error) {
	var b []byte
	for i, p := range k {
		var err error
		b, err = appendPart(b, p)
		if err != nil {
			return nil, fmt.Errorf("key part %d: %w", i, err)
		}
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

func appendPart(b []byte, p any) ([]byte, error) {
	switch v := p.(type) {
	case []byte:
		b = append(b, tagBytes)
		return appendEscaped(b, v), nil
	case string:
		if !utf8.ValidString(v) {
			return nil, errors.New("string is not valid UTF-8 (replace lone surrogates with U+FFFD)")
		}
		b = append(b, tagString)
		return appendEscaped(b, []byte(v)), nil
	case float64:
		return appendFloat(b, v), nil
	case *big.Int:
		if v == nil {
			return nil, fmt.Errorf("nil *big.Int: %w", ErrKeyPartType)
		}
		return appendBigInt(b, v)
	case bool:
		if v {
			return append(b, tagTrue), nil
		}
		return append(b, tagFalse), nil
	default:
		return nil, fmt.Errorf("%T: %w", p, ErrKeyPartType)
	}
}

func appendEscaped(b, s []byte) []byte {
	for _, c := range s {
		b = append(b, c)
		if c == 0 {
			b = append(b, 0xff)
		}
	}
	return append(b, 0)
}

func appendFloat(b []byte, f float64) []byte {
	bits := math.Float64bits(f)
	if f != f { // NaN: canonical payload, sign kept, as Deno stores it
		bits = bits&(1<<63) | 0x7ff8000000000000
	}
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits ^= 1 << 63
	}
	b = append(b, tagFloat)
	for i := 7; i >= 0; i-- {
		b = append(b, byte(bits>>(8*i)))
	}
	return b
}

func appendBigInt(b []byte, v *big.Int) ([]byte, error) {
	if v.Sign() == 0 {
		return append(b, tagIntZero), nil
	}
	mag := new(big.Int).Abs(v).Bytes()
	n := len(mag)
	if n > maxBigIntLen {
		return nil, ErrBigIntTooLarge
	}
	if v.Sign() > 0 {
		if n <= 8 {
			b = append(b, byte(tagIntZero+n))
		} else {
			b = append(b, tagPosBig, byte(n))
		}
		return append(b, mag...), nil
	}
	if n <= 8 {
		b = append(b, byte(tagIntZero-n))
	} else {
		b = append(b, tagNegBig, byte(n)^0xff)
	}
	for _, c := range mag {
		b = append(b, ^c)
	}
	return b, nil
}

// DecodeKey is the inverse of EncodeKey. Parts come back as []byte,
// string, float64, *big.Int or bool; the []byte parts do not alias b.
func DecodeKey(b []byte) (Key, error) {
	k := Key{}
	for len(b) > 0 {
		p, rest, err := decodePart(b)
		if err != nil {
			return nil, fmt.Errorf("key part %d: %w", len(k), err)
		}
		k = append(k, p)
		b = rest
	}
	return k, nil
}

func decodePart(b []byte) (any, []byte, error) {
	tag := b[0]
	b = b[1:]
	switch {
	case tag == tagBytes, tag == tagString:
		s, rest, err := unescape(b)
		if err != nil {
			return nil, nil, err
		}
		if tag == tagBytes {
			return s, rest, nil
		}
		if !utf8.Valid(s) {
			return nil, nil, fmt.Errorf("string is not valid UTF-8: %w", ErrInvalidKeyEncoding)
		}
		return string(s), rest, nil
	case tag == tagIntZero:
		return new(big.Int), b, nil
	case tag > tagIntZero && tag <= tagIntZero+8, tag == tagPosBig:
		n := int(tag) - tagIntZero
		if tag == tagPosBig {
			if len(b) < 1 {
				return nil, nil, fmt.Errorf("truncated bigint: %w", ErrInvalidKeyEncoding)
			}
			n, b = int(b[0]), b[1:]
		}
		if len(b) < n {
			return nil, nil, fmt.Errorf("truncated bigint: %w", ErrInvalidKeyEncoding)
		}
		return new(big.Int).SetBytes(b[:n]), b[n:], nil
	case tag < tagIntZero && tag >= tagIntZero-8, tag == tagNegBig:
		n := tagIntZero - int(tag)
		if tag == tagNegBig {
			if len(b) < 1 {
				return nil, nil, fmt.Errorf("truncated bigint: %w", ErrInvalidKeyEncoding)
			}
			n, b = int(b[0]^0xff), b[1:]
		}
		if len(b) < n {
			return nil, nil, fmt.Errorf("truncated bigint: %w", ErrInvalidKeyEncoding)
		}
		mag := make([]byte, n)
		for i, c := range b[:n] {
			mag[i] = ^c
		}
		return new(big.Int).Neg(new(big.Int).SetBytes(mag)), b[n:], nil
	case tag == tagFloat:
		if len(b) < 8 {
			return nil, nil, fmt.Errorf("truncated number: %w", ErrInvalidKeyEncoding)
		}
		var bits uint64
		for _, c := range b[:8] {
			bits = bits<<8 | uint64(c)
		}
		if bits&(1<<63) != 0 {
			bits ^= 1 << 63
		} else {
			bits = ^bits
		}
		return math.Float64frombits(bits), b[8:], nil
	case tag == tagFalse:
		return false, b, nil
	case tag == tagTrue:
		return true, b, nil
	default:
		return nil, nil, fmt.Errorf("unknown type tag 0x%02x: %w", tag, ErrInvalidKeyEncoding)
	}
}

// unescape reads an escaped, 0x00-terminated byte string.
func unescape(b []byte) (s, rest []byte, err error) {
	s = []byte{}
	for i := 0; i < len(b); i++ {
		if b[i] != 0 {
			s = append(s, b[i])
			continue
		}
		if i+1 < len(b) && b[i+1] == 0xff {
			s = append(s, 0)
			i++
			continue
		}
		return s, b[i+1:], nil
	}
	return nil, nil, fmt.Errorf("unterminated string: %w", ErrInvalidKeyEncoding)
}

// PrefixBounds returns the range [start, end) of the encoded keys that
// strictly extend the encoded key prefix, as Deno's list({prefix}) selects
// them: the prefix key itself is not included. Every part starts with a
// tag between 0x01 and 0x27, so prefix+0x00 is below and prefix+0xFF above
// every extension.
func PrefixBounds(prefix []byte) (start, end []byte) {
	start = append(bytes.Clone(prefix), 0x00)
	end = append(bytes.Clone(prefix), 0xff)
	return start, end
}
