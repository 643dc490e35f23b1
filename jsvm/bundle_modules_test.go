package jsvm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture is the absolute path of a file under testdata/modules.
func fixture(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "modules", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startEntry bundles the module at entry and starts an instance of it.
func startEntry(t *testing.T, entry string) *Instance {
	t.Helper()
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := Start(ctx, prog, Config{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(in.Close)
	return in
}

func wantBody(t *testing.T, in *Instance, url, want string) {
	t.Helper()
	if got := string(serve(t, in, "GET", url, "").Body); got != want {
		t.Fatalf("GET %s: got %q, want %q", url, got, want)
	}
}

// bundleErr bundles files (written to a temp dir) and returns the error.
func bundleErr(t *testing.T, files map[string]string, entry string) error {
	t.Helper()
	_, err := Bundle(context.Background(), writeModule(t, files, entry))
	if err == nil {
		t.Fatal("Bundle succeeded, want an error")
	}
	return err
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

func TestModuleNpmPackages(t *testing.T) {
	in := startEntry(t, fixture(t, "npm/main.ts"))
	wantBody(t, in, "https://p.example/", "deno|sub(x)|HI!|3.0.1|3.0.1|scoped esm|scoped extra")
}

func TestModuleNpmStackPointsIntoPackage(t *testing.T) {
	in := startEntry(t, fixture(t, "npm/throw.ts"))
	_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want *ScriptError", err)
	}
	if !strings.Contains(se.Stack, "node_modules/esm-pkg/deno.js:4:") || !strings.Contains(se.Stack, "throw.ts:3:") {
		t.Fatalf("stack %q: want frames at esm-pkg/deno.js:4 and throw.ts:3", se.Stack)
	}
}

func TestModuleImportMap(t *testing.T) {
	in := startEntry(t, fixture(t, "importmap/main.ts"))
	wantBody(t, in, "https://p.example/", "hello map|UP|deno|sub(1)|cfg|vendored lib|vendored a|inline|scoped hello scope")
}

func TestModuleImportMapFile(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"deno.json":            `{"importMap": "./maps/import_map.json"}`,
		"maps/import_map.json": `{"imports": {"lib": "../src/lib.js", "pre/": "../src/"}}`,
		"src/lib.js":           `export const x = "from lib";`,
		"src/y.js":             `export const y = "from prefix";`,
		"app/main.js":          `import { x } from "lib"; import { y } from "pre/y.js"; export default { fetch: () => new Response(x + "|" + y) };`,
	}, "app/main.js")
	wantBody(t, startEntry(t, entry), "https://p.example/", "from lib|from prefix")
}

func TestModuleImportMapMostSpecificWins(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"deno.json": `{"imports": {"a/": "./one/", "a/b/": "./two/", "a/b/c.js": "./three.js"}}`,
		"one/x.js":  `export default "one";`,
		"two/x.js":  `export default "two";`,
		"three.js":  `export default "three";`,
		"main.js":   `import o from "a/x.js"; import t from "a/b/x.js"; import th from "a/b/c.js"; export default { fetch: () => new Response([o, t, th].join("|")) };`,
	}, "main.js")
	wantBody(t, startEntry(t, entry), "https://p.example/", "one|two|three")
}

func TestModuleJSON(t *testing.T) {
	in := startEntry(t, fixture(t, "json/main.ts"))
	wantBody(t, in, "https://p.example/", "hi|3|hi|3|hi")
}

func TestModuleDataURLs(t *testing.T) {
	in := startEntry(t, fixture(t, "dataurl/main.js"))
	wantBody(t, in, "https://p.example/", "1|2|3|4|5")
}

func TestModuleJSXClassicFromDenoJSON(t *testing.T) {
	in := startEntry(t, fixture(t, "jsx-classic/main.tsx"))
	wantBody(t, in, "https://p.example/", "ul(frag(item()),li(two))")
}

func TestModuleJSXDefaultIsReactCreateElement(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"main.jsx": `const React = { createElement: (t, p, ...c) => t + "[" + c.join("") + "]", Fragment: "F" };
export default { fetch: () => new Response(<div><>x</></div>) };`,
	}, "main.jsx")
	wantBody(t, startEntry(t, entry), "https://p.example/", "div[F[x]]")
}

func TestModuleJSXAutomaticRuntime(t *testing.T) {
	in := startEntry(t, fixture(t, "jsx-auto/main.tsx"))
	wantBody(t, in, "https://p.example/", `<p class="greeting">hi tsx</p><b>&lt;ok</b>`)
	_, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://p.example/boom", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Stack, "main.tsx:8:") {
		t.Fatalf("got %v: want a stack at main.tsx:8", err)
	}
}

func TestModuleErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		entry string
		want  []string
	}{
		{
			name:  "malformed deno.json",
			files: map[string]string{"deno.json": "{\n  \"imports\": {\n    \"a\": \"./a.js\"\n    \"b\": \"./b.js\"\n  }\n}\n", "main.js": ""},
			entry: "main.js",
			want:  []string{"deno.json:4:", "invalid character", "fix the JSON"},
		},
		{
			name:  "deno.json imports not an object",
			files: map[string]string{"deno.json": `{"imports": ["x"]}`, "main.js": ""},
			entry: "main.js",
			want:  []string{"deno.json", "imports: expected an object, found a JSON array"},
		},
		{
			name:  "import map bare target",
			files: map[string]string{"deno.json": `{"imports": {"x": "lib.js"}}`, "main.js": ""},
			entry: "main.js",
			want:  []string{"deno.json", `imports["x"]`, `must be a URL (npm:, jsr:, https:) or a path starting with ./`},
		},
		{
			name:  "prefix key without slash target",
			files: map[string]string{"deno.json": `{"imports": {"x/": "./lib"}}`, "main.js": ""},
			entry: "main.js",
			want:  []string{"deno.json", `needs a target ending in "/"`},
		},
		{
			name:  "importMap file missing",
			files: map[string]string{"deno.json": `{"importMap": "./nope.json"}`, "main.js": ""},
			entry: "main.js",
			want:  []string{"deno.json", "importMap: cannot read", "nope.json"},
		},
		{
			name:  "bad jsx option",
			files: map[string]string{"deno.json": `{"compilerOptions": {"jsx": "preserve"}}`, "main.tsx": ""},
			entry: "main.tsx",
			want:  []string{"deno.json", `compilerOptions.jsx: "preserve"`, `use "react" or "react-jsx"`},
		},
		{
			name:  "missing npm package",
			files: map[string]string{"main.js": `import x from "npm:left-pad@^1.3.0";` + "\nconsole.log(x);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", `npm package "left-pad" not found in node_modules beside`, "run `npm install left-pad` (or deno install) in"},
		},
		{
			name:  "missing bare package",
			files: map[string]string{"main.js": `import x from "@acme/thing/sub";` + "\nconsole.log(x);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", `npm package "@acme/thing" not found`, "npm install @acme/thing"},
		},
		{
			name:  "node: built-in",
			files: map[string]string{"main.js": `import fs from "node:fs";` + "\nconsole.log(fs);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", "node:fs is not supported by edge", "web API"},
		},
		{
			name: "node built-in from a package",
			files: map[string]string{
				"node_modules/uses-fs/package.json": `{"name": "uses-fs", "main": "index.js"}`,
				"node_modules/uses-fs/index.js":     `const fs = require("fs"); module.exports = fs;`,
				"main.js":                           `import f from "uses-fs";` + "\nconsole.log(f);\n",
			},
			entry: "main.js",
			want:  []string{"node_modules/uses-fs/index.js:1:", "node:fs is not supported by edge (imported by the npm package uses-fs)"},
		},
		{
			name:  "unknown data: media type",
			files: map[string]string{"main.js": `import x from "data:text/plain,hello";` + "\nconsole.log(x);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", "unsupported data: URL media type text/plain", "use text/javascript"},
		},
		{
			name:  "relative import inside data: URL",
			files: map[string]string{"main.js": `import x from "data:text/javascript,export { default } from './x.js'";` + "\nconsole.log(x);\n"},
			entry: "main.js",
			want:  []string{"data:text/javascript,export { default } from './x.js':1:25:", "relative import \"./x.js\" cannot be resolved from a data: module"},
		},
		{
			name:  "JSON without attribute",
			files: map[string]string{"data.json": `{"a": 1}`, "main.js": `import d from "./data.json";` + "\nconsole.log(d);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", "is a JSON module", `with { type: "json" }`},
		},
		{
			name:  "JSON data: URL without attribute",
			files: map[string]string{"main.js": `import d from "data:application/json,{}";` + "\nconsole.log(d);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", "is a JSON module"},
		},
		{
			name:  "mapped to a remote URL",
			files: map[string]string{"deno.json": `{"imports": {"lodash": "https://esm.sh/lodash"}}`, "main.js": `import l from "lodash";` + "\nconsole.log(l);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", `cannot import "https://esm.sh/lodash" (mapped from "lodash" by`, "vendor the module"},
		},
		{
			name:  "mapped to a missing file",
			files: map[string]string{"deno.json": `{"imports": {"lib": "./nope.js"}}`, "main.js": `import l from "lib";` + "\nconsole.log(l);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", "nope.js", `(mapped from "lib" by`},
		},
		{
			name:  "remote import still refused",
			files: map[string]string{"main.js": `import x from "jsr:@std/path";` + "\nconsole.log(x);\n"},
			entry: "main.js",
			want:  []string{"main.js:1:", "vendor the module"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := bundleErr(t, c.files, c.entry)
			t.Log(err)
			wantErr(t, err, c.want...)
		})
	}
}

