package providertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// jsonPatch applies an RFC 6902 JSON Patch (add, remove, replace, move,
// copy, test) to doc, a value decoded by encoding/json, and returns the
// result; doc itself is not changed. Paths are RFC 6901 JSON Pointers.
func jsonPatch(doc any, patch []byte) (any, error) {
	var ops []struct {
		Op    string           `json:"op"`
		Path  *string          `json:"path"`
		From  *string          `json:"from"`
		Value *json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(patch, &ops); err != nil {
		return nil, fmt.Errorf("the patch is not a JSON array of operations: %w", err)
	}
	doc = deepCopy(doc)
	for i, op := range ops {
		if op.Path == nil {
			return nil, fmt.Errorf("operation %d (%s) has no path", i, op.Op)
		}
		path, err := parsePointer(*op.Path)
		if err != nil {
			return nil, fmt.Errorf("operation %d: %w", i, err)
		}
		value := func() (any, error) {
			if op.Value == nil {
				return nil, fmt.Errorf("operation %d (%s) has no value", i, op.Op)
			}
			var v any
			err := json.Unmarshal(*op.Value, &v)
			return v, err
		}
		from := func() ([]string, error) {
			if op.From == nil {
				return nil, fmt.Errorf("operation %d (%s) has no from", i, op.Op)
			}
			return parsePointer(*op.From)
		}
		switch op.Op {
		case "add":
			v, err := value()
			if err != nil {
				return nil, err
			}
			doc, err = addAt(doc, path, v)
			if err != nil {
				return nil, fmt.Errorf("add operation does not apply: %w", err)
			}
		case "remove":
			if doc, _, err = removeAt(doc, path); err != nil {
				return nil, fmt.Errorf("remove operation does not apply: %w", err)
			}
		case "replace":
			v, err := value()
			if err != nil {
				return nil, err
			}
			if doc, _, err = removeAt(doc, path); err != nil {
				return nil, fmt.Errorf("replace operation does not apply: %w", err)
			}
			if doc, err = addAt(doc, path, v); err != nil {
				return nil, fmt.Errorf("replace operation does not apply: %w", err)
			}
		case "move", "copy":
			src, err := from()
			if err != nil {
				return nil, err
			}
			var v any
			if op.Op == "move" {
				if isPrefix(src, path) && len(src) < len(path) {
					return nil, fmt.Errorf("move operation: %q is inside %q", *op.Path, *op.From)
				}
				doc, v, err = removeAt(doc, src)
			} else {
				v, err = getAt(doc, src)
				v = deepCopy(v)
			}
			if err != nil {
				return nil, fmt.Errorf("%s operation does not apply: %w", op.Op, err)
			}
			if doc, err = addAt(doc, path, v); err != nil {
				return nil, fmt.Errorf("%s operation does not apply: %w", op.Op, err)
			}
		case "test":
			want, err := value()
			if err != nil {
				return nil, err
			}
			got, err := getAt(doc, path)
			if err != nil {
				return nil, fmt.Errorf("test operation does not apply: %w", err)
			}
			if !reflect.DeepEqual(got, want) {
				return nil, fmt.Errorf("test operation failed: %s is not %s", *op.Path, *op.Value)
			}
		default:
			return nil, fmt.Errorf("operation %d: unknown op %q", i, op.Op)
		}
	}
	return doc, nil
}

// parsePointer splits an RFC 6901 pointer into its unescaped tokens.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path %q does not start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

func isPrefix(prefix, path []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if prefix[i] != path[i] {
			return false
		}
	}
	return true
}

var errMissing = errors.New("the path does not exist")

// arrayIndex parses an array index token: digits without leading zeros,
// below limit (len for reads, len+1 for inserts).
func arrayIndex(tok string, limit int) (int, error) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') || strings.TrimLeft(tok, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not an array index", tok)
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i >= limit {
		return 0, fmt.Errorf("index %s is out of range: %w", tok, errMissing)
	}
	return i, nil
}

func getAt(doc any, path []string) (any, error) {
	for _, tok := range path {
		switch d := doc.(type) {
		case map[string]any:
			v, ok := d[tok]
			if !ok {
				return nil, fmt.Errorf("key %q: %w", tok, errMissing)
			}
			doc = v
		case []any:
			i, err := arrayIndex(tok, len(d))
			if err != nil {
				return nil, err
			}
			doc = d[i]
		default:
			return nil, fmt.Errorf("%q: %w (not an object or array)", tok, errMissing)
		}
	}
	return doc, nil
}

// addAt adds v at path (which must have an existing parent) and returns
// the new document.
func addAt(doc any, path []string, v any) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	parent, err := getAt(doc, path[:len(path)-1])
	if err != nil {
		return nil, err
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
		return doc, nil
	case []any:
		i := len(p)
		if last != "-" {
			if i, err = arrayIndex(last, len(p)+1); err != nil {
				return nil, err
			}
		}
		grown := append(p[:i:i], append([]any{v}, p[i:]...)...)
		return setAt(doc, path[:len(path)-1], grown)
	}
	return nil, fmt.Errorf("the parent of %q is not an object or array", last)
}

// setAt replaces the existing value at path with v (arrays and slices are
// values: a grown or shrunk array is put back where it was).
func setAt(doc any, path []string, v any) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	parent, err := getAt(doc, path[:len(path)-1])
	if err != nil {
		return nil, err
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
	case []any:
		i, err := arrayIndex(last, len(p))
		if err != nil {
			return nil, err
		}
		p[i] = v
	}
	return doc, nil
}

// removeAt removes the value at path (which must exist) and returns the new
// document and the value.
func removeAt(doc any, path []string) (any, any, error) {
	if len(path) == 0 {
		return nil, doc, nil
	}
	parent, err := getAt(doc, path[:len(path)-1])
	if err != nil {
		return nil, nil, err
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		v, ok := p[last]
		if !ok {
			return nil, nil, fmt.Errorf("key %q: %w", last, errMissing)
		}
		delete(p, last)
		return doc, v, nil
	case []any:
		i, err := arrayIndex(last, len(p))
		if err != nil {
			return nil, nil, err
		}
		v := p[i]
		shrunk := append(p[:i:i], p[i+1:]...)
		doc, err = setAt(doc, path[:len(path)-1], shrunk)
		return doc, v, err
	}
	return nil, nil, fmt.Errorf("%q: %w (its parent is not an object or array)", last, errMissing)
}

// mergePatch applies an RFC 7386 JSON Merge Patch to target (changed in
// place where it is an object) and returns the result.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return deepCopy(patch)
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
		} else {
			tm[k] = mergePatch(tm[k], v)
		}
	}
	return tm
}

// deepCopy copies a value decoded by encoding/json.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
