package wpt

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// runTestdata runs one synthetic file from testdata/ with short timeouts.
func runTestdata(t *testing.T, rel, variant string) Result {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Dir: "testdata", Timeout: 4 * time.Second, LongTimeout: 6 * time.Second, TestTimeout: 700 * time.Millisecond}
	return r.Run(context.Background(), ParseMeta(rel, src), variant)
}

// want is a subtest's expected status and a substring of its message.
type want struct{ status, msg string }

func checkResult(t *testing.T, res Result, harness string, wants map[string]want) {
	t.Helper()
	if res.Harness != harness {
		t.Errorf("harness status %s (%s), want %s", res.Harness, res.HarnessMessage, harness)
	}
	got := map[string]Subtest{}
	for _, s := range res.Subtests {
		got[s.Name] = s
	}
	for name, w := range wants {
		s, ok := got[name]
		if !ok {
			t.Errorf("subtest %q missing; got %+v", name, res.Subtests)
			continue
		}
		if s.Status != w.status || !strings.Contains(s.Message, w.msg) {
			t.Errorf("subtest %q: got %s %q, want %s containing %q", name, s.Status, s.Message, w.status, w.msg)
		}
	}
	if len(got) != len(wants) {
		t.Errorf("got %d subtests, want %d: %+v", len(got), len(wants), res.Subtests)
	}
}

func TestHarnessPassing(t *testing.T) {
	res := runTestdata(t, "pass.any.js", "")
	checkResult(t, res, HarnessOK, map[string]want{
		"sync passes": {Pass, ""}, "async passes": {Pass, ""}, "promise passes": {Pass, ""},
		"gen 1": {Pass, ""}, "gen 2": {Pass, ""}, "globals": {Pass, ""},
	})
}

func TestHarnessFailures(t *testing.T) {
	res := runTestdata(t, "fail.any.js", "")
	checkResult(t, res, HarnessOK, map[string]want{
		"assert fails":                    {Fail, "assert_equals: one is two expected 2 but got 1"},
		"throws TypeError":                {Fail, "TypeError"},
		"promise rejects":                 {Fail, "RangeError: nope"},
		"promise_test returns no promise": {Fail, "thenable"},
		"promise_rejects_js on resolve":   {Fail, "Should have rejected: resolved"},
		"async times out":                 {Timeout, "timed out"},
		"wrong exception type":            {Fail, "assert_throws_js"},
		"no exception":                    {Fail, "did not throw"},
		"arrays differ":                   {Fail, "expected property 1 to be 3 but got 2"},
		"precondition":                    {PreconditionFailed, "optional thing"},
	})
}

func TestHarnessThrowsDOM(t *testing.T) {
	res := runTestdata(t, "dom.any.js", "")
	checkResult(t, res, HarnessOK, map[string]want{
		"name matches":                         {Pass, ""},
		"legacy constant matches":              {Pass, ""},
		"legacy code matches":                  {Pass, ""},
		"wrong name fails":                     {Fail, "AbortError"},
		"JS SyntaxError fails":                 {Fail, "code"},
		"no throw fails":                       {Fail, "did not throw"},
		"promise_rejects_dom matches":          {Pass, ""},
		"promise_rejects_dom wrong name fails": {Fail, "AbortError"},
	})
}

func TestHarnessMetaScriptsAndFetch(t *testing.T) {
	res := runTestdata(t, "meta/with-script.any.js", "")
	checkResult(t, res, HarnessOK, map[string]want{
		"META scripts loaded":                  {Pass, ""},
		"fetch_json relative to the test file": {Pass, ""},
		"missing file is 404":                  {Pass, ""},
		"location":                             {Pass, ""},
		"Meta title":                           {Pass, ""}, // an unnamed test takes the META title
	})
}

func TestHarnessVariants(t *testing.T) {
	src, _ := os.ReadFile("testdata/variants.any.js")
	tf := ParseMeta("variants.any.js", src)
	if !reflect.DeepEqual(tf.Variants, []string{"?first", "?second"}) {
		t.Fatalf("variants %q", tf.Variants)
	}
	first := runTestdata(t, "variants.any.js", "?first")
	checkResult(t, first, HarnessOK, map[string]want{
		"search is ?second": {Fail, `expected "?second" but got "?first"`}, "search ?first": {Pass, ""},
	})
	if first.ID() != "variants.any.js?first" {
		t.Errorf("id %q", first.ID())
	}
	second := runTestdata(t, "variants.any.js", "?second")
	checkResult(t, second, HarnessOK, map[string]want{"search is ?second": {Pass, ""}, "search ?second": {Pass, ""}})
}

func TestHarnessTopLevelThrow(t *testing.T) {
	res := runTestdata(t, "toplevel-throw.any.js", "")
	checkResult(t, res, HarnessError, map[string]want{"before the throw": {Pass, ""}})
	if !strings.Contains(res.HarnessMessage, "top-level boom") {
		t.Errorf("harness message %q", res.HarnessMessage)
	}
}

func TestHarnessMissingScript(t *testing.T) {
	res := runTestdata(t, "missing-script.any.js", "")
	checkResult(t, res, HarnessError, map[string]want{})
	if !strings.Contains(res.HarnessMessage, "common/does-not-exist.js") {
		t.Errorf("harness message %q", res.HarnessMessage)
	}
}

