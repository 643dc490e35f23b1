package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// edgeBin is the edge binary built once for the end-to-end tests.
var edgeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "edge-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	edgeBin = filepath.Join(dir, "edge")
	args := []string{"build", "-o", edgeBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building edge:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running edge process.
type proc struct {
	t         testing.TB
	cmd       *exec.Cmd
	addr      string
	adminAddr string // "" unless the admin API is on

	mu        sync.Mutex
	stderr    strings.Builder
	done      chan struct{}
	listening chan string // the public address, once logged
}

var (
	listeningRE      = regexp.MustCompile(`msg=listening addr=(\S+)`)
	adminListeningRE = regexp.MustCompile(`msg="admin API listening" addr=(\S+)`)
)

// startEdge runs `edge dev` with config and dataDir on a free port and
// waits until it is listening.
func startEdge(t testing.TB, config, dataDir string, extra ...string) *proc {
	t.Helper()
	return startEdgeCmd(t, "dev", config, dataDir, extra...)
}

// startEdgeCmd runs `edge <command>` (dev or serve) with config and dataDir
// on free ports (public, and admin when the config turns it on) and waits
// until it is listening. A --listen in extra overrides the free port.
func startEdgeCmd(t testing.TB, command, config, dataDir string, extra ...string) *proc {
	t.Helper()
	p := spawnEdge(t, append([]string{command, "--config", config, "--data", dataDir, "--listen", "127.0.0.1:0"}, extra...)...)
	p.waitListening()
	return p
}

// spawnEdge starts `edge args...` without waiting for it: several nodes can
// start at once, each then waited for with waitListening. The process is
// killed when the test ends.
func spawnEdge(t testing.TB, args ...string) *proc {
	t.Helper()
	return spawnCmd(t, exec.Command(edgeBin, args...))
}

// spawnCmd is spawnEdge for a command that runs edge (through a wrapper,
// or with another environment).
func spawnCmd(t testing.TB, cmd *exec.Cmd) *proc {
	t.Helper()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, done: make(chan struct{}), listening: make(chan string, 1)}
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			// The address before the line: admin() waits for the line
			// and then reads the address.
			if m := adminListeningRE.FindStringSubmatch(line); m != nil {
				p.adminAddr = m[1]
			}
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case p.listening <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// waitListening waits until the process logs its public address.
func (p *proc) waitListening() {
	p.t.Helper()
	select {
	case p.addr = <-p.listening:
	case <-p.done:
		p.t.Fatalf("edge exited before listening:\n%s", p.logs())
	case <-time.After(60 * time.Second):
		p.t.Fatalf("edge did not start listening within 60s:\n%s", p.logs())
	}
}

// admin waits for the admin API's address (logged after the public one).
func (p *proc) admin() string {
	p.t.Helper()
	p.waitLog("admin API listening")
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.adminAddr
}

func (p *proc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// kill sends SIGKILL: no graceful shutdown, as in a crash.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// signal sends sig (SIGSTOP, SIGCONT, ...) to the process.
func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("sending %v: %v", sig, err)
	}
}

// waitLog polls the logs until they contain s.
func (p *proc) waitLog(s string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(p.logs(), s) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("logs never contained %q:\n%s", s, p.logs())
}

// waitFor polls the logs until ok says so.
func (p *proc) waitFor(ok func(logs string) bool, what string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ok(p.logs()) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("logs never showed %s:\n%s", what, p.logs())
}

// get sends a request with the given Host header and returns status and body.
func (p *proc) do(method, host, path, body string) (int, string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+p.addr+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s%s: %v\nlogs:\n%s", method, host, path, err, p.logs())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// doHeaders is do with request headers, returning the response headers too.
func (p *proc) doHeaders(method, host, path, body string, header http.Header) (int, http.Header, string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+p.addr+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s%s: %v\nlogs:\n%s", method, host, path, err, p.logs())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func (p *proc) get(host, path string) (int, string) {
	p.t.Helper()
	return p.do("GET", host, path, "")
}

// expect asserts one GET's status and body.
func (p *proc) expect(host, path string, status int, body string) {
	p.t.Helper()
	gotStatus, gotBody := p.get(host, path)
	if gotStatus != status || gotBody != body {
		p.t.Fatalf("GET %s%s = %d %q, want %d %q\nlogs:\n%s", host, path, gotStatus, gotBody, status, body, p.logs())
	}
}

// writeProject writes files (path -> contents) into a new directory and
// returns the path of its edge.yaml, which is files["edge.yaml"].
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "edge.yaml")
}

// runEdge runs edge to completion (for commands expected to fail fast).
func runEdge(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return runCmd(t, exec.Command(edgeBin, args...))
}

// runCmd runs cmd (which runs edge) to its end and returns its exit code
// and output, failing the test if it has not exited within 60s.
func runCmd(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not exit within 60s:\n%s", cmd.Args, out.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String()
}
