package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// callKind is what one of a membership provider's HTTP calls does.
type callKind int

const (
	callOther callKind = iota
	// callRegisterStep is part of registering this member (k8s: reading
	// its own pod); callRegister completes it (consul: the service
	// registration; k8s: the patch of the pod's labels).
	callRegisterStep
	callRegister
	// callWatch starts or continues watching the other members.
	callWatch
)

// registration sits between Proto.Actor's consul or k8s provider and the
// server it talks to, as the HTTP transport of the provider's client. The
// providers register and watch from their own actors and goroutines and
// report failures only to the log, retrying at once, forever; so Start
// learns here whether this member got registered and watched, and why
// not, and a failing registration is retried with a backoff instead of
// in a tight loop.
type registration struct {
	classify func(*http.Request) callKind
	// backoff is the wait before a registration call that follows n
	// failed ones (n >= 1).
	backoff func(n int) time.Duration

	mu                   sync.Mutex
	registered, watching bool
	failures             int
	last                 string
	ready                chan struct{}
}

func newRegistration(classify func(*http.Request) callKind) *registration {
	return &registration{classify: classify, backoff: registerBackoff, ready: make(chan struct{})}
}

// through returns a transport that sends requests through base and
// reports them to r.
func (r *registration) through(base http.RoundTripper) http.RoundTripper {
	return observed{r: r, base: base}
}

type observed struct {
	r    *registration
	base http.RoundTripper
}

func (o observed) RoundTrip(req *http.Request) (*http.Response, error) {
	return o.r.roundTrip(o.base, req)
}

// registerBackoff doubles from 100 ms to at most 2 s.
func registerBackoff(n int) time.Duration {
	return min(100*time.Millisecond<<min(n-1, 5), 2*time.Second)
}

// providerTransport is the base transport of the providers' HTTP clients:
// dials time out rather than hang, and responses (long polls and watches
// included) have no overall timeout.
func providerTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return t
}

// maxErrorBody is how much of an error response is kept for messages.
const maxErrorBody = 512

func (r *registration) roundTrip(base http.RoundTripper, req *http.Request) (*http.Response, error) {
	kind := r.classify(req)
	if kind == callRegisterStep || kind == callRegister {
		r.mu.Lock()
		n := r.failures
		r.mu.Unlock()
		if n > 0 {
			t := time.NewTimer(r.backoff(n))
			select {
			case <-req.Context().Done():
				t.Stop()
				return nil, req.Context().Err()
			case <-t.C:
			}
		}
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		r.record(kind, false, fmt.Sprintf("%s %s: %v", req.Method, req.URL.Path, err))
		return nil, err
	}
	if resp.StatusCode >= 300 {
		// Error bodies are small; keep the start of it for messages and
		// give the caller the whole body still.
		head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		r.record(kind, false, fmt.Sprintf("%s %s: %d %s: %s", req.Method, req.URL.Path, resp.StatusCode, http.StatusText(resp.StatusCode), errorMessage(head)))
		return resp, nil
	}
	r.record(kind, true, "")
	return resp, nil
}

// errorMessage is the message of an error response: its "message" when it
// is a JSON object with one (a Kubernetes Status), else its text.
func errorMessage(body []byte) string {
	var status struct{ Message string }
	if json.Unmarshal(body, &status) == nil && status.Message != "" {
		return status.Message
	}
	return strings.TrimSpace(string(body))
}

// record notes the outcome of a call of kind.
func (r *registration) record(kind callKind, ok bool, failure string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	before := r.registered && r.watching
	switch {
	case !ok:
		r.last = failure
		if kind == callRegisterStep || kind == callRegister {
			r.failures++
		}
	case kind == callRegister:
		r.registered, r.failures = true, 0
	case kind == callWatch:
		r.watching = true
	}
	if !before && r.registered && r.watching {
		close(r.ready)
	}
}

// wait returns nil once this member has been registered and the watch of
// the others has started, or an error saying what is missing and the last
// failure when ctx ends first.
func (r *registration) wait(ctx context.Context) error {
	r.mu.Lock()
	ready := r.ready
	r.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.registered && r.watching {
		return nil
	}
	var missing []string
	if !r.registered {
		missing = append(missing, "registering this node")
	}
	if !r.watching {
		missing = append(missing, "watching the other members")
	}
	last := r.last
	if last == "" {
		last = "none (no answer yet)"
	}
	return fmt.Errorf("%s did not succeed: %w; last error: %s", strings.Join(missing, " and "), ctx.Err(), last)
}
