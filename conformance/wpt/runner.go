// Package wpt runs Web Platform Tests (`*.any.js` files) inside edge's own
// JavaScript runtime, with edge's own implementation of the testharness.js
// API (testharness.js in this directory), and compares the results with an
// expectations file. TestWPT and the command ./cmd/wpt share this code.
//
// Each test file (once per `// META: variant=`) runs in a fresh instance
// started with jsvm.StartScripts, as a classic script after the harness and
// its `// META: script=` dependencies. The global object looks like a
// window-less, worker-less web global: self === globalThis, location is the
// test's URL under http://wpt.test/, and GLOBAL.isWindow(), isWorker() and
// isShadowRealm() are all false, so tests take their generic (non-window)
// paths and never call importScripts or postMessage.
package wpt

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/edge-platform/edge/jsvm"
)

//go:embed testharness.js
var harnessJS string

// Origin is the origin test files are served from: location.href of
// url/url-constructor.any.js is http://wpt.test/url/url-constructor.any.js.
const Origin = "http://wpt.test"

// Subtest statuses, as testharness.js names them.
const (
	Pass               = "PASS"
	Fail               = "FAIL"
	Timeout            = "TIMEOUT"
	NotRun             = "NOTRUN"
	PreconditionFailed = "PRECONDITION_FAILED"
)

// Harness statuses of a whole file.
const (
	HarnessOK      = "OK"
	HarnessError   = "ERROR"
	HarnessTimeout = "TIMEOUT"
)

// TestFile is one `*.any.js` file and what its META comments ask for.
type TestFile struct {
	// Path is slash-separated and relative to the WPT directory.
	Path string
	// Scripts are the META script dependencies, relative to the WPT directory, in order.
	Scripts []string
	// Variants are the META variant query strings ("?1-1000"); one empty
	// variant when the file declares none.
	Variants []string
	// Long is true for `// META: timeout=long`.
	Long bool
	// Title is `// META: title=`, the default name of unnamed tests.
	Title string
}

// ID names one run of a file: its path plus the variant.
func ID(file, variant string) string { return file + variant }

// Subtest is one test() / async_test() / promise_test() result.
type Subtest struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Result is the outcome of one file run (one variant).
type Result struct {
	File    string
	Variant string
	// Harness is OK, ERROR (a script threw at top level or an exception
	// escaped a test) or TIMEOUT (the file ran out of time).
	Harness        string
	HarnessMessage string
	Subtests       []Subtest
	Duration       time.Duration
}

// ID is File+Variant.
func (r Result) ID() string { return ID(r.File, r.Variant) }

// Passed counts the passing subtests.
func (r Result) Passed() int {
	n := 0
	for _, s := range r.Subtests {
		if s.Status == Pass {
			n++
		}
	}
	return n
}

// DefaultDir is where the shared WPT data lives relative to the repository
// root: the directory beside the repository's checkout.
const DefaultDir = "../shared/conformance/wpt"

// Discover lists every `*.any.js` file under dir, sorted by path, with its
// META comments parsed.
func Discover(dir string) ([]TestFile, error) {
	var files []TestFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".any.js") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, ParseMeta(filepath.ToSlash(rel), src))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discovering WPT files under %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// ParseMeta reads the `// META: key=value` lines at the top of a test file.
// rel is the file's slash-separated path relative to the WPT directory.
func ParseMeta(rel string, src []byte) TestFile {
	tf := TestFile{Path: rel}
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(line, "// META:")
		if !ok {
			if strings.HasPrefix(line, "//") {
				continue
			}
			break
		}
		key, value, _ := strings.Cut(strings.TrimSpace(rest), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "script":
			if strings.HasPrefix(value, "/") {
				tf.Scripts = append(tf.Scripts, path.Clean(strings.TrimPrefix(value, "/")))
			} else {
				tf.Scripts = append(tf.Scripts, path.Join(path.Dir(rel), value))
			}
		case "variant":
			tf.Variants = append(tf.Variants, value)
		case "timeout":
			tf.Long = value == "long"
		case "title":
			tf.Title = value
		}
		// global= and anything else are ignored: every file runs in the one
		// global edge offers.
	}
	if len(tf.Variants) == 0 {
		tf.Variants = []string{""}
	}
	return tf
}

// Runner runs test files from Dir.
type Runner struct {
	Dir string
	// Timeout bounds one file run (default 20s); LongTimeout is for
	// `// META: timeout=long` files (default 60s).
	Timeout     time.Duration
	LongTimeout time.Duration
	// TestTimeout bounds one async_test or promise_test (default 10s; three
	// times that for long files), so one hanging test does not take the
	// rest of its file with it.
	TestTimeout time.Duration
}

