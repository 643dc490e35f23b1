package router

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/edge-platform/edge/jsvm"
)

// Outbound sends fetch() to the network through Go's HTTP client. Bodies are
// buffered up to MaxBodyBytes.
type Outbound struct {
	Client       *http.Client
	MaxBodyBytes int64
}

var _ jsvm.Fetcher = (*Outbound)(nil)

// NewOutbound returns an Outbound with sensible timeouts.
func NewOutbound(maxBody int64) *Outbound {
	return &Outbound{
		Client: &http.Client{
			Timeout: 60 * time.Second,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 20 {
					return errors.New("too many redirects (20)")
				}
				return nil
			},
		},
		MaxBodyBytes: maxBody,
	}
}

// ErrRedirect is returned for a redirect when the request's redirect mode is "error".
var ErrRedirect = errors.New("redirect refused: the request's redirect mode is \"error\"")

func (o *Outbound) Fetch(ctx context.Context, req *jsvm.Request) (*jsvm.Response, error) {
	hreq, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
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
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	if int64(len(body)) > o.MaxBodyBytes {
		return nil, fmt.Errorf("response body: %w", jsvm.ErrBodyTooLarge)
	}
	return &jsvm.Response{
		Status:     resp.StatusCode,
		StatusText: http.StatusText(resp.StatusCode),
		Header:     resp.Header,
		Body:       body,
		URL:        resp.Request.URL.String(),
		Redirected: resp.Request.URL.String() != req.URL,
	}, nil
}

func textHeader() http.Header {
	return http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
}
