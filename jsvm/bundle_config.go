package jsvm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// denoConfig is the part of a deno.json / deno.jsonc that edge reads: the
// import map (inline or in a separate file) and the JSX compiler options.
// Every other key is ignored.
type denoConfig struct {
	// Path is the config file's absolute path ("" when there is none).
	Path string
	// Map is the import map, nil when there is none.
	Map *importMap
	jsx jsxOptions
}

type jsxOptions struct {
	mode       api.JSX
	dev        bool
	factory    string
	fragment   string
	importFrom string
}

// rawDenoConfig is deno.json as written.
type rawDenoConfig struct {
	Imports         map[string]json.RawMessage            `json:"imports"`
	Scopes          map[string]map[string]json.RawMessage `json:"scopes"`
	ImportMap       *string                               `json:"importMap"`
	CompilerOptions struct {
		JSX                *string `json:"jsx"`
		JSXFactory         *string `json:"jsxFactory"`
		JSXFragmentFactory *string `json:"jsxFragmentFactory"`
		JSXImportSource    *string `json:"jsxImportSource"`
	} `json:"compilerOptions"`
}

// findDenoConfig looks for deno.json, then deno.jsonc, in dir and its
// ancestors. The search stops at the first directory that holds one, at a
// directory holding edge.yaml (the deployment's root), or at the filesystem
// root.
func findDenoConfig(dir string) string {
	for {
		for _, name := range []string{"deno.json", "deno.jsonc"} {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		for _, name := range []string{"edge.yaml", "edge.yml"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				return ""
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// loadDenoConfig reads the deno.json that applies to the entry module. A
// missing file is not an error; a malformed one is, naming the file.
func loadDenoConfig(entryDir string) (*denoConfig, error) {
	cfg := &denoConfig{jsx: jsxOptions{mode: api.JSXTransform, factory: "React.createElement", fragment: "React.Fragment"}}
	path := findDenoConfig(entryDir)
	if path == "" {
		return cfg, nil
	}
	cfg.Path = path
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var raw rawDenoConfig
	if err := decodeJSONC(path, data, &raw); err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid %s: %s", path, fmt.Sprintf(format, args...))
	}

	co := raw.CompilerOptions
	if co.JSX != nil {
		switch *co.JSX {
		case "react":
			cfg.jsx.mode = api.JSXTransform
		case "react-jsx", "precompile":
			cfg.jsx.mode = api.JSXAutomatic
		case "react-jsxdev":
			cfg.jsx.mode, cfg.jsx.dev = api.JSXAutomatic, true
		case "preserve", "react-native":
			return nil, bad("compilerOptions.jsx: %q leaves JSX in the output, which the runtime cannot run; use \"react\" or \"react-jsx\"", *co.JSX)
		default:
			return nil, bad("compilerOptions.jsx: unknown value %q; use \"react\", \"react-jsx\", \"react-jsxdev\" or \"precompile\"", *co.JSX)
		}
	}
	if co.JSXFactory != nil {
		cfg.jsx.factory = *co.JSXFactory
	}
	if co.JSXFragmentFactory != nil {
		cfg.jsx.fragment = *co.JSXFragmentFactory
	}
	if co.JSXImportSource != nil {
		cfg.jsx.importFrom = *co.JSXImportSource
	}
	if cfg.jsx.mode == api.JSXAutomatic && cfg.jsx.importFrom == "" {
		cfg.jsx.importFrom = "react"
	}

	mapPath, imports, scopes := path, raw.Imports, raw.Scopes
	if raw.ImportMap != nil {
		if imports != nil || scopes != nil {
			return nil, bad(`both "importMap" and "imports"/"scopes" are set; keep one (move the entries into %s or into deno.json)`, *raw.ImportMap)
		}
		ref := *raw.ImportMap
		if u, err := url.Parse(ref); err == nil && u.Scheme != "" && u.Scheme != "file" && len(u.Scheme) > 1 {
			return nil, bad("importMap: %q is remote; edge downloads nothing: save the import map in the project and point importMap at its relative path", ref)
		}
		ref = strings.TrimPrefix(ref, "file://")
		if !filepath.IsAbs(ref) {
			ref = filepath.Join(filepath.Dir(path), ref)
		}
		mdata, err := os.ReadFile(ref)
		if err != nil {
			return nil, bad("importMap: cannot read %s: %v (the path is relative to %s)", ref, err, filepath.Base(path))
		}
		var m struct {
			Imports map[string]json.RawMessage            `json:"imports"`
			Scopes  map[string]map[string]json.RawMessage `json:"scopes"`
		}
		if err := decodeJSONC(ref, mdata, &m); err != nil {
			return nil, err
		}
		mapPath, imports, scopes = ref, m.Imports, m.Scopes
	}
	if imports != nil || scopes != nil {
		im, err := parseImportMap(mapPath, imports, scopes)
		if err != nil {
			return nil, err
		}
		cfg.Map = im
	}
	return cfg, nil
}

// decodeJSONC decodes JSON that may hold // and /* */ comments and trailing
// commas (deno.jsonc, and deno.json, which Deno reads the same way). Errors
// name the file, line and column.
func decodeJSONC(path string, data []byte, v any) error {
	clean := stripJSONC(data)
	dec := json.NewDecoder(bytes.NewReader(clean))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(clean, se.Offset)
			return fmt.Errorf("invalid %s:%d:%d: %v; fix the JSON syntax", path, line, col, se)
		case errors.As(err, &te):
			line, col := lineCol(clean, te.Offset)
			field := te.Field
			if field == "" {
				field = "top level"
			}
			return fmt.Errorf("invalid %s:%d:%d: %s: expected %s, found a JSON %s", path, line, col, field, jsonKind(te.Type.String()), te.Value)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("invalid %s: the file is empty or truncated; it must hold a JSON object", path)
		default:
			return fmt.Errorf("invalid %s: %v", path, err)
		}
	}
	return nil
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"), strings.HasPrefix(goType, "jsvm."):
		return "an object"
	case goType == "string", goType == "*string":
		return "a string"
	}
	return goType
}

