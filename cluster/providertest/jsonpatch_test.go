package providertest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestProviderJSONPatch(t *testing.T) {
	for _, tc := range []struct {
		doc, patch, want string // want "" with wantErr
		wantErr          string
	}{
		{`{"a":1}`, `[{"op":"add","path":"/b","value":2}]`, `{"a":1,"b":2}`, ""},
		{`{"a":[1,3]}`, `[{"op":"add","path":"/a/1","value":2}]`, `{"a":[1,2,3]}`, ""},
		{`{"a":[1]}`, `[{"op":"add","path":"/a/-","value":2}]`, `{"a":[1,2]}`, ""},
		{`{"a":[[1],[3]]}`, `[{"op":"add","path":"/a/1/0","value":2}]`, `{"a":[[1],[2,3]]}`, ""},
		{`{"a":1,"b":2}`, `[{"op":"remove","path":"/b"}]`, `{"a":1}`, ""},
		{`{"a":[1,2,3]}`, `[{"op":"remove","path":"/a/1"}]`, `{"a":[1,3]}`, ""},
		{`{"a":1}`, `[{"op":"replace","path":"/a","value":{"x":"y"}}]`, `{"a":{"x":"y"}}`, ""},
		{`{"a":{"b":1},"c":{}}`, `[{"op":"move","from":"/a/b","path":"/c/d"}]`, `{"a":{},"c":{"d":1}}`, ""},
		{`{"a":{"b":[1]}}`, `[{"op":"copy","from":"/a/b","path":"/c"}]`, `{"a":{"b":[1]},"c":[1]}`, ""},
		{`{"a/b":1,"m~n":2}`, `[{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}]`, `{"a/b":3}`, ""},
		{`{"a":1}`, `[{"op":"test","path":"/a","value":1},{"op":"add","path":"/t","value":true}]`, `{"a":1,"t":true}`, ""},
		{`{"a":1}`, `[{"op":"replace","path":"","value":[1]}]`, `[1]`, ""},
		// Errors: the document is left as it was (the caller keeps it).
		{`{"a":1}`, `[{"op":"test","path":"/a","value":2}]`, "", "test operation failed"},
		{`{"a":1}`, `[{"op":"replace","path":"/b","value":2}]`, "", "does not exist"},
		{`{"a":1}`, `[{"op":"remove","path":"/b"}]`, "", "does not exist"},
		{`{"a":1}`, `[{"op":"add","path":"/x/y","value":2}]`, "", "does not exist"},
		{`{"a":[1]}`, `[{"op":"add","path":"/a/2","value":2}]`, "", "out of range"},
		{`{"a":[1]}`, `[{"op":"add","path":"/a/01","value":2}]`, "", "not an array index"},
		{`{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a/b/c"}]`, "", "is inside"},
		{`{"a":1}`, `[{"op":"add","path":"a","value":2}]`, "", "does not start with /"},
		{`{"a":1}`, `[{"op":"add","path":"/b"}]`, "", "has no value"},
		{`{"a":1}`, `[{"op":"frobnicate","path":"/a"}]`, "", "unknown op"},
		{`{"a":1}`, `{"op":"add"}`, "", "not a JSON array"},
	} {
		var doc any
		if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
			t.Fatal(err)
		}
		before := deepCopy(doc)
		got, err := jsonPatch(doc, []byte(tc.patch))
		if !reflect.DeepEqual(doc, before) {
			t.Errorf("%s on %s changed its input to %v", tc.patch, tc.doc, doc)
		}
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s on %s: %v, want an error with %q", tc.patch, tc.doc, err, tc.wantErr)
			}
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
			t.Fatal(err)
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s on %s = %v %v, want %s", tc.patch, tc.doc, got, err, tc.want)
		}
	}
}

func TestProviderMergePatch(t *testing.T) {
	var target, patch, want any
	_ = json.Unmarshal([]byte(`{"a":"b","c":{"d":"e","f":"g"},"l":[1]}`), &target)
	_ = json.Unmarshal([]byte(`{"a":"z","c":{"f":null},"l":[2],"n":{"x":1}}`), &patch)
	_ = json.Unmarshal([]byte(`{"a":"z","c":{"d":"e"},"l":[2],"n":{"x":1}}`), &want)
	if got := mergePatch(target, patch); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestProviderSelector(t *testing.T) {
	labels := map[string]string{"cluster.proto.actor/cluster": "edge", "tier": "a", "empty": ""}
	for sel, want := range map[string]bool{
		"":                                  true,
		"cluster.proto.actor/cluster=edge":  true,
		"cluster.proto.actor/cluster==edge": true,
		"cluster.proto.actor/cluster=other": false,
		"tier!=b":                           true,
		"absent!=b":                         true,
		"tier!=a":                           false,
		"tier in (a, b)":                    true,
		"tier in (b)":                       false,
		"tier notin (b,c)":                  true,
		"absent notin (b)":                  true,
		"tier":                              true,
		"absent":                            false,
		"!absent":                           true,
		"!tier":                             false,
		"empty=":                            true,
		"tier in (a,b),cluster.proto.actor/cluster=edge": true,
		"tier in (a,b), absent":                          false,
	} {
		s, err := parseSelector(sel)
		if err != nil {
			t.Errorf("%q: %v", sel, err)
			continue
		}
		if got := s.matches(labels); got != want {
			t.Errorf("%q matches %v = %v, want %v", sel, labels, got, want)
		}
	}
	for _, bad := range []string{"a,,b", "a in (b", "bad key=x", "a=not ok!", "-a=b", "Bad.Prefix/a=b"} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