func TestHarnessUncaughtException(t *testing.T) {
	res := runTestdata(t, "uncaught.any.js", "")
	checkResult(t, res, HarnessError, map[string]want{"async with an escaped exception": {Pass, ""}})
	if !strings.Contains(res.HarnessMessage, "escaped the test") {
		t.Errorf("harness message %q", res.HarnessMessage)
	}
}

func TestHarnessFileTimeout(t *testing.T) {
	src, _ := os.ReadFile("testdata/hang.any.js")
	r := &Runner{Dir: "testdata", Timeout: 500 * time.Millisecond, TestTimeout: time.Minute}
	start := time.Now()
	res := r.Run(context.Background(), ParseMeta("hang.any.js", src), "")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	checkResult(t, res, HarnessTimeout, map[string]want{"hangs": {Timeout, "timed out"}, "after the hang": {NotRun, ""}})
}

func TestHarnessPerTestTimeout(t *testing.T) {
	res := runTestdata(t, "hang.any.js", "")
	checkResult(t, res, HarnessOK, map[string]want{"hangs": {Timeout, "timed out"}, "after the hang": {Pass, ""}})
}

func TestHarnessExplicitDoneAndCleanup(t *testing.T) {
	checkResult(t, runTestdata(t, "explicit-done.any.js", ""), HarnessOK, map[string]want{"registered late": {Pass, ""}})
	checkResult(t, runTestdata(t, "cleanup.any.js", ""), HarnessOK, map[string]want{
		"with cleanups": {Pass, ""}, "cleanups ran before the next promise_test": {Pass, ""}, "sync test runs first": {Pass, ""},
	})
}

func TestParseMeta(t *testing.T) {
	src := "// META: global=window,worker\n// META: script=/common/a.js\n// META: script=../resources/b.js\n" +
		"// META: timeout=long\n// META: variant=?1-10\n\n// a comment\n// META: script=ignored-after-code.js\n"
	src = strings.Replace(src, "// a comment\n", "// a comment\ntest(() => {});\n", 1)
	tf := ParseMeta("fetch/api/headers/x.any.js", []byte(src))
	if !reflect.DeepEqual(tf.Scripts, []string{"common/a.js", "fetch/api/resources/b.js"}) || !tf.Long ||
		!reflect.DeepEqual(tf.Variants, []string{"?1-10"}) {
		t.Fatalf("got %+v", tf)
	}
}

func TestExpectationsCheck(t *testing.T) {
	exp := &Expectations{Files: map[string]FileExpectation{
		"a.any.js": {Fail: []string{"known", "fixed", "gone"}},
		"b.any.js": {Harness: HarnessError},
	}}
	res := Result{File: "a.any.js", Harness: HarnessOK, Subtests: []Subtest{
		{Name: "known", Status: Fail}, {Name: "fixed", Status: Pass}, {Name: "new", Status: Fail, Message: "boom"},
	}}
	var kinds []string
	for _, p := range exp.Check(res) {
		kinds = append(kinds, p.Kind+" "+p.Subtest)
	}
	if !reflect.DeepEqual(kinds, []string{"regression new", "unexpected pass fixed", "stale gone"}) {
		t.Fatalf("problems %q", kinds)
	}
	if ps := exp.Check(Result{File: "b.any.js", Harness: HarnessOK}); len(ps) != 1 || ps[0].Kind != "harness" {
		t.Fatalf("harness fixed: %v", ps)
	}
	if ps := exp.Check(Result{File: "c.any.js", Harness: HarnessTimeout}); len(ps) != 1 || ps[0].Kind != "harness" {
		t.Fatalf("harness timeout: %v", ps)
	}
	up := exp.Updated([]Result{res}, false)
	if !reflect.DeepEqual(up.Files["a.any.js"].Fail, []string{"known", "new"}) || len(up.Files) != 1 {
		t.Fatalf("updated %+v", up.Files)
	}
}

func TestUpdateDocs(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "CONFORMANCE.md")
	if err := os.WriteFile(doc, []byte("# Conformance\n\nIntro.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, total := Summarize([]Result{{File: "url/a.any.js", Subtests: []Subtest{{Status: Pass}, {Status: Fail}}}})
	for i := 0; i < 2; i++ { // idempotent
		if err := UpdateDocs(doc, Table(rows, total)); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(doc)
	text := string(data)
	if !strings.HasPrefix(text, "# Conformance\n\nIntro.\n") || strings.Count(text, TableStart) != 1 ||
		!strings.Contains(text, "| `url` | 1 | 2 | 1 | 50.0 |") {
		t.Fatalf("doc:\n%s", text)
	}
}

func TestHarnessSingleTest(t *testing.T) {
	checkResult(t, runTestdata(t, "single-test.any.js", ""), HarnessOK, map[string]want{"The single test": {Pass, ""}})
	start := time.Now()
	checkResult(t, runTestdata(t, "single-test-throws.any.js", ""), HarnessOK,
		map[string]want{"The single test": {Fail, "top-level assertion"}})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a single_test file that threw took %s: it should finish at once", d)
	}
}
