package jsvm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

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
		// fetchAbort cancels fetch id (from fetch's return value): the host
		// request stops and its callback is never called.
		"fetchAbort": func(id int64) {
			if cancel := in.fetches[id]; cancel != nil {
				delete(in.fetches, id)
				cancel()
			}
		},
		// fetch(method, url, pairs, body, redirect, cb) -> id: cb gets the
		// outcome (see fetchDone). With cb null it returns instead a promise
		// of the Response (or of a TypeError): a fetch that cannot be
		// aborted needs no id, and a promise made here costs less than
		// fetch.js's `new Promise` with its executor and callback. A
		// native-call function: goja calls typed Go functions through
		// reflection.
		"fetch": func(call goja.FunctionCall) goja.Value {
			method, url := call.Argument(0).String(), call.Argument(1).String()
			pairs, body, redirect := call.Argument(2), call.Argument(3), call.Argument(4).String()
			var done fetchDone
			var ret goja.Value
			if cbVal := call.Argument(5); goja.IsNull(cbVal) {
				p, resolve, reject := vm.NewPromise()
				done = fetchDone{resolve: resolve, reject: reject}
				ret = vm.ToValue(p)
			} else if cb, ok := goja.AssertFunction(cbVal); ok {
				done = fetchDone{cb: cb}
			} else {
				panic(vm.NewTypeError("fetch: the callback is not a function"))
			}
			switch scheme := urlScheme(url); scheme {
			case "http", "https":
			case "data":
				id := in.fetchDataURL(method, url, done)
				if ret == nil {
					ret = vm.ToValue(id)
				}
				return ret
			default:
				panic(vm.NewTypeError(unsupportedSchemeMessage(url, scheme)))
			}
			header, err := exportHeaderPairs(vm, pairs)
			if err != nil {
				panic(vm.NewTypeError(err.Error()))
			}
			req := &Request{Method: method, URL: url, Header: header, Redirect: redirect}
			if in.current != nil {
				req.Hops = in.current.hops
			}
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
			ctx, cancel := context.WithCancel(in.ctx)
			in.nextFetch++
			id := in.nextFetch
			in.fetches[id] = cancel
			goHost(func() {
				resp, err := in.cfg.Fetcher.Fetch(ctx, req)
				if err == nil && int64(len(resp.Body)) > in.cfg.Limits.MaxBodyBytes {
					err = ErrBodyTooLarge
				}
				if err == nil && resp.BodyStream != nil {
					resp.BodyStream = limitReader(resp.BodyStream, in.cfg.Limits.MaxBodyBytes)
				}
				post(func() {
					if in.fetches[id] == nil { // aborted
						if resp != nil && resp.BodyStream != nil {
							_ = resp.BodyStream.Close()
						}
						return
					}
					delete(in.fetches, id)
					if resp != nil && resp.BodyStream != nil {
						// The request's context lives as long as its body.
						resp.BodyStream = &closeFunc{ReadCloser: resp.BodyStream, after: cancel}
					} else {
						defer cancel()
					}
					if err != nil {
						in.fetchFailed(done, fetchErrorMessage(url, err))
						return
					}
					respBody := in.fetchedBodyToJS(resp.Body, resp.BodyStream)
					finalURL := resp.URL
					if finalURL == "" {
						finalURL = url
					}
					in.fetched(done, resp.Status, resp.StatusText, resp.Header, respBody, finalURL, resp.Redirected)
				})
			})
			if ret == nil {
				ret = vm.ToValue(id)
			}
			return ret
		},
	}
}

// maxTextBody is the largest fetched body handed to JavaScript as text.
const maxTextBody = 4096

