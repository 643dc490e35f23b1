package jsvm

import (
	"context"
	"fmt"

	"github.com/dop251/goja"
)

// ScriptOptions configure an instance started with StartScripts.
type ScriptOptions struct {
	// Location, if set, works like Deno's --location flag: it becomes
	// globalThis.location (href, origin, protocol, host, hostname, port,
	// pathname, search, hash) and the base URL that fetch(), new Request()
	// and Response.redirect() resolve relative URLs against. It must be an
	// absolute URL.
	Location string
}

// StartScripts starts an instance with the full prelude and its event loop
// but no module and no handler, for running classic scripts with RunScript
// (a conformance harness, for example). Serve is not available on it.
func StartScripts(ctx context.Context, cfg Config, opts ScriptOptions) (*Instance, error) {
	in := newInstance(cfg)
	started := make(chan error, 1)
	ok := in.post(func() {
		if err := in.setup(); err != nil {
			started <- err
			return
		}
		started <- in.setLocation(opts.Location)
	})
	if !ok {
		return nil, ErrClosed
	}
	select {
	case err := <-started:
		if err != nil {
			in.Close()
			return nil, err
		}
		return in, nil
	case <-ctx.Done():
		in.Close()
		return nil, fmt.Errorf("starting a script instance: %w", ctx.Err())
	}
}

// locationProgram defines globalThis.location from a URL and makes it the
// base URL of the fetch API.
var locationProgram = goja.MustCompile("edge:location", `(function (globalThis, internal, href) {
  "use strict";
  const u = new URL(href);
  const location = {};
  for (const k of ["href", "origin", "protocol", "host", "hostname", "port", "pathname", "search", "hash"]) {
    Object.defineProperty(location, k, { value: u[k], enumerable: true });
  }
  location.toString = function () { return this.href; };
  Object.freeze(location);
  Object.defineProperty(globalThis, "location", { value: location, configurable: true, enumerable: false, writable: false });
  internal.baseURL = () => u.href;
})`, true)

// setLocation runs on the loop.
func (in *Instance) setLocation(href string) error {
	if href == "" {
		return nil
	}
	v, err := in.vm.RunProgram(locationProgram)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(v)
	if _, err := fn(goja.Undefined(), in.vm.GlobalObject(), in.internal, in.vm.ToValue(href)); err != nil {
		return fmt.Errorf("setting location %q (it must be an absolute URL): %w", href, in.scriptError("script", err))
	}
	return nil
}

// RunScript evaluates src as a classic script in the global scope, on the
// instance's event loop, and returns once its synchronous part has run (the
// promise jobs it queued run right after; its timers and host operations
// later). An exception comes back as a *ScriptError with Phase "script";
// name labels the script in stack traces. If ctx ends first, RunScript
// returns ctx's error and the script keeps running in the background.
func (in *Instance) RunScript(ctx context.Context, name, src string) error {
	prg, err := goja.Compile(name, src, false)
	if err != nil {
		return in.scriptError("script", err)
	}
	out := make(chan error, 1)
	if !in.post(func() {
		if _, err := in.vm.RunProgram(prg); err != nil {
			out <- in.scriptError("script", err)
			return
		}
		out <- nil
	}) {
		return ErrClosed
	}
	select {
	case err := <-out:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-in.ctx.Done():
		return ErrClosed
	}
}

// Expose defines a global function name that calls fn on the event loop with
// its arguments exported to plain Go values (goja's Export: strings, float64
// or int64, bool, nil, []any, map[string]any, ...). The JS call returns
// undefined; fn must not block, since the loop waits for it.
func (in *Instance) Expose(name string, fn func(args ...any)) error {
	out := make(chan error, 1)
	if !in.post(func() {
		vm := in.vm
		out <- vm.Set(name, func(call goja.FunctionCall) goja.Value {
			args := make([]any, len(call.Arguments))
			for i, a := range call.Arguments {
				args[i] = a.Export()
			}
			fn(args...)
			return goja.Undefined()
		})
	}) {
		return ErrClosed
	}
	select {
	case err := <-out:
		return err
	case <-in.ctx.Done():
		return ErrClosed
	}
}
