package router

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/netsafe"
)

// Outbound sends fetch() to the network through Go's HTTP client. Bodies are
// buffered up to MaxBodyBytes.
type Outbound struct {
	Client       *http.Client
	MaxBodyBytes int64
}

var _ jsvm.Fetcher = (*Outbound)(nil)

// NewOutbound returns an Outbound with sensible timeouts that refuses
// private destinations (see package netsafe) except those allow opens; a nil
// allow refuses them all.
//
// The check is in the dialer, on the address actually connected to, so it
// covers every redirect hop and DNS rebinding. Proxies from the environment
// (HTTP_PROXY and friends) are not used: the dialer would then only see the
// proxy's address, and the proxy would reach the private network for us.
func NewOutbound(maxBody int64, allow *netsafe.Allowlist) *Outbound {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	transport.DialContext = (&netsafe.Dialer{
		Base:  net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		Allow: allow,
	}).DialContext
	return &Outbound{
		Client: &http.Client{
			Transport: transport,
			Timeout:   60 * time.Second,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 20 {
					return errors.New("too many redirects (20)")
				}
				return checkScheme(req.URL)
			},
		},
		MaxBodyBytes: maxBody,
	}
}

// checkScheme allows only http and https out of the platform.
func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return schemeError(fmt.Sprintf("fetch to %s refused: only http: and https: URLs can be fetched from the network", u.Redacted()))
	}
	return nil
}

// schemeError is a complete message for fetch() (see jsvm.FetchMessager).
type schemeError string

func (e schemeError) Error() string        { return string(e) }
func (e schemeError) FetchMessage() string { return string(e) }

// ErrRedirect is returned for a redirect when the request's redirect mode is "error".
var ErrRedirect = errors.New("redirect refused: the request's redirect mode is \"error\"")

func (o *Outbound) Fetch(ctx context.Context, req *jsvm.Request) (*jsvm.Response, error) {
	var reqBody io.Reader = bytes.NewReader(req.Body)
	if req.BodyStream != nil {
		// Sent chunked as JavaScript produces it; a 307/308 redirect cannot
		// replay it, and fails, as the Fetch Standard says.
		reqBody = req.BodyStream
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, req.URL, reqBody)
	if err != nil {
		if req.BodyStream != nil {
			_ = req.BodyStream.Close()
		}
		return nil, fmt.Errorf("building request: %w", err)
	}
	if err := checkScheme(hreq.URL); err != nil {
		return nil, err
	}
	hreq.Header = req.Header.Clone()
	if h := hreq.Header.Get("Host"); h != "" {
		hreq.Host = h
		hreq.Header.Del("Host")
	}
	client := o.Client
	switch req.Redirect {
	case "manual", "error":
		c := *o.Client
		mode := req.Redirect
		c.CheckRedirect = func(*http.Request, []*http.Request) error {
			if mode == "error" {
				return ErrRedirect
			}
			return http.ErrUseLastResponse
		}
		client = &c
	}
	resp, err := client.Do(hreq)
	if err != nil {
		var refused *netsafe.RefusedError
		if errors.As(err, &refused) {
			// The dialer knows the address, the client knows the URL of the
			// hop: put them together for the user.
			r := *refused
			var uerr *url.Error
			if errors.As(err, &uerr) {
				r.URL = uerr.URL
			}
			if r.URL != "" && r.URL != req.URL {
				r.RedirectedFrom = req.URL
			}
			return nil, &r
		}
		return nil, err
	}
	out := &jsvm.Response{
		Status:     resp.StatusCode,
		StatusText: http.StatusText(resp.StatusCode),
		Header:     resp.Header,
		URL:        resp.Request.URL.String(),
		Redirected: resp.Request.URL.String() != req.URL,
	}
	// A small body of known length is read at once; anything else (large,
	// or of unknown length like server-sent events) is streamed to
	// JavaScript as it arrives. jsvm bounds a streamed body by
	// MaxBodyBytes as it is read.
	if resp.ContentLength < 0 || resp.ContentLength > bufferedBodyBytes {
		out.BodyStream = resp.Body
		return out, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	if int64(len(body)) > o.MaxBodyBytes {
		return nil, fmt.Errorf("response body: %w", jsvm.ErrBodyTooLarge)
	}
	out.Body = body
	return out, nil
}

// bufferedBodyBytes is the largest response body of known length that is
// read whole rather than streamed.
const bufferedBodyBytes = 64 << 10

func textHeader() http.Header {
	return http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
}
