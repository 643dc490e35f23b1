package jsvm

import "testing"

// evalJS runs body (the body of an async function) inside a fresh instance
// and returns the string of what it returns, or "throws <name>: <message>".
func evalJS(t *testing.T, body string) string {
	t.Helper()
	src := "Deno.serve(async () => {\n  try {\n    const v = await (async () => {\n" + body +
		"\n    })();\n    return new Response(String(v));\n  } catch (e) {\n    return new Response(\"throws \" + e.name + \": \" + e.message);\n  }\n});\n"
	in := startModule(t, "mod.js", src, Config{})
	return string(serve(t, in, "GET", "https://test.example/", "").Body)
}

type jsCase struct{ name, body, want string }

func runJSCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evalJS(t, c.body); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
