// Package frontend is the public HTTP ingress: it reads a request, routes it
// by Host through the router (public access only), and writes the reply. It
// owns request limits (body size, deadline) and the HTTP form of errors. It
// never runs user code and never reaches a private project.
package frontend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/edge-platform/edge/protos"
	"github.com/edge-platform/edge/router"
)

// Handler serves public traffic.
type Handler struct {
	Router       *router.Router
	MaxBodyBytes int64
	Timeout      time.Duration
	Log          *slog.Logger
	// Observer records every request that reached a project (nil: none).
	Observer Observer
}

// Observer records requests (package metrics).
type Observer interface {
	Request(project, kind string, status int, d time.Duration)
}

// statusWriter remembers the status a response was written with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var _ http.Handler = (*Handler)(nil)

// hopByHop headers describe one connection and are not forwarded to handlers.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target, err := h.Router.PublicTarget(r.Host)
	if errors.Is(err, router.ErrBadName) {
		writeText(w, http.StatusBadRequest, "Bad Request: "+err.Error()+"\n")
		return
	}
	if err != nil {
		h.notFound(w, r)
		return
	}
	if h.Observer != nil {
		sw := &statusWriter{ResponseWriter: w}
		w = sw
		start := time.Now()
		defer func() {
			h.Observer.Request(target.Project.Name, string(target.Project.Kind), sw.status, time.Since(start))
		}()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeText(w, http.StatusRequestEntityTooLarge, fmt.Sprintf(
				"Payload Too Large: the request body is over limits.max_body_bytes (%d bytes); send less or raise the limit in the config\n", h.MaxBodyBytes))
			return
		}
		writeText(w, http.StatusBadRequest, "Bad Request: could not read the request body: "+err.Error()+"\n")
		return
	}
	header := r.Header.Clone()
	for _, k := range hopByHop {
		header.Del(k)
	}
	header.Set("Host", r.Host)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	remote, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		remote = r.RemoteAddr
	}
	req := &protos.HttpRequest{
		Method:     r.Method,
		Url:        scheme + "://" + r.Host + r.URL.RequestURI(),
		Headers:    protos.HeadersFromHTTP(header),
		Body:       body,
		RemoteAddr: remote,
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.Timeout)
	defer cancel()
	resp, err := h.Router.Public(ctx, target, req)
	switch {
	case errors.Is(err, router.ErrNotFound):
		h.notFound(w, r)
		return
	case errors.Is(err, router.ErrBadName), errors.Is(err, router.ErrBadSettings):
		writeText(w, http.StatusBadRequest, "Bad Request: "+err.Error()+"\n")
		return
	case err != nil:
		h.Log.Error("request failed", slog.String("host", r.Host), slog.Any("err", err))
		writeText(w, http.StatusBadGateway, "Bad Gateway: the request could not be delivered; see the server logs\n")
		return
	}
	if e := resp.GetError(); e != nil {
		status, text := router.ErrorStatus(e)
		if ra := router.RetryAfter(e); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		writeText(w, status, text+"\n")
		return
	}
	out := w.Header()
	for k, v := range protos.HeadersToHTTP(resp.GetHeaders()) {
		out[k] = v
	}
	if id := resp.GetBodyStream(); id != 0 {
		h.stream(w, r, int(resp.GetStatus()), id, resp.GetBodyNode())
		return
	}
	out.Del("Content-Length")
	out.Set("Content-Length", strconv.Itoa(len(resp.GetBody())))
	noSniff(out)
	w.WriteHeader(int(resp.GetStatus()))
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.GetBody())
	}
}

// stream writes a streamed body as it is produced, flushing each chunk, so
// server-sent events and long downloads reach the client as they happen.
// The request deadline covers getting the response, not streaming it: a
// stream ends when its producer ends it or the client goes away.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, status int, id uint64, node string) {
	body, err := h.Router.TakeBody(id, node)
	if err != nil {
		h.Log.Error("streamed response body is gone", slog.String("host", r.Host), slog.Any("err", err))
		w.Header().Del("Content-Length")
		writeText(w, http.StatusBadGateway, "Bad Gateway: the response body stream was lost; see the server logs\n")
		return
	}
	defer body.Close()
	w.Header().Del("Content-Length")
	noSniff(w.Header())
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	// Closing the body when the client leaves cancels the producer even if
	// it is not sending anything right now.
	stop := context.AfterFunc(r.Context(), func() { _ = body.Close() })
	defer stop()
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			_ = rc.Flush()
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			// Headers are gone: all that is left is to end the response
			// early, which the client sees as a truncated body.
			h.Log.Warn("streamed response ended with an error", slog.String("host", r.Host), slog.Any("err", err))
			panic(http.ErrAbortHandler)
		}
	}
}

// noSniff keeps a response without a Content-Type without one: net/http
// would otherwise guess one from the first bytes, which the handler did
// not say (Deno sends none).
func noSniff(h http.Header) {
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusNotFound, router.NotFoundBody(r.Host, h.Router.Domain()))
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
