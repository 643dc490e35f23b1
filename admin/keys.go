package admin

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/edge-platform/edge/kv"
)

// KeyToJSON renders a Deno KV key as the API's JSON array of parts (see
// KVEntry).
func KeyToJSON(k kv.Key) (json.RawMessage, error) {
	parts := make([]any, len(k))
	for i, p := range k {
		switch v := p.(type) {
		case []byte:
			parts[i] = map[string]string{"bytes": base64.StdEncoding.EncodeToString(v)}
		case *big.Int:
			parts[i] = map[string]string{"bigint": v.String()}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				parts[i] = map[string]string{"number": fmt.Sprint(v)}
			} else {
				parts[i] = v
			}
		default:
			parts[i] = v
		}
	}
	return json.Marshal(parts)
}

// KeyFromJSON parses the API's JSON key form: an array of parts. It also
// accepts a bare string as a one-part key, the CLI's shorthand.
func KeyFromJSON(raw []byte) (kv.Key, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return kv.Key{}, nil
	}
	if raw[0] != '[' {
		if raw[0] != '"' { // json.Unmarshal would read null as ""
			return nil, fmt.Errorf(`a key is a JSON array of parts, e.g. ["users", 1], or one string in quotes`)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf(`a key is a JSON array of parts, e.g. ["users", 1]: %w`, err)
		}
		return kv.Key{s}, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, fmt.Errorf(`a key is a JSON array of parts, e.g. ["users", 1]: %w`, err)
	}
	key := make(kv.Key, len(parts))
	for i, p := range parts {
		var v any
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("key part %d: %w", i, err)
		}
		switch x := v.(type) {
		case string, bool:
			key[i] = x
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return nil, fmt.Errorf("key part %d: %q is not a number", i, x)
			}
			key[i] = f
		case map[string]any:
			part, err := taggedPart(x)
			if err != nil {
				return nil, fmt.Errorf("key part %d: %w", i, err)
			}
			key[i] = part
		default:
			return nil, fmt.Errorf(`key part %d: %s is not a key part: use a string, number, boolean, {"bigint": "1"} or {"bytes": "<base64>"}`, i, strings.TrimSpace(string(p)))
		}
	}
	return key, nil
}

func taggedPart(m map[string]any) (any, error) {
	if len(m) == 1 {
		if s, ok := m["bigint"].(string); ok {
			n, ok := new(big.Int).SetString(s, 10)
			if !ok {
				return nil, fmt.Errorf("bigint %q is not an integer", s)
			}
			return n, nil
		}
		if s, ok := m["bytes"].(string); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("bytes %q is not base64: %w", s, err)
			}
			return b, nil
		}
		// KeyToJSON writes NaN and the infinities this way: not JSON numbers.
		if s, ok := m["number"].(string); ok {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("number %q is not a number: %w", s, err)
			}
			return f, nil
		}
	}
	return nil, fmt.Errorf(`an object key part must be {"bigint": "123"} or {"bytes": "<base64>"}`)
}

// ValueToJSON renders a stored value for the API (see KVEntry).
func ValueToJSON(v kv.Value) json.RawMessage {
	var out any
	switch v.Kind {
	case kv.KindJSON:
		if json.Valid(v.Data) {
			return json.RawMessage(v.Data)
		}
		out = map[string]string{"invalid": base64.StdEncoding.EncodeToString(v.Data)}
	case kv.KindBytes:
		out = map[string]string{"bytes": base64.StdEncoding.EncodeToString(v.Data)}
	case kv.KindU64:
		var n uint64
		for i := len(v.Data) - 1; i >= 0; i-- {
			n = n<<8 | uint64(v.Data[i])
		}
		out = map[string]string{"u64": fmt.Sprint(n)}
	case kv.KindStructured:
		if json.Valid(v.Data) {
			out = map[string]json.RawMessage{"structured": v.Data}
		} else {
			out = map[string]string{"invalid": base64.StdEncoding.EncodeToString(v.Data)}
		}
	default:
		out = map[string]string{"unknown": base64.StdEncoding.EncodeToString(v.Data)}
	}
	b, _ := json.Marshal(out)
	return b
}

// Cursors are the last key of a page, base64url-encoded.
func encodeCursor(key []byte) string { return base64.RawURLEncoding.EncodeToString(key) }

func decodeCursor(c string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(c) }
