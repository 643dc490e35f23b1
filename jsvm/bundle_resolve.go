package jsvm

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// resolver decides where every import of a bundle comes from. It is one
// esbuild plugin that sees each import first, applies the project's import
// map, and then sends the specifier to the right place: esbuild's own
// resolver for files and node_modules packages, the built-in modules, a
// data: URL, or a clear error. Nothing is ever downloaded.
type resolver struct {
	entry string // absolute path of the entry module
	cfg   *denoConfig
}

const (
	dataNamespace = "edge-data"
	// passThrough marks the resolver's own calls to esbuild's resolver so
	// that it does not see them a second time.
	passThrough = "edge-pass-through"
)

func (r *resolver) plugin() api.Plugin {
	return api.Plugin{
		Name: "edge-modules",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: `.*`}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				if args.PluginData == passThrough {
					return api.OnResolveResult{}, nil
				}
				return r.resolve(b, args)
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: builtinNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				src, ok := builtinModules[args.Path]
				if !ok {
					return api.OnLoadResult{}, fmt.Errorf("unknown built-in module %q", args.Path)
				}
				return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: dataNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				src, loader, err := decodeDataURL(args.Path)
				if err != nil {
					return api.OnLoadResult{}, err
				}
				return api.OnLoadResult{Contents: &src, Loader: loader}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `\.(m?[jt]sx?|c[jt]s)$`, Namespace: "file"}, loadWithAssert)
		},
	}
}

func inNodeModules(path string) bool {
	return strings.Contains(filepath.ToSlash(path), "/node_modules/")
}

// importerBase is the URL that an import's relative specifiers and import
// map scopes are resolved against.
func (r *resolver) importerBase(args api.OnResolveArgs) *url.URL {
	switch {
	case args.Namespace == dataNamespace:
		u, _ := parseURLLike(args.Importer, nil)
		return u
	case args.Namespace == builtinNamespace:
		return &url.URL{Scheme: "edge-builtin", Opaque: args.Importer}
	case filepath.IsAbs(args.Importer):
		return fileURL(args.Importer)
	default: // the entry stub
		return fileURL(args.ResolveDir + string(filepath.Separator))
	}
}

func (r *resolver) resolve(b api.PluginBuild, args api.OnResolveArgs) (api.OnResolveResult, error) {
	spec := args.Path
	fromPackage := args.Namespace == "file" && inNodeModules(args.Importer)
	base := r.importerBase(args)
	mappedBy := ""
	if r.cfg.Map != nil && !fromPackage {
		to, ok, err := r.cfg.Map.resolve(spec, base)
		if err != nil {
			return api.OnResolveResult{}, err
		}
		if ok {
			mappedBy = fmt.Sprintf(" (mapped from %q by %s)", spec, r.cfg.Map.path)
			spec = to
		}
	}

	u, err := parseURLLike(spec, base)
	if err != nil {
		return api.OnResolveResult{}, err
	}
	if u == nil {
		return r.resolveBare(b, args, spec, mappedBy)
	}
	switch u.Scheme {
	case "file":
		path := filepath.FromSlash(u.Path)
		if mappedBy == "" && !strings.HasPrefix(spec, "file:") {
			// A plain relative import: esbuild resolves it as it always has.
			return r.passToEsbuild(b, args, args.Path, args.ResolveDir, mappedBy, !fromPackage)
		}
		return r.passToEsbuild(b, args, path, filepath.Dir(path), mappedBy, !fromPackage)
	case "http", "https", "jsr":
		if stdHTTPServer.MatchString(spec) || stdHTTPJSR.MatchString(spec) {
			return api.OnResolveResult{Path: "std/http", Namespace: builtinNamespace}, nil
		}
		return api.OnResolveResult{}, fmt.Errorf("cannot import %q%s: remote modules are not downloaded by edge; vendor the module into your project and import it by relative path, or map it in an import map", spec, mappedBy)
	case "npm":
		name, sub, err := parseNpmSpecifier(spec)
		if err != nil {
			return api.OnResolveResult{}, fmt.Errorf("%v%s", err, mappedBy)
		}
		return r.resolvePackage(b, args, name, sub, mappedBy)
	case "node":
		return api.OnResolveResult{}, nodeBuiltinError(strings.TrimPrefix(spec, "node:"), args, mappedBy)
	case "data":
		if _, _, err := decodeDataURL(spec); err != nil {
			return api.OnResolveResult{}, fmt.Errorf("%v%s", err, mappedBy)
		}
		if err := r.checkJSON(args, strings.HasPrefix(dataMediaType(spec), "application/json") || strings.HasPrefix(dataMediaType(spec), "text/json"), spec, fromPackage); err != nil {
			return api.OnResolveResult{}, err
		}
		return api.OnResolveResult{Path: spec, Namespace: dataNamespace}, nil
	}
	return api.OnResolveResult{}, fmt.Errorf("cannot import %q%s: the %s: scheme is not supported; import files by relative path, npm packages as npm:name or by bare name", spec, mappedBy, u.Scheme)
}

