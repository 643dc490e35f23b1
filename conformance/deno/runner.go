package deno

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DenoVersion is the Deno release the corpus is checked against; `make deno`
// installs it.
const DenoVersion = "2.9.6"

// domain is the edge config's domain; both runtimes get Host <program>.domain,
// so request.url is the same in both.
const domain = "deno.dev"

// FindDeno returns the deno binary: $EDGE_DENO, else the one `make deno`
// installs under conformance/deno/.npm. It returns "" if neither exists.
func FindDeno(suiteDir string) string {
	if p := os.Getenv("EDGE_DENO"); p != "" {
		return p
	}
	var pkg string
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64":
		pkg = "linux-x64-glibc"
	case "linux/arm64":
		pkg = "linux-arm64-glibc"
	case "darwin/amd64":
		pkg = "darwin-x64"
	case "darwin/arm64":
		pkg = "darwin-arm64"
	}
	nm := filepath.Join(suiteDir, ".npm", "node_modules")
	for _, p := range []string{filepath.Join(nm, "@deno", pkg, "deno"), filepath.Join(nm, "deno", "deno")} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Options configures Run.
type Options struct {
	Root     string // repository root (holds go.mod)
	Deno     string // deno binary
	Race     bool   // build edge with -race
	Parallel int    // Deno processes at once; 0 means 3
	// DenoOnly skips edge: the report holds Deno's responses only (to review
	// the corpus against Deno).
	DenoOnly bool
	Logf     func(format string, args ...any)
}

// Response is what one runtime answered, reduced to what is compared.
type Response struct {
	Status int
	Header map[string]string // compared headers, lowercase names
	Body   []byte
	Err    string // the request failed (no response)
}

// Result is one case's outcome.
type Result struct {
	Program string
	Case    Case
	Deno    Response
	Edge    Response
	Diff    string // "" when equal
	EdgeLog string // edge's log lines for the program, when they differ
	DenoLog string // Deno's output, when they differ
	// DeviationKey and Reason are set when deviations.json covers the case.
	DeviationKey string
	Reason       string
}

// Run builds and starts edge, runs every program of c under Deno a few at a
// time, sends each case to both and compares.
func Run(ctx context.Context, c *Corpus, o Options) (*Report, error) {
	if o.Parallel <= 0 {
		o.Parallel = 3
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	work, err := os.MkdirTemp("", "edge-deno-diff-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	rep := &Report{Corpus: c, DenoVersion: denoVersion(o.Deno)}
	var edge *edgeProc
	if !o.DenoOnly {
		start := time.Now()
		bin := filepath.Join(work, "edge")
		args := []string{"build", "-o", bin}
		if o.Race {
			args = append(args, "-race")
		}
		cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/edge")...)
		cmd.Dir = o.Root
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/edge: %v\n%s", err, out)
		}
		edge, err = startEdge(ctx, bin, work, c)
		if err != nil {
			return nil, err
		}
		defer edge.stop()
		logf("edge built and listening on %s after %v", edge.addr, time.Since(start).Round(time.Millisecond))
	}

	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DisableCompression: true, // no Accept-Encoding: Deno would gzip
			DisableKeepAlives:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	denoDir := filepath.Join(work, "deno-dir")
	results := make([][]Result, len(c.Programs))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for i, p := range c.Programs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = runProgram(ctx, client, o.Deno, denoDir, edge, p)
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, r := range rs {
			if r.Diff != "" && edge != nil {
				r.EdgeLog = edge.logFor(r.Program)
			}
			r.DeviationKey, r.Reason = c.deviation(r.Program, r.Case.Name)
			rep.Results = append(rep.Results, r)
		}
	}
	return rep, nil
}

