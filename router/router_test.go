package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/protos"
)

func testConfig() *configs.Config {
	return &configs.Config{Domain: "deno.dev", Limits: configs.LimitsConfig{MaxHops: 3}}
}

// testRegistry deploys the matrix of kinds in two accounts.
func testRegistry() *deploy.Registry {
	reg := deploy.NewRegistry()
	for _, p := range []*deploy.Project{
		{Name: "web", Account: "acme", Kind: configs.KindWorker},
		{Name: "counter", Account: "acme", Kind: configs.KindCoordinator},
		{Name: "helper", Account: "acme", Kind: configs.KindAssistant},
		{Name: "lobby", Account: "acme", Kind: configs.KindGreeter, Domains: []string{"lobby.example.com"}},
		{Name: "other", Account: "globex", Kind: configs.KindWorker},
		{Name: "vault", Account: "globex", Kind: configs.KindCoordinator},
	} {
		reg.Put(p)
	}
	return reg
}

func newRouter(fb Backend) *Router { return New(testConfig(), testRegistry(), fb, nil) }

func TestResolve(t *testing.T) {
	r := newRouter(nil)
	cases := []struct {
		host, project, instance string
		err                     error
	}{
		{"web.deno.dev", "web", "", nil},
		{"WEB.Deno.Dev:8080", "web", "", nil},
		{"web.deno.dev.", "web", "", nil},
		{"counter.deno.dev", "counter", actors.DefaultInstance, nil},
		{"alice.counter.deno.dev", "counter", "alice", nil},
		{"lobby.example.com", "lobby", actors.DefaultInstance, nil},
		{"LOBBY.example.com:443", "lobby", actors.DefaultInstance, nil},
		{"a.b.counter.deno.dev", "", "", ErrNotFound}, // one name label only
		{"nope.deno.dev", "", "", ErrNotFound},
		{"deno.dev", "", "", ErrNotFound},
		{"web.deno.dev.evil.com", "", "", ErrNotFound},
		{"example.com", "", "", ErrNotFound},
		{"localhost", "", "", ErrNotFound},
		{"", "", "", ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			got, err := r.Resolve(c.host)
			if !errors.Is(err, c.err) {
				t.Fatalf("Resolve(%q) error %v, want %v", c.host, err, c.err)
			}
			if err == nil && (got.Project.Name != c.project || got.Instance != c.instance) {
				t.Fatalf("Resolve(%q) = %s/%s; want %s/%s", c.host, got.Project.Name, got.Instance, c.project, c.instance)
			}
		})
	}
}

// docs/SEMANTICS.md, "Access": the 2x2 matrix. Public kinds answer
// everyone; private ones only their own account's code, and to anyone else
// they look exactly like a host that does not exist.
func TestAccessMatrix(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		host                       string
		public, sameAcct, otherAcc bool
	}{
		{"web.deno.dev", true, true, true},           // worker: many, public
		{"counter.deno.dev", false, true, false},     // coordinator: one, private
		{"bob.counter.deno.dev", false, true, false}, // its duplicates too
		{"helper.deno.dev", false, true, false},      // assistant: many, private
		{"lobby.deno.dev", true, true, true},         // greeter: one, public
		{"room-1.lobby.deno.dev", true, true, true},  // with public duplicates
		{"lobby.example.com", true, true, true},      // and a custom domain
		{"vault.deno.dev", false, false, true},       // globex's coordinator
		{"nope.deno.dev", false, false, false},       // nothing
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			fb := &fakeBackend{resp: &protos.HttpResponse{Status: 200}}
			r := newRouter(fb)
			_, err := r.PublicTarget(c.host)
			if (err == nil) != c.public || (err != nil && !errors.Is(err, ErrNotFound)) {
				t.Fatalf("public: %v, want reachable=%v", err, c.public)
			}
			_, err = r.Internal(ctx, "web", c.host, &protos.HttpRequest{})
			if (err == nil) != c.sameAcct || (err != nil && !errors.Is(err, ErrNotFound)) {
				t.Fatalf("from acme: %v, want reachable=%v", err, c.sameAcct)
			}
			_, err = r.Internal(ctx, "other", c.host, &protos.HttpRequest{})
			if (err == nil) != c.otherAcc || (err != nil && !errors.Is(err, ErrNotFound)) {
				t.Fatalf("from globex: %v, want reachable=%v", err, c.otherAcc)
			}
		})
	}
}