// passToEsbuild lets esbuild's resolver find path (extensions, index files,
// package.json) and then applies the JSON import attribute rule.
func (r *resolver) passToEsbuild(b api.PluginBuild, args api.OnResolveArgs, path, dir, mappedBy string, checkJSON bool) (api.OnResolveResult, error) {
	res := b.Resolve(path, api.ResolveOptions{
		Importer:   args.Importer,
		Namespace:  args.Namespace,
		ResolveDir: dir,
		Kind:       args.Kind,
		PluginData: passThrough,
		With:       args.With,
	})
	if len(res.Errors) > 0 {
		if mappedBy != "" {
			for i := range res.Errors {
				res.Errors[i].Text += mappedBy
			}
		}
		return api.OnResolveResult{Errors: res.Errors, Warnings: res.Warnings}, nil
	}
	if checkJSON && res.Namespace == "file" {
		if err := r.checkJSON(args, strings.EqualFold(filepath.Ext(res.Path), ".json"), res.Path, false); err != nil {
			return api.OnResolveResult{}, err
		}
	}
	return api.OnResolveResult{
		Path:        res.Path,
		Namespace:   res.Namespace,
		External:    res.External,
		SideEffects: api.SideEffectsTrue,
		Suffix:      res.Suffix,
		PluginData:  res.PluginData,
		Warnings:    res.Warnings,
	}, nil
}

// checkJSON enforces Deno's rule: a JSON module is imported with
// `with { type: "json" }`. require() of JSON (CommonJS) needs no attribute.
func (r *resolver) checkJSON(args api.OnResolveArgs, isJSON bool, what string, fromPackage bool) error {
	if !isJSON || fromPackage || args.Kind == api.ResolveJSRequireCall || args.Kind == api.ResolveJSRequireResolve {
		return nil
	}
	if args.With["type"] == "json" {
		return nil
	}
	return fmt.Errorf("%q is a JSON module: import it with an import attribute, as in import data from %q with { type: \"json\" }", what, args.Path)
}

// resolveBare resolves a bare specifier ("pkg", "pkg/sub", "@scope/pkg")
// that the import map did not map: a package in node_modules.
func (r *resolver) resolveBare(b api.PluginBuild, args api.OnResolveArgs, spec, mappedBy string) (api.OnResolveResult, error) {
	name, sub := splitPackage(spec)
	if name == "" {
		return api.OnResolveResult{}, fmt.Errorf("cannot import %q%s: not a valid package name; import files by relative path (./%s)", spec, mappedBy, spec)
	}
	return r.resolvePackage(b, args, name, sub, mappedBy)
}

