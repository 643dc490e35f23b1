package main

import (
	"bufio"
	"context"
	"encoding/json"
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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// target is where a scenario's requests go.
type target struct {
	Addr string // 127.0.0.1:port
	Host string // Host header
	Path string
}

// proc is one started server process; its stdout and stderr go to a log file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// server is one runtime under test: its processes and where each scenario is
// served.
type server struct {
	name    string
	procs   []*proc
	targets map[string]target
	// ackedIncrements counts the 2xx answers to /increment so far.
	ackedIncrements uint64
	// pprofAddr, for an edge started for idle-memory, is where it serves
	// Go's profiler (EDGE_PPROF), used to force a GC and read the live heap.
	pprofAddr string
}

func (s *server) pids() []int {
	var pids []int
	for _, p := range s.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}

// exited reports the first process of s that has exited, with the tail of
// its log.
func (s *server) exited() error {
	for _, p := range s.procs {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v); last log lines:\n%s", p.name, p.waitErr, tailFile(p.logPath, 15))
		default:
		}
	}
	return nil
}

func (s *server) stop() {
	for _, p := range s.procs {
		p.stop()
	}
}

// startProc starts a process in its own process group, logging to logPath.
// If lines is non-nil, every stderr line is also sent to it (until the
// channel's reader stops caring: sends never block).
func startProc(name, logPath string, lines chan<- string, dir string, env []string, bin string, args ...string) (*proc, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout = logf
	var pipe io.ReadCloser
	if lines != nil {
		pipe, err = cmd.StderrPipe()
		if err != nil {
			logf.Close()
			return nil, err
		}
	} else {
		cmd.Stderr = logf
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	var copied sync.WaitGroup
	if pipe != nil {
		copied.Add(1)
		go func() {
			defer copied.Done()
			sc := bufio.NewScanner(pipe)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				line := sc.Text()
				fmt.Fprintln(logf, line)
				select {
				case lines <- line:
				default:
				}
			}
		}()
	}
	go func() {
		copied.Wait()
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM to the process group, then SIGKILL after 5 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	}
}

// freePort asks the kernel for an unused loopback port. Another process could
// take it before the server binds it; the readiness check would then fail
// with a clear message.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// twoFreePorts picks the ports of a runtime's hello and app listeners.
func twoFreePorts() (int, int, error) {
	a, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	b, err := freePort()
	return a, b, err
}

// waitHTTP polls addr until it answers any HTTP response, the process exits,
// or the timeout passes.
func waitHTTP(ctx context.Context, s *server, addr, host string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for time.Now().Before(deadline) {
		if err := s.exited(); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
		req.Host = host
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer on %s within %v: %v", s.name, addr, timeout, last)
}

var listeningRE = regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)

// startFunc starts a fresh copy of one runtime. tag "" is the copy shared by
// the load scenarios; another tag gets its own data and log directories
// (work/<tag>, logs/<tag>). idle, if not 0, is edge's
// coordinators.idle_timeout (the other runtimes have no such setting).
type startFunc func(ctx context.Context, tag string, idle time.Duration) (*server, error)

// edgeConfig returns the benchmark config with coordinators.idle_timeout set
// to idle: edge.yaml has no coordinators section, so one is added on top.
func edgeConfig(base []byte, idle time.Duration) []byte {
	head := fmt.Sprintf("# Generated by go run ./loadtest from edge.yaml.\ncoordinators:\n  idle_timeout: %s\n", idle)
	return append([]byte(head), base...)
}

// startEdge runs `edge dev` with the benchmark config at config. With
// pprof, it also serves Go's profiler on a free loopback port.
func startEdge(ctx context.Context, bin, config, work, logs string, pprof bool) (*server, error) {
	s := &server{name: "edge", targets: map[string]target{}}
	var env []string
	if pprof {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s.pprofAddr = fmt.Sprintf("127.0.0.1:%d", port)
		env = append(env, "EDGE_PPROF="+s.pprofAddr)
	}
	data := filepath.Join(work, "edge-data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	lines := make(chan string, 256)
	p, err := startProc("edge", filepath.Join(logs, "edge.log"), lines, work, env, bin,
		"dev", "--config", config, "--listen", "127.0.0.1:0", "--data", data)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	timer := time.NewTimer(60 * time.Second)
	defer timer.Stop()
	var addr string
	for addr == "" {
		select {
		case line := <-lines:
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				addr = m[1]
			}
		case <-p.done:
			return s, fmt.Errorf("edge exited before listening (%v); last log lines:\n%s", p.waitErr, tailFile(p.logPath, 15))
		case <-timer.C:
			return s, fmt.Errorf("edge logged no `msg=listening addr=` line within 60s; last log lines:\n%s", tailFile(p.logPath, 15))
		case <-ctx.Done():
			return s, ctx.Err()
		}
	}
	s.targets["hello"] = target{addr, "hello.deno.dev", "/"}
	s.targets["read"] = target{addr, "bench.deno.dev", "/read"}
	s.targets["increment"] = target{addr, "bench.deno.dev", "/increment"}
	s.targets["spread"] = target{addr, "bench.deno.dev", "/spread"}
	s.targets["create"] = target{addr, "bench.deno.dev", "/create/"}
	return s, waitHTTP(ctx, s, addr, "hello.deno.dev", 30*time.Second)
}