func (r *Runner) timeouts(tf TestFile) (file, test time.Duration) {
	file, test = r.Timeout, r.TestTimeout
	if file == 0 {
		file = 20 * time.Second
	}
	if test == 0 {
		test = 10 * time.Second
	}
	if tf.Long {
		file = r.LongTimeout
		if file == 0 {
			file = 60 * time.Second
		}
		test *= 3
	}
	return file, test
}

// uncaughtHandler turns the runtime's "uncaught exception" and "unhandled
// promise rejection" log records into harness errors (testharness.js in a
// browser sees them as error and unhandledrejection events).
type uncaughtHandler struct {
	report func(msg string)
}

func (h uncaughtHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h uncaughtHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h uncaughtHandler) WithGroup(string) slog.Handler                { return h }
func (h uncaughtHandler) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != "uncaught exception" && rec.Message != "unhandled promise rejection" {
		return nil
	}
	msg := rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "stack" {
			msg += ": " + firstLine(a.Value.String())
			return false
		}
		return true
	})
	h.report(msg)
	return nil
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// Run runs one variant of a file in a fresh instance. It never hangs past
// the file's timeout (plus a few seconds to collect what is known) and
// never returns an error: problems become the harness status.
func (r *Runner) Run(ctx context.Context, tf TestFile, variant string) Result {
	start := time.Now()
	res := r.run(ctx, tf, variant)
	res.File, res.Variant, res.Duration = tf.Path, variant, time.Since(start)
	dedupe(res.Subtests)
	return res
}

func (r *Runner) run(ctx context.Context, tf TestFile, variant string) Result {
	fileTimeout, testTimeout := r.timeouts(tf)
	ctx, cancel := context.WithTimeout(ctx, fileTimeout)
	defer cancel()

	errs := make(chan string, 16)
	logger := slog.New(uncaughtHandler{report: func(msg string) {
		select {
		case errs <- msg:
		default: // enough errors already queued to make the harness status ERROR
		}
	}})
	cfg := jsvm.Config{
		Project: "wpt", Instance: tf.Path + variant, Logger: logger,
		Fetcher: &fileFetcher{dir: r.Dir},
		Limits:  jsvm.Limits{MaxTurn: fileTimeout},
	}
	in, err := jsvm.StartScripts(ctx, cfg, jsvm.ScriptOptions{Location: Origin + "/" + tf.Path + variant})
	if err != nil {
		return Result{Harness: HarnessError, HarnessMessage: "starting the instance: " + err.Error()}
	}
	defer in.Close()

	reports := make(chan string, 1)
	if err := in.Expose("__wpt_report", func(args ...any) {
		if len(args) == 1 {
			if s, ok := args[0].(string); ok {
				select {
				case reports <- s:
				default:
				}
			}
		}
	}); err != nil {
		return Result{Harness: HarnessError, HarnessMessage: "exposing the report function: " + err.Error()}
	}
	title := tf.Title
	if title == "" {
		title = path.Base(tf.Path)
	}
	cfgJSON, _ := json.Marshal(map[string]any{"testTimeout": testTimeout.Milliseconds(), "title": title})
	preamble := "globalThis.__wpt_config = " + string(cfgJSON) + ";\n" + preambleJS
	for _, s := range []struct{ name, src string }{{"wpt:preamble.js", preamble}, {Origin + "/resources/testharness.js", harnessJS}} {
		if err := in.RunScript(ctx, s.name, s.src); err != nil {
			return Result{Harness: HarnessError, HarnessMessage: "loading the harness: " + err.Error()}
		}
	}

	// Forward uncaught errors to the harness as they come.
	forwardDone := make(chan struct{})
	defer func() { <-forwardDone }()
	fwdCtx, fwdCancel := context.WithCancel(ctx)
	defer fwdCancel()
	go func() {
		defer close(forwardDone)
		for {
			select {
			case msg := <-errs:
				_ = in.RunScript(fwdCtx, "wpt:error.js", "__wpt_harness.scriptError("+jsString(msg)+")")
			case <-fwdCtx.Done():
				return
			}
		}
	}()

	loadFailed := false
	for _, script := range append(append([]string{}, tf.Scripts...), tf.Path) {
		if err := r.load(ctx, in, script); err != nil {
			if ctx.Err() != nil {
				break
			}
			_ = in.RunScript(ctx, "wpt:error.js", "__wpt_harness.scriptError("+jsString(describeLoadError(err))+")")
			loadFailed = true
			break
		}
	}
	// A file that stopped loading will never call done() itself.
	_ = in.RunScript(ctx, "wpt:loaded.js", fmt.Sprintf("__wpt_harness.loaded(%t)", loadFailed))

	var raw string
	select {
	case raw = <-reports:
	case <-ctx.Done():
		// Out of time: ask the harness for what it knows, briefly.
		grace, cancelGrace := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelGrace()
		_ = in.RunScript(grace, "wpt:timeout.js", "__wpt_harness.timeout()")
		select {
		case raw = <-reports:
		case <-grace.Done():
			return Result{Harness: HarnessTimeout, HarnessMessage: fmt.Sprintf(
				"the file did not finish within %s and the harness did not answer (a JavaScript turn may be stuck)", fileTimeout)}
		}
	}
	var rep struct {
		Status  string    `json:"status"`
		Message *string   `json:"message"`
		Tests   []Subtest `json:"tests"`
	}
	if err := json.Unmarshal([]byte(raw), &rep); err != nil {
		return Result{Harness: HarnessError, HarnessMessage: "reading the harness report: " + err.Error()}
	}
	res := Result{Harness: rep.Status, Subtests: rep.Tests}
	if rep.Message != nil {
		res.HarnessMessage = *rep.Message
	}
	if res.Harness == HarnessTimeout && res.HarnessMessage == "" {
		res.HarnessMessage = fmt.Sprintf("the file did not finish within %s", fileTimeout)
	}
	return res
}

