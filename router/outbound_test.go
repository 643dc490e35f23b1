package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/netsafe"
)

// allowServer opens exactly srv's host:port (a loopback httptest server) to
// outbound fetch.
func allowServer(t *testing.T, srv *httptest.Server, more ...string) *netsafe.Allowlist {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	a, err := netsafe.NewAllowlist(append([]string{u.Host}, more...), false)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func get(o *Outbound, u string) (*jsvm.Response, error) {
	return o.Fetch(context.Background(), &jsvm.Request{Method: "GET", URL: u, Header: http.Header{}})
}

// refused asserts err is a refusal whose message contains every want.
func refused(t *testing.T, err error, want ...string) *netsafe.RefusedError {
	t.Helper()
	var r *netsafe.RefusedError
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want a *netsafe.RefusedError", err)
	}
	msg := r.Error()
	var fm jsvm.FetchMessager
	if !errors.As(err, &fm) || fm.FetchMessage() != msg {
		t.Fatalf("the refusal does not carry its own fetch message: %v", err)
	}
	for _, w := range append(want, "refused", "edge blocks private networks for outbound fetch", "outbound.allow_hosts") {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q\ndoes not contain %q", msg, w)
		}
	}
	return r
}

func TestOutbound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 100)))
		default:
			w.Header().Set("X-Method", r.Method)
			w.Write([]byte("final " + r.Header.Get("X-In")))
		}
	}))
	defer srv.Close()
	// The test server is on loopback: the allowlist opens it, which also
	// shows that allow_hosts works.
	o := NewOutbound(50, allowServer(t, srv))
	ctx := context.Background()

	resp, err := o.Fetch(ctx, &jsvm.Request{Method: "GET", URL: srv.URL + "/redirect", Header: http.Header{"X-In": {"1"}}})
	if err != nil || resp.Status != 200 || string(resp.Body) != "final 1" || !resp.Redirected || resp.URL != srv.URL+"/final" {
		t.Fatalf("follow: %+v %v", resp, err)
	}
	resp, err = o.Fetch(ctx, &jsvm.Request{Method: "GET", URL: srv.URL + "/redirect", Header: http.Header{}, Redirect: "manual"})
	if err != nil || resp.Status != 302 {
		t.Fatalf("manual: %+v %v", resp, err)
	}
	if _, err = o.Fetch(ctx, &jsvm.Request{Method: "GET", URL: srv.URL + "/redirect", Header: http.Header{}, Redirect: "error"}); !errors.Is(err, ErrRedirect) {
		t.Fatalf("error mode: %v", err)
	}
	if _, err = o.Fetch(ctx, &jsvm.Request{Method: "GET", URL: srv.URL + "/big", Header: http.Header{}}); !errors.Is(err, jsvm.ErrBodyTooLarge) {
		t.Fatalf("big body: %v", err)
	}
}

// countingServer counts the requests that reached it.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		w.Write([]byte("reached"))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestOutboundRefusesLoopbackByDefault(t *testing.T) {
	srv, hits := countingServer(t, nil)
	_, err := get(NewOutbound(1<<20, nil), srv.URL+"/")
	host := strings.TrimPrefix(srv.URL, "http://")
	refused(t, err, "fetch to "+srv.URL+"/ refused: 127.0.0.1 is a loopback address", `"`+host+`"`)
	if hits.Load() != 0 {
		t.Fatal("the refused server was reached")
	}
	// Another port on the same host is not opened by a host:port entry.
	other, _ := countingServer(t, nil)
	if _, err := get(NewOutbound(1<<20, allowServer(t, other)), srv.URL+"/"); err == nil {
		t.Fatal("a host:port entry opened another port")
	}
}

func TestOutboundRefusesPrivateAndSpecialAddresses(t *testing.T) {
	o := NewOutbound(1<<20, nil)
	// The dialer refuses before connecting, so none of these touch the network.
	for addr, what := range map[string]string{
		"10.1.2.3":        "10.1.2.3 is a private address",
		"172.16.0.1":      "172.16.0.1 is a private address",
		"192.168.1.1":     "192.168.1.1 is a private address",
		"100.64.0.1":      "100.64.0.1 is a shared (carrier-grade NAT) address",
		"169.254.169.254": "169.254.169.254 is the cloud metadata service address",
		"169.254.1.1":     "169.254.1.1 is a link-local address",
		"0.0.0.0":         "0.0.0.0 is the unspecified address",
		"127.0.0.2":       "127.0.0.2 is a loopback address",
	} {
		_, err := get(o, "http://"+addr+":9/x")
		refused(t, err, "fetch to http://"+addr+":9/x refused: "+what)
	}
}

func TestOutboundRefusesMetadataHostnames(t *testing.T) {
	o := NewOutbound(1<<20, nil)
	for _, h := range []string{"metadata.google.internal", "METADATA.google.internal.", "metadata.goog"} {
		_, err := get(o, "http://"+h+"/computeMetadata/v1/")
		refused(t, err, "is a cloud metadata service hostname")
	}
	_, err := get(o, "http://169.254.169.254/latest/meta-data/")
	refused(t, err, "169.254.169.254 is the cloud metadata service address")
}

