// Package loadgen is a small closed-loop HTTP/1.1 load generator for the
// benchmarks in loadtest/. Each of N connections is kept alive and sends its
// next request as soon as the previous response has been read, for a fixed
// time; it reports the completed requests per second, latency percentiles and
// the responses that were not 2xx.
//
// It only ever connects to loopback addresses (127.0.0.0/8, ::1 or
// "localhost"): Run refuses any other target before dialling. Every run is
// bounded: it stops by itself after Warmup+Duration, however the server
// behaves, since every read and write has a deadline no later than the end of
// the run.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes one load run.
type Config struct {
	// Addr is the server's host:port; the host must be a loopback address
	// or "localhost".
	Addr string
	// Host is the Host header; empty means Addr.
	Host string
	// Path is the request target, e.g. "/increment"; empty means "/".
	Path string
	// Connections is the number of concurrent keep-alive connections, each
	// with at most one request in flight.
	Connections int
	// Warmup is run first; its requests are not counted in the result.
	Warmup time.Duration
	// Duration is the measured time.
	Duration time.Duration
	// Timeout bounds one request (dial, write and read); 0 means 10s.
	Timeout time.Duration
	// PathFor, if set, gives the path of each request instead of Path: it
	// is called with 0, 1, 2, ... across all connections (each index once),
	// so a run can send every request to a different URL, for example to
	// create a new object per request. It must be safe for concurrent use.
	PathFor func(i uint64) string
	// Requests, if not 0, bounds the run by count: at most this many
	// requests are sent (warmup included), and the run ends when they have
	// all been answered or Warmup+Duration has passed, whichever is first.
	Requests uint64
}

// Result is what one run measured. Only requests sent after the warmup and
// answered before the end count; requests still in flight at the end are
// dropped.
type Result struct {
	// Requests is the number of complete responses (any status).
	Requests uint64
	// Non2xx is the number of those whose status was not 2xx.
	Non2xx uint64
	// Errors counts connection failures, timeouts and malformed responses.
	Errors uint64
	// Statuses counts responses by status code.
	Statuses map[int]uint64
	// FirstError is the text of the first error seen, if any.
	FirstError string
	// Elapsed is the measured time (Duration, unless ctx ended it early).
	Elapsed time.Duration
	// ReqPerSec is Requests / Elapsed.
	ReqPerSec float64
	// Latency of the counted responses.
	P50, P90, P99, Max, Mean time.Duration
	// Warmup2xx counts the 2xx responses of the warmup (and of requests
	// sent in it), so that a caller can check server-side effects.
	Warmup2xx uint64
	// Total2xx counts every 2xx response of the run, warmup included.
	Total2xx uint64
}