func denoVersion(bin string) string {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// runProgram starts p under Deno, sends every case to Deno and edge, and
// stops Deno.
func runProgram(ctx context.Context, client *http.Client, denoBin, denoDir string, edge *edgeProc, p *Program) []Result {
	results := make([]Result, len(p.Cases))
	for i, cs := range p.Cases {
		results[i] = Result{Program: p.Name, Case: cs}
	}
	host := p.Name + "." + domain
	var edgeDone sync.WaitGroup
	if edge != nil {
		edgeDone.Add(1)
		go func() {
			defer edgeDone.Done()
			for i := range results {
				results[i].Edge = send(ctx, client, edge.addr, host, results[i].Case)
			}
		}()
	}
	denoLog := askDeno(ctx, client, denoBin, denoDir, p, host, results)
	edgeDone.Wait()
	for i := range results {
		if edge != nil {
			results[i].Diff = compare(results[i].Case, results[i].Deno, results[i].Edge)
		}
		// Deno's own console output and uncaught errors help explain a
		// difference (or a corpus bug).
		if results[i].Diff != "" || edge == nil {
			results[i].DenoLog = denoLog
		}
	}
	return results
}

// askDeno sends every case to p running under Deno and stores the answers
// in results[i].Deno; it returns the tail of Deno's output.
func askDeno(ctx context.Context, client *http.Client, denoBin, denoDir string, p *Program, host string, results []Result) string {
	d, err := startDeno(ctx, denoBin, denoDir, p)
	if err != nil {
		for i := range results {
			results[i].Deno = Response{Err: err.Error()}
		}
		return ""
	}
	for i := range results {
		results[i].Deno = send(ctx, client, d.addr, host, results[i].Case)
	}
	d.stop()
	return tail(d.output(), 20)
}

// addrInUse reports whether Deno's output says its port was taken.
func addrInUse(out string) bool {
	return strings.Contains(out, "AddrInUse") || strings.Contains(out, "already in use")
}

func anyDiff(rs []Result) bool {
	for _, r := range rs {
		if r.Diff != "" {
			return true
		}
	}
	return false
}

// comparedHeaders are the response headers compared besides every x-*
// header. date, server, content-length, transfer-encoding, vary and
// connection are never compared: they belong to the HTTP server, not to the
// program's Response.
var comparedHeaders = []string{
	"content-type", "location", "set-cookie", "content-disposition",
	"cache-control", "etag", "www-authenticate", "content-language",
}

func compareHeader(name string) bool {
	if strings.HasPrefix(name, "x-") {
		return true
	}
	for _, h := range comparedHeaders {
		if h == name {
			return true
		}
	}
	return false
}

var boundaryRE = regexp.MustCompile(`(?i)^multipart/form-data;\s*boundary="?([^";]+)"?`)

// send sends cs to addr with the given Host header.
func send(ctx context.Context, client *http.Client, addr, host string, cs Case) Response {
	var body io.Reader
	if cs.Body != "" {
		body = strings.NewReader(cs.Body)
	}
	req, err := http.NewRequestWithContext(ctx, cs.Method, "http://"+addr+cs.Path, body)
	if err != nil {
		return Response{Err: err.Error()}
	}
	req.Host = host
	for k, v := range cs.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{Err: "request failed: " + err.Error()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	r := Response{Status: resp.StatusCode, Header: map[string]string{}, Body: b}
	if err != nil {
		r.Err = "reading the body: " + err.Error()
	}
	for k, vs := range resp.Header {
		name := strings.ToLower(k)
		if !compareHeader(name) {
			continue
		}
		sep := ", "
		if name == "set-cookie" {
			sep = "\n"
		}
		r.Header[name] = strings.Join(vs, sep)
	}
	// A multipart body's boundary is random: replace it in both places.
	if m := boundaryRE.FindStringSubmatch(r.Header["content-type"]); m != nil {
		r.Header["content-type"] = strings.Replace(r.Header["content-type"], m[1], "BOUNDARY", 1)
		r.Body = bytes.ReplaceAll(r.Body, []byte(m[1]), []byte("BOUNDARY"))
	}
	return r
}

// process is a started child with its combined output kept.
type process struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}

	mu  sync.Mutex
	out bytes.Buffer
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out.Len() < 1<<20 {
		p.out.Write(b)
	}
	return len(b), nil
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// stop kills the process group and waits for the process.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// handedOut are the ports freePort has returned in this process: the
// kernel may offer a port again as soon as its probe closes, and three
// programs start at once.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePort returns a loopback port that was free a moment ago and that no
// earlier call returned.
func freePort() (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return port, nil
		}
	}
}