// preambleJS sets up the globals tests expect from a web global that the
// runtime does not define itself.
const preambleJS = `
if (typeof globalThis.self === "undefined") {
  Object.defineProperty(globalThis, "self", { value: globalThis, writable: true, configurable: true });
}
Object.defineProperty(globalThis, "GLOBAL", { value: Object.freeze({
  isWindow() { return false; },
  isWorker() { return false; },
  isShadowRealm() { return false; },
}), writable: true, configurable: true });
`

// describeLoadError names an exception thrown at the top level of a script
// and where it was thrown.
func describeLoadError(err error) string {
	var se *jsvm.ScriptError
	if !errors.As(err, &se) {
		return err.Error()
	}
	msg := "uncaught exception: " + se.Message
	for _, line := range strings.Split(se.Stack, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "at ") {
			msg += " (" + line + ")"
			break
		}
	}
	return msg
}

// load runs one script of the file (a META dependency or the test itself).
func (r *Runner) load(ctx context.Context, in *jsvm.Instance, rel string) error {
	src, err := os.ReadFile(filepath.Join(r.Dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("loading script %s: %w (is it missing from %s?)", rel, err, r.Dir)
	}
	return in.RunScript(ctx, Origin+"/"+rel, string(src))
}

// dedupe makes subtest names unique (expectations are keyed by name): a
// repeated name gets " (duplicate N)".
func dedupe(subs []Subtest) {
	seen := map[string]int{}
	for i := range subs {
		n := subs[i].Name
		seen[n]++
		if c := seen[n]; c > 1 {
			subs[i].Name = fmt.Sprintf("%s (duplicate %d)", n, c)
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fileFetcher serves fetch() from the WPT directory: http://wpt.test/<path>
// is <dir>/<path>. Missing files are 404; other hosts are refused.
type fileFetcher struct{ dir string }

func (f *fileFetcher) Fetch(_ context.Context, req *jsvm.Request) (*jsvm.Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme+"://"+u.Host != Origin {
		return nil, fmt.Errorf("the WPT runner serves only %s; %s is not reachable", Origin, req.URL)
	}
	resp := &jsvm.Response{Header: http.Header{}, URL: req.URL}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		resp.Status, resp.StatusText = http.StatusMethodNotAllowed, "Method Not Allowed"
		return resp, nil
	}
	rel := path.Clean("/" + u.Path)
	body, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(strings.TrimPrefix(rel, "/"))))
	if err != nil {
		resp.Status, resp.StatusText = http.StatusNotFound, "Not Found"
		resp.Body = []byte("not found: " + rel)
		resp.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		return resp, nil
	}
	ct := mime.TypeByExtension(path.Ext(rel))
	if ct == "" {
		ct = "application/octet-stream"
	}
	resp.Status, resp.StatusText = http.StatusOK, "OK"
	resp.Header.Set("Content-Type", ct)
	if req.Method == http.MethodGet {
		resp.Body = body
	}
	return resp, nil
}

// Job is one file variant to run.
type Job struct {
	File    TestFile
	Variant string
}

// Jobs expands files into one job per variant, keeping those whose ID
// matches filter (nil: all).
func Jobs(files []TestFile, filter *regexp.Regexp) []Job {
	var jobs []Job
	for _, f := range files {
		for _, v := range f.Variants {
			if filter == nil || filter.MatchString(ID(f.Path, v)) {
				jobs = append(jobs, Job{f, v})
			}
		}
	}
	return jobs
}

// RunAll runs jobs with at most parallel at a time and returns the results
// in job order. onResult, if set, is called as each finishes (serially).
func (r *Runner) RunAll(ctx context.Context, jobs []Job, parallel int, onResult func(Result)) []Result {
	if parallel < 1 {
		parallel = 1
	}
	results := make([]Result, len(jobs))
	sem := make(chan struct{}, parallel)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := r.Run(ctx, j.File, j.Variant)
			results[i] = res
			if onResult != nil {
				mu.Lock()
				onResult(res)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results
}