// CheckLoopback returns an error unless addr's host is a loopback IP address
// or "localhost". It returns the address to dial.
func CheckLoopback(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("loadgen: address %q: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("loadgen: refusing to target %q: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// BuildRequest returns the bytes of one GET request.
func BuildRequest(host, path string) []byte {
	if path == "" {
		path = "/"
	}
	return []byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: edge-loadgen\r\nAccept: */*\r\n\r\n")
}

// workerStats is one connection's tally, merged at the end.
type workerStats struct {
	hist      Histogram
	requests  uint64
	non2xx    uint64
	errors    uint64
	warmup2xx uint64
	statuses  map[int]uint64
	firstErr  error
}

// Run drives the load described by cfg and returns what it measured. It
// returns an error only for an invalid Config; failures of the server are
// counted in the Result. It returns early, with what was measured so far, if
// ctx ends.
func Run(ctx context.Context, cfg Config) (Result, error) {
	dial, err := CheckLoopback(cfg.Addr)
	if err != nil {
		return Result{}, err
	}
	if cfg.Connections < 1 {
		return Result{}, errors.New("loadgen: Connections must be at least 1")
	}
	if cfg.Duration <= 0 {
		return Result{}, errors.New("loadgen: Duration must be positive")
	}
	if cfg.Warmup < 0 {
		return Result{}, errors.New("loadgen: Warmup must not be negative")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	host := cfg.Host
	if host == "" {
		host = cfg.Addr
	}
	next := requestSource(host, cfg.Path, cfg.PathFor, cfg.Requests)

	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()

	stats := make([]*workerStats, cfg.Connections)
	var wg sync.WaitGroup
	for i := range stats {
		st := &workerStats{statuses: map[int]uint64{}}
		stats[i] = st
		wg.Add(1)
		go func() {
			defer wg.Done()
			runConn(ctx, dial, next, cfg.Timeout, measureFrom, end, st)
		}()
	}
	wg.Wait()
	stopped := time.Now()

	var res Result
	res.Statuses = map[int]uint64{}
	var hist Histogram
	var firstErr error
	for _, st := range stats {
		hist.Merge(&st.hist)
		res.Requests += st.requests
		res.Non2xx += st.non2xx
		res.Errors += st.errors
		res.Warmup2xx += st.warmup2xx
		for code, n := range st.statuses {
			res.Statuses[code] += n
			if code >= 200 && code < 300 {
				res.Total2xx += n
			}
		}
		if firstErr == nil && st.firstErr != nil {
			firstErr = st.firstErr
		}
	}
	res.Total2xx += res.Warmup2xx
	if firstErr != nil {
		res.FirstError = firstErr.Error()
	}
	if stopped.After(end) {
		stopped = end
	}
	res.Elapsed = stopped.Sub(measureFrom)
	if res.Elapsed > 0 {
		res.ReqPerSec = float64(res.Requests) / res.Elapsed.Seconds()
	} else {
		res.Elapsed = 0
	}
	res.P50 = hist.Percentile(0.50)
	res.P90 = hist.Percentile(0.90)
	res.P99 = hist.Percentile(0.99)
	res.Max = hist.Max()
	res.Mean = hist.Mean()
	return res, nil
}

// requestSource returns the function each connection calls for its next
// request; it reports false when the run's request budget is spent. With a
// fixed path the request bytes are built once and shared.
func requestSource(host, path string, pathFor func(uint64) string, limit uint64) func() ([]byte, bool) {
	var sent atomic.Uint64
	fixed := BuildRequest(host, path)
	return func() ([]byte, bool) {
		if pathFor == nil && limit == 0 {
			return fixed, true
		}
		i := sent.Add(1) - 1
		if limit > 0 && i >= limit {
			return nil, false
		}
		if pathFor == nil {
			return fixed, true
		}
		return BuildRequest(host, pathFor(i)), true
	}
}

// runConn is one closed-loop connection. It asks next for each request and
// stops when next reports that none is left.
func runConn(ctx context.Context, addr string, next func() ([]byte, bool), timeout time.Duration, measureFrom, end time.Time, st *workerStats) {
	var conn net.Conn
	var br *bufio.Reader
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	// Closing the connection unblocks a read when ctx ends before the
	// deadline (the deadline already covers the planned end).
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			_ = conn.SetDeadline(time.Now())
		}
	})
	defer stop()

	fail := func(err error) {
		if time.Now().Before(end) && ctx.Err() == nil {
			st.errors++
			if st.firstErr == nil {
				st.firstErr = err
			}
		}
		mu.Lock()
		if conn != nil {
			conn.Close()
			conn = nil
		}
		mu.Unlock()
	}

	// req is the request to send. It is kept across a failed dial (it was
	// not sent) and dropped once written: with PathFor a retry could reach
	// an object that the lost attempt already created.
	var req []byte
	var ok bool
	for ctx.Err() == nil {
		now := time.Now()
		if !now.Before(end) {
			return
		}
		deadline := now.Add(timeout)
		if deadline.After(end) {
			deadline = end
		}
		if conn == nil {
			d := net.Dialer{Deadline: deadline}
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				fail(err)
				// Back off a little so a refused port is not a busy loop.
				select {
				case <-ctx.Done():
				case <-time.After(20 * time.Millisecond):
				}
				continue
			}
			mu.Lock()
			conn = c
			mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			if br == nil {
				br = bufio.NewReaderSize(c, 16<<10)
			} else {
				br.Reset(c)
			}
		}
		if req == nil {
			if req, ok = next(); !ok {
				return
			}
		}
		if err := conn.SetDeadline(deadline); err != nil {
			fail(err)
			continue
		}
		sent := time.Now()
		if _, err := conn.Write(req); err != nil {
			req = nil
			fail(err)
			continue
		}
		status, keepAlive, err := ReadResponse(br)
		if err != nil {
			req = nil
			fail(err)
			continue
		}
		lat := time.Since(sent)
		req = nil // answered: the next iteration takes a new one
		ok = status >= 200 && status < 300
		if sent.Before(measureFrom) {
			if ok {
				st.warmup2xx++
			}
		} else {
			st.requests++
			st.statuses[status]++
			if !ok {
				st.non2xx++
			}
			st.hist.Record(lat)
		}
		if !keepAlive {
			mu.Lock()
			conn.Close()
			conn = nil
			mu.Unlock()
		}
	}
}

// errMalformed wraps every parse failure of ReadResponse.
var errMalformed = errors.New("malformed HTTP response")

// ReadResponse reads one HTTP/1.x response from br and discards its body. It
// returns the status code and whether the connection may be reused. It
// handles Content-Length, chunked bodies (and their trailers), bodies
// delimited by the end of the connection, 1xx interim responses, and
// responses without a body (1xx, 204, 304).
func ReadResponse(br *bufio.Reader) (status int, keepAlive bool, err error) {
	for {
		status, keepAlive, err = readOne(br)
		if err != nil || status >= 200 || status == 101 {
			return status, keepAlive, err
		}
		// 1xx interim response (e.g. 100 Continue): the real one follows.
	}
}

func readOne(br *bufio.Reader) (int, bool, error) {
	line, err := readLine(br)
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("%w: status line %q", errMalformed, truncate(line))
	}
	http10 := line[7] == '0'
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil || status < 100 || status > 999 || (len(line) > 12 && line[12] != ' ') {
		return 0, false, fmt.Errorf("%w: status line %q", errMalformed, truncate(line))
	}
	keepAlive := !http10
	contentLength := int64(-1)
	chunked := false
	for {
		line, err := readLine(br)
		if err != nil {
			return 0, false, err
		}
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return 0, false, fmt.Errorf("%w: header line %q", errMalformed, truncate(line))
		}
		name := line[:colon]
		value := bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 {
				return 0, false, fmt.Errorf("%w: Content-Length %q", errMalformed, truncate(value))
			}
			contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if bytes.Contains(bytes.ToLower(value), []byte("chunked")) {
				chunked = true
			}
		case bytes.EqualFold(name, []byte("Connection")):
			v := bytes.ToLower(value)
			if bytes.Contains(v, []byte("close")) {
				keepAlive = false
			} else if bytes.Contains(v, []byte("keep-alive")) {
				keepAlive = true
			}
		}
	}
	switch {
	case status < 200 || status == 204 || status == 304:
		return status, keepAlive, nil
	case chunked:
		return status, keepAlive, discardChunked(br)
	case contentLength >= 0:
		if _, err := br.Discard(int(contentLength)); err != nil {
			return 0, false, fmt.Errorf("reading body: %w", err)
		}
		return status, keepAlive, nil
	default:
		// The body runs to the end of the connection.
		if _, err := io.Copy(io.Discard, br); err != nil {
			return 0, false, fmt.Errorf("reading body: %w", err)
		}
		return status, false, nil
	}
}

func discardChunked(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, truncate(line))
		}
		if size == 0 {
			// Trailers, then an empty line.
			for {
				t, err := readLine(br)
				if err != nil {
					return err
				}
				if len(t) == 0 {
					return nil
				}
			}
		}
		if _, err := br.Discard(int(size)); err != nil {
			return fmt.Errorf("reading chunk: %w", err)
		}
		crlf, err := readLine(br)
		if err != nil {
			return err
		}
		if len(crlf) != 0 {
			return fmt.Errorf("%w: no CRLF after chunk", errMalformed)
		}
	}
}

// readLine returns one line without its CRLF (or LF). The slice is only
// valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: line longer than %d bytes", errMalformed, br.Size())
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// StatusSummary formats status counts as "200:1234 500:2", sorted by code.
func StatusSummary(statuses map[int]uint64) string {
	codes := make([]int, 0, len(statuses))
	for c := range statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var b bytes.Buffer
	for i, c := range codes {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d:%d", c, statuses[c])
	}
	return b.String()
}
