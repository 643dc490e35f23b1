package frontend

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/protos"
	"github.com/edge-platform/edge/router"
)

// fakeBackend keeps streamed bodies in a map, as the platform does.
type fakeBackend struct {
	bodies map[uint64]io.ReadCloser
	got    *protos.HttpRequest
	resp   *protos.HttpResponse
}

func (f *fakeBackend) Worker(_ context.Context, _ string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	f.got = req
	return f.resp, nil
}

func (f *fakeBackend) Coordinator(context.Context, string, string, *protos.HttpRequest) (*protos.HttpResponse, error) {
	panic("the public ingress reached a coordinator")
}

func newHandler(fb *fakeBackend) *Handler {
	reg := deploy.NewRegistry()
	reg.Put(&deploy.Project{Name: "web", Account: "a", Kind: configs.KindWorker})
	reg.Put(&deploy.Project{Name: "counter", Account: "a", Kind: configs.KindCoordinator})
	cfg := &configs.Config{Domain: "deno.dev"}
	return &Handler{Router: router.New(cfg, reg, fb, nil), MaxBodyBytes: 8, Timeout: time.Second, Log: slog.New(slog.DiscardHandler)}
}

func do(h http.Handler, method, host, path, body string) *http.Response {
	req := httptest.NewRequest(method, "http://"+host+path, strings.NewReader(body))
	req.Host = host
	req.RemoteAddr = "192.0.2.7:1234"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Result()
}

func TestForwardsToWorker(t *testing.T) {
	fb := &fakeBackend{resp: &protos.HttpResponse{Status: 201, Headers: []*protos.Header{{Name: "x-out", Value: "1"}}, Body: []byte("ok")}}
	resp := do(newHandler(fb), "POST", "web.deno.dev", "/a?b=c", "hi")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || string(body) != "ok" || resp.Header.Get("X-Out") != "1" {
		t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
	g := fb.got
	if g.GetMethod() != "POST" || g.GetUrl() != "http://web.deno.dev/a?b=c" || string(g.GetBody()) != "hi" || g.GetRemoteAddr() != "192.0.2.7" {
		t.Fatalf("backend got %+v", g)
	}
	if protos.HeadersToHTTP(g.GetHeaders()).Get("Host") != "web.deno.dev" {
		t.Fatal("Host header not forwarded")
	}
}

func TestErrorsAndLimits(t *testing.T) {
	cases := []struct {
		name, host, body string
		resp             *protos.HttpResponse
		status           int
		contains         string
	}{
		{"coordinator is 404", "counter.deno.dev", "", nil, 404, "no project is served"},
		{"unknown is 404", "x.deno.dev", "", nil, 404, "no project is served"},
		{"body over limit", "web.deno.dev", "123456789", nil, 413, "limits.max_body_bytes (8 bytes)"},
		{"handler failure", "web.deno.dev", "", protos.NewError(protos.InstanceError_HANDLER_FAILED, "threw"), 500, "Internal Server Error: threw"},
		{"timeout", "web.deno.dev", "", protos.NewError(protos.InstanceError_TIMEOUT, "slow"), 504, "Gateway Timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fb := &fakeBackend{resp: c.resp}
			resp := do(newHandler(fb), "POST", c.host, "/", c.body)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.contains) {
				t.Fatalf("got %d %q, want %d containing %q", resp.StatusCode, body, c.status, c.contains)
			}
		})
	}
}

func (f *fakeBackend) PutBody(r io.ReadCloser) (uint64, string) {
	if f.bodies == nil {
		f.bodies = map[uint64]io.ReadCloser{}
	}
	id := uint64(len(f.bodies) + 1)
	f.bodies[id] = r
	return id, ""
}

func (f *fakeBackend) TakeBody(id uint64, node string) (io.ReadCloser, error) {
	r := f.bodies[id]
	delete(f.bodies, id)
	if r == nil || node != "" {
		return nil, fmt.Errorf("fake backend: no body %d on node %q", id, node)
	}
	return r, nil
}