// A duplicate name that is not a DNS label is a 400 that says why, but only
// for callers that may reach the project; others get the plain 404.
func TestBadDuplicateNames(t *testing.T) {
	ctx := context.Background()
	r := newRouter(&fakeBackend{resp: &protos.HttpResponse{Status: 200}})
	for _, host := range []string{"_default.counter.deno.dev", "-x.counter.deno.dev", "x.web.deno.dev"} {
		_, err := r.Internal(ctx, "web", host, &protos.HttpRequest{})
		if !errors.Is(err, ErrBadName) {
			t.Fatalf("Internal(%s) = %v, want ErrBadName", host, err)
		}
	}
	if _, err := r.Internal(ctx, "other", "_x.vault.deno.dev", &protos.HttpRequest{}); !errors.Is(err, ErrBadName) {
		t.Fatalf("globex, its own coordinator, bad name: %v, want ErrBadName", err)
	}
	if _, err := r.Internal(ctx, "web", "_x.vault.deno.dev", &protos.HttpRequest{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("acme, globex's coordinator, bad name: %v, want ErrNotFound", err)
	}
	if _, err := r.PublicTarget("_x.counter.deno.dev"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("public, private project, bad name: %v, want ErrNotFound", err)
	}
	if _, err := r.PublicTarget("Bad_Name.lobby.deno.dev"); !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), "DNS label") {
		t.Fatalf("public greeter, bad name: %v", err)
	}
}

func TestSettingsHeaderTravelsOnceAndIsChecked(t *testing.T) {
	ctx := context.Background()
	fb := &fakeBackend{resp: &protos.HttpResponse{Status: 200}}
	r := newRouter(fb)
	req := &protos.HttpRequest{Headers: []*protos.Header{{Name: "edge-coordinator-settings", Value: `{"region":"eu"}`}, {Name: "X", Value: "1"}}}
	if _, err := r.Internal(ctx, "web", "new.counter.deno.dev", req); err != nil {
		t.Fatal(err)
	}
	got := fb.reqs[0]
	if got.GetSettings() != `{"region":"eu"}` || len(got.GetHeaders()) != 1 || got.GetHeaders()[0].GetName() != "X" {
		t.Fatalf("settings %q headers %v", got.GetSettings(), got.GetHeaders())
	}
	for _, bad := range []string{"eu", "[1]", "null", strings.Repeat("x", MaxSettingsBytes+1)} {
		req := &protos.HttpRequest{Headers: []*protos.Header{{Name: SettingsHeader, Value: bad}}}
		if _, err := r.Internal(ctx, "web", "new.counter.deno.dev", req); !errors.Is(err, ErrBadSettings) {
			t.Fatalf("settings %.20q: %v, want ErrBadSettings", bad, err)
		}
	}
}

// A chain of internal fetches longer than limits.max_hops ends in 508.
func TestHopLimitIs508(t *testing.T) {
	fb := &fakeBackend{resp: &protos.HttpResponse{Status: 200}}
	f := newRouter(fb).FetcherFor("web", nil)
	for _, c := range []struct{ hops, want int }{{0, 200}, {3, 508}, {2, 200}} {
		hops, want := c.hops, c.want
		resp, err := f.Fetch(context.Background(), &jsvm.Request{Method: "GET", URL: "https://web.deno.dev/", Header: http.Header{}, Hops: hops})
		if err != nil || resp.Status != want {
			t.Fatalf("hops %d: %+v, %v; want %d", hops, resp, err, want)
		}
		if want == 508 && !strings.Contains(string(resp.Body), "max_hops") {
			t.Fatalf("508 body %q", resp.Body)
		}
	}
	if n := fb.reqs[len(fb.reqs)-1].GetHops(); n != 3 {
		t.Fatalf("delivered hops %d, want 3 (the caller's 2, plus this fetch)", n)
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
	f := newRouter(fb).FetcherFor("web", out)
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
	f := newRouter(fb).FetcherFor("web", nil)
	resp, err := f.Fetch(context.Background(), &jsvm.Request{Method: "GET", URL: "https://counter.deno.dev/", Header: http.Header{}})
	if err != nil || resp.Status != 504 || string(resp.Body) != "Gateway Timeout: slow\n" {
		t.Fatalf("got %+v, %v", resp, err)
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
