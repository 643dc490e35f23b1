package router

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/protos"
)

// FetcherFor returns the fetch() of a project's instances: a URL under the
// platform's domain is served inside the process with the project as the
// caller (it never touches a socket, and never goes out to the internet,
// even if no project is there); any other URL goes to outbound.
func (r *Router) FetcherFor(project string, outbound jsvm.Fetcher) jsvm.Fetcher {
	return &projectFetcher{r: r, project: project, outbound: outbound}
}

type projectFetcher struct {
	r        *Router
	project  string
	outbound jsvm.Fetcher
}

func (f *projectFetcher) Fetch(ctx context.Context, req *jsvm.Request) (*jsvm.Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL %q: %w", req.URL, err)
	}
	if !f.r.IsPlatformHost(u.Host) {
		if f.outbound == nil {
			return nil, errors.New("outbound fetch is disabled")
		}
		return f.outbound.Fetch(ctx, req)
	}
	header := req.Header.Clone()
	header.Set("Host", u.Host)
	preq := &protos.HttpRequest{Method: req.Method, Url: req.URL, Headers: protos.HeadersFromHTTP(header), Body: req.Body, Hops: int32(req.Hops) + 1}
	if req.BodyStream != nil {
		preq.BodyStream, preq.BodyNode = f.r.backend.PutBody(req.BodyStream)
	}
	resp, err := f.r.Internal(ctx, f.project, u.Host, preq)
	if errors.Is(err, ErrNotFound) {
		return &jsvm.Response{Status: 404, Header: textHeader(), Body: []byte(NotFoundBody(u.Host, f.r.domain)), URL: req.URL}, nil
	}
	if errors.Is(err, ErrBadName) || errors.Is(err, ErrBadSettings) {
		return &jsvm.Response{Status: 400, Header: textHeader(), Body: []byte("Bad Request: " + err.Error() + "\n"), URL: req.URL}, nil
	}
	if err != nil {
		return nil, err
	}
	if e := resp.GetError(); e != nil {
		status, body := ErrorStatus(e)
		h := textHeader()
		if ra := RetryAfter(e); ra != "" {
			h.Set("Retry-After", ra)
		}
		return &jsvm.Response{Status: status, Header: h, Body: []byte(body + "\n"), URL: req.URL}, nil
	}
	out := &jsvm.Response{Status: int(resp.GetStatus()), Header: protos.HeadersToHTTP(resp.GetHeaders()), Body: resp.GetBody(), URL: req.URL}
	if id := resp.GetBodyStream(); id != 0 {
		body, err := f.r.TakeBody(id, resp.GetBodyNode())
		if err != nil {
			return nil, fmt.Errorf("reading the streamed response of %s: %w", u.Host, err)
		}
		out.BodyStream = body
	}
	return out, nil
}
