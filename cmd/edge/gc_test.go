package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestTuneGC(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	// An explicit GOGC wins: nothing is started, even with a headroom.
	if stop, err := tuneGC(env("GOGC", "100", "EDGE_GC_HEADROOM", "64")); stop != nil || err != nil {
		t.Fatalf("with GOGC set: stop=%v err=%v, want neither", stop != nil, err)
	}
	for _, ok := range [][]string{nil, {"EDGE_GC_HEADROOM", "64"}} {
		stop, err := tuneGC(env(ok...))
		if err != nil || stop == nil {
			t.Fatalf("tuneGC(%q) = %v, want it started", ok, err)
		}
		stop()
	}
	for _, bad := range []string{"0", "-1", "1.5", "256MiB", "lots", "99999999999"} {
		stop, err := tuneGC(env("EDGE_GC_HEADROOM", bad))
		if err == nil || stop != nil {
			t.Fatalf("EDGE_GC_HEADROOM=%q: started, want an error", bad)
		}
		if !strings.Contains(err.Error(), "EDGE_GC_HEADROOM") || !strings.Contains(err.Error(), "whole number of MiB") {
			t.Errorf("EDGE_GC_HEADROOM=%q: error %q does not name the variable and what it wants", bad, err)
		}
	}
}

// TestJSProfile: the JavaScript profile endpoint answers with a gzipped
// pprof profile, and refuses a second profile while one is running.
func TestJSProfile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(serveJSProfile))
	defer srv.Close()
	var wg sync.WaitGroup
	codes := make([]int, 2)
	bodies := make([]string, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + "/debug/jsprofile?seconds=2")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, resp.Body)
			codes[i], bodies[i] = resp.StatusCode, b.String()
		}()
	}
	wg.Wait()
	var ok, conflict int
	for i, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
			if !strings.HasPrefix(bodies[i], "\x1f\x8b") {
				t.Errorf("profile does not start with gzip's magic: %q", bodies[i][:min(len(bodies[i]), 8)])
			}
		case http.StatusConflict:
			conflict++
			if !strings.Contains(bodies[i], "already running") {
				t.Errorf("409 body %q does not say why", bodies[i])
			}
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("two concurrent profiles: statuses %v, want one 200 and one 409", codes)
	}
}
