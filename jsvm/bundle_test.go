package jsvm

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestBundleSyntaxErrorNamesFileLineColumn(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"mod.js": "import { x } from \"./lib.ts\";\nDeno.serve(() => new Response(x));\n",
		"lib.ts": "export const x = 1;\nexport const y = (;\n",
	}, "mod.js")
	_, err := Bundle(context.Background(), entry)
	var bes BuildErrors
	if !errors.As(err, &bes) || len(bes) == 0 {
		t.Fatalf("got %v, want BuildErrors", err)
	}
	be := bes[0]
	if be.File != filepath.Join(filepath.Dir(entry), "lib.ts") || be.Line != 2 || be.Column != 19 {
		t.Fatalf("got %s:%d:%d, want lib.ts:2:19", be.File, be.Line, be.Column)
	}
	if !strings.Contains(err.Error(), "lib.ts:2:19: Unexpected") {
		t.Fatalf("message %q", err.Error())
	}
}

func TestBundleMissingEntry(t *testing.T) {
	_, err := Bundle(context.Background(), filepath.Join(t.TempDir(), "nope.js"))
	if !errors.Is(err, ErrEntryNotFound) || !strings.Contains(err.Error(), "nope.js") {
		t.Fatalf("got %v", err)
	}
}

func TestBundleMissingImport(t *testing.T) {
	entry := writeModule(t, map[string]string{"mod.js": "import \"./missing.js\";\n"}, "mod.js")
	_, err := Bundle(context.Background(), entry)
	if err == nil || !strings.Contains(err.Error(), "mod.js:1:") || !strings.Contains(err.Error(), "missing.js") {
		t.Fatalf("got %v", err)
	}
}

func TestBundleRefusesRemoteImports(t *testing.T) {
	entry := writeModule(t, map[string]string{"mod.js": "import { x } from \"https://example.com/x.ts\";\nconsole.log(x);\n"}, "mod.js")
	_, err := Bundle(context.Background(), entry)
	if err == nil || !strings.Contains(err.Error(), "vendor the module") {
		t.Fatalf("got %v", err)
	}
}

func TestBundleRelativeImportsAndTS(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"main.ts":      "import { greet } from \"./lib/greet.ts\";\nexport default { fetch: (_req: Request) => new Response(greet(\"ts\")) };\n",
		"lib/greet.ts": "export function greet(who: string): string { return `hello ${who}`; }\n",
	}, "main.ts")
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Start(context.Background(), prog, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	resp := serve(t, in, "GET", "https://p.example/", "")
	if string(resp.Body) != "hello ts" {
		t.Fatalf("got %q", resp.Body)
	}
}

// Stacks name the user's files whatever directory edge runs from.
func TestStackPathsDoNotDependOnTheWorkingDirectory(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"app/mod.js":   `import { boom } from "./lib/x.js"; Deno.serve(() => boom());`,
		"app/lib/x.js": "export function boom() {\n  throw new Error(\"where\");\n}\n",
	}, "app/mod.js")
	t.Chdir(t.TempDir())
	prog, err := Bundle(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Start(context.Background(), prog, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = in.Serve(context.Background(), &Request{Method: "GET", URL: "https://x.example/", Header: http.Header{}})
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("Serve: %v", err)
	}
	want := filepath.Join(filepath.Dir(entry), "lib", "x.js") + ":2:"
	if !strings.Contains(se.Stack, want) {
		t.Fatalf("stack does not name %s:\n%s", want, se.Stack)
	}
}

func TestBuiltinStdHTTP(t *testing.T) {
	src := `import { serve, STATUS_CODE, STATUS_TEXT, getCookies, setCookie, deleteCookie, serveDir } from "jsr:@std/http@1";
import { isRedirectStatus } from "jsr:@std/http/status";
import { serve as oldServe } from "https://deno.land/std@0.200.0/http/server.ts";
serve((req) => {
  const h = new Headers();
  setCookie(h, { name: "a", value: "1", httpOnly: true, path: "/" });
  deleteCookie(h, "b");
  let dir;
  try { serveDir(req); } catch (e) { dir = e.message; }
  return new Response(JSON.stringify({
    codes: [STATUS_CODE.NotFound, STATUS_CODE.OK, STATUS_CODE.Teapot, STATUS_CODE.InternalServerError, STATUS_TEXT[404]],
    redirect: isRedirectStatus(308),
    cookies: getCookies(req.headers),
    set: h.getSetCookie(),
    same: oldServe === serve,
    dir,
  }));
});`
	in := startModule(t, "mod.js", src, Config{})
	resp, err := in.Serve(context.Background(), &Request{Method: "GET", URL: "https://x.example/", Header: http.Header{"Cookie": {"x=1; y = two"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"codes":[404,200,418,500,"Not Found"],"redirect":true,"cookies":{"x":"1","y":"two"},"set":["a=1; HttpOnly; Path=/","b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"],"same":true,"dir":"serveDir is not supported by edge: instances have no file system; import static assets into your bundle (with { type: \"json\" } or as strings) or serve them from elsewhere"}`
	if string(resp.Body) != want {
		t.Fatalf("got  %s\nwant %s", resp.Body, want)
	}
}

// A bundle compiled elsewhere (edge deploy uploads Program.Source) runs
// the same, and stacks still point at the user's files.
func TestCompileUploadedBundle(t *testing.T) {
	entry := writeModule(t, map[string]string{
		"mod.ts": "import { greet } from \"./lib.ts\";\nDeno.serve(() => new Response(greet()));\n",
		"lib.ts": "export function greet(): string { return \"hi from \" + \"lib\"; }\n",
	}, "mod.ts")
	built, err := Bundle(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(built.Entry, built.Source)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Start(context.Background(), prog, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got := string(serve(t, in, "GET", "http://x/", "").Body); got != "hi from lib" {
		t.Fatalf("body %q", got)
	}
	for _, bad := range []string{"", "Deno.serve(() => new Response('x'))", bundleBanner + "let = ;" + bundleFooter} {
		if _, err := Compile("/tmp/up.js", bad); err == nil || !strings.Contains(err.Error(), "/tmp/up.js") {
			t.Fatalf("Compile(%.30q) = %v, want an error naming the bundle", bad, err)
		}
	}
}
