package jsvm

import (
	"errors"

	"github.com/dop251/goja"
)

// FetchMessager is implemented by Fetcher errors whose message is complete
// for the user (it names the URL, the problem and what to do), such as a
// destination refused by the outbound policy: fetch() rejects with a
// TypeError carrying exactly FetchMessage() instead of the generic
// "fetch <url> failed: <error>".
type FetchMessager interface {
	FetchMessage() string
}

// fetchErrorMessage is the message of the TypeError fetch() rejects with.
func fetchErrorMessage(url string, err error) string {
	var fm FetchMessager
	if errors.As(err, &fm) {
		return fm.FetchMessage()
	}
	return "fetch " + url + " failed: " + err.Error()
}

// fetchOps runs fetch() through the instance's Fetcher on its own goroutine
// and delivers the result back on the event loop.
func (in *Instance) fetchOps() map[string]any {
	vm := in.vm
	return map[string]any{
		"fetch": func(method, url string, pairs goja.Value, body goja.Value, redirect string, cb goja.Callable) {
			header, err := exportHeaderPairs(vm, pairs)
			if err != nil {
				panic(vm.NewTypeError(err.Error()))
			}
			req := &Request{Method: method, URL: url, Header: header, Redirect: redirect}
			if id, ok := body.Export().(int64); ok {
				if p := in.pipes[id]; p != nil {
					req.BodyStream = p
				}
				body = goja.Null()
			}
			b, ok := bodyFromJS(body)
			if !ok {
				panic(vm.NewTypeError("fetch: body must be text or bytes"))
			}
			if int64(len(b)) > in.cfg.Limits.MaxBodyBytes {
				panic(vm.NewTypeError("fetch: request body is larger than the limit MaxBodyBytes"))
			}
			req.Body = b
			if in.cfg.Fetcher == nil {
				panic(vm.NewTypeError("fetch is not available in this instance"))
			}
			post := in.poster()
			go func() {
				resp, err := in.cfg.Fetcher.Fetch(in.ctx, req)
				if err == nil && int64(len(resp.Body)) > in.cfg.Limits.MaxBodyBytes {
					err = ErrBodyTooLarge
				}
				if err == nil && resp.BodyStream != nil {
					resp.BodyStream = limitReader(resp.BodyStream, in.cfg.Limits.MaxBodyBytes)
				}
				post(func() {
					if err != nil {
						_, _ = cb(goja.Undefined(), vm.ToValue(fetchErrorMessage(url, err)))
						return
					}
					respBody := in.bodyToJS(resp.Body, resp.BodyStream)
					finalURL := resp.URL
					if finalURL == "" {
						finalURL = url
					}
					_, _ = cb(goja.Undefined(), goja.Null(), vm.ToValue(resp.Status), vm.ToValue(resp.StatusText),
						headerPairs(vm, resp.Header), respBody, vm.ToValue(finalURL), vm.ToValue(resp.Redirected))
				})
			}()
		},
	}
}