func lineCol(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// stripJSONC blanks out comments and trailing commas, keeping every other
// byte (and every newline) where it was so that error offsets stay true.
func stripJSONC(data []byte) []byte {
	out := bytes.Clone(data)
	inString := false
	lastComma := -1 // index of a comma that may turn out to be trailing
	for i := 0; i < len(out); i++ {
		c := out[i]
		if inString {
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
			lastComma = -1
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			out[i], out[i+1] = ' ', ' '
			for i += 2; i < len(out); i++ {
				if out[i] == '*' && i+1 < len(out) && out[i+1] == '/' {
					out[i], out[i+1] = ' ', ' '
					i++
					break
				}
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
		case c == ',':
			lastComma = i
		case c == '}' || c == ']':
			if lastComma >= 0 {
				out[lastComma] = ' '
			}
			lastComma = -1
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			lastComma = -1
		}
	}
	return out
}

// importMap is a parsed WHATWG import map
// (https://html.spec.whatwg.org/multipage/webappapis.html#import-maps),
// with Deno's extension that a bare npm:/jsr: entry also maps its subpaths.
type importMap struct {
	path    string
	imports []mapEntry
	scopes  []mapScope
}

type mapEntry struct {
	key    string // normalized specifier key
	target string // normalized address
}

type mapScope struct {
	prefix  string
	imports []mapEntry
}

func fileURL(path string) *url.URL {
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
}

// specialSchemes are the URL schemes the URL standard calls special: only
// they take part in prefix ("foo/") matches and relative resolution.
func isSpecial(scheme string) bool {
	switch scheme {
	case "http", "https", "file", "ftp", "ws", "wss":
		return true
	}
	return false
}

// parseURLLike parses spec as an import specifier relative to base, as the
// import map algorithm does: "/", "./" and "../" paths resolve against base,
// absolute URLs stand alone, anything else is a bare specifier (nil).
func parseURLLike(spec string, base *url.URL) (*url.URL, error) {
	if strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") {
		if base == nil || !isSpecial(base.Scheme) {
			return nil, fmt.Errorf("relative import %q cannot be resolved from a %s: module; use an absolute or bare specifier", spec, schemeOf(base))
		}
		ref, err := url.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("invalid import %q: %v", spec, err)
		}
		return base.ResolveReference(ref), nil
	}
	i := strings.IndexByte(spec, ':')
	if i < 2 { // no scheme, or a Windows drive letter
		return nil, nil
	}
	for _, c := range spec[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return nil, nil
		}
	}
	u, err := url.Parse(spec)
	if err != nil || u.Scheme == "" {
		// Opaque schemes (npm:, jsr:, data:) that net/url dislikes still
		// are URLs; keep the text as is.
		return &url.URL{Scheme: strings.ToLower(spec[:i]), Opaque: spec[i+1:]}, nil
	}
	return u, nil
}

func schemeOf(u *url.URL) string {
	if u == nil {
		return "non-file"
	}
	return u.Scheme
}

// urlString serializes u, keeping non-special URLs (npm:pkg@1/x) verbatim.
func urlString(u *url.URL) string {
	if !isSpecial(u.Scheme) && u.Opaque != "" {
		return u.Scheme + ":" + u.Opaque
	}
	return u.String()
}

