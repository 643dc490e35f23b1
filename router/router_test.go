package router

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/protos"
)

func testConfig() *configs.Config {
	return &configs.Config{Domain: "deno.dev", Projects: []configs.Project{
		{Name: "web", Kind: configs.KindWorker},
		{Name: "counter", Kind: configs.KindCoordinator},
	}}
}

func TestResolve(t *testing.T) {
	r := New(testConfig(), nil, nil)
	cases := []struct {
		host string
		want Target
		ok   bool
	}{
		{"web.deno.dev", Target{Project: "web", Kind: configs.KindWorker}, true},
		{"WEB.Deno.Dev:8080", Target{Project: "web", Kind: configs.KindWorker}, true},
		{"web.deno.dev.", Target{Project: "web", Kind: configs.KindWorker}, true},
		{"counter.deno.dev", Target{Project: "counter", Kind: configs.KindCoordinator, Instance: actors.DefaultInstance}, true},
		{"alice.counter.deno.dev", Target{Project: "counter", Kind: configs.KindCoordinator, Instance: "alice"}, true},
		{"x.web.deno.dev", Target{}, false},            // workers have no duplicates
		{"a.b.counter.deno.dev", Target{}, false},      // one name label only
		{"_default.counter.deno.dev", Target{}, false}, // not a DNS label: never the default by another name
		{"nope.deno.dev", Target{}, false},
		{"deno.dev", Target{}, false},
		{"web.deno.dev.evil.com", Target{}, false},
		{"localhost", Target{}, false},
		{"", Target{}, false},
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			got, ok := r.Resolve(c.host)
			if ok != c.ok || got != c.want {
				t.Fatalf("Resolve(%q) = %+v, %v; want %+v, %v", c.host, got, ok, c.want, c.ok)
			}
		})
	}
}

// fakeBackend keeps streamed bodies in a map, as the platform does.
type fakeBackend struct {
	bodies map[uint64]io.ReadCloser
	calls  []string
	reqs   []*protos.HttpRequest
	resp   *protos.HttpResponse
}

func (f *fakeBackend) Worker(_ context.Context, project string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	f.calls = append(f.calls, "worker "+project)
	f.reqs = append(f.reqs, req)
	return f.resp, nil
}

func (f *fakeBackend) Coordinator(_ context.Context, project, instance string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	f.calls = append(f.calls, "coordinator "+project+"/"+instance)
	f.reqs = append(f.reqs, req)
	return f.resp, nil
}

// docs/SEMANTICS.md, "Access".
func TestPublicReachesOnlyWorkers(t *testing.T) {
	fb := &fakeBackend{resp: &protos.HttpResponse{Status: 200}}
	r := New(testConfig(), fb, nil)
	ctx := context.Background()
	web, ok := r.PublicTarget("web.deno.dev")
	if !ok {
		t.Fatal("the worker is not public")
	}
	if _, err := r.Public(ctx, web, &protos.HttpRequest{}); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"counter.deno.dev", "alice.counter.deno.dev", "nope.deno.dev"} {
		if tg, ok := r.PublicTarget(host); ok {
			t.Fatalf("PublicTarget(%s) = %+v, want not found", host, tg)
		}
		priv, _ := r.Resolve(host)
		if _, err := r.Public(ctx, priv, &protos.HttpRequest{}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Public(%s) = %v, want ErrNotFound", host, err)
		}
	}
	if len(fb.calls) != 1 || fb.calls[0] != "worker web" || !fb.reqs[0].GetCaller().GetPublic() {
		t.Fatalf("calls %v", fb.calls)
	}
}

type recordingFetcher struct{ urls []string }

func (f *recordingFetcher) Fetch(_ context.Context, req *jsvm.Request) (*jsvm.Response, error) {
	f.urls = append(f.urls, req.URL)
	return &jsvm.Response{Status: 200, Body: []byte("outside")}, nil
}

// docs/SEMANTICS.md, "Addressing": fetch() to the platform's domain never
// leaves the platform, and carries the caller's identity.
func TestFetcherRoutesPlatformHostsInside(t *testing.T) {
	fb := &fakeBackend{resp: &protos.HttpResponse{Status: 201, Body: []byte("inside")}}
	out := &recordingFetcher{}
	f := New(testConfig(), fb, nil).FetcherFor("web", out)
	ctx := context.Background()

	resp, err := f.Fetch(ctx, &jsvm.Request{Method: "POST", URL: "https://bob.counter.deno.dev/x?y=1", Header: http.Header{}})
	if err != nil || resp.Status != 201 || string(resp.Body) != "inside" {
		t.Fatalf("internal fetch = %+v, %v", resp, err)
	}
	if fb.calls[0] != "coordinator counter/bob" || fb.reqs[0].GetCaller().GetProject() != "web" || fb.reqs[0].GetUrl() != "https://bob.counter.deno.dev/x?y=1" {
		t.Fatalf("backend saw %v %+v", fb.calls, fb.reqs[0])
	}

	resp, err = f.Fetch(ctx, &jsvm.Request{Method: "GET", URL: "https://missing.deno.dev/", Header: http.Header{}})
	if err != nil || resp.Status != 404 {
		t.Fatalf("unknown platform host = %+v, %v; want a 404 served inside", resp, err)
	}
	if len(out.urls) != 0 {
		t.Fatalf("platform hosts went outbound: %v", out.urls)
	}

	if resp, err = f.Fetch(ctx, &jsvm.Request{Method: "GET", URL: "https://example.com/", Header: http.Header{}}); err != nil || string(resp.Body) != "outside" {
		t.Fatalf("outbound = %+v, %v", resp, err)
	}
}

func TestFetcherMapsInstanceErrors(t *testing.T) {
	fb := &fakeBackend{resp: protos.NewError(protos.InstanceError_TIMEOUT, "slow")}
	f := New(testConfig(), fb, nil).FetcherFor("web", nil)
	resp, err := f.Fetch(context.Background(), &jsvm.Request{Method: "GET", URL: "https://counter.deno.dev/", Header: http.Header{}})
	if err != nil || resp.Status != 504 || string(resp.Body) != "Gateway Timeout: slow\n" {
		t.Fatalf("got %+v, %v", resp, err)
	}
}

func (f *fakeBackend) PutBody(r io.ReadCloser) uint64 {
	if f.bodies == nil {
		f.bodies = map[uint64]io.ReadCloser{}
	}
	id := uint64(len(f.bodies) + 1)
	f.bodies[id] = r
	return id
}

func (f *fakeBackend) TakeBody(id uint64) io.ReadCloser {
	r := f.bodies[id]
	delete(f.bodies, id)
	return r
}
