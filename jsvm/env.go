package jsvm

import "github.com/dop251/goja"

// envOps expose the project's configured variables (and nothing of the
// host's environment) to Deno.env.
func (in *Instance) envOps() map[string]any {
	return map[string]any{
		"envGet": func(name string) goja.Value {
			if v, ok := in.cfg.Env[name]; ok {
				return in.vm.ToValue(v)
			}
			return goja.Null()
		},
		"envObject": func() map[string]any {
			out := make(map[string]any, len(in.cfg.Env))
			for k, v := range in.cfg.Env {
				out[k] = v
			}
			return out
		},
	}
}
