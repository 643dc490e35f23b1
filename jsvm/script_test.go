package jsvm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func startScripts(t *testing.T, cfg Config, opts ScriptOptions) *Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := StartScripts(ctx, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Close)
	return in
}

func TestRunScriptSharesGlobalScopeAndReportsBack(t *testing.T) {
	in := startScripts(t, Config{}, ScriptOptions{})
	got := make(chan []any, 4)
	if err := in.Expose("report", func(args ...any) { got <- args }); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := in.RunScript(ctx, "a.js", "var a = 1; let b = 2; function f() { return a + b; }"); err != nil {
		t.Fatal(err)
	}
	if err := in.RunScript(ctx, "b.js", `setTimeout(() => report(f(), "later", [true, null]), 1);
Promise.resolve().then(() => report("microtask"));`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[microtask]", "[3 later [true <nil>]]"} {
		select {
		case args := <-got:
			if s := fmt.Sprint(args); s != want {
				t.Fatalf("report got %s, want %s", s, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no report %s", want)
		}
	}
}

func TestRunScriptException(t *testing.T) {
	in := startScripts(t, Config{}, ScriptOptions{})
	err := in.RunScript(context.Background(), "boom.js", "function g() { throw new TypeError('boom'); }\ng();")
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *ScriptError", err)
	}
	if se.Phase != "script" || se.Message != "TypeError: boom" || !strings.Contains(se.Stack, "boom.js") {
		t.Fatalf("got phase %q message %q stack %q", se.Phase, se.Message, se.Stack)
	}
	if err := in.RunScript(context.Background(), "syntax.js", "let ="); !errors.As(err, &se) {
		t.Fatalf("syntax error: got %v, want a *ScriptError", err)
	}
	// The instance keeps working after an exception.
	if err := in.RunScript(context.Background(), "ok.js", "1"); err != nil {
		t.Fatal(err)
	}
}

func TestScriptLocationResolvesFetch(t *testing.T) {
	var gotURL string
	fetcher := fetchFunc(func(_ context.Context, req *Request) (*Response, error) {
		gotURL = req.URL
		return &Response{Status: 200, Body: []byte(`{"ok":true}`)}, nil
	})
	in := startScripts(t, Config{Fetcher: fetcher}, ScriptOptions{Location: "http://wpt.test/dir/page.any.js?x=1"})
	got := make(chan []any, 1)
	if err := in.Expose("report", func(args ...any) { got <- args }); err != nil {
		t.Fatal(err)
	}
	err := in.RunScript(context.Background(), "f.js",
		`fetch("res/a.json").then(r => r.json()).then(j => report(location.search, location.pathname, j.ok), e => report(String(e)))`)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case args := <-got:
		if len(args) != 3 || args[0] != "?x=1" || args[1] != "/dir/page.any.js" || args[2] != true {
			t.Fatalf("got %v", args)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("fetch never settled")
	}
	if gotURL != "http://wpt.test/dir/res/a.json" {
		t.Fatalf("fetched %q", gotURL)
	}
}

func TestRunScriptOnClosedInstance(t *testing.T) {
	in := startScripts(t, Config{}, ScriptOptions{})
	in.Close()
	if err := in.RunScript(context.Background(), "x.js", "1"); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}
