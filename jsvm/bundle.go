package jsvm

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// Program is a project's bundled and compiled module. It is immutable and
// shared by every instance of the project: compiling once is what keeps a new
// instance cheap (see docs/ARCHITECTURE.md, "Instances").
type Program struct {
	// Entry is the absolute path of the entry module.
	Entry string
	// Source is the bundled JavaScript that was compiled, with an inline
	// source map that points back at the user's files.
	Source string
	prg    *goja.Program
}

// BuildError is a problem esbuild found in a user's module. It names the file,
// line and column (1-based) so that a user can jump straight to it.
type BuildError struct {
	File    string
	Line    int
	Column  int
	Message string
}

func (e *BuildError) Error() string {
	if e.File == "" {
		return e.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
}

// BuildErrors is every problem found in one bundle, reported together.
type BuildErrors []*BuildError

func (es BuildErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// ErrEntryNotFound is returned by Bundle when the entry file does not exist.
var ErrEntryNotFound = errors.New("entry file not found")

// The bundle is evaluated as the body of an async arrow function so that
// top-level await works in goja, which has no ES modules. The function gets
// one argument, a callback that receives the entry module's namespace (so
// `export default { fetch }` can be found) once top-level code has finished.
const (
	bundleBanner  = `(async (__edge_exports) => {"use strict";`
	bundleFooter  = `})`
	exportsHook   = `__edge_exports`
	entryStubName = "<edge-entry>"
)

// stdHTTPServer matches the std HTTP server module at any version, which is
// built in so the proposal's samples run without network access.
var stdHTTPServer = regexp.MustCompile(`^https://deno\.land/std(@[^/]+)?/http/(server|status|cookie|file_server|mod)\.ts$`)

// stdHTTPJSR matches jsr:@std/http, with or without a version and a subpath.
var stdHTTPJSR = regexp.MustCompile(`^jsr:/?@std/http(@[^/]+)?(/[a-z_-]+(\.ts)?)?$`)

const builtinNamespace = "edge-builtin"

// builtinModules maps a built-in module's path in builtinNamespace to its
// source: edge's stand-in for the std HTTP module (jsvm/builtin/std_http.js).
var builtinModules = map[string]string{"std/http": stdHTTPSource}

//go:embed builtin/std_http.js
var stdHTTPSource string

// Bundle resolves and bundles the module at entry with esbuild and compiles
// it for goja: JS, TS, JSX and TSX, relative imports, top-level await, the
// import map of the nearest deno.json, npm packages from node_modules, JSON
// modules and data: URLs (see docs/MODULES.md). Errors in the user's code
// come back as BuildErrors naming file, line and column.
func Bundle(ctx context.Context, entry string) (*Program, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(entry)
	if err != nil {
		return nil, fmt.Errorf("resolving entry %s: %w", entry, err)
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("%w: %s (check the project's entry path; it is relative to the config file)", ErrEntryNotFound, abs)
	} else if st.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory, not a module file", ErrEntryNotFound, abs)
	}

	cfg, err := loadDenoConfig(filepath.Dir(abs))
	if err != nil {
		return nil, err
	}
	res := &resolver{entry: abs, cfg: cfg}

	stub := fmt.Sprintf("import * as m from %q;\n%s(m);\n", "./"+filepath.Base(abs), exportsHook)
	result := api.Build(api.BuildOptions{
		Stdin: &api.StdinOptions{
			Contents:   stub,
			ResolveDir: filepath.Dir(abs),
			Sourcefile: entryStubName,
			Loader:     api.LoaderJS,
		},
		Bundle:   true,
		Write:    false,
		Format:   api.FormatESModule,
		Platform: api.PlatformNeutral,
		// goja runs ES2022 syntax natively (class fields and private
		// members, optional chaining, ??, ??=, object rest/spread, static
		// blocks, BigInt) except async generators, for await and the RegExp
		// d flag, which esbuild lowers. Lowering more than that costs a lot:
		// esbuild's private-field helpers use WeakMaps, which made a class
		// with a few private fields ten times slower to construct in goja.
		// Top-level await stays: the banner makes it legal.
		Target: api.ES2022,
		Supported: map[string]bool{
			"top-level-await":      true,
			"async-await":          true,
			"async-generator":      false,
			"for-await":            false,
			"regexp-match-indices": false,
		},
		Sourcemap: api.SourceMapInline,
		// Source map paths are relative to this directory, and goja resolves
		// them against the directory of the bundle's name (the entry): the
		// two must agree, or stacks name doubled paths when edge runs from
		// another directory.
		AbsWorkingDir: filepath.Dir(abs),
		Banner:        map[string]string{"js": bundleBanner},
		Footer:        map[string]string{"js": bundleFooter},
		LogLevel:      api.LogLevelSilent,
		Charset:       api.CharsetUTF8,
		// npm packages: the export conditions of a web-standard runtime
		// ("import"/"require" and "default" are added by esbuild). Not
		// "node": edge has no Node built-ins. See docs/MODULES.md.
		MainFields: []string{"module", "main"},
		Conditions: []string{"deno", "worker", "browser", "module"},
		// JSX: Deno's defaults unless deno.json's compilerOptions say otherwise.
		JSX:             cfg.jsx.mode,
		JSXDev:          cfg.jsx.dev,
		JSXFactory:      cfg.jsx.factory,
		JSXFragment:     cfg.jsx.fragment,
		JSXImportSource: cfg.jsx.importFrom,
		// Like Deno, ignore tsconfig.json files: deno.json is the config.
		TsconfigRaw: "{}",
		Plugins:     []api.Plugin{res.plugin()},
	})
	if len(result.Errors) > 0 {
		return nil, toBuildErrors(filepath.Dir(abs), result.Errors)
	}
	if len(result.OutputFiles) != 1 {
		return nil, fmt.Errorf("bundling %s: esbuild produced %d outputs, want 1", abs, len(result.OutputFiles))
	}
	return Compile(abs, string(result.OutputFiles[0].Contents))
}

// Compile compiles source, a bundle Bundle produced (Program.Source), for
// goja. A server uses it for code that was bundled elsewhere (edge deploy
// bundles on the user's machine and uploads Program.Source); entry names
// the bundle in stacks and must be the entry path it was bundled from, so
// the inline source map's relative paths resolve.
func Compile(entry, source string) (*Program, error) {
	if !strings.HasPrefix(source, bundleBanner) || !strings.Contains(source, bundleFooter) {
		return nil, fmt.Errorf("%s: not a bundle made by edge (build it with edge deploy, which bundles with the same version of edge)", entry)
	}
	ast, err := goja.Parse(entry, source)
	if err != nil {
		// esbuild accepted the code but goja cannot parse what it produced:
		// a syntax feature goja lacks. Name it; the user can only work around it.
		return nil, fmt.Errorf("compiling %s for the runtime: %w", entry, err)
	}
	prg, err := goja.CompileAST(ast, true)
	if err != nil {
		return nil, fmt.Errorf("compiling %s for the runtime: %w", entry, err)
	}
	return &Program{Entry: entry, Source: source, prg: prg}, nil
}

// toBuildErrors converts esbuild's messages; their file paths are relative
// to dir (the build's working directory).
func toBuildErrors(dir string, msgs []api.Message) BuildErrors {
	out := make(BuildErrors, 0, len(msgs))
	for _, m := range msgs {
		e := &BuildError{Message: m.Text}
		if m.Location != nil {
			e.File = m.Location.File
			switch {
			case strings.HasPrefix(e.File, dataNamespace+":"):
				// The data: URL itself is what the user wrote.
				e.File = strings.TrimPrefix(e.File, dataNamespace+":")
			case strings.HasPrefix(e.File, builtinNamespace+":"), e.File == entryStubName:
			case !filepath.IsAbs(e.File):
				e.File = filepath.Join(dir, e.File)
			}
			e.Line = m.Location.Line
			e.Column = m.Location.Column + 1 // esbuild columns are 0-based
		}
		out = append(out, e)
	}
	return out
}
