package jsvm

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestConsoleFormatsLikeDeno(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	in := startModule(t, "mod.js", `Deno.serve(() => {
  console.log("plain", 1, true, null, undefined, [1, "a"], { a: 1, "b-c": { d: [] } }, new Map([[1, 2]]));
  console.error(new URL("https://x.example/"));
  return new Response("ok");
});`, Config{Project: "proj", Instance: "inst", Logger: log})
	serve(t, in, "GET", "https://t.example/", "")
	out := buf.String()
	for _, want := range []string{
		`level=INFO msg=console project=proj instance=inst text="plain 1 true null undefined [ 1, \"a\" ] { a: 1, \"b-c\": { d: [] } } Map(1) { 1 => 2 }"`,
		`level=ERROR msg=console project=proj instance=inst text="URL { href: \"https://x.example/\"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s\n%s", want, out)
		}
	}
}

func TestEnvOnlyConfiguredVariables(t *testing.T) {
	t.Setenv("EDGE_SECRET_OF_HOST", "leak")
	in := startModule(t, "mod.js", `Deno.serve(() => new Response([Deno.env.get("GREETING"), String(Deno.env.get("EDGE_SECRET_OF_HOST")), JSON.stringify(Deno.env.toObject())].join("|")));`,
		Config{Env: map[string]string{"GREETING": "hi"}})
	if got := string(serve(t, in, "GET", "https://t.example/", "").Body); got != `hi|undefined|{"GREETING":"hi"}` {
		t.Fatalf("got %q", got)
	}
}

func TestUnhandledRejectionIsLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	in := startModule(t, "mod.js", `Deno.serve(() => {
  Promise.reject(new RangeError("nobody listens"));
  Promise.reject(new Error("handled later")).catch(() => {});
  return new Response("ok");
});`, Config{Project: "proj", Logger: log})
	if got := string(serve(t, in, "GET", "https://t.example/", "").Body); got != "ok" {
		t.Fatalf("got %q", got)
	}
	in.Close() // the loop has finished the request's job and its microtasks
	out := buf.String()
	if !strings.Contains(out, `msg="unhandled promise rejection" project=proj`) || !strings.Contains(out, "RangeError: nobody listens") {
		t.Fatalf("log lacks the unhandled rejection:\n%s", out)
	}
	if strings.Contains(out, "handled later") {
		t.Fatalf("a handled rejection was reported:\n%s", out)
	}
}

func TestConsoleMethods(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	in := startModule(t, "mod.js", `Deno.serve(() => {
  console.log("%s is %d years and %o", "Ada", 36.5, { a: 1 }, "extra");
  console.count(); console.count(); console.count("x");
  console.group("g"); console.log("inside"); console.groupEnd(); console.log("outside");
  console.assert(false, "broken %s", "here");
  console.table([{ a: 1, b: "x" }, { a: 2 }]);
  console.dir({ nested: { deep: 1 } });
  return new Response("ok");
});`, Config{Logger: log})
	serve(t, in, "GET", "https://t.example/", "")
	out := buf.String()
	for _, want := range []string{
		`text="Ada is 36.5 years and { a: 1 } extra"`,
		`text="default: 1"`, `text="default: 2"`, `text="x: 1"`,
		`text="    inside"`, `text=outside`,
		`level=ERROR msg=console project="" instance="" text="Assertion failed: broken here"`,
		`│ (idx) │ a │  b  │`,
		`text="{ nested: { deep: 1 } }"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}
