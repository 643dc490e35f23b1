package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadResponse(t *testing.T) {
	cases := []struct {
		name      string
		raw       string
		status    int
		keepAlive bool
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, true},
		{"no reason phrase", "HTTP/1.1 204\r\n\r\n", 204, true},
		{"chunked with trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n", 200, true},
		{"connection close", "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", 503, false},
		{"http/1.0 default close", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, false},
		{"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, true},
		{"body to EOF", "HTTP/1.1 200 OK\r\n\r\nuntil the end", 200, false},
		{"100 continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 201, true},
		{"bare LF", "HTTP/1.1 404 Not Found\nContent-Length: 1\n\nx", 404, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Two copies back to back: the first must be consumed exactly.
			raw := c.raw
			if c.keepAlive {
				raw += c.raw
			}
			br := bufio.NewReader(strings.NewReader(raw))
			for i := 0; i < 2; i++ {
				status, keepAlive, err := ReadResponse(br)
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				if status != c.status || keepAlive != c.keepAlive {
					t.Fatalf("response %d: got %d keepAlive=%v, want %d keepAlive=%v", i, status, keepAlive, c.status, c.keepAlive)
				}
				if !keepAlive {
					break
				}
			}
			if _, err := br.ReadByte(); err == nil {
				t.Fatal("bytes left after the responses")
			}
		})
	}
}

func TestReadResponseMalformed(t *testing.T) {
	for _, raw := range []string{
		"HTTP/2 200\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"garbage\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	} {
		_, _, err := ReadResponse(bufio.NewReader(strings.NewReader(raw)))
		if !errors.Is(err, errMalformed) {
			t.Errorf("%q: err = %v, want a malformed-response error", raw, err)
		}
	}
	// Cut short.
	_, _, err := ReadResponse(bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")))
	if err == nil {
		t.Error("a truncated body was accepted")
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:80", "127.3.2.1:8080", "[::1]:443", "localhost:9"} {
		if _, err := CheckLoopback(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.1:80", "192.168.1.1:80", "8.8.8.8:53", "example.com:80", "0.0.0.0:80", "127.0.0.1", ""} {
		if _, err := CheckLoopback(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Run refuses before dialling.
	if _, err := Run(context.Background(), Config{Addr: "10.1.2.3:80", Connections: 1, Duration: time.Millisecond}); err == nil {
		t.Error("Run accepted a non-loopback target")
	}
}

func TestRunCountsStatuses(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/p" || r.Host != "h.example" {
			http.Error(w, "wrong target "+r.Host+r.URL.Path, http.StatusBadRequest)
			return
		}
		i := n.Add(1)
		switch {
		case i%5 == 0:
			// Every fifth answer closes the connection: the generator
			// must reconnect, not count an error.
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
		case i%2 == 0:
			w.Write([]byte(strings.Repeat("x", 10000))) // chunked or long
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	res, err := Run(context.Background(), Config{
		Addr: addr, Host: "h.example", Path: "/p",
		Connections: 4, Warmup: 50 * time.Millisecond, Duration: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 {
		t.Fatalf("no requests completed: %+v", res)
	}
	if res.Errors != 0 {
		t.Fatalf("errors: %d, first: %s", res.Errors, res.FirstError)
	}
	if res.Statuses[http.StatusBadRequest] != 0 {
		t.Fatal("the Host header or path was not sent as configured")
	}
	var sum uint64
	for _, c := range res.Statuses {
		sum += c
	}
	if sum != res.Requests || res.Non2xx != res.Statuses[503] {
		t.Fatalf("statuses %v do not add up to %d requests / %d non-2xx", res.Statuses, res.Requests, res.Non2xx)
	}
	if res.Requests >= 5 && res.Non2xx == 0 {
		t.Fatalf("%d requests and no 503 counted", res.Requests)
	}
	if !(res.P50 <= res.P90 && res.P90 <= res.P99 && res.P99 <= res.Max) {
		t.Fatalf("percentiles out of order: %v %v %v %v", res.P50, res.P90, res.P99, res.Max)
	}
	// The server saw at least what was counted (warmup and cut-off
	// requests come on top).
	if uint64(n.Load()) < res.Requests {
		t.Fatalf("server answered %d, generator counted %d", n.Load(), res.Requests)
	}
}

func TestRunCountsRefusedConnectionsAndStops(t *testing.T) {
	// A port nobody listens on: grab one and close it.
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	res, err := Run(context.Background(), Config{Addr: addr, Connections: 2, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.Errors == 0 || res.FirstError == "" {
		t.Fatalf("want only errors, got %+v", res)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	// A server that never answers: Run must still return, on ctx.
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	res, err := Run(ctx, Config{Addr: strings.TrimPrefix(srv.URL, "http://"), Connections: 2, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.Errors != 0 {
		t.Fatalf("a cancelled run counted %d requests, %d errors (%s)", res.Requests, res.Errors, res.FirstError)
	}
}

func TestStatusSummary(t *testing.T) {
	if got := StatusSummary(map[int]uint64{503: 2, 200: 10}); got != "200:10 503:2" {
		t.Fatalf("got %q", got)
	}
}

func TestRunByCountWithPathPerRequest(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		mu.Unlock()
		w.Write([]byte("new"))
	}))
	defer srv.Close()
	const n = 500
	start := time.Now()
	res, err := Run(context.Background(), Config{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Connections: 8, Duration: time.Minute,
		Requests: n, PathFor: func(i uint64) string { return fmt.Sprintf("/create/x%d", i) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("a count-bounded run did not end when its requests were answered")
	}
	if res.Requests != n || res.Errors != 0 || res.Non2xx != 0 {
		t.Fatalf("want %d answered requests, got %+v", n, res)
	}
	if len(seen) != n {
		t.Fatalf("server saw %d distinct paths, want %d", len(seen), n)
	}
	for p, c := range seen {
		if c != 1 {
			t.Fatalf("path %s requested %d times", p, c)
		}
	}
}