// startDeno runs p under Deno on a free port and waits until it accepts
// connections. Export-default modules run with `deno serve --port`;
// Deno.serve modules with `deno run` and DENO_SERVE_ADDRESS, which overrides
// the address Deno.serve binds (even an explicit port in its options), so
// both runtimes run the unmodified file. Nothing is downloaded: remote and
// npm imports are refused.
func startDeno(ctx context.Context, bin, denoDir string, p *Program) (*process, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		args := []string{"run"}
		if p.DefaultExport {
			args = []string{"serve", "--port", strconv.Itoa(port), "--host", "127.0.0.1"}
		}
		args = append(args, "--no-config", "--no-remote", "--no-npm", "--allow-net", "--allow-env")
		var kvPath string
		if p.KV {
			// A fresh store per start, inside the run's work directory.
			dir, err := os.MkdirTemp(filepath.Dir(denoDir), "kv-"+p.Name+"-")
			if err != nil {
				return nil, err
			}
			kvPath = filepath.Join(dir, "kv.sqlite")
			args = append(args, "--unstable-kv", "--allow-read="+dir, "--allow-write="+dir)
		}
		args = append(args, p.Path)
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + os.Getenv("HOME"),
			"DENO_DIR=" + denoDir,
			"DENO_NO_UPDATE_CHECK=1",
			"NO_COLOR=1",
			"DENO_SERVE_ADDRESS=tcp:" + addr,
		}
		for k, v := range p.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if kvPath != "" {
			cmd.Env = append(cmd.Env, "KV_PATH="+kvPath)
		}
		cmd.Dir = filepath.Dir(p.Path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		proc := &process{cmd: cmd, addr: addr, done: make(chan struct{})}
		cmd.Stdout, cmd.Stderr = proc, proc
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("starting deno: %w", err)
		}
		go func() { _ = cmd.Wait(); close(proc.done) }()
		lastErr = waitListening(ctx, proc, 30*time.Second)
		if lastErr == nil {
			return proc, nil
		}
		proc.stop()
		if !addrInUse(proc.output()) {
			break
		}
	}
	return nil, lastErr
}

// waitListening polls p's address until it accepts a connection.
func waitListening(ctx context.Context, p *process, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("deno exited before listening:\n%s", tail(p.output(), 20))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if c, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			c.Close()
			// Another process may have taken the port before Deno bound
			// it: then Deno exits with "address in use", and its cases
			// must not go to that process.
			if mine, err := listensOn(p.cmd.Process.Pid, p.addr); err != nil || mine {
				return nil
			}
		}
		time.Sleep(30 * time.Millisecond)
	}
	return fmt.Errorf("deno did not listen on %s within %v:\n%s", p.addr, timeout, tail(p.output(), 20))
}

// edgeProc is the one edge process serving every program.
type edgeProc struct {
	*process
}

var listeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

// edgeConfig is the generated edge.yaml: every program as a worker project
// with one VM (the corpus is small and the machine may be too).
func edgeConfig(c *Corpus) string {
	var b strings.Builder
	fmt.Fprintf(&b, "domain: %s\nworkers:\n  instances: 1\nlimits:\n  request_timeout: 20s\nprojects:\n", domain)
	for _, p := range c.Programs {
		fmt.Fprintf(&b, "  - name: %s\n    entry: %s\n    kind: worker\n", p.Name, strconv.Quote(p.Path))
		if len(p.Env) > 0 {
			b.WriteString("    env:\n")
			keys := make([]string, 0, len(p.Env))
			for k := range p.Env {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "      %s: %s\n", k, strconv.Quote(p.Env[k]))
			}
		}
	}
	return b.String()
}

func startEdge(ctx context.Context, bin, work string, c *Corpus) (*edgeProc, error) {
	config := filepath.Join(work, "edge.yaml")
	if err := os.WriteFile(config, []byte(edgeConfig(c)), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "dev", "--config", config, "--data", filepath.Join(work, "edge-data"), "--listen", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	e := &edgeProc{&process{cmd: cmd, done: make(chan struct{})}}
	cmd.Stdout = e.process
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			_, _ = e.Write([]byte(line + "\n"))
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(e.done)
	}()
	select {
	case e.addr = <-addr:
		return e, nil
	case <-e.done:
		return nil, fmt.Errorf("edge exited before listening:\n%s", tail(e.output(), 40))
	case <-time.After(120 * time.Second):
		e.stop()
		return nil, errors.New("edge did not log `msg=listening` within 120s:\n" + tail(e.output(), 40))
	case <-ctx.Done():
		e.stop()
		return nil, ctx.Err()
	}
}

// logFor returns edge's log lines about project name (its console output and
// handler errors), at most 15.
func (e *edgeProc) logFor(name string) string {
	var lines []string
	for _, l := range strings.Split(e.output(), "\n") {
		if strings.Contains(l, "project="+name+" ") || strings.HasSuffix(l, "project="+name) {
			lines = append(lines, l)
		}
	}
	return tail(strings.Join(lines, "\n"), 15)
}