// startDeno runs two Deno processes: hello.js, and app.js with Deno KV.
func startDeno(ctx context.Context, bin, assets, work, logs string) (*server, error) {
	s := &server{name: "deno", targets: map[string]target{}}
	env := []string{"DENO_DIR=" + filepath.Join(work, "deno-dir"), "DENO_NO_UPDATE_CHECK=1", "NO_COLOR=1"}
	kvDir := filepath.Join(work, "deno-kv")
	if err := os.MkdirAll(kvDir, 0o755); err != nil {
		return nil, err
	}
	helloPort, appPort, err := twoFreePorts()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(assets, "deno")
	p, err := startProc("deno hello.js", filepath.Join(logs, "deno-hello.log"), nil, dir, env, bin,
		"run", "-A", "hello.js", strconv.Itoa(helloPort))
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	p, err = startProc("deno app.js", filepath.Join(logs, "deno-app.log"), nil, dir, env, bin,
		"run", "-A", "--unstable-kv", "app.js", strconv.Itoa(appPort), filepath.Join(kvDir, "kv.sqlite3"))
	if err != nil {
		return s, err
	}
	s.procs = append(s.procs, p)
	helloAddr := fmt.Sprintf("127.0.0.1:%d", helloPort)
	appAddr := fmt.Sprintf("127.0.0.1:%d", appPort)
	return s, s.serveSplit(ctx, helloAddr, appAddr)
}

// serveSplit points the scenarios at a runtime that serves hello-world on
// one listener and the app on another (Deno and workerd), and waits for both.
func (s *server) serveSplit(ctx context.Context, helloAddr, appAddr string) error {
	s.targets["hello"] = target{helloAddr, helloAddr, "/"}
	s.targets["read"] = target{appAddr, appAddr, "/read"}
	s.targets["increment"] = target{appAddr, appAddr, "/increment"}
	s.targets["spread"] = target{appAddr, appAddr, "/spread"}
	s.targets["create"] = target{appAddr, appAddr, "/create/"}
	if err := waitHTTP(ctx, s, helloAddr, helloAddr, 60*time.Second); err != nil {
		return err
	}
	return waitHTTP(ctx, s, appAddr, appAddr, 60*time.Second)
}

// startWorkerd runs `workerd serve config.capnp` with both sockets and the
// Durable Object storage directory overridden.
func startWorkerd(ctx context.Context, bin, assets, work, logs string) (*server, error) {
	s := &server{name: "workerd", targets: map[string]target{}}
	doDir := filepath.Join(work, "workerd-do")
	if err := os.MkdirAll(doDir, 0o755); err != nil {
		return nil, err
	}
	helloPort, appPort, err := twoFreePorts()
	if err != nil {
		return nil, err
	}
	helloAddr := fmt.Sprintf("127.0.0.1:%d", helloPort)
	appAddr := fmt.Sprintf("127.0.0.1:%d", appPort)
	dir := filepath.Join(assets, "workerd")
	p, err := startProc("workerd", filepath.Join(logs, "workerd.log"), nil, dir, nil, bin,
		"serve", "config.capnp",
		"--socket-addr", "hello="+helloAddr,
		"--socket-addr", "app="+appAddr,
		"--directory-path", "do-storage="+doDir)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	return s, s.serveSplit(ctx, helloAddr, appAddr)
}

// npmPlatform names the platform packages that deno and workerd install
// through optionalDependencies.
func npmPlatform() (deno, workerd string) {
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64":
		return "@deno/linux-x64-glibc", "@cloudflare/workerd-linux-64"
	case "linux/arm64":
		return "@deno/linux-arm64-glibc", "@cloudflare/workerd-linux-arm64"
	case "darwin/amd64":
		return "@deno/darwin-x64", "@cloudflare/workerd-darwin-64"
	case "darwin/arm64":
		return "@deno/darwin-arm64", "@cloudflare/workerd-darwin-arm64"
	}
	return "", ""
}

// findNpmBinary returns the path of the deno or workerd executable installed
// under the npm prefix dir, or "". The platform package's binary is
// preferred: the top-level package's launcher may be a node script.
func findNpmBinary(dir, name string) string {
	nm := filepath.Join(dir, "node_modules")
	denoPkg, workerdPkg := npmPlatform()
	var cands []string
	switch name {
	case "deno":
		if denoPkg != "" {
			cands = append(cands, filepath.Join(nm, denoPkg, "deno"))
		}
		cands = append(cands, filepath.Join(nm, "deno", "deno"))
	case "workerd":
		if workerdPkg != "" {
			cands = append(cands, filepath.Join(nm, workerdPkg, "bin", "workerd"))
		}
		cands = append(cands, filepath.Join(nm, "workerd", "bin", "workerd"))
	}
	return firstExecutable(cands)
}

func firstExecutable(paths []string) string {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
			return p
		}
	}
	return ""
}

// npmInstall installs the given packages ("name" -> version) into npmDir with
// a generated package.json (no lock file). It returns npm's output tail on
// failure.
func npmInstall(ctx context.Context, npmDir string, pkgs map[string]string) error {
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("npm is not on PATH")
	}
	if err := os.MkdirAll(npmDir, 0o755); err != nil {
		return err
	}
	manifest := map[string]any{
		"name":         "edge-loadtest-runtimes",
		"private":      true,
		"description":  "Generated by go run ./loadtest: the runtimes edge is compared with.",
		"dependencies": pkgs,
	}
	b, _ := json.MarshalIndent(manifest, "", "  ")
	if err := os.WriteFile(filepath.Join(npmDir, "package.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--prefix", npmDir, "--no-package-lock", "--no-audit", "--no-fund")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm install %v: %w\n%s", pkgs, err, tailString(string(out), 20))
	}
	return nil
}

// versionOf runs `bin --version` and returns its first line.
func versionOf(ctx context.Context, bin string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if len(args) == 0 {
		args = []string{"--version"}
	}
	out, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return tailString(string(b), n)
}

func tailString(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
