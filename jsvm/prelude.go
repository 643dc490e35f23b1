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
	"webidl.js",
	"encoding.js",
	"base64.js",
	"url.js",
	"url_search_params.js",
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
	"deno.js",
	"deno_errors.js",
	"json_value.js",
	"kv_value.js",
	"kv.js",
}

//go:embed js/*.js
var preludeFS embed.FS

// eagerPrelude are the files installed when an instance starts: the global
// object's own behaviour (it is an EventTarget) and the Deno namespace with
// the handler dispatch. Every other file is installed the first time
// something names what it defines (see preludeLoader).
var eagerPrelude = map[string]bool{"deno.js": true}

// inheritedGlobals are global names that are not own properties of the
// global object but reach it through its prototype chain once the file
// behind them is installed: events.js makes the global an EventTarget.
var inheritedGlobals = map[string]string{
	"addEventListener":    "events.js",
	"removeEventListener": "events.js",
	"dispatchEvent":       "events.js",
}

type compiledPrelude struct {
	name string
	prg  *goja.Program
}

// preludeSet is the compiled prelude plus, for lazy installation, which file
// defines each global and each internal name. It is computed once per
// process by installing every file in order in a scratch VM and noting what
// each one added.
type preludeSet struct {
	files    []compiledPrelude
	globals  map[string]int // global name -> index of the file that defines it
	internal map[string]int // internal name -> index of the file that defines it
}

var (
	preludeOnce sync.Once
	prelude     *preludeSet
	preludeErr  error
)

// compiledPreludes compiles the prelude once per process; every runtime
// shares the compiled programs and the name index.
func compiledPreludes() (*preludeSet, error) {
	preludeOnce.Do(func() {
		set := &preludeSet{globals: map[string]int{}, internal: map[string]int{}}
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
			set.files = append(set.files, compiledPrelude{name: name, prg: prg})
		}
		if preludeErr = set.index(); preludeErr != nil {
			return
		}
		for name, file := range inheritedGlobals {
			for i, f := range set.files {
				if f.name == file {
					set.globals[name] = i
				}
			}
		}
		prelude = set
	})
	return prelude, preludeErr
}