func parseImportMap(path string, imports map[string]json.RawMessage, scopes map[string]map[string]json.RawMessage) (*importMap, error) {
	base := fileURL(path)
	im := &importMap{path: path}
	var err error
	if im.imports, err = parseMapEntries(path, "imports", imports, base); err != nil {
		return nil, err
	}
	for prefix, entries := range scopes {
		u, perr := parseURLLike(prefix, base)
		if perr != nil || u == nil {
			return nil, fmt.Errorf("invalid %s: scopes: %q is not a URL or a path starting with ./, ../ or /", path, prefix)
		}
		sc := mapScope{prefix: urlString(u)}
		if sc.imports, err = parseMapEntries(path, "scopes."+prefix, entries, base); err != nil {
			return nil, err
		}
		im.scopes = append(im.scopes, sc)
	}
	sort.Slice(im.scopes, func(i, j int) bool { return im.scopes[i].prefix > im.scopes[j].prefix })
	return im, nil
}

func parseMapEntries(path, where string, raw map[string]json.RawMessage, base *url.URL) ([]mapEntry, error) {
	seen := map[string]bool{}
	var out []mapEntry
	for key, val := range raw {
		var target string
		if err := json.Unmarshal(val, &target); err != nil {
			return nil, fmt.Errorf("invalid %s: %s[%q]: the target must be a string (a URL, npm:/jsr: specifier or ./relative path)", path, where, key)
		}
		if key == "" {
			return nil, fmt.Errorf("invalid %s: %s: an empty specifier key", path, where)
		}
		nk := key
		if u, err := parseURLLike(key, base); err != nil {
			return nil, fmt.Errorf("invalid %s: %s[%q]: %v", path, where, key, err)
		} else if u != nil {
			nk = urlString(u)
		}
		tu, err := parseURLLike(target, base)
		if err != nil || tu == nil {
			return nil, fmt.Errorf("invalid %s: %s[%q]: target %q must be a URL (npm:, jsr:, https:) or a path starting with ./, ../ or /", path, where, key, target)
		}
		nt := urlString(tu)
		if strings.HasSuffix(key, "/") && !strings.HasSuffix(nt, "/") {
			return nil, fmt.Errorf("invalid %s: %s[%q]: a key ending in \"/\" needs a target ending in \"/\" (got %q)", path, where, key, target)
		}
		out = append(out, mapEntry{key: nk, target: nt})
		seen[nk] = true
	}
	// Deno: "pkg": "npm:pkg@1" also maps "pkg/sub" to "npm:pkg@1/sub".
	for _, e := range out {
		if !strings.HasSuffix(e.key, "/") && (strings.HasPrefix(e.target, "npm:") || strings.HasPrefix(e.target, "jsr:")) && !seen[e.key+"/"] {
			out = append(out, mapEntry{key: e.key + "/", target: e.target + "/"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key > out[j].key })
	return out, nil
}

// resolve applies the import map to spec imported from a module at base. It
// returns the mapped specifier, or ok=false when no entry matches.
func (im *importMap) resolve(spec string, base *url.URL) (string, bool, error) {
	asURL, err := parseURLLike(spec, base)
	if err != nil {
		return "", false, err
	}
	normalized := spec
	if asURL != nil {
		normalized = urlString(asURL)
	}
	baseStr := ""
	if base != nil {
		baseStr = urlString(base)
	}
	for _, sc := range im.scopes {
		if sc.prefix == baseStr || (strings.HasSuffix(sc.prefix, "/") && strings.HasPrefix(baseStr, sc.prefix)) {
			if r, ok, err := im.match(normalized, asURL, sc.imports); ok || err != nil {
				return r, ok, err
			}
		}
	}
	return im.match(normalized, asURL, im.imports)
}

func (im *importMap) match(normalized string, asURL *url.URL, entries []mapEntry) (string, bool, error) {
	for _, e := range entries {
		if e.key == normalized {
			return e.target, true, nil
		}
		if !strings.HasSuffix(e.key, "/") || !strings.HasPrefix(normalized, e.key) || (asURL != nil && !isSpecial(asURL.Scheme)) {
			continue
		}
		after := normalized[len(e.key):]
		var out string
		if tu, err := url.Parse(e.target); err == nil && isSpecial(tu.Scheme) {
			ref, err := url.Parse(after)
			if err != nil {
				return "", false, fmt.Errorf("%q mapped by %q in %s is not a valid URL path", normalized, e.key, im.path)
			}
			out = tu.ResolveReference(ref).String()
		} else {
			out = e.target + after
		}
		if !strings.HasPrefix(out, e.target) {
			return "", false, fmt.Errorf("%q escapes its import map target %q (mapped by %q in %s)", normalized, e.target, e.key, im.path)
		}
		return out, true, nil
	}
	return "", false, nil
}