// resolvePackage finds npm package name in the node_modules folder nearest
// to the importer and lets esbuild resolve sub in it (package.json
// "exports", "module", "main").
func (r *resolver) resolvePackage(b api.PluginBuild, args api.OnResolveArgs, name, sub, mappedBy string) (api.OnResolveResult, error) {
	dir := args.ResolveDir
	if dir == "" {
		dir = filepath.Dir(r.entry)
	}
	if !packageInstalled(dir, name) {
		if isNodeBuiltin(name) {
			return api.OnResolveResult{}, nodeBuiltinError(name+sub, args, mappedBy)
		}
		entryDir := filepath.Dir(r.entry)
		return api.OnResolveResult{}, fmt.Errorf("npm package %q not found in node_modules beside %s%s: run `npm install %s` (or deno install) in %s", name, r.entry, mappedBy, name, entryDir)
	}
	fromPackage := args.Namespace == "file" && inNodeModules(args.Importer)
	return r.passToEsbuild(b, args, name+sub, dir, mappedBy, !fromPackage)
}

func packageInstalled(dir, name string) bool {
	for {
		if st, err := os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(name))); err == nil && st.IsDir() {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// splitPackage splits "pkg/sub/path" or "@scope/pkg/sub" into the package
// name and the subpath ("" or "/sub/path").
func splitPackage(spec string) (name, sub string) {
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") {
		if len(parts) < 2 || parts[0] == "@" || parts[1] == "" {
			return "", ""
		}
		name = parts[0] + "/" + parts[1]
		if len(parts) == 3 {
			sub = "/" + parts[2]
		}
		return name, sub
	}
	if parts[0] == "" || parts[0] == "." || parts[0] == ".." {
		return "", ""
	}
	name = parts[0]
	if len(parts) > 1 {
		sub = "/" + strings.Join(parts[1:], "/")
	}
	return name, sub
}

// parseNpmSpecifier splits npm:[/]name[@version][/sub] into name and subpath.
// The version is not checked: whatever is installed in node_modules is used.
func parseNpmSpecifier(spec string) (name, sub string, err error) {
	rest := strings.TrimPrefix(strings.TrimPrefix(spec, "npm:"), "/")
	scope := ""
	if strings.HasPrefix(rest, "@") {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return "", "", fmt.Errorf("cannot import %q: an npm specifier is npm:@scope/name[@version][/path]", spec)
		}
		scope, rest = rest[:i+1], rest[i+1:]
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest, sub = rest[:i], rest[i:]
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" {
		return "", "", fmt.Errorf("cannot import %q: an npm specifier is npm:name[@version][/path]", spec)
	}
	return scope + rest, sub, nil
}

var nodeBuiltins = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`assert async_hooks buffer child_process cluster console constants crypto dgram
		diagnostics_channel dns domain events fs http http2 https inspector module net os path perf_hooks process
		punycode querystring readline repl sqlite stream string_decoder sys test timers tls trace_events tty url util
		v8 vm wasi worker_threads zlib`) {
		nodeBuiltins[n] = true
	}
}

func isNodeBuiltin(name string) bool { return nodeBuiltins[name] }

func nodeBuiltinError(mod string, args api.OnResolveArgs, mappedBy string) error {
	who := "your code"
	if inNodeModules(args.Importer) {
		who = "the npm package " + filepath.Base(packageRoot(args.Importer))
	}
	return fmt.Errorf("node:%s is not supported by edge (imported by %s%s): edge runs web-standard APIs only; use a web API (fetch, crypto.subtle, TextEncoder, ...) or a package that does not depend on Node built-ins", mod, who, mappedBy)
}

// packageRoot is the node_modules/<pkg> (or node_modules/@scope/pkg)
// directory holding path.
func packageRoot(path string) string {
	s := filepath.ToSlash(path)
	i := strings.LastIndex(s, "/node_modules/")
	if i < 0 {
		return path
	}
	rest := s[i+len("/node_modules/"):]
	name, _ := splitPackage(rest)
	return filepath.FromSlash(s[:i+len("/node_modules/")] + name)
}