func TestModuleNodeBuiltinFromFixturePackage(t *testing.T) {
	// The fixture's esm-pkg has a "node" export that imports node:fs: it
	// must not be chosen (the npm test gets "deno"). uses-fs requires fs.
	_, err := Bundle(context.Background(), fixture(t, "npm/uses-fs.js"))
	wantErr(t, err, "uses-fs/index.js:1:", "node:fs is not supported by edge")
}

func TestModuleDenoConfigSearchStopsAtEdgeYAML(t *testing.T) {
	// deno.json above the directory holding edge.yaml is not the project's.
	_, err := Bundle(context.Background(), writeModule(t, map[string]string{
		"deno.json":          `{"imports": {"x": "./outer.js"}}`,
		"outer.js":           `export default "outer";`,
		"proj/edge.yaml":     "",
		"proj/inner/main.js": `import x from "x"; export default { fetch: () => new Response(x) };`,
	}, "proj/inner/main.js"))
	wantErr(t, err, `npm package "x" not found`)

	// Below it, the nearest deno.json applies.
	entry := writeModule(t, map[string]string{
		"proj/edge.yaml":     "",
		"proj/deno.json":     `{"imports": {"x": "./lib/x.js"}}`,
		"proj/lib/x.js":      `export default "mapped";`,
		"proj/inner/main.js": `import x from "x"; export default { fetch: () => new Response(x) };`,
	}, "proj/inner/main.js")
	wantBody(t, startEntry(t, entry), "https://p.example/", "mapped")
}

func TestModuleImportMapResolution(t *testing.T) {
	dir := t.TempDir()
	raw := map[string]json.RawMessage{
		"a":          json.RawMessage(`"./lib/a.js"`),
		"a/":         json.RawMessage(`"./lib/a/"`),
		"./old.js":   json.RawMessage(`"./new.js"`),
		"preact":     json.RawMessage(`"npm:preact@10"`),
		"https://x/": json.RawMessage(`"./vendor/x/"`),
	}
	scopes := map[string]map[string]json.RawMessage{"./sub/": {"a": json.RawMessage(`"./sub/a.js"`)}}
	im, err := parseImportMap(filepath.Join(dir, "deno.json"), raw, scopes)
	if err != nil {
		t.Fatal(err)
	}
	file := func(rel string) string { return fileURL(filepath.Join(dir, rel)).String() }
	main, sub := fileURL(filepath.Join(dir, "main.js")), fileURL(filepath.Join(dir, "sub", "m.js"))
	cases := []struct {
		spec string
		base *url.URL
		want string
		ok   bool
	}{
		{"a", main, file("lib/a.js"), true},
		{"a/b/c.js", main, file("lib/a/b/c.js"), true},
		{"a", sub, file("sub/a.js"), true},        // the scope wins
		{"a/x.js", sub, file("lib/a/x.js"), true}, // falls back to top level
		{"./old.js", main, file("new.js"), true},
		{"../old.js", sub, file("new.js"), true},
		{"preact", main, "npm:preact@10", true},
		{"preact/hooks", main, "npm:preact@10/hooks", true}, // Deno's expansion
		{"https://x/y/z.js", main, file("vendor/x/y/z.js"), true},
		{"b", main, "", false},
		{"./other.js", main, "", false},
	}
	for _, c := range cases {
		got, ok, err := im.resolve(c.spec, c.base)
		if err != nil || ok != c.ok || got != c.want {
			t.Errorf("resolve(%q from %s) = %q, %v, %v; want %q, %v", c.spec, c.base, got, ok, err, c.want, c.ok)
		}
	}
	if _, _, err := im.resolve("a/../../../etc/passwd", main); err == nil || !strings.Contains(err.Error(), "escapes") {
		t.Errorf("backtracking: got %v, want an error", err)
	}
}

func TestModuleStripJSONC(t *testing.T) {
	in := "{\n  // line \"comment\"\n  \"a\": \"x // not a comment\", /* block\n  */ \"b\": [1, 2,],\n}\n"
	var v struct {
		A string
		B []int
	}
	if err := decodeJSONC("deno.jsonc", []byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "x // not a comment" || len(v.B) != 2 {
		t.Fatalf("got %+v", v)
	}
	if out := stripJSONC([]byte(in)); strings.Count(string(out), "\n") != strings.Count(in, "\n") || len(out) != len(in) {
		t.Fatalf("stripping moved bytes: %q", out)
	}
}

func TestModuleDataURLUsesImportMapAndPackages(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"deno.json":                     `{"imports": {"lib": "./lib.js"}}`,
		"lib.js":                        `export const lib = "lib";`,
		"node_modules/pkg/package.json": `{"name": "pkg", "exports": {"import": "./p.js"}}`,
		"node_modules/pkg/p.js":         `export const p = "pkg";`,
		"main.js": `import { both } from "data:text/javascript,import { lib } from 'lib'; import { p } from 'pkg'; export const both = lib + '+' + p;";
export default { fetch: () => new Response(both) };`,
	}, "main.js")
	wantBody(t, startEntry(t, entry), "https://p.example/", "lib+pkg")
}