// index installs every file in order in a scratch instance and records the
// globals and internal names each one adds. A lazy file may not replace a
// name another file defined: which value won would depend on load order.
func (set *preludeSet) index() error {
	in := newInstance(Config{})
	defer in.Close()
	errc := make(chan error, 1)
	in.loop.post(func() {
		vm := in.vm
		l := newPreludeLoader(vm, newHostObject(vm, in.hostOps()), set, false)
		global := vm.GlobalObject()
		seenG := map[string]goja.Value{}
		seenI := map[string]goja.Value{}
		snapshot := func(o *goja.Object, seen map[string]goja.Value, owner map[string]int, file int) error {
			for _, k := range o.GetOwnPropertyNames() {
				v := o.Get(k)
				if old, ok := seen[k]; ok {
					if !old.SameAs(v) && (!eagerPrelude[set.files[owner[k]].name] || !eagerPrelude[set.files[file].name]) {
						return fmt.Errorf("prelude %s replaces %q, which %s defined; only eager files may do that",
							set.files[file].name, k, set.files[owner[k]].name)
					}
					continue
				}
				seen[k] = v
				if file >= 0 {
					owner[k] = file
				}
			}
			return nil
		}
		if err := snapshot(global, seenG, set.globals, -1); err != nil {
			errc <- err
			return
		}
		_ = snapshot(l.internal, seenI, set.internal, -1)
		for i := range set.files {
			if err := l.install(i); err != nil {
				errc <- err
				return
			}
			if err := snapshot(global, seenG, set.globals, i); err != nil {
				errc <- err
				return
			}
			if err := snapshot(l.internal, seenI, set.internal, i); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	})
	return <-errc
}

// preludeLoader installs prelude files into one VM, lazily: the global
// object and the internal object each get a prototype whose property
// lookups (for names not yet defined) install the file that defines the
// name, then answer with what it defined. Names already installed are own
// properties and never reach the loader, so the cost is paid once per
// name per VM. Code that assigns a global itself (globalThis.fetch = mock)
// keeps its value even if the file behind the name is installed later.
type preludeLoader struct {
	vm       *goja.Runtime
	host     *goja.Object
	internal *goja.Object
	set      *preludeSet
	lazy     bool
	state    []uint8 // per file: 0 not installed, 1 installing, 2 installed
	// globalProto is where the global object's own prototype chain
	// continues (the lazy object's prototype when lazy).
	globalProto *goja.Object
	// hasOwnProperty as it was before user code could replace it.
	hasOwnFn goja.Callable
}

var asyncIteratorProgram = goja.MustCompile("edge:asynciterator",
	`if (typeof Symbol.asyncIterator !== "symbol") Object.defineProperty(Symbol, "asyncIterator", { value: Symbol.for("Symbol.asyncIterator") });`, true)

var hasOwnProgram = goja.MustCompile("edge:hasown", "(function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); })", true)

// hasOwn reports whether o has its own property key.
func (l *preludeLoader) hasOwn(o *goja.Object, key string) bool {
	v, err := l.hasOwnFn(goja.Undefined(), o, l.vm.ToValue(key))
	return err == nil && v.ToBoolean()
}

func newPreludeLoader(vm *goja.Runtime, host *goja.Object, set *preludeSet, lazy bool) *preludeLoader {
	l := &preludeLoader{vm: vm, host: host, set: set, lazy: lazy, state: make([]uint8, len(set.files))}
	fn, _ := vm.RunProgram(hasOwnProgram)
	l.hasOwnFn, _ = goja.AssertFunction(fn)
	// goja has no Symbol.asyncIterator; esbuild's lowered for-await falls
	// back to Symbol.for("Symbol.asyncIterator"), so that is what it is,
	// from the start, whichever file first needs it.
	_, _ = vm.RunProgram(asyncIteratorProgram)
	l.internal = vm.NewObject()
	// A symbol for custom console formatting, shared by the API files.
	_ = l.internal.Set("inspectSymbol", goja.NewSymbol("edge.inspect"))
	global := vm.GlobalObject()
	l.globalProto = global
	if lazy {
		lg := vm.NewDynamicObject(&lazyNames{l: l, owner: set.globals, target: global})
		_ = lg.SetPrototype(global.Prototype())
		_ = global.SetPrototype(lg)
		l.globalProto = lg
		li := vm.NewDynamicObject(&lazyNames{l: l, owner: set.internal, target: l.internal})
		_ = l.internal.SetPrototype(li)
	}
	// setGlobalPrototype lets events.js make the global object an
	// EventTarget without cutting the lazy loader out of its chain.
	_ = l.internal.Set("setGlobalPrototype", func(proto *goja.Object) { _ = l.globalProto.SetPrototype(proto) })
	// lazyProperties(target, load) gives target a prototype that calls
	// load() the first time a property target lacks is looked up; load
	// defines the rarely used members on target. deno.js uses it for the
	// Deno namespace.
	_ = l.internal.Set("lazyProperties", func(target *goja.Object, load goja.Callable) {
		d := vm.NewDynamicObject(&lazyMembers{l: l, target: target, load: load})
		_ = d.SetPrototype(target.Prototype())
		_ = target.SetPrototype(d)
	})
	return l
}

// install runs file i (once). Runs on the loop.
func (l *preludeLoader) install(i int) error {
	if l.state[i] != 0 {
		return nil
	}
	l.state[i] = 1
	f := l.set.files[i]
	global := l.vm.GlobalObject()
	// Globals the program assigned before this file was installed stay.
	var kept map[string]goja.Value
	if l.lazy {
		for name, owner := range l.set.globals {
			if owner == i && l.hasOwn(global, name) {
				if kept == nil {
					kept = map[string]goja.Value{}
				}
				kept[name] = global.Get(name)
			}
		}
	}
	v, err := l.vm.RunProgram(f.prg)
	if err != nil {
		return fmt.Errorf("running prelude %s: %w", f.name, err)
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return fmt.Errorf("prelude %s does not evaluate to a function", f.name)
	}
	if _, err := fn(goja.Undefined(), global, l.host, l.internal); err != nil {
		return fmt.Errorf("installing prelude %s: %w", f.name, err)
	}
	// Assign them again: a data property gets the program's value back, an
	// accessor (onerror) receives it through its setter.
	for name, v := range kept {
		_ = global.Set(name, v)
	}
	l.state[i] = 2
	return nil
}

// lazyNames is the dynamic prototype that installs files on first lookup.
type lazyNames struct {
	l      *preludeLoader
	owner  map[string]int
	target *goja.Object
}

func (d *lazyNames) Get(key string) goja.Value {
	i, ok := d.owner[key]
	if !ok || d.l.state[i] != 0 {
		return nil
	}
	if err := d.l.install(i); err != nil {
		panic(d.l.vm.NewGoError(err))
	}
	if !d.l.hasOwn(d.target, key) {
		return nil
	}
	return d.target.Get(key)
}

// Has reports the names a lazy file would define, so that assigning one
// before the file is installed defines the property on the target.
func (d *lazyNames) Has(key string) bool {
	i, ok := d.owner[key]
	return ok && d.l.state[i] == 0
}
func (d *lazyNames) Set(string, goja.Value) bool { return false }
func (d *lazyNames) Delete(string) bool          { return false }
func (d *lazyNames) Keys() []string              { return nil }

// lazyMembers is the dynamic prototype behind internal.lazyProperties.
type lazyMembers struct {
	l      *preludeLoader
	target *goja.Object
	load   goja.Callable
	loaded bool
}

// ensure runs load once; afterwards the members are own properties of the
// target and lookups never reach here.
func (d *lazyMembers) ensure() {
	if d.loaded {
		return
	}
	d.loaded = true
	if _, err := d.load(goja.Undefined()); err != nil {
		panic(err)
	}
}

func (d *lazyMembers) Get(key string) goja.Value {
	if d.loaded {
		return nil
	}
	d.ensure()
	if !d.l.hasOwn(d.target, key) {
		return nil
	}
	return d.target.Get(key)
}

func (d *lazyMembers) Has(key string) bool {
	if d.loaded {
		return false
	}
	d.ensure()
	return d.l.hasOwn(d.target, key)
}
func (d *lazyMembers) Set(string, goja.Value) bool { return false }
func (d *lazyMembers) Delete(string) bool          { return false }
func (d *lazyMembers) Keys() []string              { return nil }

// newHostObject is the prelude's host object: each Go operation becomes a
// JS function the first time a file looks it up (an instance uses a few of
// the many), and an own property of the object from then on.
func newHostObject(vm *goja.Runtime, ops map[string]any) *goja.Object {
	host := vm.NewObject()
	_ = host.SetPrototype(vm.NewDynamicObject(&lazyHost{vm: vm, ops: ops, host: host}))
	return host
}

type lazyHost struct {
	vm   *goja.Runtime
	ops  map[string]any
	host *goja.Object
}

func (h *lazyHost) Get(key string) goja.Value {
	op, ok := h.ops[key]
	if !ok {
		return nil
	}
	delete(h.ops, key)
	v := h.vm.ToValue(op)
	_ = h.host.DefineDataProperty(key, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return v
}

func (h *lazyHost) Has(key string) bool         { _, ok := h.ops[key]; return ok }
func (h *lazyHost) Set(string, goja.Value) bool { return false }
func (h *lazyHost) Delete(string) bool          { return false }
func (h *lazyHost) Keys() []string              { return nil }

// installPrelude sets up the prelude in vm with the given host operations:
// the eager files now, the rest on first use. It returns the internal
// object the files share.
func installPrelude(vm *goja.Runtime, host *goja.Object) (*goja.Object, error) {
	set, err := compiledPreludes()
	if err != nil {
		return nil, err
	}
	l := newPreludeLoader(vm, host, set, true)
	for i, f := range set.files {
		if eagerPrelude[f.name] {
			if err := l.install(i); err != nil {
				return nil, err
			}
		}
	}
	return l.internal, nil
}