// fetchedBodyToJS is bodyToJS for a fetched response's body, except that a
// small body of valid UTF-8 with no byte order mark goes over as a string:
// body.js keeps text as text, so res.text() (what most callers do with a
// small response) needs no ArrayBuffer, no Uint8Array and no decoding, and
// the bytes any other reader gets are the same (UTF-8 encoding the string
// gives them back). Runs on the loop.
func (in *Instance) fetchedBodyToJS(b []byte, stream io.ReadCloser) goja.Value {
	if stream == nil && b != nil && len(b) <= maxTextBody && !bytes.HasPrefix(b, utf8BOM) && utf8.Valid(b) {
		return in.vm.ToValue(string(b))
	}
	return in.bodyToJS(b, stream)
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// fetchDone is where a fetch's outcome goes: fetch.js's callback cb
// (err|null, status, statusText, headerPairs, body, url, redirected), or
// the resolve and reject functions of the promise host.fetch returned.
type fetchDone struct {
	cb              goja.Callable
	resolve, reject func(any) error
}

// fetchFailed delivers a network error: the whole message of fetch()'s
// TypeError. Runs on the loop.
func (in *Instance) fetchFailed(done fetchDone, message string) {
	if done.cb != nil {
		_, _ = done.cb(goja.Undefined(), in.vm.ToValue(message))
		return
	}
	_ = done.reject(in.vm.NewTypeError(message))
}

// fetched delivers a response. Runs on the loop.
func (in *Instance) fetched(done fetchDone, status int, statusText string, header http.Header, body goja.Value, url string, redirected bool) {
	vm := in.vm
	args := []goja.Value{vm.ToValue(status), vm.ToValue(statusText), headerPairs(vm, header), body, vm.ToValue(url), vm.ToValue(redirected)}
	if done.cb != nil {
		_, _ = done.cb(goja.Undefined(), append([]goja.Value{goja.Null()}, args...)...)
		return
	}
	if in.newResponse == nil {
		in.newResponse, _ = goja.AssertFunction(in.internal.Get("newResponse"))
	}
	r, err := in.newResponse(goja.Undefined(), args...)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			_ = done.reject(ex.Value())
			return
		}
		_ = done.reject(vm.NewGoError(err))
		return
	}
	_ = done.resolve(r)
}

// urlScheme is the scheme of a serialized URL (lower case, as the URL
// serializer writes it).
func urlScheme(url string) string {
	if i := strings.IndexByte(url, ':'); i > 0 {
		return url[:i]
	}
	return ""
}

// unsupportedSchemeMessage is the TypeError of fetch() for a URL scheme it
// cannot fetch.
func unsupportedSchemeMessage(url, scheme string) string {
	return fmt.Sprintf("fetch %s failed: the %q URL scheme is not supported; fetch() supports http:, https: and data: URLs", url, scheme+":")
}

// fetchDataURL answers fetch() of a data: URL (the Fetch Standard's scheme
// fetch for "data"): status 200 "OK", Content-Type from the URL's MIME type,
// no body for HEAD. A malformed data: URL is a network error. The result
// arrives as a task, as any fetch result does, and can be aborted until then.
func (in *Instance) fetchDataURL(method, url string, done fetchDone) int64 {
	mime, body, ok := parseDataURL(url)
	in.nextFetch++
	id := in.nextFetch
	in.fetches[id] = func() {}
	post := in.poster()
	post(func() {
		if in.fetches[id] == nil { // aborted
			return
		}
		delete(in.fetches, id)
		if !ok {
			in.fetchFailed(done, "fetch "+url+" failed: it is not a valid data: URL (data:[<mediatype>][;base64],<data>, and valid base64 after ;base64)")
			return
		}
		if int64(len(body)) > in.cfg.Limits.MaxBodyBytes {
			in.fetchFailed(done, fetchErrorMessage(url, ErrBodyTooLarge))
			return
		}
		if method == "HEAD" {
			body = nil
		}
		in.fetched(done, 200, "OK", http.Header{"Content-Type": {mime}}, in.bodyToJS(body, nil), url, false)
	})
	return id
}

// closeFunc runs after once the body is closed.
type closeFunc struct {
	io.ReadCloser
	after func()
}

func (c *closeFunc) Close() error {
	err := c.ReadCloser.Close()
	c.after()
	return err
}