// dataMediaType is the media type of a data: URL, lower-cased.
func dataMediaType(spec string) string {
	meta, _, _ := strings.Cut(strings.TrimPrefix(spec, "data:"), ",")
	mt, _, _ := strings.Cut(meta, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// decodeDataURL decodes a data: URL module, choosing the loader from its
// media type as Deno does.
func decodeDataURL(spec string) (string, api.Loader, error) {
	rest, ok := strings.CutPrefix(spec, "data:")
	meta, payload, found := strings.Cut(rest, ",")
	if !ok || !found {
		return "", 0, fmt.Errorf("cannot import %.60q: a data: URL is data:<media type>[;base64],<data>", spec)
	}
	mt := dataMediaType(spec)
	if mt != "" {
		if parsed, _, err := mime.ParseMediaType(strings.ReplaceAll(meta, ";base64", "")); err == nil {
			mt = parsed
		}
	}
	var loader api.Loader
	switch mt {
	case "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript", "application/x-javascript", "text/jscript":
		loader = api.LoaderJS
	case "application/typescript", "text/typescript", "application/x-typescript", "video/mp2t", "video/vnd.dlna.mpeg-tts":
		loader = api.LoaderTS
	case "text/jsx":
		loader = api.LoaderJSX
	case "text/tsx":
		loader = api.LoaderTSX
	case "application/json", "text/json":
		loader = api.LoaderJSON
	default:
		if mt == "" {
			mt = "text/plain (none given)"
		}
		return "", 0, fmt.Errorf("cannot import %.60q: unsupported data: URL media type %s; use text/javascript, application/typescript, text/jsx, text/tsx or application/json", spec, mt)
	}
	var src []byte
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		var err error
		clean := strings.TrimRight(payload, "=")
		if src, err = base64.RawStdEncoding.DecodeString(clean); err != nil {
			if src, err = base64.RawURLEncoding.DecodeString(clean); err != nil {
				return "", 0, fmt.Errorf("cannot import %.60q: the base64 data is malformed: %v", spec, err)
			}
		}
	} else {
		s, err := url.PathUnescape(payload)
		if err != nil {
			return "", 0, fmt.Errorf("cannot import %.60q: malformed percent-encoding: %v", spec, err)
		}
		src = []byte(s)
	}
	return string(src), loader, nil
}

// assertAttr finds the older import-assertion form, `assert { type: "json" }`
// and import("x", { assert: {...} }), which esbuild parses but does not
// pass on as import attributes. Deno still accepts it (deprecated); edge
// rewrites it to `with` in place, padded so that columns do not move.
var (
	assertStatic  = regexp.MustCompile(`((?:\bfrom|\bimport)\s*(?:"[^"\n]*"|'[^'\n]*')\s*)assert(\s*\{)`)
	assertDynamic = regexp.MustCompile(`(\bimport\s*\(\s*(?:"[^"\n]*"|'[^'\n]*')\s*,\s*\{\s*)assert(\s*:)`)
)

func loadWithAssert(args api.OnLoadArgs) (api.OnLoadResult, error) {
	if inNodeModules(args.Path) {
		return api.OnLoadResult{}, nil
	}
	data, err := os.ReadFile(args.Path)
	if err != nil || !strings.Contains(string(data), "assert") {
		return api.OnLoadResult{}, nil // esbuild reads it and reports any error
	}
	src := assertStatic.ReplaceAllString(string(data), "${1}with  ${2}")
	src = assertDynamic.ReplaceAllString(src, "${1}with  ${2}")
	if src == string(data) {
		return api.OnLoadResult{}, nil
	}
	var loader api.Loader
	switch filepath.Ext(args.Path) {
	case ".ts", ".mts", ".cts":
		loader = api.LoaderTS
	case ".tsx":
		loader = api.LoaderTSX
	case ".jsx":
		loader = api.LoaderJSX
	default:
		loader = api.LoaderJS
	}
	return api.OnLoadResult{Contents: &src, Loader: loader, ResolveDir: filepath.Dir(args.Path)}, nil
}
