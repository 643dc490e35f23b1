package router

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/edge-platform/edge/jsvm"
)

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
	o := NewOutbound(50)
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
