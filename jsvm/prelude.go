package jsvm

import (
	"embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// The platform's JavaScript layer: one file per web API, each a function
// `(globalThis, host, internal) => void`. `host` holds the Go operations the
// file may call (the only way JS reaches the host); `internal` is shared
// between the files and never visible to user code. Order matters: a file may
// use what earlier files defined.
var preludeFiles = []string{
	"console.js",
	"dom_exception.js",
	"events.js",
	"abort.js",
	"encoding.js",
	"base64.js",
	"url.js",
	"urlpattern.js",
	"streams.js",
	"text_streams.js",
	"blob.js",
	"formdata.js",
	"headers.js",
	"body.js",
	"request.js",
	"response.js",
	"fetch.js",
	"timers.js",
	"crypto.js",
	"structured_clone.js",
	"performance.js",
	"navigator.js",
	"unsupported.js",
	"deno_errors.js",
	"deno.js",
}

//go:embed js/*.js
var preludeFS embed.FS

type compiledPrelude struct {
	name string
	prg  *goja.Program
}

var (
	preludeOnce sync.Once
	prelude     []compiledPrelude
	preludeErr  error
)

// compiledPreludes compiles the prelude once per process; every runtime
// shares the compiled programs.
func compiledPreludes() ([]compiledPrelude, error) {
	preludeOnce.Do(func() {
		for _, name := range preludeFiles {
			src, err := preludeFS.ReadFile("js/" + name)
			if err != nil {
				preludeErr = fmt.Errorf("reading prelude %s: %w", name, err)
				return
			}
			prg, err := goja.Compile("edge:"+name, string(src), true)
			if err != nil {
				preludeErr = fmt.Errorf("compiling prelude %s: %w", name, err)
				return
			}
			prelude = append(prelude, compiledPrelude{name: name, prg: prg})
		}
	})
	return prelude, preludeErr
}

// installPrelude runs the prelude files in vm with the given host operations
// and returns the internal object they share.
func installPrelude(vm *goja.Runtime, host *goja.Object) (*goja.Object, error) {
	files, err := compiledPreludes()
	if err != nil {
		return nil, err
	}
	internal := vm.NewObject()
	// A symbol for custom console formatting, shared by the API files.
	if err := internal.Set("inspectSymbol", goja.NewSymbol("edge.inspect")); err != nil {
		return nil, err
	}
	for _, f := range files {
		v, err := vm.RunProgram(f.prg)
		if err != nil {
			return nil, fmt.Errorf("running prelude %s: %w", f.name, err)
		}
		fn, ok := goja.AssertFunction(v)
		if !ok {
			return nil, fmt.Errorf("prelude %s does not evaluate to a function", f.name)
		}
		if _, err := fn(goja.Undefined(), vm.GlobalObject(), host, internal); err != nil {
			return nil, fmt.Errorf("installing prelude %s: %w", f.name, err)
		}
	}
	return internal, nil
}