func TestOutboundRefusesHostnameResolvingToLoopback(t *testing.T) {
	srv, hits := countingServer(t, nil)
	u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/"
	_, err := get(NewOutbound(1<<20, nil), u)
	refused(t, err, "fetch to "+u+" refused: localhost resolves to ", "a loopback address")
	if hits.Load() != 0 {
		t.Fatal("the refused server was reached")
	}
	// Allowing the name opens it, whatever it resolves to.
	allow, err := netsafe.NewAllowlist([]string{"LocalHost"}, false)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := get(NewOutbound(1<<20, allow), u)
	if err != nil || string(resp.Body) != "reached" {
		t.Fatalf("allowlisted name: %+v %v", resp, err)
	}
}

func TestOutboundAllowlistForms(t *testing.T) {
	srv, _ := countingServer(t, nil)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, entries := range [][]string{{"127.0.0.1"}, {"127.0.0.0/8"}, {"127.0.0.1:" + port}, {"::ffff:127.0.0.1"}} {
		allow, err := netsafe.NewAllowlist(entries, false)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := get(NewOutbound(1<<20, allow), srv.URL+"/"); err != nil || string(resp.Body) != "reached" {
			t.Errorf("%v: %+v %v", entries, resp, err)
		}
	}
	all, _ := netsafe.NewAllowlist(nil, true)
	if resp, err := get(NewOutbound(1<<20, all), srv.URL+"/"); err != nil || string(resp.Body) != "reached" {
		t.Errorf("allow_private: %+v %v", resp, err)
	}
}

func TestOutboundRefusesRedirectToPrivate(t *testing.T) {
	inner, innerHits := countingServer(t, nil)
	front, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-inner":
			http.Redirect(w, r, inner.URL+"/secret", http.StatusFound)
		case "/to-ftp":
			http.Redirect(w, r, "ftp://example.com/", http.StatusFound)
		}
	})
	o := NewOutbound(1<<20, allowServer(t, front))

	_, err := get(o, front.URL+"/to-metadata")
	r := refused(t, err, "fetch to http://169.254.169.254/latest/meta-data/ (redirected from "+front.URL+"/to-metadata) refused")
	if r.URL != "http://169.254.169.254/latest/meta-data/" || r.RedirectedFrom != front.URL+"/to-metadata" {
		t.Fatalf("hop %q from %q", r.URL, r.RedirectedFrom)
	}
	_, err = get(o, front.URL+"/to-inner")
	refused(t, err, "fetch to "+inner.URL+"/secret (redirected from "+front.URL+"/to-inner) refused: 127.0.0.1 is a loopback address")
	if innerHits.Load() != 0 {
		t.Fatal("the redirect reached the refused server")
	}
	_, err = get(o, front.URL+"/to-ftp")
	var fm jsvm.FetchMessager
	if !errors.As(err, &fm) || !strings.Contains(fm.FetchMessage(), "only http: and https: URLs") {
		t.Fatalf("redirect to ftp: %v", err)
	}
}

func TestOutboundIgnoresProxyEnvironment(t *testing.T) {
	srv, _ := countingServer(t, nil)
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	resp, err := get(NewOutbound(1<<20, allowServer(t, srv)), srv.URL+"/")
	if err != nil || string(resp.Body) != "reached" {
		t.Fatalf("%+v %v", resp, err)
	}
	if _, err := get(NewOutbound(1<<20, nil), "file:///etc/passwd"); err == nil || !strings.Contains(err.Error(), "only http: and https:") {
		t.Fatalf("file URL: %v", err)
	}
}

// A response of unknown length is handed over as a stream while the server
// is still writing it, and a streamed request body goes out as produced.
func TestOutboundStreamsBothWays(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/upload" {
			n, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, "got %d chunked=%v", n, r.ContentLength == -1)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: one\n\n")
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprint(w, "data: two\n\n")
	}))
	defer srv.Close()
	o := NewOutbound(1<<20, allowServer(t, srv))
	resp, err := get(o, srv.URL+"/events")
	if err != nil {
		t.Fatal(err)
	}
	if resp.BodyStream == nil {
		t.Fatal("a response of unknown length was buffered, not streamed")
	}
	defer resp.BodyStream.Close()
	first := make([]byte, len("data: one\n\n"))
	if _, err := io.ReadFull(resp.BodyStream, first); err != nil || string(first) != "data: one\n\n" {
		t.Fatalf("first event %q %v", first, err)
	}
	close(release)
	rest, err := io.ReadAll(resp.BodyStream)
	if err != nil || string(rest) != "data: two\n\n" {
		t.Fatalf("rest %q %v", rest, err)
	}

	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 10; i++ {
			_, _ = pw.Write(make([]byte, 1000))
		}
		_ = pw.Close()
	}()
	up, err := o.Fetch(context.Background(), &jsvm.Request{Method: "POST", URL: srv.URL + "/upload", Header: http.Header{}, BodyStream: pr})
	if err != nil {
		t.Fatal(err)
	}
	if string(up.Body) != "got 10000 chunked=true" {
		t.Fatalf("upload: %q", up.Body)
	}
}
